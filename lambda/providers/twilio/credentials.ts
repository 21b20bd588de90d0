import { SECRET_KEY, TWILIO_SECRET_KEYS } from '../../../shared/names';
import { E164_SHAPE } from '../../core/e164';
import { ConfigurationError } from '../../core/errors';
import { keyMatching, parsedKeys, readKey, requireKey, type ProviderKeys } from '../../core/gateway-secrets';

/** Twilio's keys of the gateway's secret (docs/configuration.md, "The secret"), parsed and checked. */
export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
  /** When set, sends authenticate with this API key instead of the auth token. */
  apiKey?: { sid: string; secret: string };
  messagingServiceSid?: string;
  phoneNumber?: string;
}

const ACCOUNT_SID = /^AC[0-9a-f]{32}$/i;
const API_KEY_SID = /^SK[0-9a-f]{32}$/i;
const MESSAGING_SERVICE_SID = /^MG[0-9a-f]{32}$/i;

/**
 * The Twilio keys, checked; undefined when the secret has none of them and they are not
 * `required` (console mode, allowed locally only). Throws ConfigurationError naming the first
 * key that is missing or malformed; the message never contains a secret value.
 */
export function parseTwilioCredentials(values: Record<string, unknown>, options: { required: boolean }): TwilioCredentials | undefined {
  const anyKey = TWILIO_SECRET_KEYS.some((key) => readKey(values, key) !== undefined);
  if (!anyKey && !options.required) return undefined;

  const accountSid = keyMatching(
    SECRET_KEY.twilioAccountSid,
    requireKey(values, SECRET_KEY.twilioAccountSid, 'messages are sent through Twilio'),
    ACCOUNT_SID,
    'AC followed by 32 hex characters',
  )!;
  const authToken = requireKey(values, SECRET_KEY.twilioAuthToken, 'it verifies Twilio status callbacks');

  const apiKeySid = keyMatching(SECRET_KEY.twilioApiKeySid, readKey(values, SECRET_KEY.twilioApiKeySid), API_KEY_SID, 'SK followed by 32 hex characters');
  const apiKeySecret = readKey(values, SECRET_KEY.twilioApiKeySecret);
  if (apiKeySid && !apiKeySecret) throw new ConfigurationError(SECRET_KEY.twilioApiKeySecret, `is missing: it is required with ${SECRET_KEY.twilioApiKeySid}.`);
  if (apiKeySecret && !apiKeySid) throw new ConfigurationError(SECRET_KEY.twilioApiKeySid, `is missing: it is required with ${SECRET_KEY.twilioApiKeySecret}.`);

  const messagingServiceSid = keyMatching(
    SECRET_KEY.twilioMessagingServiceSid,
    readKey(values, SECRET_KEY.twilioMessagingServiceSid),
    MESSAGING_SERVICE_SID,
    'MG followed by 32 hex characters',
  );
  const phoneNumber = readKey(values, SECRET_KEY.twilioPhoneNumber);
  if (phoneNumber !== undefined && !E164_SHAPE.test(phoneNumber)) {
    throw new ConfigurationError(SECRET_KEY.twilioPhoneNumber, 'must be an E.164 number such as +15017122661 (a "+", the country code, the number).');
  }
  if (!messagingServiceSid && !phoneNumber) {
    throw new ConfigurationError(SECRET_KEY.twilioMessagingServiceSid, `is missing: set it or ${SECRET_KEY.twilioPhoneNumber}, the sender of the messages.`);
  }

  return {
    accountSid,
    authToken,
    apiKey: apiKeySid && apiKeySecret ? { sid: apiKeySid, secret: apiKeySecret } : undefined,
    messagingServiceSid,
    phoneNumber,
  };
}

/** The Twilio keys as the secret holds them: usable, unusable (and why), or absent. */
export function twilioKeys(values: Record<string, unknown>, options: { required: boolean }): ProviderKeys<TwilioCredentials> {
  return parsedKeys(() => parseTwilioCredentials(values, options));
}
