import { isSupportedCountry as isSupportedCountryIn, parsePhoneNumberFromString, type CountryCode, type MetadataJson } from 'libphonenumber-js/core';
import { E164_SHAPE } from './e164';
import type { NonPersonalType, NonPersonalTypePatterns, TypePattern } from './number-types';
import phoneMetadata from './phone-metadata.json';

/** What the gateway knows about a destination after validation. */
export interface PhoneNumber {
  /** E.164, exactly as Twilio receives it: `+14155550123`. */
  e164: string;
  /** ISO 3166 alpha-2 region, or undefined for non-geographic ranges (+800, +881, +882...). */
  country: string | undefined;
  /** The country calling code without `+`: `1`, `44`, `881`. */
  callingCode: string;
  /** Set when the number is of a type that is not a person's phone (lambda/core/number-types.ts). */
  nonPersonalType?: NonPersonalType;
}

// The custom metadata of scripts/phone-metadata.ts: validation as with the library's default
// `min` set, plus the patterns of the non-personal number types, for every country. Read in
// the functions, not at the top: a bundle that uses neither (the status Lambda) leaves it out.
const metadata = () => phoneMetadata.metadata as unknown as MetadataJson;
const nonPersonalTypes = () => phoneMetadata.nonPersonalTypes as unknown as NonPersonalTypePatterns;

// libphonenumber-js is lenient on purpose (it accepts spaces, punctuation, national formats);
// the contract is not, so the exact shape is checked first and the library then decides
// whether the number can exist.
/** Parses a strict E.164 number valid per libphonenumber-js, or returns undefined. */
export function parseE164(value: string): PhoneNumber | undefined {
  if (!E164_SHAPE.test(value)) return undefined;
  const parsed = parsePhoneNumberFromString(value, metadata());
  if (!parsed || !parsed.isValid() || parsed.number !== value) return undefined;
  return {
    e164: parsed.number,
    country: parsed.country,
    callingCode: parsed.countryCallingCode,
    nonPersonalType: nonPersonalTypeOf(parsed.country ?? parsed.countryCallingCode, parsed.nationalNumber),
  };
}

/** Whether a region has phone numbers, per the same metadata (ALLOWED_COUNTRIES). */
export function isSupportedCountry(code: string): boolean {
  return isSupportedCountryIn(code as CountryCode, metadata());
}

const compiled = new Map<string, RegExp>();

/**
 * The first non-personal type whose pattern matches the whole national number, as
 * libphonenumber's getNumberType() matches a type (the type's possible lengths, then its
 * pattern); the library cannot do it here because the bundled metadata carries these types
 * only, outside the set it validates with (scripts/phone-metadata.ts says why).
 */
function nonPersonalTypeOf(region: string, nationalNumber: string): NonPersonalType | undefined {
  const types = Object.entries(nonPersonalTypes()[region] ?? {}) as [NonPersonalType, TypePattern][];
  return types.find(([name, [source, possibleLengths]]) => {
    if (possibleLengths && !possibleLengths.includes(nationalNumber.length)) return false;
    const key = `${region} ${name}`;
    let pattern = compiled.get(key);
    if (!pattern) compiled.set(key, (pattern = new RegExp(`^(?:${source})$`)));
    return pattern.test(nationalNumber);
  })?.[0];
}
