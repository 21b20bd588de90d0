import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * SMS_GATEWAY_SIGNING_SECRET as the CLI handles it: one `whsec_` secret, or several separated by
 * spaces while a rotation is under way, newest first (the gateway accepts any of them; the
 * forwarder signs with all of them).
 */

/** `whsec_` + base64 of 32 random bytes, the form Standard Webhooks and the stack use. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** SMS_GATEWAY_RATE_LIMIT_KEY's form: base64 of 32 random bytes, as the stack and `npm start` make it. */
export function newRateLimitKey(): string {
  return randomBytes(32).toString('base64');
}

export function signingSecrets(value: string): string[] {
  return value.split(/\s+/).filter(Boolean);
}

/** Equality of two secret values without leaking where they differ through timing. */
export function sameSecret(a: string, b: string): boolean {
  // Digests first: timingSafeEqual needs equal lengths, and the lengths themselves are secret-ish.
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
