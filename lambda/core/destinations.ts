import { ENV } from '../../shared/names';
import { GatewayError } from './errors';
import { NON_PERSONAL_TYPES } from './number-types';
import type { PhoneNumber } from './phone';

/**
 * Where the gateway refuses to send, checked before any Twilio call (403
 * destination_not_allowed): numbers that are not a person's phone (premium-rate, shared-cost
 * and the other types of number-types.ts, known from libphonenumber's metadata for every
 * country), the ranges of config/denied-prefixes.json that the metadata does not single out
 * (satellite and international networks, where SMS pumping pays), and countries outside
 * ALLOWED_COUNTRIES.
 */

export interface DeniedRange {
  /** `+` and 1 to 8 digits: every number starting with it is refused. */
  prefix: string;
  reason: string;
}

export interface DestinationPolicy {
  /** ISO 3166 alpha-2 codes; empty allows every country. */
  allowedCountries: readonly string[];
  deniedRanges: readonly DeniedRange[];
}

const PREFIX = /^\+[1-9]\d{0,7}$/;

/** Validates config/denied-prefixes.json. Throws an Error naming the entry. */
export function loadDeniedRanges(raw: unknown): DeniedRange[] {
  const prefixes = (raw as { prefixes?: unknown } | null)?.prefixes;
  if (!Array.isArray(prefixes)) throw new Error('config/denied-prefixes.json: "prefixes" must be an array');
  return prefixes.map((entry: unknown, index) => {
    const { prefix, reason } = (entry ?? {}) as Record<string, unknown>;
    if (typeof prefix !== 'string' || !PREFIX.test(prefix) || typeof reason !== 'string' || !reason) {
      throw new Error(`config/denied-prefixes.json: prefixes[${index}] needs a "prefix" like "+881" and a "reason"`);
    }
    return { prefix, reason };
  });
}

export function checkDestination(phone: PhoneNumber, policy: DestinationPolicy): void {
  const denied = policy.deniedRanges.find((range) => phone.e164.startsWith(range.prefix));
  if (denied) {
    throw new GatewayError('destination_not_allowed', `Numbers starting with ${denied.prefix} are refused: ${denied.reason}.`);
  }
  if (phone.nonPersonalType) {
    // The type and the country, never the number: this message reaches the response and the log.
    const { label, why } = NON_PERSONAL_TYPES[phone.nonPersonalType];
    const where = phone.country ?? `+${phone.callingCode}`;
    throw new GatewayError('destination_not_allowed', `The recipient is ${label} (${where}), which the gateway never sends to: ${why}.`);
  }
  if (policy.allowedCountries.length > 0 && !(phone.country && policy.allowedCountries.includes(phone.country))) {
    const where = phone.country ?? `the non-geographic code +${phone.callingCode}`;
    throw new GatewayError('destination_not_allowed', `Messages to ${where} are not allowed (${ENV.allowedCountries} is ${policy.allowedCountries.join(',')}).`);
  }
}
