import type { SendBody } from './body';
import { NoAnswer, postOnce, type HttpAnswer } from './http';
import type { GatewaySettings } from './settings';
import { signatureHeader, webhookId } from './sign';

/**
 * Signs a normalized body, POSTs it to the gateway, retries what can succeed, and turns the
 * answer into a result or an Error whose message a tenant admin can act on. Nothing here logs:
 * the body holds the one-time code.
 *
 * Retry policy (docs/auth0.md): every attempt carries the same webhook-id, so the gateway sends
 * at most once whatever is retried. Retried: no answer at all (connection failed, or no answer
 * in time), 409 (the same message is still being sent), 429 and 503, after the gateway's
 * Retry-After when it gives one, as long as the run stays within Auth0's 20 s. Never retried:
 * every other 4xx, and 500, 501 and 502, which need a fix, not another try. A 2xx, including
 * `202 {"status": "unconfirmed"}` (Twilio's outcome unknown), is a done send.
 */

// Per attempt: the gateway itself may spend up to 8 s on a slow Twilio; giving up sooner would
// retry into a send that is still running.
export const TIMEOUT_MS = 9000;
// Auth0 stops an Action after 20 s; the rest is left to Auth0 and to the Action's own start.
export const BUDGET_MS = 18_000;
// Long enough for a cold Lambda or a dropped keep-alive socket to recover, short enough for a login.
const RETRY_PAUSE_MS = 250;
// An attempt with less time than this left would give up before a cold gateway could answer.
const MIN_ATTEMPT_MS = 2000;
const MAX_ATTEMPTS = 3;
const RETRIED_STATUSES = new Set([409, 429, 503]);

export interface Delivery {
  id: string;
  sid?: string;
  status?: string;
  channel?: string;
  /** The provider that sent it (docs/api.md): `twilio`, `aws`, or `console` locally. */
  provider?: string;
}

/** Why a message was not delivered; `retryable` tells whether trying again later can help. */
export class ForwardFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ForwardFailure';
  }
}

/** The gateway answered, and not with a 2xx. */
export class GatewayRefused extends ForwardFailure {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode: string | undefined,
  ) {
    super(message, RETRIED_STATUSES.has(status));
    this.name = 'GatewayRefused';
  }
}

function parse(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

function property(value: unknown, name: string): string | undefined {
  const found = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
  return typeof found === 'string' ? found : undefined;
}

function refusal(answer: HttpAnswer): GatewayRefused {
  const parsed = parse(answer.body);
  const error = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).error : undefined;
  // The gateway's errors never contain the code or the full number, so its message is safe to show.
  // API Gateway's own errors (before the Lambda runs) are `{"message": "..."}`.
  const message = property(error, 'message') ?? property(parsed, 'message');
  const text = message
    ? `SMS gateway refused the message (HTTP ${answer.status}): ${message}`
    : `SMS gateway answered HTTP ${answer.status} without an error message.`;
  return new GatewayRefused(text, answer.status, property(error, 'code'));
}

function delivery(id: string, answer: HttpAnswer): Delivery {
  const parsed = parse(answer.body);
  return {
    id: property(parsed, 'id') ?? id,
    sid: property(parsed, 'sid'),
    status: property(parsed, 'status'),
    channel: property(parsed, 'channel'),
    provider: property(parsed, 'provider'),
  };
}

/** Retry-After in milliseconds, when it is a number of seconds (the only form the gateway sends). */
function retryAfterMs(answer: HttpAnswer): number | undefined {
  return answer.retryAfter && /^\d+$/.test(answer.retryAfter.trim()) ? Number(answer.retryAfter) * 1000 : undefined;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function forward(body: SendBody, settings: GatewaySettings): Promise<Delivery> {
  const raw = JSON.stringify(body);
  // One id for the message, derived from it: every retry, the forwarder's or Auth0's, reuses it.
  const id = webhookId(settings.keys, raw);
  const where = `${settings.url.origin}${settings.url.pathname}`;
  const started = Date.now();
  const elapsed = () => Date.now() - started;

  for (let attempt = 1; ; attempt++) {
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'mfa-sms-gateway-auth0-forwarder',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(settings.keys, id, timestamp, raw),
    };
    const timeoutMs = Math.min(TIMEOUT_MS, BUDGET_MS - elapsed());
    let failure: ForwardFailure;
    let wait = RETRY_PAUSE_MS;
    try {
      const answer = await postOnce(settings.url, headers, raw, timeoutMs);
      if (answer.status >= 200 && answer.status < 300) return delivery(id, answer);
      failure = refusal(answer);
      wait = retryAfterMs(answer) ?? RETRY_PAUSE_MS;
    } catch (err) {
      if (!(err instanceof NoAnswer)) throw err;
      failure = new ForwardFailure(
        err.timedOut
          ? `SMS gateway at ${where} did not answer within ${Math.round(timeoutMs / 1000)} s (${attempt} attempt${attempt > 1 ? 's' : ''}).`
          : `Could not reach the SMS gateway at ${where} (${attempt} attempt${attempt > 1 ? 's' : ''}): ${err.reason}.`,
        true,
      );
    }
    if (!failure.retryable || attempt >= MAX_ATTEMPTS || elapsed() + wait + MIN_ATTEMPT_MS > BUDGET_MS) throw failure;
    await pause(wait);
  }
}
