import { sign } from 'aws4';
import { PROVIDER } from '../../../shared/names';
import { createOnce, noAnswer, readJsonObject, type Exchange } from '../../adapters/create-once';
import { GatewayError } from '../../core/errors';
import type { MessageProvider, OutboundMessage, ProviderOutcome, SendOptions } from '../../core/ports';
import { AWS_SMS, mapAwsSmsError, readAwsError } from './errors';
import { pollyVoice } from './polly-voice';
import type { AwsSmsSettings } from './settings';
import { voiceSsml } from './ssml';

/**
 * Sends through AWS End User Messaging SMS and Voice v2: an SMS with SendTextMessage, a call that
 * reads the script with SendVoiceMessage (SSML, in the Polly voice of the message's language),
 * both from the origination identity of the settings, as SigV4-signed HTTPS requests (`aws4`),
 * the way lambda/adapters/dynamodb-client.ts talks to DynamoDB and for the same reason: no AWS
 * SDK to load on the send path (docs/benchmarks.md). The protocol is AWS JSON 1.0 (the service model's `protocol`):
 * `POST /`, `Content-Type: application/x-amz-json-1.0`, `X-Amz-Target:
 * PinpointSMSVoiceV2.<Operation>`, signed for the service `sms-voice`, the input as a JSON
 * object; an error is a non-2xx answer naming its type in `__type` (or `code`, or the
 * `X-Amzn-Errortype` header), with `Message` and, for most, a `Reason`.
 *
 * Retries: neither send has an idempotency token (SendTextMessageRequest has no ClientToken),
 * so a send is repeated only when it provably did not reach AWS (`provablyNothing`), once,
 * after a jittered pause, within the budget, as Twilio's (lambda/adapters/create-once.ts).
 * Anything that may have reached AWS (a timeout after the request went out, a dropped
 * connection, a 5xx such as InternalServerException, a 2xx without a MessageId) is an unknown
 * outcome, never repeated.
 */

type Env = Record<string, string | undefined>;

export interface AwsSmsProviderOptions {
  /** AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 (lambda/config.ts); else https://sms-voice.<region>.amazonaws.com. */
  endpoint?: string;
  /** AWS_SMS_CONFIGURATION_SET: its event destination reports delivery to the status Lambda. */
  configurationSet?: string;
  attemptTimeoutMs?: number;
  totalBudgetMs?: number;
  /** For tests: the pause before the retry. */
  backoffMs?: () => number;
}

/** Where the service model says the JSON 1.0 operations live. */
const TARGET_PREFIX = 'PinpointSMSVoiceV2';
const SIGNING_NAME = 'sms-voice';
const CONTENT_TYPE = 'application/x-amz-json-1.0';

/**
 * Whether an attempt provably reached nothing that sends: the request never left (a refused
 * connection, a DNS or TLS failure, a dead kept-alive socket: http-request.ts), or AWS refused
 * it as throttled: ThrottlingException is a client error of the model (HTTP 400), the request
 * refused before anything was done, and the one the SDKs retry as throttling. A 5xx proves
 * nothing: the model marks InternalServerException a server fault, "retryable", which the SDKs
 * retry for idempotent calls, and a send is not one.
 */
function provablyNothing(exchange: Exchange): boolean {
  if ('failure' in exchange) return !exchange.sent;
  const { answer } = exchange;
  return answer.status >= 400 && answer.status < 500 && readAwsError(answer, readJsonObject(answer.text)).type === 'ThrottlingException';
}

/**
 * Both sends are TRANSACTIONAL traffic where the API takes a type (SendTextMessage's
 * MessageType: a one-time code is transactional, and some countries route promotional traffic
 * slower or not at all).
 */
export class AwsSmsProvider implements MessageProvider<AwsSmsSettings> {
  readonly name = PROVIDER.aws;
  private readonly endpoint: URL;
  private readonly region: string;
  private readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;

  /** `env`: AWS_REGION and the Lambda's credentials, as every AWS client reads them. */
  constructor(
    env: Env = process.env,
    private readonly options: AwsSmsProviderOptions = {},
  ) {
    this.region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    // Lambda always provides them; `npm start` without AWS keys can still run with Twilio alone.
    this.credentials = accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined } : undefined;
    this.endpoint = new URL(options.endpoint ?? `https://sms-voice.${this.region}.amazonaws.com`);
  }

  send(message: OutboundMessage, settings: AwsSmsSettings, options: SendOptions = {}): Promise<ProviderOutcome> {
    const common = {
      DestinationPhoneNumber: message.to,
      OriginationIdentity: settings.originationIdentity,
      ...(this.options.configurationSet && { ConfigurationSetName: this.options.configurationSet }),
    };
    if (message.channel === 'sms') {
      return this.call('SendTextMessage', { ...common, MessageBody: message.body, MessageType: 'TRANSACTIONAL' }, options.budgetMs);
    }
    return this.call(
      'SendVoiceMessage',
      { ...common, MessageBody: voiceSsml(message.script), MessageBodyTextType: 'SSML', VoiceId: pollyVoice(message.language) },
      options.budgetMs,
    );
  }

  /**
   * One send operation with its input. Resolves accepted (AWS named the MessageId) or unknown;
   * rejects with a GatewayError only when AWS provably did not send. `budgetMs` caps the whole
   * call, the retry included.
   */
  private async call(operation: string, input: Record<string, unknown>, budgetMs = Infinity): Promise<ProviderOutcome> {
    if (!this.credentials) {
      throw new GatewayError('configuration_error', `${AWS_SMS} needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`);
    }
    const body = JSON.stringify(input);
    const signed = sign(
      {
        host: this.endpoint.host,
        path: this.endpoint.pathname,
        method: 'POST',
        // Given, not derived: aws4 reads both from an amazonaws.com host name only.
        service: SIGNING_NAME,
        region: this.region,
        headers: { 'content-type': CONTENT_TYPE, 'x-amz-target': `${TARGET_PREFIX}.${operation}` },
        body,
      },
      this.credentials,
    );
    // The retry reuses the signature: AWS accepts one for 15 minutes.
    const { exchange, latencyMs } = await createOnce(this.endpoint, { method: 'POST', headers: signed.headers, body }, {
      budgetMs: Math.min(this.options.totalBudgetMs ?? 8_000, budgetMs),
      attemptTimeoutMs: this.options.attemptTimeoutMs ?? 5_000,
      provablyNothing,
      pauseMs: this.options.backoffMs ?? (() => 100 + Math.random() * 300),
    });
    if ('failure' in exchange) return noAnswer(exchange, AWS_SMS, latencyMs);
    const { answer } = exchange;
    const output = readJsonObject(answer.text);
    if (answer.status < 200 || answer.status >= 300) {
      const error = readAwsError(answer, output);
      // AWS's text is not kept: it may quote the message, and says nothing the type does not.
      if (answer.status >= 500) return { outcome: 'unknown', detail: `${AWS_SMS} answered HTTP ${answer.status}${error.type ? ` (${error.type})` : ''}.`, latencyMs };
      throw mapAwsSmsError(answer.status, error, latencyMs);
    }
    const messageId = output?.MessageId;
    if (typeof messageId !== 'string' || messageId === '') {
      // AWS said yes, but its answer does not say what it sent: do not claim success.
      return { outcome: 'unknown', detail: `${AWS_SMS} answered HTTP ${answer.status} without a MessageId.`, latencyMs };
    }
    // The output has no status: AWS took the message, its events tell the rest.
    return { outcome: 'accepted', sid: messageId, status: 'accepted', latencyMs };
  }
}
