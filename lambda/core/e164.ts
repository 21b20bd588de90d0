/**
 * E.164 shape and masking: what every module may need about phone numbers, without
 * libphonenumber-js and its metadata (only the send path validates numbers fully,
 * in phone.ts; the status Lambda stays small).
 */

/** `+`, a non-zero leading digit, at most 15 digits in all. */
export const E164_SHAPE = /^\+[1-9]\d{6,14}$/;

// A number as another system may quote it in a message: `+14155550123`, `+1 (415) 555-0123`,
// or 8+ bare digits (error codes have 5, so `21211 (21614)` stays readable).
const PHONE_LIKE = /\+\d[\d ()-]{5,}\d|\b\d{8,15}\b/g;

/** Masks every phone number quoted in a text (Twilio's error messages quote the number they refused). */
export function maskPhonesIn(text: string): string {
  return text.replace(PHONE_LIKE, (match) => maskPhone(match.replace(/[^\d+]/g, '')));
}

/**
 * Masks a phone number for logs and messages: `+14155550123` -> `+1415***0123`.
 * Short numbers keep less on both sides so that at least half of the digits stay hidden.
 * Anything that is not a `+digits` string is masked whole.
 */
export function maskPhone(value: string | undefined): string {
  if (!value) return '';
  const match = /^(\+?)(\d+)$/.exec(value.trim());
  if (!match) return '***';
  const [, plus, digits] = match;
  // Under 4 digits, keeping even one on each side would show more than half of them.
  const keep = digits.length >= 10 ? 4 : Math.floor(digits.length / 4);
  if (keep === 0) return `${plus}***`;
  return `${plus}${digits.slice(0, keep)}***${digits.slice(-keep)}`;
}
