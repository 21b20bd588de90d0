import { ConfigurationError } from './errors';
import { E164_SHAPE } from './e164';

/**
 * The keys of the gateway's one secret (CONTRACT.md section 5), parsed and checked.
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

export interface GatewaySecrets {
  /**
   * Every accepted signing secret. The key may hold several space-separated `whsec_` secrets:
   * during a rotation the gateway accepts both the old and the new one.
   */
  signingSecrets: string[];
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
] as const;

/** The Twilio keys: everything but the signing secret. */
export const TWILIO_KEYS = SECRET_KEYS.filter((key) => key.startsWith('TWILIO_'));

const ACCOUNT_SID = /^AC[0-9a-f]{32}$/i;
const API_KEY_SID = /^SK[0-9a-f]{32}$/i;
const MESSAGING_SERVICE_SID = /^MG[0-9a-f]{32}$/i;
const SIGNING_SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;
// Standard Webhooks asks for keys of 24 to 64 random bytes.
const MIN_SIGNING_KEY_BYTES = 24;
const MAX_SIGNING_KEY_BYTES = 64;

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

export interface ParseOptions {
  /** Console mode (no Twilio keys at all) is allowed locally, never in Lambda. */
  allowConsoleMode: boolean;
}

/**
 * Checks every key and returns the parsed secrets. Throws ConfigurationError naming the first
 * key that is missing or malformed; the message never contains a secret value.
 */
export function parseGatewaySecrets(values: Record<string, unknown>, options: ParseOptions): GatewaySecrets {
  const signingSecrets = parseSigningSecrets(
    'SMS_GATEWAY_SIGNING_SECRET',
    requireKey(values, 'SMS_GATEWAY_SIGNING_SECRET', 'the Auth0 forwarder signs every request with it'),
  );

  const anyTwilioKey = TWILIO_KEYS.some((key) => read(values, key) !== undefined);
  if (!anyTwilioKey && options.allowConsoleMode) return { signingSecrets };

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
    signingSecrets,
    twilio: {
      accountSid,
      authToken,
      apiKey: apiKeySid && apiKeySecret ? { sid: apiKeySid, secret: apiKeySecret } : undefined,
      messagingServiceSid,
      phoneNumber,
    },
  };
}
