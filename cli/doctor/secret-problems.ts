import { ConfigurationError } from '../../lambda/core/errors';
import { parseGatewaySecrets, SECRET_KEYS } from '../../lambda/core/gateway-secrets';

/**
 * Every problem of a secret value, not only the first. The gateway's parser stops at the first
 * bad key; rather than copy its rules, the doctor parses again with that key replaced by a
 * well-formed stand-in, until the value passes. The parser stays the only statement of what a
 * valid secret is, and the messages are the gateway's own (they name keys, never values).
 */

const STAND_INS: Record<string, string> = {
  TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'stand-in',
  TWILIO_API_KEY_SID: `SK${'0'.repeat(32)}`,
  TWILIO_API_KEY_SECRET: 'stand-in',
  TWILIO_MESSAGING_SERVICE_SID: `MG${'0'.repeat(32)}`,
  TWILIO_PHONE_NUMBER: '+15005550006',
  SMS_GATEWAY_SIGNING_SECRET: `whsec_${Buffer.alloc(32).toString('base64')}`,
  SMS_GATEWAY_RATE_LIMIT_KEY: Buffer.alloc(32).toString('base64'),
};

export interface SecretProblem {
  key: string;
  message: string;
}

export function secretProblems(values: Record<string, unknown>): SecretProblem[] {
  const probe: Record<string, unknown> = { ...values };
  const problems: SecretProblem[] = [];
  // One more round than there are keys: each round fixes one key, so this always ends.
  for (let round = 0; round <= SECRET_KEYS.length; round++) {
    try {
      parseGatewaySecrets(probe, { allowConsoleMode: false });
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
