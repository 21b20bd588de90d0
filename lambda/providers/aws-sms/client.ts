import { sign } from 'aws4';
import { PROVIDER } from '../../../shared/names';
import { httpRequest, NoAnswerError, type HttpAnswer } from '../../adapters/http-request';
import { GatewayError } from '../../core/errors';
import type { ProviderOutcome } from '../../core/ports';
import { mapAwsSmsError, readAwsError, type AwsError } from './errors';

/**
 * The two AWS End User Messaging SMS and Voice v2 calls the gateway makes (SendTextMessage,
 * SendVoiceMessage), as SigV4-signed HTTPS requests (`aws4`), the way lambda/adapters/
 * dynamodb-client.ts talks to DynamoDB and for the same reason: no AWS SDK to load on the send
 * path (docs/benchmarks.md). The protocol is AWS JSON 1.0 (the service model's `protocol`):
 * `POST /`, `Content-Type: application/x-amz-json-1.0`, `X-Amz-Target:
 * PinpointSMSVoiceV2.<Operation>`, signed for the service `sms-voice`, the input as a JSON
 * object; an error is a non-2xx answer naming its type in `__type` (or `code`, or the
 * `X-Amzn-Errortype` header), with `Message` and, for most, a `Reason`.
 *
 * Retries: neither send has an idempotency token (SendTextMessageRequest has no ClientToken),
 * so a send is repeated only when it provably did not reach AWS (`provablyNothing`), once,
 * after a jittered pause, within the budget, as Twilio's client does (twilio/rest.ts).
 * Anything that may have reached AWS (a timeout after the request went out, a dropped
 * connection, a 5xx such as InternalServerException, a 2xx without a MessageId) is an unknown
 * outcome, never repeated.
 */

type Env = Record<string, string | undefined>;

export interface AwsSmsClientOptions {
  /** AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 (lambda/config.ts); else https://sms-voice.<region>.amazonaws.com. */
  endpoint?: string;
  attemptTimeoutMs?: number;
  totalBudgetMs?: number;
  /** For tests: the pause before the retry. */
  backoffMs?: () => number;
}

/** Where the service model says the JSON 1.0 operations live. */
const TARGET_PREFIX = 'PinpointSMSVoiceV2';
const SIGNING_NAME = 'sms-voice';
const CONTENT_TYPE = 'application/x-amz-json-1.0';

type Attempt = { answer: HttpAnswer; body: Record<string, unknown> | undefined; error?: AwsError } | { failure: 'timeout' | 'network'; sent: boolean; cause: unknown };

function readJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether an attempt provably reached nothing that sends: the request never left (a refused
 * connection, a DNS or TLS failure, a dead kept-alive socket: http-request.ts), or AWS refused
 * it as throttled: ThrottlingException is a client error of the model (HTTP 400), the request
 * refused before anything was done, and the one the SDKs retry as throttling. A 5xx proves
 * nothing: the model marks InternalServerException a server fault, "retryable", which the SDKs
 * retry for idempotent calls, and a send is not one.
 */
function provablyNothing(attempt: Attempt): boolean {
  if ('failure' in attempt) return !attempt.sent;
  return attempt.error?.type === 'ThrottlingException';
}

export class AwsSmsClient {
  private readonly endpoint: URL;
  private readonly region: string;
  private readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  private readonly attemptTimeoutMs: number;
  private readonly totalBudgetMs: number;
  private readonly backoffMs: () => number;

  constructor(env: Env = process.env, options: AwsSmsClientOptions = {}) {
    this.region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    // Lambda always provides them; `npm start` without AWS keys can still run with Twilio alone.
    this.credentials = accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined } : undefined;
    this.endpoint = new URL(options.endpoint ?? `https://sms-voice.${this.region}.amazonaws.com`);
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 5_000;
    this.totalBudgetMs = options.totalBudgetMs ?? 8_000;
    this.backoffMs = options.backoffMs ?? (() => 100 + Math.random() * 300);
  }

  /**
   * One send operation with its input. Resolves accepted (AWS named the MessageId) or unknown;
   * rejects with a GatewayError only when AWS provably did not send. `budgetMs` caps the whole
   * call, the retry included.
   */
  async send(operation: 'SendTextMessage' | 'SendVoiceMessage', input: Record<string, unknown>, budgetMs?: number): Promise<ProviderOutcome> {
    if (!this.credentials) {
      throw new GatewayError('configuration_error', 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are needed to send through AWS End User Messaging.', { provider: PROVIDER.aws });
    }
    const budget = Math.min(this.totalBudgetMs, budgetMs ?? Infinity);
    const body = JSON.stringify(input);
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);

    let attempt = await this.attempt(operation, body, Math.min(this.attemptTimeoutMs, budget));
    if (provablyNothing(attempt)) {
      const wait = this.backoffMs();
      const remaining = budget - elapsed() - wait;
      // A retry with less than a second left would most likely time out anyway.
      if (remaining >= 1_000) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        attempt = await this.attempt(operation, body, Math.min(this.attemptTimeoutMs, remaining));
      }
    }

    const latencyMs = elapsed();
    if ('failure' in attempt) {
      if (!attempt.sent) {
        throw new GatewayError('provider_unavailable', 'AWS End User Messaging could not be reached; try again later.', { provider: PROVIDER.aws, latencyMs, cause: attempt.cause });
      }
      const detail = attempt.failure === 'timeout' ? 'AWS End User Messaging did not answer in time.' : 'AWS End User Messaging hung up before answering.';
      return { outcome: 'unknown', detail, latencyMs, cause: attempt.cause };
    }
    const { answer, error } = attempt;
    // AWS's text is not kept: it may quote the message, and says nothing the type does not.
    if (answer.status >= 500) return { outcome: 'unknown', detail: `AWS End User Messaging answered HTTP ${answer.status}${error?.type ? ` (${error.type})` : ''}.`, latencyMs };
    if (answer.status < 200 || answer.status >= 300) throw mapAwsSmsError(answer.status, error, latencyMs);
    const messageId = attempt.body?.MessageId;
    if (typeof messageId !== 'string' || messageId === '') {
      // AWS said yes, but its answer does not say what it sent: do not claim success.
      return { outcome: 'unknown', detail: `AWS End User Messaging answered HTTP ${answer.status} without a MessageId.`, latencyMs };
    }
    // The output has no status: AWS took the message, its events tell the rest.
    return { outcome: 'accepted', sid: messageId, status: 'accepted', latencyMs };
  }

  private async attempt(operation: string, body: string, timeoutMs: number): Promise<Attempt> {
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
    try {
      const answer = await httpRequest(this.endpoint, { method: 'POST', headers: signed.headers, body, timeoutMs });
      const parsed = readJson(answer.text);
      return { answer, body: parsed, error: answer.status >= 200 && answer.status < 300 ? undefined : readAwsError(answer, parsed) };
    } catch (err) {
      if (!(err instanceof NoAnswerError)) throw err;
      return { failure: err.timedOut ? 'timeout' : 'network', sent: err.sent, cause: err };
    }
  }
}
