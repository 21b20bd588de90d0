import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** What the gateway knows about a destination after validation. */
export interface PhoneNumber {
  /** E.164, exactly as Twilio receives it: `+14155550123`. */
  e164: string;
  /** ISO 3166 alpha-2 region, or undefined for non-geographic ranges (+800, +881, +882...). */
  country: string | undefined;
  /** The country calling code without `+`: `1`, `44`, `881`. */
  callingCode: string;
}

// E.164 is `+`, a non-zero leading digit, and at most 15 digits in all. libphonenumber-js is
// lenient on purpose (it accepts spaces, punctuation, national formats); the contract is not,
// so the exact shape is checked first and the library then decides whether the number exists.
const E164_SHAPE = /^\+[1-9]\d{6,14}$/;

/** Parses a strict E.164 number valid per libphonenumber-js, or returns undefined. */
export function parseE164(value: string): PhoneNumber | undefined {
  if (!E164_SHAPE.test(value)) return undefined;
  const parsed = parsePhoneNumberFromString(value);
  if (!parsed || !parsed.isValid() || parsed.number !== value) return undefined;
  return { e164: parsed.number, country: parsed.country, callingCode: parsed.countryCallingCode };
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
  const keep = digits.length >= 10 ? 4 : Math.max(1, Math.floor(digits.length / 4));
  return `${plus}${digits.slice(0, keep)}***${digits.slice(-keep)}`;
}
