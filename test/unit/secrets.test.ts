import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { ConfigurationError, GatewayError } from '../../lambda/core/errors';
import { usableCredentials } from '../../lambda/core/gateway-secrets';
import type { SecretsSource } from '../../lambda/core/ports';
import { EnvironmentSource, SECRET_MAX_AGE_SECONDS, SecretsManagerSource, secretsReadError } from '../../lambda/adapters/secrets';
import { parseProviderKeys, type ProviderSecrets } from '../../lambda/providers/secret';
import { FakeSecretsExtension } from '../support/fake-secrets-extension';
import { FakeSecretsManager } from '../support/fake-secrets-manager';
import { refusedUrl } from '../support/fault-proxy';

/**
 * The secret sources: Secrets Manager through the real AWS SDK client (the one the source
 * builds itself, pointed at a loopback endpoint) and Powertools Parameters, and the environment.
 */

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:sms-gateway-AbCdEf';
const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const SIGNING_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

/** The sources as the Lambdas build them: with the providers' keys of lambda/providers/secret.ts. */
const fromSecretsManager = (arn: string, options?: ConstructorParameters<typeof SecretsManagerSource>[2]) =>
  new SecretsManagerSource<ProviderSecrets>(arn, parseProviderKeys, options);
const fromEnvironment = (env?: Record<string, string | undefined>) => new EnvironmentSource(parseProviderKeys, env);

let secretsManager: FakeSecretsManager;
let savedEndpoint: string | undefined;

function keys(overrides: Record<string, unknown> = {}) {
  return { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: 'token-1', TWILIO_PHONE_NUMBER: '+15017122661', SMS_GATEWAY_SIGNING_SECRET: SIGNING_SECRET, ...overrides };
}

beforeAll(async () => {
  secretsManager = await FakeSecretsManager.start();
  // The SDK resolves the endpoint lazily, on the first request: keep it set for the whole file.
  savedEndpoint = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secretsManager.url;
});

afterAll(async () => {
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = savedEndpoint;
  await secretsManager.close();
});

beforeEach(() => {
  secretsManager.put(ARN, keys());
  secretsManager.calls.length = 0;
});

afterEach(() => jest.useRealTimers());

/** Fakes only the clock (Date), so that the SDK's sockets and timers keep working. */
function fakeClock(): void {
  jest.useFakeTimers({
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
  });
}

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => {
      throw new Error('the secret was read');
    },
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe('SecretsManagerSource', () => {
  it('reads and parses the JSON secret named by its ARN', async () => {
    const secrets = await fromSecretsManager(ARN).get();
    expect(secrets).toEqual({
      signingSecrets: [SIGNING_SECRET],
      rateLimitKey: SIGNING_SECRET,
      providers: { twilio: { credentials: { accountSid: ACCOUNT_SID, authToken: 'token-1', apiKey: undefined, messagingServiceSid: undefined, phoneNumber: '+15017122661' } }, aws: {} },
    });
    expect(secretsManager.calls).toEqual([{ operation: 'GetSecretValue', input: { SecretId: ARN } }]);
  });

  describe('caching', () => {
    it('reads the secret once for many gets within the max age, and parses it once', async () => {
      const source = fromSecretsManager(ARN);
      const first = await source.get();
      for (let i = 0; i < 5; i++) expect(await source.get()).toBe(first);
      expect(secretsManager.count('GetSecretValue')).toBe(1);
    });

    it('reads it again once the max age has passed', async () => {
      fakeClock();
      const source = fromSecretsManager(ARN);
      await source.get();
      secretsManager.put(ARN, keys({ TWILIO_AUTH_TOKEN: 'token-2' }));

      jest.setSystemTime(Date.now() + (SECRET_MAX_AGE_SECONDS - 1) * 1000);
      expect((await source.get()).providers.twilio.credentials?.authToken).toBe('token-1');
      jest.setSystemTime(Date.now() + 2_000);
      expect((await source.get()).providers.twilio.credentials?.authToken).toBe('token-2');
      expect(secretsManager.count('GetSecretValue')).toBe(2);
    });

    it('re-reads at once when asked to refresh, but at most once every 10 seconds', async () => {
      fakeClock();
      const source = fromSecretsManager(ARN);
      await source.get();
      secretsManager.put(ARN, keys({ TWILIO_AUTH_TOKEN: 'token-2' }));

      expect((await source.get({ refresh: true })).providers.twilio.credentials?.authToken).toBe('token-2');
      expect(secretsManager.count('GetSecretValue')).toBe(2);

      secretsManager.put(ARN, keys({ TWILIO_AUTH_TOKEN: 'token-3' }));
      jest.setSystemTime(Date.now() + 9_000);
      expect((await source.get({ refresh: true })).providers.twilio.credentials?.authToken).toBe('token-2');
      expect(secretsManager.count('GetSecretValue')).toBe(2);

      jest.setSystemTime(Date.now() + 1_000);
      expect((await source.get({ refresh: true })).providers.twilio.credentials?.authToken).toBe('token-3');
      expect(secretsManager.count('GetSecretValue')).toBe(3);
    });
  });

  describe('an unusable secret', () => {
    it("keeps the gateway's own keys and holds the Twilio problem, naming the key, for sends to report", async () => {
      const rateLimitKey = randomBytes(32).toString('base64');
      secretsManager.put(ARN, keys({ TWILIO_ACCOUNT_SID: '', SMS_GATEWAY_RATE_LIMIT_KEY: rateLimitKey }));
      const secrets = await fromSecretsManager(ARN).get();
      expect(secrets.signingSecrets).toEqual([SIGNING_SECRET]);
      expect(secrets.rateLimitKey).toBe(rateLimitKey);
      expect(secrets.providers.twilio.credentials).toBeUndefined();
      // What a send is refused with (lambda/providers/selector.ts).
      expect(() => usableCredentials(secrets.providers.twilio, 'Twilio')).toThrow(
        expect.objectContaining({
          code: 'configuration_error',
          status: 500,
          message: 'The gateway secret is not usable: TWILIO_ACCOUNT_SID is missing: messages are sent through Twilio.',
          details: { cause: expect.any(ConfigurationError) },
        }),
      );
    });

    it('names a malformed key without echoing it', async () => {
      secretsManager.put(ARN, keys({ SMS_GATEWAY_SIGNING_SECRET: 'whsec_not-base64!' }));
      const error = await refusal(fromSecretsManager(ARN).get());
      expect(error.code).toBe('configuration_error');
      expect(error.message).toContain('SMS_GATEWAY_SIGNING_SECRET must be');
      expect(error.message).not.toContain('not-base64');
    });

    it('is read again (at most every 10 s) so that a fix is seen without waiting out the cache', async () => {
      fakeClock();
      secretsManager.put(ARN, keys({ TWILIO_ACCOUNT_SID: '' }));
      const source = fromSecretsManager(ARN);
      expect((await source.get()).providers.twilio.problem?.key).toBe('TWILIO_ACCOUNT_SID');
      expect((await source.get()).providers.twilio.problem?.key).toBe('TWILIO_ACCOUNT_SID');
      expect(secretsManager.count('GetSecretValue')).toBe(2);

      secretsManager.put(ARN, keys());
      jest.setSystemTime(Date.now() + 9_000);
      expect((await source.get()).providers.twilio.problem?.key).toBe('TWILIO_ACCOUNT_SID');
      expect(secretsManager.count('GetSecretValue')).toBe(2);

      jest.setSystemTime(Date.now() + 1_000);
      expect((await source.get()).providers.twilio.credentials?.accountSid).toMatch(/^AC/);
      expect(secretsManager.count('GetSecretValue')).toBe(3);
    });

    it('refuses console mode: in Lambda the Twilio keys are required', async () => {
      secretsManager.put(ARN, { SMS_GATEWAY_SIGNING_SECRET: SIGNING_SECRET });
      const { twilio } = (await fromSecretsManager(ARN).get()).providers;
      expect(twilio.credentials).toBeUndefined();
      expect(twilio.problem?.message).toContain('TWILIO_ACCOUNT_SID is missing');
    });

    it.each([
      ['not JSON', 'TWILIO_ACCOUNT_SID=AC123'],
      ['a JSON array', '["whsec_x"]'],
      ['a JSON string', '"whsec_x"'],
    ])('is a configuration_error when the secret is %s', async (_case, value) => {
      secretsManager.put(ARN, value);
      const error = await refusal(fromSecretsManager(ARN).get());
      expect(error.code).toBe('configuration_error');
      expect(error.message).toBe('The gateway secret is not a JSON object.');
    });

    it('puts no part of a secret that is not JSON into the error or its cause, which are logged', async () => {
      const token = `tok${randomBytes(24).toString('hex')}`;
      secretsManager.put(ARN, `{"TWILIO_AUTH_TOKEN": ${token}}`);
      const error = await refusal(fromSecretsManager(ARN).get());
      expect(error.code).toBe('configuration_error');
      expect(inspect(error, { depth: 10 })).not.toContain(token.slice(0, 8));
    });
  });

  describe('a failed read', () => {
    it.each([
      ['the secret does not exist', 'ResourceNotFoundException', "Secrets Manager can't find the specified secret."],
      ['the role may not read it', 'AccessDeniedException', 'User is not authorized to perform secretsmanager:GetSecretValue'],
      ['the key may not decrypt it', 'DecryptionFailure', 'Access to KMS is not allowed'],
    ])('is a configuration_error when %s', async (_case, type, message) => {
      secretsManager.fail({ status: 400, type, message });
      const error = await refusal(fromSecretsManager(ARN).get());
      expect(error.code).toBe('configuration_error');
      expect(error.message).toBe(`The gateway cannot read its secret (${type}).`);
      expect(error.retryable).toBe(false);
      expect(secretsManager.count('GetSecretValue')).toBe(1);
    });

    it('names the missing secret when the ARN is wrong', async () => {
      const error = await refusal(fromSecretsManager(`${ARN}-missing`).get());
      expect(error.message).toBe('The gateway cannot read its secret (ResourceNotFoundException).');
    });

    it.each([
      ['a 5xx', { status: 500, type: 'InternalServiceError', message: 'boom' }],
      ['throttling', { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' }],
      ['a hang-up', { status: 0, type: '', message: '', hangUp: true }],
    ])('is provider_unavailable after %s on both attempts', async (_case, failure) => {
      secretsManager.fail(failure, failure);
      const error = await refusal(fromSecretsManager(ARN).get());
      expect(error.code).toBe('provider_unavailable');
      expect(error.status).toBe(503);
      expect(error.message).toBe('Secrets Manager did not answer; try again later.');
      expect(error.retryable).toBe(true);
      expect(secretsManager.count('GetSecretValue')).toBe(2);
    });

    it('recovers when Secrets Manager answers again', async () => {
      const source = fromSecretsManager(ARN);
      secretsManager.fail({ status: 503, type: 'ServiceUnavailable', message: 'down' }, { status: 503, type: 'ServiceUnavailable', message: 'down' });
      await refusal(source.get());
      expect((await source.get()).providers.twilio.credentials?.authToken).toBe('token-1');
    });

    it('retries a single failure within the same get', async () => {
      secretsManager.fail({ status: 500, type: 'InternalServiceError', message: 'blip' });
      expect((await fromSecretsManager(ARN).get()).providers.twilio.credentials?.accountSid).toBe(ACCOUNT_SID);
      expect(secretsManager.count('GetSecretValue')).toBe(2);
    });
  });
});

describe('SecretsManagerSource through the Lambda extension', () => {
  let extension: FakeSecretsExtension;
  const source = () => fromSecretsManager(ARN, { extension: { port: extension.port, sessionToken: extension.sessionToken } });

  beforeEach(async () => {
    extension = await FakeSecretsExtension.start();
    extension.put(ARN, keys({ TWILIO_AUTH_TOKEN: 'from-extension' }));
  });

  afterEach(() => extension.close());

  it('reads the secret from the extension with the session token, not from the SDK', async () => {
    expect((await source().get()).providers.twilio.credentials?.authToken).toBe('from-extension');
    expect(extension.requests).toEqual([{ secretId: ARN, token: extension.sessionToken }]);
    expect(secretsManager.count('GetSecretValue')).toBe(0);
  });

  it('keeps the value for 5 minutes', async () => {
    fakeClock();
    const cached = source();
    await cached.get();
    jest.setSystemTime(Date.now() + (SECRET_MAX_AGE_SECONDS - 1) * 1000);
    await cached.get();
    expect(extension.requests).toHaveLength(1);
    jest.setSystemTime(Date.now() + 2000);
    await cached.get();
    expect(extension.requests).toHaveLength(2);
  });

  it('goes to Secrets Manager itself when asked to refresh: the extension would answer from its cache', async () => {
    const refreshed = source();
    await refreshed.get();
    expect((await refreshed.get({ refresh: true })).providers.twilio.credentials?.authToken).toBe('token-1');
    expect(secretsManager.count('GetSecretValue')).toBe(1);
    expect(extension.requests).toHaveLength(1);
  });

  it('is provider_unavailable when the extension fails or is not there', async () => {
    extension.fail(500);
    expect((await refusal(source().get())).code).toBe('provider_unavailable');
    const absent = fromSecretsManager(ARN, { extension: { port: Number(new URL(await refusedUrl()).port), sessionToken: 'x' } });
    expect((await refusal(absent.get())).code).toBe('provider_unavailable');
  });

  it('puts no part of a secret that is not JSON into the error or its cause, which are logged', async () => {
    const token = `tok${randomBytes(24).toString('hex')}`;
    // The fake stores JSON only; the extension hands on whatever string the secret holds.
    extension['secrets'].set(ARN, `{"TWILIO_AUTH_TOKEN": ${token}}`);
    const error = await refusal(source().get());
    expect(error.code).toBe('configuration_error');
    expect(inspect(error, { depth: 10 })).not.toContain(token.slice(0, 8));
  });

  it('is a configuration_error naming the exception when the secret cannot be read', async () => {
    const missing = fromSecretsManager(`${ARN}-missing`, { extension: { port: extension.port, sessionToken: extension.sessionToken } });
    const error = await refusal(missing.get());
    expect(error.code).toBe('configuration_error');
    expect(error.message).toBe('The gateway cannot read its secret (ResourceNotFoundException).');
  });
});

describe('secretsReadError', () => {
  it('counts an error without an HTTP status (a network failure) as an outage', () => {
    expect(secretsReadError(new Error('socket hang up')).code).toBe('provider_unavailable');
  });

  it('reads the SDK error from the cause of a wrapped error', () => {
    const sdk = Object.assign(new Error('denied'), { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    const wrapped = new Error('denied', { cause: sdk });
    expect(secretsReadError(wrapped)).toMatchObject({ code: 'configuration_error', message: 'The gateway cannot read its secret (AccessDeniedException).' });
  });
});

describe('EnvironmentSource', () => {
  it('runs in console mode with only a signing secret', async () => {
    expect(await fromEnvironment({ SMS_GATEWAY_SIGNING_SECRET: SIGNING_SECRET }).get()).toEqual({ signingSecrets: [SIGNING_SECRET], rateLimitKey: SIGNING_SECRET, providers: { twilio: {}, aws: {} } });
  });

  it('reads the Twilio keys from the environment, once', async () => {
    const env: Record<string, string | undefined> = keys();
    const source = fromEnvironment(env);
    env.TWILIO_AUTH_TOKEN = 'changed-later';
    const secrets = await source.get();
    expect(secrets.providers.twilio.credentials).toMatchObject({ accountSid: ACCOUNT_SID, authToken: 'token-1', phoneNumber: '+15017122661' });
    expect(await (source as SecretsSource).get({ refresh: true })).toBe(secrets);
  });

  it('refuses a bad value when it is built, naming the key', () => {
    expect(() => fromEnvironment(keys({ TWILIO_ACCOUNT_SID: 'AC-nope' }) as Record<string, string>)).toThrow(
      new ConfigurationError('TWILIO_ACCOUNT_SID', 'must look like AC followed by 32 hex characters.'),
    );
  });

  it('reads process.env by default', async () => {
    const saved = process.env.SMS_GATEWAY_SIGNING_SECRET;
    process.env.SMS_GATEWAY_SIGNING_SECRET = SIGNING_SECRET;
    try {
      expect((await fromEnvironment().get()).signingSecrets).toEqual([SIGNING_SECRET]);
    } finally {
      if (saved === undefined) delete process.env.SMS_GATEWAY_SIGNING_SECRET;
      else process.env.SMS_GATEWAY_SIGNING_SECRET = saved;
    }
  });
});
