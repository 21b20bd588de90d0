import type { PhoneNumberType } from 'libphonenumber-js/core';

/**
 * The number types the gateway never sends to: numbers that are not a person's phone, where an
 * MFA code has no reader and where SMS and voice pumping is paid (docs/security.md, "Number
 * types"). The types are libphonenumber-js's (Google's libphonenumber metadata, every country
 * it knows); lambda/core/phone-metadata.json keeps the patterns of exactly these types
 * (`npm run phone-metadata` writes it).
 *
 * Sent to: MOBILE, FIXED_LINE and FIXED_LINE_OR_MOBILE (voice codes reach landlines), and VOIP,
 * which is many people's only number (Google Voice, operators' Wi-Fi numbers, French 09
 * numbers) and pays no share of the charge to its holder.
 */
export const NON_PERSONAL_TYPES = {
  // In libphonenumber's order of precedence, so a number is named as the library would name it.
  PREMIUM_RATE: { label: 'a premium-rate number', why: 'part of every charge goes to the range holder, which is what SMS pumping cashes in' },
  TOLL_FREE: { label: 'a toll-free number', why: 'a freephone line of a business, not a phone a person reads a code on' },
  SHARED_COST: { label: 'a shared-cost number', why: 'part of the charge goes to the range holder (revenue sharing)' },
  PERSONAL_NUMBER: { label: 'a personal numbering (forwarding) number', why: 'a forwarding service such as UK 070, a classic revenue-share range; use the phone it forwards to' },
  PAGER: { label: 'a pager number', why: 'a paging service, not a phone, and often revenue-sharing (UK 076)' },
  UAN: { label: 'a universal access number (UAN)', why: "a business's routing number, not a person's phone" },
  VOICEMAIL: { label: 'a voicemail access number', why: 'it reaches a voicemail system, not the person' },
} as const satisfies Partial<Record<PhoneNumberType, { label: string; why: string }>>;

export type NonPersonalType = keyof typeof NON_PERSONAL_TYPES;

/** A type's pattern of national numbers, and its possible lengths when they differ from the country's. */
export type TypePattern = [pattern: string, possibleLengths?: number[]];

/**
 * By region (`GB`) or, for non-geographic codes, calling code (`979`): the non-personal types'
 * patterns, in the order of NON_PERSONAL_TYPES.
 */
export type NonPersonalTypePatterns = Record<string, Partial<Record<NonPersonalType, TypePattern>> | undefined>;
