import { ENV, LIMIT_SCOPES, type LimitScope } from '../../shared/names';
import { ConfigurationError } from './errors';
import { isSupportedCountry } from './phone';

/**
 * The fraud-protection settings (RATE_LIMITS, ALLOWED_COUNTRIES), parsed and checked. Shared by
 * the Lambda (at start) and the CDK stack (at synth), so a bad value fails before deploy.
 */

export interface RateLimit {
  scope: LimitScope;
  /** Most sends allowed in one window. */
  max: number;
  windowSeconds: number;
  /** As written in the configuration, e.g. `recipient:5/1h`: names the limit in logs. */
  label: string;
}

export const DEFAULT_RATE_LIMITS = 'recipient:5/1h,recipient:10/24h,ip:20/1h,global:1000/1h';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const LIMIT = /^([a-z]+):(\d+)\/(\d+)([smhd])$/;
const MAX_WINDOW_SECONDS = 7 * 86400;

/**
 * `recipient:5/1h,recipient:10/24h,ip:20/1h,global:1000/1h`. Unset means the defaults above;
 * `off` turns rate limiting off (not recommended: it is the main defense against SMS pumping).
 */
export function parseRateLimits(value: string | undefined, key: string = ENV.rateLimits): RateLimit[] {
  const text = (value ?? DEFAULT_RATE_LIMITS).trim() || DEFAULT_RATE_LIMITS;
  if (text.toLowerCase() === 'off') return [];
  const limits = text.split(',').map((part) => {
    const entry = part.trim();
    const match = LIMIT.exec(entry);
    if (!match) throw new ConfigurationError(key, `has "${entry}": each limit is scope:count/window, like recipient:5/1h.`);
    const [, scope, count, amount, unit] = match;
    if (!(LIMIT_SCOPES as readonly string[]).includes(scope)) {
      throw new ConfigurationError(key, `has "${entry}": the scope must be one of ${LIMIT_SCOPES.join(', ')}.`);
    }
    const max = Number(count);
    const windowSeconds = Number(amount) * UNIT_SECONDS[unit];
    if (max < 1) throw new ConfigurationError(key, `has "${entry}": the count must be at least 1.`);
    if (windowSeconds < 1 || windowSeconds > MAX_WINDOW_SECONDS) {
      throw new ConfigurationError(key, `has "${entry}": the window must be between 1s and 7d.`);
    }
    return { scope: scope as LimitScope, max, windowSeconds, label: entry };
  });
  const labels = new Set<string>();
  for (const limit of limits) {
    const id = `${limit.scope}/${limit.windowSeconds}`;
    if (labels.has(id)) throw new ConfigurationError(key, `has two ${limit.scope} limits over the same window.`);
    labels.add(id);
  }
  return limits;
}

/**
 * Codes people write for a country that are not its ISO 3166 alpha-2 code: the EU's own codes
 * (UK, EL), language subtags taken for countries (ja, ko, zh, ...) and two common alpha-3 codes.
 * Hand-kept because no library maps mistakes; libphonenumber-js answers what is valid.
 */
const LIKELY_MEANT: Readonly<Record<string, string>> = {
  UK: 'GB',
  EL: 'GR',
  JA: 'JP',
  KO: 'KR',
  ZH: 'CN',
  DA: 'DK',
  CS: 'CZ',
  HE: 'IL',
  USA: 'US',
  GBR: 'GB',
};

/** One ISO 3166 alpha-2 code with phone numbers, upper-cased; `key` names the setting it came from. */
export function parseCountryCode(value: string, key: string): string {
  const code = value.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(code) || !isSupportedCountry(code)) {
    const hint = Object.hasOwn(LIKELY_MEANT, code) ? `: did you mean ${LIKELY_MEANT[code]}?` : '.';
    throw new ConfigurationError(key, `has "${code}", which is not an ISO 3166 alpha-2 country code with phone numbers${hint}`);
  }
  return code;
}

/** `US,CA,GB`: ISO 3166 alpha-2 codes. Empty or unset allows every country. */
export function parseAllowedCountries(value: string | undefined, key: string = ENV.allowedCountries): string[] {
  const codes = (value ?? '')
    .split(',')
    .filter((code) => code.trim() !== '')
    .map((code) => parseCountryCode(code, key));
  return [...new Set(codes)];
}
