import { PROVIDER, SECRET_KEY } from '../../../shared/names';
import { GatewayError } from '../../core/errors';
import { usableCredentials, type ProviderKeys } from '../../core/gateway-secrets';
import type { MessageProvider, OutboundMessage, ProviderOutcome, SendOptions } from '../../core/ports';
import type { TwilioCredentials } from './credentials';
import { isAuthenticationFailure } from './errors';
import { voiceTwiml } from './voice-twiml';
import type { TwilioAuth, TwilioRestClient } from './rest';

// A call that reads a 10-digit code three times lasts ~40 s; the cap bounds what a pumped voice
// call can cost. With machine detection the script starts only after a voicemail greeting, which
// Twilio waits for up to 30 s (its MachineDetectionTimeout default).
const CALL_TIME_LIMIT_SECONDS = 60;
const MACHINE_DETECTION_SECONDS = 30;

export interface TwilioProviderOptions {
  /** The public URL of POST /twilio/status, Twilio's StatusCallback for every message and call. */
  statusCallbackUrl: string;
  /** Answering-machine detection on calls (VOICE_MACHINE_DETECTION). */
  machineDetection?: boolean;
  /** Reads the secret again past every cache: its Twilio keys now. Called only after Twilio answers 20003. */
  rereadKeys(): Promise<ProviderKeys<TwilioCredentials>>;
}

function authFor(credentials: TwilioCredentials): TwilioAuth {
  return {
    accountSid: credentials.accountSid,
    username: credentials.apiKey?.sid ?? credentials.accountSid,
    password: credentials.apiKey?.secret ?? credentials.authToken,
  };
}

/**
 * Sends through Twilio with the credentials of this request's secret. When Twilio answers
 * 20003 (authentication failed) the secret was probably rotated under us: read it again once
 * and retry with the new credentials.
 */
export class TwilioProvider implements MessageProvider<TwilioCredentials> {
  readonly name = PROVIDER.twilio;

  constructor(
    private readonly rest: TwilioRestClient,
    private readonly options: TwilioProviderOptions,
  ) {}

  async send(message: OutboundMessage, credentials: TwilioCredentials, options: SendOptions = {}): Promise<ProviderOutcome> {
    const started = performance.now();
    try {
      return await this.sendWith(credentials, message, options.budgetMs);
    } catch (err) {
      // A refusal created nothing, so sending again with the new credentials is safe.
      if (!isAuthenticationFailure(err)) throw err;
      const fresh = usableCredentials(await this.options.rereadKeys(), 'Twilio');
      if (sameCredentials(fresh, credentials)) throw err;
      // What is left after the refused attempt and the re-read of the secret.
      const left = options.budgetMs === undefined ? undefined : options.budgetMs - Math.round(performance.now() - started);
      const outcome = await this.sendWith(fresh, message, left);
      // SendLatency is the time spent in Twilio's API, the refused attempt included.
      return { ...outcome, latencyMs: outcome.latencyMs + (err.details.latencyMs ?? 0) };
    }
  }

  private sendWith(credentials: TwilioCredentials, message: OutboundMessage, budgetMs: number | undefined): Promise<ProviderOutcome> {
    const auth = authFor(credentials);
    const { statusCallbackUrl } = this.options;
    if (message.channel === 'sms') {
      return this.rest.createMessage(auth, {
        To: message.to,
        Body: message.body,
        ...(credentials.messagingServiceSid
          ? { MessagingServiceSid: credentials.messagingServiceSid }
          : { From: credentials.phoneNumber }),
        StatusCallback: statusCallbackUrl,
      }, budgetMs);
    }
    if (!credentials.phoneNumber) {
      throw new GatewayError(
        'channel_unavailable',
        `Voice calls need a sender number: set ${SECRET_KEY.twilioPhoneNumber} in the gateway secret.`,
      );
    }
    const detect = this.options.machineDetection === true;
    return this.rest.createCall(auth, {
      To: message.to,
      From: credentials.phoneNumber,
      Twiml: voiceTwiml(message.script, message.language),
      StatusCallback: statusCallbackUrl,
      TimeLimit: String(CALL_TIME_LIMIT_SECONDS + (detect ? MACHINE_DETECTION_SECONDS : 0)),
      // Synchronous detection: Twilio runs the inline TwiML only once it knows who answered, and
      // for a machine only after the greeting, so a voicemail gets the whole script (docs/voice.md
      // says why not less); the status callback then carries AnsweredBy.
      ...(detect && { MachineDetection: 'DetectMessageEnd' }),
    }, budgetMs);
  }
}

function sameCredentials(a: TwilioCredentials, b: TwilioCredentials): boolean {
  const auth = (c: TwilioCredentials) => JSON.stringify(authFor(c));
  return auth(a) === auth(b);
}
