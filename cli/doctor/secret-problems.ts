import { ConfigurationError } from '../../lambda/core/errors';
import { parseSecret, type SecretOptions } from '../../lambda/providers/secret';
import { SECRET_KEY, SECRET_KEYS } from '../../shared/names';

/**
 * Every problem of a secret value, not only the first. The gateway's parser stops at the first
 * bad key; rather than copy its rules, the doctor parses again with that key replaced by a
 * well-formed stand-in, until the value passes. The parser stays the only statement of what a
 * valid secret is, and the messages are the gateway's own (they name keys, never values).
 */

const STAND_INS: Record<string, string> = {
  [SECRET_KEY.twilioAccountSid]: `AC${'0'.repeat(32)}`,
  [SECRET_KEY.twilioAuthToken]: 'stand-in',
  [SECRET_KEY.twilioApiKeySid]: `SK${'0'.repeat(32)}`,
  [SECRET_KEY.twilioApiKeySecret]: 'stand-in',
  [SECRET_KEY.twilioMessagingServiceSid]: `MG${'0'.repeat(32)}`,
  [SECRET_KEY.twilioPhoneNumber]: '+15005550006',
  [SECRET_KEY.signingSecret]: `whsec_${Buffer.alloc(32).toString('base64')}`,
  [SECRET_KEY.rateLimitKey]: Buffer.alloc(32).toString('base64'),
  [SECRET_KEY.awsSmsOriginationIdentity]: `pool-${'0'.repeat(32)}`,
};

export interface SecretProblem {
  key: string;
  message: string;
}

/** Parsed with `options` as the gateway's parser takes them (routed: whose keys are required; by default Twilio's, as PROVIDERS' default). */
export function secretProblems(values: Record<string, unknown>, options: Omit<SecretOptions, 'allowConsoleMode'> = {}): SecretProblem[] {
  const probe: Record<string, unknown> = { ...values };
  const problems: SecretProblem[] = [];
  // One more round than there are keys: each round fixes one key, so this always ends.
  for (let round = 0; round <= SECRET_KEYS.length; round++) {
    try {
      parseSecret(probe, { ...options, allowConsoleMode: false });
      return problems;
    } catch (err) {
      if (!(err instanceof ConfigurationError) || !(err.key in STAND_INS) || problems.some((problem) => problem.key === err.key)) throw err;
      problems.push({ key: err.key, message: err.message });
      probe[err.key] = STAND_INS[err.key];
    }
  }
  return problems;
}

/** Keys the gateway does not read: usually a typo of one it does. */
export function unknownKeys(values: Record<string, unknown>): string[] {
  return Object.keys(values).filter((key) => !(SECRET_KEYS as readonly string[]).includes(key));
}
