import { createHash, randomBytes } from 'node:crypto';
import { checkDestination, type DestinationPolicy } from './destinations';
import { maskPhone } from './e164';
import { GatewayError, isGatewayError } from './errors';
import type { GatewaySecrets, ProviderKeySet } from './gateway-secrets';
import type { ProviderName } from '../../shared/names';
import type { IdempotencyStore, Log, MessageSender, SecretsSource, SenderOutcome, SendTelemetry, UnknownOutcome } from './ports';
import type { RateLimiter, Reservation } from './rate-limiter';
import { parseJsonBody, validateSendRequest, type Channel, type SendRequest } from './send-request';
import { verifySignature } from './signature';
import type { MessageCatalog } from './templates';
import { voiceScript } from './voice-script';

/**
 * The send use case, from a signed body to a receipt: verify, validate, screen the
 * destination, run once per webhook-id, count against the rate limits, render, send, and
 * account for the outcome in logs and metrics. It knows nothing of API Gateway or of any
 * provider: it reads the secret once and hands the providers' keys to the sender unread.
 *
 * Its invariants, whatever fails on the way (docs/reliability.md): at most one provider send
 * per webhook-id; a send whose outcome is unknown is answered `unconfirmed`, keeps its quota,
 * and is never repeated; a slow or lost state-store answer never costs the user the code; no
 * code in any provider text that reaches a response or a log.
 */

export interface SendDependencies<Providers extends ProviderKeySet = ProviderKeySet> {
  secrets: SecretsSource<Providers>;
  catalog: MessageCatalog;
  /** Picks the provider and sends (lambda/providers/selector.ts). */
  sender: MessageSender<Providers>;
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
  /** Time left in this invocation: bounds how long an attempt that died while sending blocks its retries. */
  remainingTimeMs?: number;
}

/** The contract's 200 body: the provider took the message. */
export interface SentResult extends Record<string, unknown> {
  id: string;
  sid: string;
  status: string;
  channel: Channel;
  /** The provider that took it (`console` in console mode). */
  provider: ProviderName;
}

/**
 * The contract's 202 body (docs/api.md): the message was handed to the provider but whether it
 * took it is unknown, so it is not sent again. `sid` only when the provider named the resource;
 * `provider` unless an earlier attempt ended while sending, leaving no record of which.
 */
export interface UnconfirmedResult extends Record<string, unknown> {
  id: string;
  status: typeof UNCONFIRMED;
  channel: Channel;
  sid?: string;
  provider?: ProviderName;
}

export type SendResult = SentResult | UnconfirmedResult;

export const UNCONFIRMED = 'unconfirmed';

// The id becomes an idempotency key and a log field: keep it short and printable.
const WEBHOOK_ID = /^[\x21-\x7e]{1,256}$/;

// Refusals that are not a failed send: the first attempt is still running, or the caller
// reused an id. They are logged, not counted in SendFailed.
const NOT_A_SEND: ReadonlySet<string> = new Set(['request_in_progress', 'idempotency_key_reused']);

// How long a claim that has not started sending holds the webhook-id. Past it, a retry takes the
// claim over (the first attempt died or gave up before sending); the first attempt, if alive,
// then finds its claim gone and sends nothing. Long enough for the claim's round trips, short
// enough that the forwarder's retry after a 503 finds it expired.
const PRE_SEND_LEASE_MS = 3_000;
// An attempt with no known end (outside Lambda) is presumed over after this.
const DEFAULT_ATTEMPT_MS = 60_000;
// Kept from the provider's budget for recording the outcome and answering (one state-table
// write, milliseconds when the table is well): a send that outlived its invocation would end in
// API Gateway's 5xx, which the forwarder does not retry, with no record of what happened.
const AFTER_SEND_MS = 1_000;
// Less than this left for the provider, the message is not sent at all (503, nothing sent: the
// forwarder's retry gets a fresh invocation) rather than sent with no time to hear the answer.
const MIN_SEND_MS = 1_000;

function toGatewayError(err: unknown): GatewayError {
  if (isGatewayError(err)) return err;
  return new GatewayError('internal_error', 'The gateway failed unexpectedly; the message was not sent.', { cause: err });
}

export async function sendMessage<Providers extends ProviderKeySet>(request: SignedRequest, deps: SendDependencies<Providers>): Promise<SendResult> {
  const deadline = performance.now() + (request.remainingTimeMs ?? DEFAULT_ATTEMPT_MS);
  let id: string;
  let message: SendRequest;
  // Read once for the whole request: the signature, the rate-limit keys and the provider's
  // credentials all come from the same value of the secret.
  let secrets: GatewaySecrets<Providers>;
  try {
    secrets = await deps.secrets.get();
    verifySignature(secrets.signingSecrets, request.body, request.headers);
    id = request.headers['webhook-id'] ?? '';
    if (!WEBHOOK_ID.test(id)) throw new GatewayError('invalid_request', 'The webhook-id header must be 1 to 256 printable characters.');
    message = validateSendRequest(parseJsonBody(request.body));
  } catch (err) {
    // Refused before anything was attempted: no metric (SendFailed counts attempts), one log line.
    const error = toGatewayError(err);
    const attributes = { outcome: 'refused', reason: error.code, detail: error.message };
    if (error.status >= 500) deps.log.error('request refused', { ...attributes, error: error.details.cause ?? error });
    else deps.log.warn('request refused', attributes);
    throw error;
  }
  const fingerprint = createHash('sha256').update(request.body).digest('base64url');
  return deliver({ id, owner: randomBytes(16).toString('base64url'), fingerprint, message, deadline }, secrets, deps);
}

/** One attempt at one webhook-id. */
interface Attempt {
  id: string;
  /** This attempt's token on the webhook-id's claim. */
  owner: string;
  fingerprint: string;
  message: SendRequest;
  /** When the invocation ends, on performance.now()'s clock. */
  deadline: number;
}

function timeLeft(attempt: Attempt): number {
  return Math.max(0, attempt.deadline - performance.now());
}

async function deliver<Providers extends ProviderKeySet>(
  attempt: Attempt,
  secrets: GatewaySecrets<Providers>,
  deps: SendDependencies<Providers>,
): Promise<SendResult> {
  const { message } = attempt;
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

    const begun = await begin(attempt, secrets.rateLimitKey, deps);
    if ('answered' in begun) {
      deps.log.info('repeated request answered from the first send', { ...context, outcome: 'replayed', sid: begun.answered.sid });
      return begun.answered;
    }
    if ('abandoned' in begun) {
      // The attempt that was sending ended (its invocation timed out) without recording what
      // happened: it may have sent. Never sent again. That attempt shows as a Lambda error.
      deps.log.warn('first attempt ended while sending', { ...context, outcome: UNCONFIRMED });
      return { id: attempt.id, status: UNCONFIRMED, channel: message.channel };
    }
    return await send(attempt, begun.reservation, secrets.providers, context, deps);
  } catch (err) {
    const error = toGatewayError(err);
    if (!NOT_A_SEND.has(error.code)) deps.telemetry.sendFailed(message.channel, error.code, error.details.latencyMs, error.details.provider);
    const attributes = {
      ...context,
      outcome: NOT_A_SEND.has(error.code) ? 'refused' : 'failed',
      reason: error.code,
      limit: error.details.limit,
      provider: error.details.provider,
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
 * keeps nothing it did not use.
 */
async function begin(
  attempt: Attempt,
  limiterKey: string,
  deps: Pick<SendDependencies, 'idempotency' | 'limiter' | 'log'>,
): Promise<{ answered: SendResult } | { abandoned: true } | { reservation: Reservation }> {
  const [claim, reservation] = await Promise.allSettled([
    deps.idempotency.claim(attempt.id, attempt.fingerprint, attempt.owner, { leaseMs: PRE_SEND_LEASE_MS }),
    deps.limiter.reserve(attempt.message, limiterKey),
  ]);
  if (claim.status === 'rejected' || claim.value.state !== 'claimed') {
    if (reservation.status === 'fulfilled') await reservation.value.release();
    if (claim.status === 'fulfilled') {
      return claim.value.state === 'answered' ? { answered: claim.value.answer as SendResult } : { abandoned: true };
    }
    // The store could not tell; the claim's write may have been applied, its answer lost. Forget
    // it, so that a retry need not wait for the lease.
    if (isGatewayError(claim.reason) && claim.reason.code === 'provider_unavailable') await forget(attempt, deps);
    throw claim.reason;
  }
  if (reservation.status === 'rejected') {
    await forget(attempt, deps);
    throw reservation.reason;
  }
  return { reservation: reservation.value };
}

/** Forgets this attempt's claim, having sent nothing, so that a retry sends. A failure here only delays that retry. */
async function forget(attempt: Attempt, deps: Pick<SendDependencies, 'idempotency' | 'log'>): Promise<void> {
  await deps.idempotency.release(attempt.id, attempt.owner).catch((err: unknown) => {
    deps.log.warn('idempotency claim not released', { error: (err as Error).message });
  });
}

/**
 * Marks the claim as sending, hands the message to the provider and records the outcome. Only a
 * refusal (nothing sent) gives the claim and the quota back; an unknown outcome keeps both.
 */
async function send<Providers extends ProviderKeySet>(
  attempt: Attempt,
  reservation: Reservation,
  keys: Providers,
  context: Record<string, unknown>,
  deps: SendDependencies<Providers>,
): Promise<SendResult> {
  const { id, message } = attempt;
  const giveBack = () => Promise.all([reservation.release(), forget(attempt, deps)]);
  let outcome: SenderOutcome | (UnknownOutcome & { provider?: undefined });
  let rendered: ReturnType<MessageCatalog['render']>;
  try {
    rendered = deps.catalog.render(message);
    if (timeLeft(attempt) - AFTER_SEND_MS < MIN_SEND_MS) {
      throw new GatewayError('provider_unavailable', 'Too little of this invocation is left to hand the message to a provider; nothing was sent.');
    }
    // From here on no other attempt may take the webhook-id: what follows may send.
    await deps.idempotency.startSending(id, attempt.owner, { remainingTimeMs: timeLeft(attempt) });
    const outbound = {
      to: message.recipient.e164,
      country: message.recipient.country,
      body: rendered.body,
      language: rendered.language,
      ...(message.provider && { provider: message.provider }),
    };
    const sending = deps.sender.send(
      message.channel === 'voice'
        ? { ...outbound, channel: 'voice', script: voiceScript(rendered.body, message.code) }
        : { ...outbound, channel: 'sms' },
      keys,
      { budgetMs: Math.round(timeLeft(attempt) - AFTER_SEND_MS) },
    );
    outcome = await sending.catch((err: unknown) => {
      // A refusal: nothing was sent. Anything else may have come after the request went out.
      if (isGatewayError(err)) throw scrub(err, message.code);
      // The selector turns a provider's own failures into unknown outcomes that name it: this is the selector failing.
      return { outcome: 'unknown', detail: 'The provider failed unexpectedly.', latencyMs: 0, cause: err } as const;
    });
  } catch (err) {
    await giveBack();
    throw err;
  }

  if (outcome.outcome === 'accepted') {
    deps.telemetry.messageSent(message.channel, outcome.latencyMs, outcome.provider);
    deps.log.info('message sent', {
      ...context,
      outcome: 'sent',
      provider: outcome.provider,
      sid: outcome.sid,
      status: outcome.status,
      template: rendered.source,
      latencyMs: outcome.latencyMs,
    });
    return record(attempt, { id, sid: outcome.sid, status: outcome.status, channel: message.channel, provider: outcome.provider }, context, deps);
  }
  // Unknown: the quota stays spent and the claim is completed as unconfirmed, so that no retry
  // of this webhook-id sends it again.
  deps.telemetry.sendUnconfirmed(message.channel, outcome.latencyMs, outcome.provider);
  deps.log.error('message outcome unknown', {
    ...context,
    outcome: UNCONFIRMED,
    provider: outcome.provider,
    sid: outcome.sid,
    template: rendered.source,
    detail: redact(outcome.detail, message.code),
    latencyMs: outcome.latencyMs,
    error: outcome.cause,
  });
  const named = { ...(outcome.sid ? { sid: outcome.sid } : {}), ...(outcome.provider ? { provider: outcome.provider } : {}) };
  return record(attempt, { id, status: UNCONFIRMED, channel: message.channel, ...named }, context, deps);
}

/**
 * Records the answer for repeats. A failure only changes what a repeat hears, never this answer:
 * a repeat is told to wait until this invocation's end, then gets `unconfirmed`.
 */
async function record(attempt: Attempt, result: SendResult, context: Record<string, unknown>, deps: Pick<SendDependencies, 'idempotency' | 'log'>): Promise<SendResult> {
  await deps.idempotency.complete(attempt.id, attempt.owner, result).catch((err: unknown) => {
    deps.log.warn('idempotency record not completed', { ...context, error: (err as Error).message });
  });
  return result;
}

/**
 * Removes the one-time code from text a provider wrote: its error message may quote the message
 * it refused, or the TwiML that reads the code digit by digit, with spaces, commas or pause tags
 * (`4<break time="500ms"/>8`) between the digits. Digits that are part of a longer number (an
 * error code, a SID) are left alone. (The adapters mask phone numbers already: a code of 8 or
 * more digits is masked as one, `1234***7890`, which keeps most of its digits, so that form is
 * removed too.)
 */
export function redact(text: string, code: string | undefined): string {
  if (code === undefined) return text;
  const between = '(?:<[^>]{0,40}>|[^\\d<]){0,40}';
  const scrubbed = text.replace(new RegExp(`(?<!\\d)${code.split('').join(between)}(?!\\d)`, 'g'), '***');
  return code.length >= 8 ? scrubbed.split(maskPhone(code)).join('***') : scrubbed;
}

/** Scrubs the code out of a provider's refusal: its message, and the stack that repeats it. */
function scrub(error: GatewayError, code: string | undefined): GatewayError {
  error.message = redact(error.message, code);
  if (error.stack) error.stack = redact(error.stack, code);
  return error;
}
