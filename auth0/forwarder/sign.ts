import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks v1 signatures (https://www.standardwebhooks.com), by hand with node:crypto
 * because the forwarder may not depend on npm packages; test/auth0 proves the `standardwebhooks`
 * package accepts them.
 */

const SECRET_SHAPE = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/**
 * The HMAC keys in a signing-secret value: one `whsec_<base64>` secret, or several separated by
 * spaces while a key rotation is under way. Undefined when any part is malformed.
 */
export function signingKeys(value: string): Buffer[] | undefined {
  const secrets = value.split(/\s+/).filter(Boolean);
  if (secrets.length === 0 || !secrets.every((secret) => SECRET_SHAPE.test(secret))) return undefined;
  return secrets.map((secret) => Buffer.from(secret.slice('whsec_'.length), 'base64'));
}

/** The webhook-signature header: one `v1,<base64>` signature per key, space-separated. */
export function signatureHeader(keys: readonly Buffer[], id: string, timestamp: number, body: string): string {
  const signed = `${id}.${timestamp}.${body}`;
  return keys.map((key) => `v1,${createHmac('sha256', key).update(signed, 'utf8').digest('base64')}`).join(' ');
}

/**
 * The webhook-id of a message, derived from the message itself: `msg_` and the first 32 hex
 * digits of HMAC-SHA256(first signing key, "mfa-sms-gateway/webhook-id/v1", NUL, body). The body
 * holds the tenant, recipient, notification type, code and Auth0's user and client ids, so the
 * forwarder's own retry and Auth0's retries of the same notification (a new run of the Action
 * with the same event) reach the gateway under the same id, and the gateway sends at most once
 * (docs/auth0.md). Keyed, so the id reveals nothing about the code.
 */
export function webhookId(keys: readonly Buffer[], body: string): string {
  return `msg_${createHmac('sha256', keys[0]).update(`mfa-sms-gateway/webhook-id/v1\0${body}`, 'utf8').digest('hex').slice(0, 32)}`;
}
