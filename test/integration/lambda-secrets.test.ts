import { randomBytes } from 'node:crypto';
import { FakeSecretsExtension } from '../support/fake-secrets-extension';
import { FakeSecretsManager } from '../support/fake-secrets-manager';
import { FakeTwilio } from '../support/fake-twilio';
import { post, startGateway, type RunningGateway } from '../support/gateway';
import { newSigningSecret, signedHeaders } from '../support/signing';

/**
 * The handlers as they run in Lambda: keys from one Secrets Manager secret (SECRET_ARN), read
 * through the real AWS SDK from a loopback Secrets Manager endpoint, cached per container.
 */

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:sms-gateway-AbCdEf';

let secretsManager: FakeSecretsManager;
let twilio: FakeTwilio;
let secret: string;

function lambdaEnv(extra: Record<string, string> = {}) {
  return {
    AWS_LAMBDA_FUNCTION_NAME: 'sms-gateway-send',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
    SECRET_ARN: ARN,
    STATUS_CALLBACK_URL: 'https://abc123.execute-api.us-east-1.amazonaws.com/twilio/status',
    TWILIO_API_BASE_URL: twilio.url,
    ...extra,
  };
}

function storeSecret(overrides: Record<string, string> = {}) {
  secretsManager.put(ARN, {
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_PHONE_NUMBER: '+15017122661',
    SMS_GATEWAY_SIGNING_SECRET: secret,
    ...overrides,
  });
}

async function send(gateway: RunningGateway) {
  const text = JSON.stringify({ recipient: '+14155550123', code: '1234' });
  return post(`${gateway.url}/messages`, text, signedHeaders(secret, text));
}

beforeAll(async () => {
  secretsManager = await FakeSecretsManager.start();
  twilio = await FakeTwilio.start();
});

afterAll(async () => {
  await secretsManager.close();
  await twilio.close();
});

beforeEach(() => {
  secret = newSigningSecret();
  storeSecret();
  secretsManager.calls.length = 0;
});

it('sends with the keys from the secret, reading it once for many requests', async () => {
  const gateway = await startGateway(lambdaEnv());
  try {
    for (let i = 0; i < 5; i++) expect((await send(gateway)).status).toBe(200);
    expect(secretsManager.count('GetSecretValue')).toBe(1);
    expect(secretsManager.calls[0].input).toEqual({ SecretId: ARN });
    expect(twilio.requests.at(-1)!.form.StatusCallback).toBe('https://abc123.execute-api.us-east-1.amazonaws.com/twilio/status');
  } finally {
    await gateway.close();
  }
});

it('reads the keys through the Parameters and Secrets extension when the function has it', async () => {
  const extension = await FakeSecretsExtension.start();
  extension.put(ARN, secretsManager.get(ARN)!);
  const gateway = await startGateway(lambdaEnv({ PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extension.port), AWS_SESSION_TOKEN: extension.sessionToken }));
  try {
    for (let i = 0; i < 3; i++) expect((await send(gateway)).status).toBe(200);
    expect(extension.requests).toHaveLength(1);
    expect(secretsManager.count('GetSecretValue')).toBe(0);
  } finally {
    await gateway.close();
    await extension.close();
  }
});

it('re-reads the secret once when Twilio rejects rotated credentials (20003), then sends', async () => {
  const gateway = await startGateway(lambdaEnv());
  try {
    expect((await send(gateway)).status).toBe(200);
    // The operator rotates the auth token in Twilio and in the secret; this container still caches the old one.
    const newToken = randomBytes(16).toString('hex');
    twilio.allow(twilio.accountSid, newToken);
    twilio.revoke(twilio.accountSid, twilio.authToken);
    const oldRequests = twilio.requests.length;
    storeSecret({ TWILIO_AUTH_TOKEN: newToken });

    const response = await send(gateway);
    expect(response.status).toBe(200);
    expect(secretsManager.count('GetSecretValue')).toBe(2);
    expect(twilio.requests.slice(oldRequests).map((r) => r.password === newToken)).toEqual([false, true]);
  } finally {
    twilio.allow(twilio.accountSid, twilio.authToken);
    await gateway.close();
  }
});

it('answers 502 provider_error 20003 when the secret holds wrong credentials even after a re-read', async () => {
  storeSecret({ TWILIO_AUTH_TOKEN: 'f'.repeat(32) });
  const gateway = await startGateway(lambdaEnv());
  try {
    const before = twilio.requests.length;
    const response = await send(gateway);
    expect(response.status).toBe(502);
    expect(response.body.error).toMatchObject({ code: 'provider_error', provider_code: 20003 });
    expect(twilio.requests.length - before).toBe(1);
  } finally {
    await gateway.close();
  }
});

it('answers 500 configuration_error naming the key while the Twilio keys are not filled in', async () => {
  secretsManager.put(ARN, { SMS_GATEWAY_SIGNING_SECRET: secret, TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', TWILIO_PHONE_NUMBER: '' });
  const gateway = await startGateway(lambdaEnv());
  try {
    const response = await send(gateway);
    expect(response.status).toBe(500);
    expect(response.body.error.code).toBe('configuration_error');
    expect(response.body.error.message).toContain('TWILIO_ACCOUNT_SID');

    // An unsigned caller learns nothing of the configuration: the signature is checked first.
    const text = JSON.stringify({ recipient: '+14155550123', code: '1234' });
    const unsigned = await post(`${gateway.url}/messages`, text, { 'content-type': 'application/json' });
    expect(unsigned.status).toBe(401);
    expect(unsigned.text).not.toContain('TWILIO');
  } finally {
    await gateway.close();
  }
});

it('answers 503 provider_unavailable when Secrets Manager fails, and recovers', async () => {
  const gateway = await startGateway(lambdaEnv());
  try {
    secretsManager.fail(
      { status: 500, type: 'InternalServiceError', message: 'boom' },
      { status: 500, type: 'InternalServiceError', message: 'boom' },
    );
    const response = await send(gateway);
    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe('provider_unavailable');
    expect((await send(gateway)).status).toBe(200);
  } finally {
    await gateway.close();
  }
});

it('answers 500 configuration_error when the secret does not exist', async () => {
  const gateway = await startGateway(lambdaEnv({ SECRET_ARN: `${ARN}-missing` }));
  try {
    const response = await send(gateway);
    expect(response.status).toBe(500);
    expect(response.body.error.message).toContain('ResourceNotFoundException');
  } finally {
    await gateway.close();
  }
});

it('refuses to start in Lambda without SECRET_ARN or STATUS_CALLBACK_URL, naming the variable', async () => {
  await expect(startGateway(lambdaEnv({ SECRET_ARN: '' }))).rejects.toThrow(/SECRET_ARN/);
  await expect(startGateway(lambdaEnv({ STATUS_CALLBACK_URL: '' }))).rejects.toThrow(/STATUS_CALLBACK_URL/);
});
