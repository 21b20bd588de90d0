import { randomBytes } from 'node:crypto';
import { ConfigurationError } from '../../lambda/core/errors';
import { parseSigningSecrets } from '../../lambda/core/gateway-secrets';
import { parseSecret } from '../../lambda/providers/secret';

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'auth-token-value-0001';
const API_KEY_SID = `SK${'fedcba9876543210'.repeat(2)}`;
const API_KEY_SECRET = 'api-key-secret-value-0002';
const MESSAGING_SERVICE_SID = `MG${'00112233445566778899aabbccddeeff'}`;
const PHONE_NUMBER = '+15017122661';

function signingSecret(bytes = 32): string {
  return `whsec_${randomBytes(bytes).toString('base64')}`;
}

const SIGNING_SECRET = signingSecret();

function twilioKeys(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { SMS_GATEWAY_SIGNING_SECRET: SIGNING_SECRET, TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_PHONE_NUMBER: PHONE_NUMBER, ...overrides };
}

const LAMBDA = { allowConsoleMode: false };

/** The Twilio credentials the secret's values give (in Lambda unless `options` says otherwise). */
function twilioOf(values: Record<string, unknown>, options = LAMBDA) {
  return parseSecret(values, options).providers.twilio.credentials;
}
const LOCAL = { allowConsoleMode: true };

/** The ConfigurationError a set of values is refused with. */
function refusal(values: Record<string, unknown>, options = LAMBDA): ConfigurationError {
  try {
    parseSecret(values, options);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigurationError);
    return err as ConfigurationError;
  }
  throw new Error('the values were accepted');
}

describe('console mode', () => {
  it('is allowed locally when no Twilio key is set at all', () => {
    expect(parseSecret({ SMS_GATEWAY_SIGNING_SECRET: SIGNING_SECRET }, LOCAL)).toEqual({ signingSecrets: [SIGNING_SECRET], rateLimitKey: SIGNING_SECRET, providers: { twilio: {}, aws: {} } });
  });

  it('counts empty and blank Twilio keys as unset', () => {
    const values = { SMS_GATEWAY_SIGNING_SECRET: SIGNING_SECRET, TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '  ', TWILIO_PHONE_NUMBER: undefined };
    expect(parseSecret(values, LOCAL).providers.twilio.credentials).toBeUndefined();
  });

  it('is refused in Lambda: the Twilio keys are required there', () => {
    const error = refusal({ SMS_GATEWAY_SIGNING_SECRET: SIGNING_SECRET });
    expect(error.key).toBe('TWILIO_ACCOUNT_SID');
    expect(error.message).toBe('TWILIO_ACCOUNT_SID is missing: messages are sent through Twilio.');
  });

  it('ends as soon as one Twilio key is set: then all the required ones are needed', () => {
    const error = refusal({ SMS_GATEWAY_SIGNING_SECRET: SIGNING_SECRET, TWILIO_PHONE_NUMBER: PHONE_NUMBER }, LOCAL);
    expect(error.key).toBe('TWILIO_ACCOUNT_SID');
  });

  it('still needs the signing secret', () => {
    const error = refusal({}, LOCAL);
    expect(error.key).toBe('SMS_GATEWAY_SIGNING_SECRET');
    expect(error.message).toBe('SMS_GATEWAY_SIGNING_SECRET is missing: the Auth0 forwarder signs every request with it.');
  });
});

describe('Twilio keys', () => {
  it('parses a complete set with a phone number', () => {
    expect(parseSecret(twilioKeys(), LAMBDA)).toEqual({
      signingSecrets: [SIGNING_SECRET],
      rateLimitKey: SIGNING_SECRET,
      providers: { twilio: { credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiKey: undefined, messagingServiceSid: undefined, phoneNumber: PHONE_NUMBER } }, aws: {} },
    });
  });

  it('parses a messaging service without a phone number', () => {
    const twilio = twilioOf(twilioKeys({ TWILIO_PHONE_NUMBER: undefined, TWILIO_MESSAGING_SERVICE_SID: MESSAGING_SERVICE_SID }), LAMBDA);
    expect(twilio).toMatchObject({ messagingServiceSid: MESSAGING_SERVICE_SID, phoneNumber: undefined });
  });

  it('keeps both a messaging service and a phone number (SMS prefers the service, calls need the number)', () => {
    const twilio = twilioOf(twilioKeys({ TWILIO_MESSAGING_SERVICE_SID: MESSAGING_SERVICE_SID }), LAMBDA);
    expect(twilio).toMatchObject({ messagingServiceSid: MESSAGING_SERVICE_SID, phoneNumber: PHONE_NUMBER });
  });

  it('needs a messaging service or a phone number', () => {
    const error = refusal(twilioKeys({ TWILIO_PHONE_NUMBER: '' }));
    expect(error.key).toBe('TWILIO_MESSAGING_SERVICE_SID');
    expect(error.message).toContain('TWILIO_PHONE_NUMBER');
  });

  it('needs the auth token, which verifies status callbacks, even with an API key', () => {
    const error = refusal(twilioKeys({ TWILIO_AUTH_TOKEN: undefined, TWILIO_API_KEY_SID: API_KEY_SID, TWILIO_API_KEY_SECRET: API_KEY_SECRET }));
    expect(error.key).toBe('TWILIO_AUTH_TOKEN');
    expect(error.message).toBe('TWILIO_AUTH_TOKEN is missing: it verifies Twilio status callbacks.');
  });

  it('trims surrounding whitespace from every value', () => {
    const twilio = twilioOf(twilioKeys({ TWILIO_ACCOUNT_SID: ` ${ACCOUNT_SID}\n`, TWILIO_AUTH_TOKEN: `${AUTH_TOKEN} ` }), LAMBDA);
    expect(twilio).toMatchObject({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  });

  it('accepts SIDs in upper-case hex', () => {
    expect(parseSecret(twilioKeys({ TWILIO_ACCOUNT_SID: ACCOUNT_SID.toUpperCase() }), LAMBDA).providers.twilio.credentials?.accountSid).toBe(ACCOUNT_SID.toUpperCase());
  });

  describe('API key', () => {
    it('is used when both halves are set', () => {
      const twilio = twilioOf(twilioKeys({ TWILIO_API_KEY_SID: API_KEY_SID, TWILIO_API_KEY_SECRET: API_KEY_SECRET }), LAMBDA);
      expect(twilio?.apiKey).toEqual({ sid: API_KEY_SID, secret: API_KEY_SECRET });
    });

    it('needs its secret with its SID', () => {
      const error = refusal(twilioKeys({ TWILIO_API_KEY_SID: API_KEY_SID }));
      expect(error.key).toBe('TWILIO_API_KEY_SECRET');
      expect(error.message).toBe('TWILIO_API_KEY_SECRET is missing: it is required with TWILIO_API_KEY_SID.');
    });

    it('needs its SID with its secret', () => {
      const error = refusal(twilioKeys({ TWILIO_API_KEY_SECRET: API_KEY_SECRET }));
      expect(error.key).toBe('TWILIO_API_KEY_SID');
      expect(error.message).toBe('TWILIO_API_KEY_SID is missing: it is required with TWILIO_API_KEY_SECRET.');
    });
  });

  describe('formats', () => {
    it.each([
      ['TWILIO_ACCOUNT_SID', `SK${'0'.repeat(32)}`, 'AC followed by 32 hex characters'],
      ['TWILIO_ACCOUNT_SID', `AC${'0'.repeat(31)}`, 'AC followed by 32 hex characters'],
      ['TWILIO_ACCOUNT_SID', `AC${'g'.repeat(32)}`, 'AC followed by 32 hex characters'],
      ['TWILIO_API_KEY_SID', ACCOUNT_SID, 'SK followed by 32 hex characters'],
      ['TWILIO_MESSAGING_SERVICE_SID', `MG${'0'.repeat(33)}`, 'MG followed by 32 hex characters'],
    ])('refuses %s = %s', (key, value, expected) => {
      const error = refusal(twilioKeys({ [key]: value, ...(key === 'TWILIO_API_KEY_SID' ? { TWILIO_API_KEY_SECRET: API_KEY_SECRET } : {}) }));
      expect(error.key).toBe(key);
      expect(error.message).toBe(`${key} must look like ${expected}.`);
    });

    it.each(['15017122661', '+1 501 712 2661', '+05017122661', '+1501712266123456', 'tel:+15017122661'])('refuses the sender number %s', (value) => {
      const error = refusal(twilioKeys({ TWILIO_PHONE_NUMBER: value }));
      expect(error.key).toBe('TWILIO_PHONE_NUMBER');
      expect(error.message).toMatch(/^TWILIO_PHONE_NUMBER must be an E\.164 number/);
    });

    it.each(['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_PHONE_NUMBER', 'SMS_GATEWAY_SIGNING_SECRET'])('refuses a %s that is not a string', (key) => {
      const error = refusal(twilioKeys({ [key]: 12345 }));
      expect(error.key).toBe(key);
      expect(error.message).toBe(`${key} must be a string.`);
    });
  });
});

describe('signing secrets', () => {
  it('accepts several secrets separated by whitespace (key rotation)', () => {
    const next = signingSecret();
    expect(parseSigningSecrets('KEY', `${SIGNING_SECRET} ${next}`)).toEqual([SIGNING_SECRET, next]);
    expect(parseSigningSecrets('KEY', `  ${SIGNING_SECRET}\n\t${next} `)).toEqual([SIGNING_SECRET, next]);
    expect(parseSecret(twilioKeys({ SMS_GATEWAY_SIGNING_SECRET: `${SIGNING_SECRET} ${next}` }), LAMBDA).signingSecrets).toEqual([SIGNING_SECRET, next]);
  });

  it.each([
    ['no whsec_ prefix', randomBytes(32).toString('base64')],
    ['another prefix', `wh_${randomBytes(32).toString('base64')}`],
    ['URL-safe base64', `whsec_${'-_'.repeat(22)}`],
    ['padding in the middle', `whsec_${randomBytes(32).toString('base64').replace(/=*$/, '')}==AAAA`],
    ['a prefix alone', 'whsec_'],
  ])('refuses a secret with %s', (_case, value) => {
    const error = refusal(twilioKeys({ SMS_GATEWAY_SIGNING_SECRET: value }));
    expect(error.key).toBe('SMS_GATEWAY_SIGNING_SECRET');
    expect(error.message).toBe(
      'SMS_GATEWAY_SIGNING_SECRET must be "whsec_" followed by base64 (several may be separated by spaces during a key rotation).',
    );
  });

  it('refuses the whole value when one of several secrets is malformed', () => {
    expect(() => parseSigningSecrets('KEY', `${SIGNING_SECRET} whsec_!!!`)).toThrow(ConfigurationError);
  });

  it.each([24, 32, 64])('accepts a key of %i bytes', (bytes) => {
    const secret = signingSecret(bytes);
    expect(parseSigningSecrets('KEY', secret)).toEqual([secret]);
  });

  it.each([23, 65])('refuses a key of %i bytes', (bytes) => {
    expect(() => parseSigningSecrets('SMS_GATEWAY_SIGNING_SECRET', signingSecret(bytes))).toThrow(
      `SMS_GATEWAY_SIGNING_SECRET must encode 24 to 64 random bytes (it encodes ${bytes}).`,
    );
  });
});

describe('the rate-limit key', () => {
  it('accepts the base64 of 32 random bytes, as `npm start` and the stack make it, and keys the limits with it whatever the signing secrets', () => {
    const key = randomBytes(32).toString('base64');
    const next = signingSecret();
    expect(parseSecret(twilioKeys({ SMS_GATEWAY_RATE_LIMIT_KEY: key }), LAMBDA).rateLimitKey).toBe(key);
    expect(parseSecret(twilioKeys({ SMS_GATEWAY_RATE_LIMIT_KEY: ` ${key}\n`, SMS_GATEWAY_SIGNING_SECRET: `${next} ${SIGNING_SECRET}` }), LAMBDA).rateLimitKey).toBe(key);
  });

  it('accepts a signing secret copied into it, the value that keyed the limits before the key existed', () => {
    expect(parseSecret(twilioKeys({ SMS_GATEWAY_RATE_LIMIT_KEY: SIGNING_SECRET }), LAMBDA).rateLimitKey).toBe(SIGNING_SECRET);
  });

  it('falls back to the first signing secret while the secret has no such key', () => {
    const next = signingSecret();
    expect(parseSecret(twilioKeys({ SMS_GATEWAY_SIGNING_SECRET: `${next} ${SIGNING_SECRET}` }), LAMBDA).rateLimitKey).toBe(next);
    expect(parseSecret(twilioKeys({ SMS_GATEWAY_RATE_LIMIT_KEY: '  ' }), LAMBDA).rateLimitKey).toBe(SIGNING_SECRET);
  });

  it.each([
    ['too short', randomBytes(16).toString('base64')],
    ['not base64', `${randomBytes(32).toString('hex')}!`],
    ['two keys', `${randomBytes(32).toString('base64')} ${randomBytes(32).toString('base64')}`],
  ])('refuses a key that is %s, without echoing it', (_case, value) => {
    const error = refusal(twilioKeys({ SMS_GATEWAY_RATE_LIMIT_KEY: value }));
    expect(error.key).toBe('SMS_GATEWAY_RATE_LIMIT_KEY');
    expect(error.message).toBe('SMS_GATEWAY_RATE_LIMIT_KEY must be the base64 of 24 or more random bytes, as `openssl rand -base64 32` prints.');
  });
});

describe('error messages', () => {
  it('name the key and never include its value', () => {
    const bad: [string, string][] = [
      ['TWILIO_ACCOUNT_SID', 'AC-leaked-value-1'],
      ['TWILIO_API_KEY_SID', 'SK-leaked-value-2'],
      ['TWILIO_MESSAGING_SERVICE_SID', 'MG-leaked-value-3'],
      ['TWILIO_PHONE_NUMBER', '+1-leaked-value-4'],
      ['SMS_GATEWAY_SIGNING_SECRET', 'whsec_leaked!value5'],
      ['SMS_GATEWAY_SIGNING_SECRET', signingSecret(16)],
    ];
    for (const [key, value] of bad) {
      const extra = key === 'TWILIO_API_KEY_SID' ? { TWILIO_API_KEY_SECRET: API_KEY_SECRET } : {};
      const error = refusal(twilioKeys({ [key]: value, ...extra }));
      expect(error.key).toBe(key);
      expect(error.message.startsWith(`${key} `)).toBe(true);
      expect(error.message).not.toContain(value);
      expect(error.message).not.toContain(value.slice('whsec_'.length));
      expect(error.message).not.toContain(AUTH_TOKEN);
      expect(error.message).not.toContain(API_KEY_SECRET);
    }
  });
});
