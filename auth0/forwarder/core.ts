import { randomUUID } from 'node:crypto';
import type { SendBody } from './body';
import { NoAnswer, postOnce, type HttpAnswer } from './http';
import type { GatewaySettings } from './settings';
import { signatureHeader } from './sign';

/**
 * Signs a normalized body, POSTs it to the gateway, retries once when that can help, and turns
 * the answer into a result or an Error whose message a tenant admin can act on. Nothing here
 * logs: the body holds the one-time code.
 */

// Per attempt: the contract asks for at least 5 s; the gateway itself may spend up to 8 s on a
// slow Twilio (a timeout plus one retry). Giving up sooner would retry into a send that is still
// running (409) and may yet succeed. Two attempts and the pause fit in Auth0's 20 s.
export const TIMEOUT_MS = 9000;
// Long enough for a cold Lambda or a dropped keep-alive socket to recover, short enough for a login.
const RETRY_PAUSE_MS = 250;
const ATTEMPTS = 2;

export interface Delivery {
  id: string;
  sid?: string;
  status?: string;
  channel?: string;
}

export class GatewayRefused extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode: string | undefined,
  ) {
    super(message);
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
  };
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function forward(body: SendBody, settings: GatewaySettings): Promise<Delivery> {
  // One id for the message: a retry reuses it, so the gateway sends at most once.
  const id = `msg_${randomUUID()}`;
  const raw = JSON.stringify(body);
  const where = `${settings.url.origin}${settings.url.pathname}`;
  let lastFailure: NoAnswer | undefined;

  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) await pause(RETRY_PAUSE_MS);
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'mfa-sms-gateway-auth0-forwarder',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(settings.keys, id, timestamp, raw),
    };
    let answer: HttpAnswer;
    try {
      answer = await postOnce(settings.url, headers, raw, TIMEOUT_MS);
    } catch (err) {
      if (!(err instanceof NoAnswer)) throw err;
      lastFailure = err;
      continue;
    }
    if (answer.status >= 200 && answer.status < 300) return delivery(id, answer);
    if (answer.status >= 500 && attempt < ATTEMPTS) continue;
    throw refusal(answer);
  }

  if (lastFailure?.timedOut) {
    throw new Error(`SMS gateway at ${where} did not answer within ${TIMEOUT_MS / 1000} s (${ATTEMPTS} attempts).`);
  }
  throw new Error(`Could not reach the SMS gateway at ${where} (${ATTEMPTS} attempts): ${lastFailure?.reason ?? 'unknown error'}.`);
}
