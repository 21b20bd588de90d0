import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { E164_SHAPE } from './e164';

/** What the gateway knows about a destination after validation. */
export interface PhoneNumber {
  /** E.164, exactly as Twilio receives it: `+14155550123`. */
  e164: string;
  /** ISO 3166 alpha-2 region, or undefined for non-geographic ranges (+800, +881, +882...). */
  country: string | undefined;
  /** The country calling code without `+`: `1`, `44`, `881`. */
  callingCode: string;
}

// libphonenumber-js is lenient on purpose (it accepts spaces, punctuation, national formats);
// the contract is not, so the exact shape is checked first and the library then decides
// whether the number can exist.
/** Parses a strict E.164 number valid per libphonenumber-js, or returns undefined. */
export function parseE164(value: string): PhoneNumber | undefined {
  if (!E164_SHAPE.test(value)) return undefined;
  const parsed = parsePhoneNumberFromString(value);
  if (!parsed || !parsed.isValid() || parsed.number !== value) return undefined;
  return { e164: parsed.number, country: parsed.country, callingCode: parsed.countryCallingCode };
}
