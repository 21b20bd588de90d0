import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export interface SignOptions {
  id?: string;
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  /** Sign with several secrets: one signature each, space-separated (key rotation). */
  secrets?: string[];
}

/** Standard Webhooks headers for a body, made with the `standardwebhooks` package itself. */
export function signedHeaders(secret: string, body: string, options: SignOptions = {}): Record<string, string> {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signatures = (options.secrets ?? [secret]).map((key) => new Webhook(key).sign(id, new Date(timestamp * 1000), body));
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatures.join(' '),
  };
}
