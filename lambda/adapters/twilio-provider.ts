import { GatewayError, isGatewayError } from '../core/errors';
import type { TwilioCredentials } from '../core/gateway-secrets';
import type { MessageProvider, OutboundMessage, ProviderOutcome, SecretsSource } from '../core/ports';
import { twilioKeysError } from './secrets';
import { TWILIO_AUTHENTICATION_FAILED, type TwilioAuth, type TwilioRestClient } from './twilio-rest';
import { voiceTwiml } from './lazy-voice-twiml';

// A call that reads a 10-digit code three times lasts ~40 s; the cap bounds what a pumped voice
// call can cost. With machine detection the script starts only after a voicemail greeting, which
// Twilio waits for up to 30 s (its MachineDetectionTimeout default).
const CALL_TIME_LIMIT_SECONDS = 60;
const MACHINE_DETECTION_SECONDS = 30;

function authFor(credentials: TwilioCredentials): TwilioAuth {
  return {
    accountSid: credentials.accountSid,
    username: credentials.apiKey?.sid ?? credentials.accountSid,
    password: credentials.apiKey?.secret ?? credentials.authToken,
  };
}

function isAuthenticationFailure(err: unknown): boolean {
  return isGatewayError(err) && err.details.providerCode === TWILIO_AUTHENTICATION_FAILED;
}

/**
 * Sends through Twilio with the credentials of the gateway's secret. When Twilio answers
 * 20003 (authentication failed) the secret was probably rotated under us: read it again once
 * and retry with the new credentials.
 */
export class TwilioProvider implements MessageProvider {
  constructor(
    private readonly secrets: SecretsSource,
    private readonly rest: TwilioRestClient,
    private readonly statusCallbackUrl: string,
    private readonly options: { machineDetection?: boolean } = {},
  ) {}

  async send(message: OutboundMessage): Promise<ProviderOutcome> {
    const credentials = await this.credentials(false);
    try {
      return await this.sendWith(credentials, message);
    } catch (err) {
      // A refusal created nothing, so sending again with the new credentials is safe.
      if (!isAuthenticationFailure(err)) throw err;
      const fresh = await this.credentials(true);
      if (sameCredentials(fresh, credentials)) throw err;
      const outcome = await this.sendWith(fresh, message);
      // SendLatency is the time spent in Twilio's API, the refused attempt included.
      return { ...outcome, latencyMs: outcome.latencyMs + ((err as GatewayError).details.latencyMs ?? 0) };
    }
  }

  private async credentials(refresh: boolean): Promise<TwilioCredentials> {
    const { twilio, twilioProblem } = await this.secrets.get({ refresh });
    if (!twilio) throw twilioKeysError(twilioProblem);
    return twilio;
  }

  private sendWith(credentials: TwilioCredentials, message: OutboundMessage): Promise<ProviderOutcome> {
    const auth = authFor(credentials);
    if (message.channel === 'sms') {
      return this.rest.createMessage(auth, {
        To: message.to,
        Body: message.body,
        ...(credentials.messagingServiceSid
          ? { MessagingServiceSid: credentials.messagingServiceSid }
          : { From: credentials.phoneNumber }),
        StatusCallback: this.statusCallbackUrl,
      });
    }
    if (!credentials.phoneNumber) {
      throw new GatewayError(
        'channel_unavailable',
        'Voice calls need a sender number: set TWILIO_PHONE_NUMBER in the gateway secret.',
      );
    }
    const detect = this.options.machineDetection === true;
    return this.rest.createCall(auth, {
      To: message.to,
      From: credentials.phoneNumber,
      Twiml: voiceTwiml(message.script, message.language),
      StatusCallback: this.statusCallbackUrl,
      TimeLimit: String(CALL_TIME_LIMIT_SECONDS + (detect ? MACHINE_DETECTION_SECONDS : 0)),
      // Synchronous detection: Twilio runs the inline TwiML only once it knows who answered, and
      // for a machine only after the greeting, so a voicemail gets the whole script (docs/voice.md
      // says why not less); the status callback then carries AnsweredBy.
      ...(detect && { MachineDetection: 'DetectMessageEnd' }),
    });
  }
}

function sameCredentials(a: TwilioCredentials, b: TwilioCredentials): boolean {
  const auth = (c: TwilioCredentials) => JSON.stringify(authFor(c));
  return auth(a) === auth(b);
}
