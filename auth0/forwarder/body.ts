/**
 * The body of POST /messages (docs/api.md) and the small rules for filling it from
 * whatever Auth0 hands over. Fields Auth0 does not provide are left out, never sent as null.
 *
 * This file and the rest of auth0/forwarder/ are bundled into files that are pasted into Auth0,
 * so they use nothing but Node built-ins: no npm packages, on purpose.
 */
export interface SendBody {
  recipient?: string;
  code?: string;
  text?: string;
  voice_text?: string;
  message_type?: string;
  action?: string;
  language?: string;
  factor_type?: string;
  client_id?: string;
  client_name?: string;
  user_id?: string;
  ip?: string;
  user_agent?: string;
  tenant?: string;
}

/** A non-empty string, or undefined for anything else (Auth0 objects are loosely typed). */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A property of a value that may not be an object. */
export function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

// Auth0's names for why a code is sent, mapped to the contract's notification types; the others
// (change_password, blocked_account, password_breach) have the same name in both.
const ACTIONS: Record<string, string> = {
  'second-factor-authentication': 'authentication',
  otp_verify: 'authentication',
  otp_enroll: 'enrollment',
};

export function contractAction(value: unknown): string | undefined {
  const name = text(value);
  return name === undefined ? undefined : (ACTIONS[name] ?? name);
}

const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/**
 * A BCP 47 tag the gateway accepts, or undefined. Auth0 may hand over `en_US` (custom phone
 * provider locales) or a browser's Accept-Language list (`es-AR,es;q=0.8`); an unusable value is
 * dropped so the gateway falls back to its default language instead of refusing the message.
 */
export function languageTag(value: unknown): string | undefined {
  const raw = text(value);
  if (raw === undefined) return undefined;
  const first = raw.split(',')[0].split(';')[0].trim().replace(/_/g, '-');
  return first.length <= 35 && LANGUAGE_TAG.test(first) ? first : undefined;
}

// The gateway refuses a body whose optional fields exceed these lengths. Context is not worth
// failing a login over, so an oversized optional field is dropped instead.
const LIMITS: Partial<Record<keyof SendBody, number>> = { text: 1600, voice_text: 1600, ip: 64, action: 64 };
const DEFAULT_LIMIT = 512;
const ALWAYS_SENT = new Set<keyof SendBody>(['recipient', 'code', 'message_type']);

/** Removes absent fields and oversized optional ones. */
export function compact(body: SendBody): SendBody {
  const result: SendBody = {};
  for (const [key, value] of Object.entries(body) as [keyof SendBody, string | undefined][]) {
    if (value === undefined) continue;
    if (!ALWAYS_SENT.has(key) && value.length > (LIMITS[key] ?? DEFAULT_LIMIT)) continue;
    result[key] = value;
  }
  return result;
}
