import { ConfigurationError } from './errors';
import { E164_SHAPE } from './e164';

/**
 * The keys of the gateway's one secret (docs/configuration.md, "The secret"), parsed and checked.
 * The same parser serves the Secrets Manager JSON in Lambda and environment variables locally,
 * so a key means the same thing everywhere.
 */
export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
  /** When set, sends authenticate with this API key instead of the auth token. */
  apiKey?: { sid: string; secret: string };
  messagingServiceSid?: string;
  phoneNumber?: string;
}

/** The keys the gateway itself holds (the rest are Twilio's). */
export interface GatewayKeys {
  /**
   * Every accepted signing secret. The key may hold several space-separated `whsec_` secrets:
   * during a rotation the gateway accepts both the old and the new one.
   */
  signingSecrets: string[];
  /**
   * Keys the HMAC that turns phone numbers and IP addresses into rate-limit counter keys. Its
   * own key, so that a signing-key rotation does not reset every limit. Until a secret has it
   * (a deployment made before it existed), the first signing secret, which keyed the counters
   * then: the stack's Custom::SigningKey and `secrets rotate-signing-key` copy exactly that
   * value into it, so the counters carry over.
   */
  rateLimitKey: string;
}

export interface GatewaySecrets extends GatewayKeys {
  /** Undefined in console mode: no Twilio keys at all, messages are printed, never sent. */
  twilio?: TwilioCredentials;
  /**
   * Why the Twilio keys cannot be used, when they cannot. Kept apart from the signing secret so
   * that only signed requests learn of it: the send fails after the signature check.
   */
  twilioProblem?: ConfigurationError;
}

export const SECRET_KEYS = [
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_API_KEY_SID',
  'TWILIO_API_KEY_SECRET',
  'TWILIO_MESSAGING_SERVICE_SID',
  'TWILIO_PHONE_NUMBER',
  'SMS_GATEWAY_SIGNING_SECRET',
  'SMS_GATEWAY_RATE_LIMIT_KEY',
] as const;

export const SIGNING_SECRET_KEY = 'SMS_GATEWAY_SIGNING_SECRET';
export const RATE_LIMIT_KEY = 'SMS_GATEWAY_RATE_LIMIT_KEY';

/** The Twilio keys: everything but the gateway's own keys. */
export const TWILIO_KEYS = SECRET_KEYS.filter((key) => key.startsWith('TWILIO_'));

const ACCOUNT_SID = /^AC[0-9a-f]{32}$/i;
const API_KEY_SID = /^SK[0-9a-f]{32}$/i;
const MESSAGING_SERVICE_SID = /^MG[0-9a-f]{32}$/i;
const SIGNING_SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;
// Standard Webhooks asks for keys of 24 to 64 random bytes.
const MIN_SIGNING_KEY_BYTES = 24;
const MAX_SIGNING_KEY_BYTES = 64;
// Base64 of random bytes (`openssl rand -base64 32`), or a signing secret copied over (see GatewayKeys).
const RATE_LIMIT_KEY_SHAPE = /^(whsec_)?[A-Za-z0-9+/]+={0,2}$/;

function read(values: Record<string, unknown>, key: string): string | undefined {
  const value = values[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ConfigurationError(key, 'must be a string.');
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function requireKey(values: Record<string, unknown>, key: string, why: string): string {
  const value = read(values, key);
  if (value === undefined) throw new ConfigurationError(key, `is missing: ${why}.`);
  return value;
}

function matching(key: string, value: string | undefined, shape: RegExp, expected: string): string | undefined {
  if (value !== undefined && !shape.test(value)) throw new ConfigurationError(key, `must look like ${expected}.`);
  return value;
}

export function parseSigningSecrets(key: string, value: string): string[] {
  const secrets = value.split(/\s+/).filter(Boolean);
  for (const secret of secrets) {
    if (!SIGNING_SECRET.test(secret)) {
      throw new ConfigurationError(key, 'must be "whsec_" followed by base64 (several may be separated by spaces during a key rotation).');
    }
    const bytes = Buffer.from(secret.slice('whsec_'.length), 'base64').length;
    if (bytes < MIN_SIGNING_KEY_BYTES || bytes > MAX_SIGNING_KEY_BYTES) {
      throw new ConfigurationError(key, `must encode ${MIN_SIGNING_KEY_BYTES} to ${MAX_SIGNING_KEY_BYTES} random bytes (it encodes ${bytes}).`);
    }
  }
  return secrets;
}

function parseRateLimitKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const bytes = Buffer.from(value.replace(/^whsec_/, ''), 'base64').length;
  if (!RATE_LIMIT_KEY_SHAPE.test(value) || bytes < MIN_SIGNING_KEY_BYTES) {
    throw new ConfigurationError(RATE_LIMIT_KEY, `must be the base64 of ${MIN_SIGNING_KEY_BYTES} or more random bytes, as \`openssl rand -base64 32\` prints.`);
  }
  return value;
}

/** The signing secrets and the rate-limit key, checked; throws ConfigurationError naming the key. */
export function parseGatewayKeys(values: Record<string, unknown>): GatewayKeys {
  const signingSecrets = parseSigningSecrets(
    SIGNING_SECRET_KEY,
    requireKey(values, SIGNING_SECRET_KEY, 'the Auth0 forwarder signs every request with it'),
  );
  return { signingSecrets, rateLimitKey: parseRateLimitKey(read(values, RATE_LIMIT_KEY)) ?? signingSecrets[0] };
}

export interface ParseOptions {
  /** Console mode (no Twilio keys at all) is allowed locally, never in Lambda. */
  allowConsoleMode: boolean;
}

/**
 * Checks every key and returns the parsed secrets. Throws ConfigurationError naming the first
 * key that is missing or malformed; the message never contains a secret value.
 */
export function parseGatewaySecrets(values: Record<string, unknown>, options: ParseOptions): GatewaySecrets {
  const keys = parseGatewayKeys(values);

  const anyTwilioKey = TWILIO_KEYS.some((key) => read(values, key) !== undefined);
  if (!anyTwilioKey && options.allowConsoleMode) return keys;

  const twilioWhy = 'messages are sent through Twilio';
  const accountSid = matching('TWILIO_ACCOUNT_SID', requireKey(values, 'TWILIO_ACCOUNT_SID', twilioWhy), ACCOUNT_SID, 'AC followed by 32 hex characters')!;
  const authToken = requireKey(values, 'TWILIO_AUTH_TOKEN', 'it verifies Twilio status callbacks');

  const apiKeySid = matching('TWILIO_API_KEY_SID', read(values, 'TWILIO_API_KEY_SID'), API_KEY_SID, 'SK followed by 32 hex characters');
  const apiKeySecret = read(values, 'TWILIO_API_KEY_SECRET');
  if (apiKeySid && !apiKeySecret) throw new ConfigurationError('TWILIO_API_KEY_SECRET', 'is missing: it is required with TWILIO_API_KEY_SID.');
  if (apiKeySecret && !apiKeySid) throw new ConfigurationError('TWILIO_API_KEY_SID', 'is missing: it is required with TWILIO_API_KEY_SECRET.');

  const messagingServiceSid = matching(
    'TWILIO_MESSAGING_SERVICE_SID',
    read(values, 'TWILIO_MESSAGING_SERVICE_SID'),
    MESSAGING_SERVICE_SID,
    'MG followed by 32 hex characters',
  );
  const phoneNumber = read(values, 'TWILIO_PHONE_NUMBER');
  if (phoneNumber !== undefined && !E164_SHAPE.test(phoneNumber)) {
    throw new ConfigurationError('TWILIO_PHONE_NUMBER', 'must be an E.164 number such as +15017122661 (a "+", the country code, the number).');
  }
  if (!messagingServiceSid && !phoneNumber) {
    throw new ConfigurationError('TWILIO_MESSAGING_SERVICE_SID', 'is missing: set it or TWILIO_PHONE_NUMBER, the sender of the messages.');
  }

  return {
    ...keys,
    twilio: {
      accountSid,
      authToken,
      apiKey: apiKeySid && apiKeySecret ? { sid: apiKeySid, secret: apiKeySecret } : undefined,
      messagingServiceSid,
      phoneNumber,
    },
  };
}
