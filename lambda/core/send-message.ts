import { createHash } from 'node:crypto';
import { checkDestination, type DestinationPolicy } from './destinations';
import { maskPhone } from './e164';
import { GatewayError, isGatewayError } from './errors';
import type { IdempotencyStore, Log, MessageProvider, SecretsSource, SendTelemetry } from './ports';
import type { RateLimiter, Reservation } from './rate-limiter';
import { parseJsonBody, validateSendRequest, type Channel, type SendRequest } from './send-request';
import { verifySignature } from './signature';
import type { MessageCatalog } from './templates';

/**
 * The send use case, from a signed body to a receipt: verify, validate, screen the
 * destination, run once per webhook-id, count against the rate limits, render, send, and
 * account for the outcome in logs and metrics. It knows nothing of API Gateway or Twilio.
 */

export interface SendDependencies {
  secrets: SecretsSource;
  catalog: MessageCatalog;
  provider: MessageProvider;
  destinations: DestinationPolicy;
  idempotency: IdempotencyStore;
  limiter: RateLimiter;
  telemetry: SendTelemetry;
  log: Log;
}

export interface SignedRequest {
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** The raw body exactly as signed. */
  body: string;
  /** Time left in this invocation: bounds how long a crashed attempt blocks its retries. */
  remainingTimeMs?: number;
}

/** The contract's 200 body. */
export interface SendResult extends Record<string, unknown> {
  id: string;
  sid: string;
  status: string;
  channel: Channel;
}

// The id becomes an idempotency key and a log field: keep it short and printable.
const WEBHOOK_ID = /^[\x21-\x7e]{1,256}$/;

// Refusals that are not a failed send: the first attempt is still running, or the caller
// reused an id. They are logged, not counted in SendFailed.
const NOT_A_SEND: ReadonlySet<string> = new Set(['request_in_progress', 'idempotency_key_reused']);

function toGatewayError(err: unknown): GatewayError {
  if (isGatewayError(err)) return err;
  return new GatewayError('internal_error', 'The gateway failed unexpectedly; the message was not sent.', { cause: err });
}

export async function sendMessage(request: SignedRequest, deps: SendDependencies): Promise<SendResult> {
  let id: string;
  let message: SendRequest;
  let limiterKey: string;
  try {
    const secrets = await deps.secrets.get();
    verifySignature(secrets.signingSecrets, request.body, request.headers);
    id = request.headers['webhook-id'] ?? '';
    if (!WEBHOOK_ID.test(id)) throw new GatewayError('invalid_request', 'The webhook-id header must be 1 to 256 printable characters.');
    message = validateSendRequest(parseJsonBody(request.body));
    limiterKey = secrets.rateLimitKey;
  } catch (err) {
    // Refused before anything was attempted: no metric (SendFailed counts attempts), one log line.
    const error = toGatewayError(err);
    const attributes = { outcome: 'refused', reason: error.code, detail: error.message };
    if (error.status >= 500) deps.log.error('request refused', { ...attributes, error: error.details.cause ?? error });
    else deps.log.warn('request refused', attributes);
    throw error;
  }
  return deliver(id, message, request, limiterKey, deps);
}

async function deliver(id: string, message: SendRequest, request: SignedRequest, limiterKey: string, deps: SendDependencies) {
  const context = {
    recipient: maskPhone(message.recipient.e164),
    country: message.recipient.country ?? `+${message.recipient.callingCode}`,
    channel: message.channel,
    action: message.action,
    language: message.language,
    clientId: message.clientId,
  };
  try {
    checkDestination(message.recipient, deps.destinations);
    const fingerprint = createHash('sha256').update(request.body).digest('base64url');

    const begun = await begin(id, fingerprint, message, request, limiterKey, deps);
    if ('replay' in begun) {
      deps.log.info('repeated request answered from the first send', { ...context, outcome: 'replayed', sid: begun.replay.sid });
      return begun.replay;
    }
    const { reservation } = begun;

    let result: SendResult;
    try {
      result = await send(id, message, context, deps);
    } catch (err) {
      await Promise.all([reservation.release(), forget(id, deps)]);
      throw err;
    }
    await deps.idempotency.complete(id, result).catch((err: unknown) => {
      // Sent, but the answer could not be stored: the user has the message, so say so; a repeat
      // of this id is refused as in progress until the claim ends with this invocation.
      deps.log.warn('idempotency record not completed after a successful send', { ...context, error: (err as Error).message });
    });
    return result;
  } catch (err) {
    const error = toGatewayError(err);
    if (!NOT_A_SEND.has(error.code)) deps.telemetry.sendFailed(message.channel, error.code, error.details.latencyMs);
    const attributes = {
      ...context,
      outcome: NOT_A_SEND.has(error.code) ? 'refused' : 'failed',
      reason: error.code,
      limit: error.details.limit,
      providerCode: error.details.providerCode,
      detail: error.message,
      latencyMs: error.details.latencyMs,
    };
    if (error.status >= 500) deps.log.error('message not sent', { ...attributes, error: error.details.cause ?? error });
    else deps.log.warn('message not sent', attributes);
    throw error;
  }
}

/**
 * Claims the webhook-id and counts the send against the rate limits at the same time: one round
 * trip to the state table instead of two, on every send. Whatever one side answers, the other
 * keeps nothing it did not use. Resolves to the first answer when the id was already served.
 */
async function begin(
  id: string,
  fingerprint: string,
  message: SendRequest,
  request: SignedRequest,
  limiterKey: string,
  deps: SendDependencies,
): Promise<{ replay: SendResult } | { reservation: Reservation }> {
  const [claim, reservation] = await Promise.allSettled([
    deps.idempotency.claim(id, fingerprint, { remainingTimeMs: request.remainingTimeMs }),
    deps.limiter.reserve(message, limiterKey),
  ]);
  if (claim.status === 'rejected' || claim.value !== undefined) {
    if (reservation.status === 'fulfilled') await reservation.value.release();
    if (claim.status === 'rejected') throw claim.reason;
    return { replay: claim.value as SendResult };
  }
  if (reservation.status === 'rejected') {
    await forget(id, deps);
    throw reservation.reason;
  }
  return { reservation: reservation.value };
}

/** Forgets a claim whose attempt failed, so that a retry sends. A failure here only delays that retry. */
async function forget(id: string, deps: SendDependencies): Promise<void> {
  await deps.idempotency.release(id).catch((err: unknown) => {
    deps.log.warn('idempotency claim not released', { error: (err as Error).message });
  });
}

/** Renders the message and hands it to the provider; accounts for the send in logs and metrics. */
async function send(id: string, message: SendRequest, context: Record<string, unknown>, deps: SendDependencies): Promise<SendResult> {
  const rendered = deps.catalog.render(message);
  const receipt = await deps.provider.send({
    channel: message.channel,
    to: message.recipient.e164,
    body: rendered.body,
    language: rendered.language,
  });
  deps.telemetry.messageSent(message.channel, receipt.latencyMs);
  deps.log.info('message sent', {
    ...context,
    outcome: 'sent',
    sid: receipt.sid,
    status: receipt.status,
    template: rendered.source,
    latencyMs: receipt.latencyMs,
  });
  return { id, sid: receipt.sid, status: receipt.status, channel: message.channel };
}
