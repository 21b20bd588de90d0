import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { parseGatewayKeys, parseSigningSecrets } from '../../lambda/core/gateway-secrets';
import { SIGNING_KEY_HANDLER_FILE } from '../../cdk/constructs/signing-key';

/**
 * The Custom::SigningKey handler (deployed inline), run here against a mocked Secrets Manager
 * and a loopback server standing in for CloudFormation's pre-signed response URL.
 */

const { handler } = require(SIGNING_KEY_HANDLER_FILE) as { handler: (event: unknown) => Promise<void> };

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:gw-AbCdEf';
// What the stack passes (signing-key.ts).
const PROPERTIES = { SecretArn: SECRET_ARN, SigningKeyName: 'SMS_GATEWAY_SIGNING_SECRET', RateLimitKeyName: 'SMS_GATEWAY_RATE_LIMIT_KEY' };
const secrets = mockClient(SecretsManagerClient);

let server: http.Server;
let responses: { headers: http.IncomingHttpHeaders; body: any }[];
let responseUrl: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      responses.push({ headers: req.headers, body: JSON.parse(text) });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cfn-response?X-Amz-Signature=abc`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  secrets.reset();
  responses = [];
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

function event(requestType: 'Create' | 'Update' | 'Delete', extra: Record<string, unknown> = {}) {
  return {
    RequestType: requestType,
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/MfaSmsGateway/1',
    RequestId: '6f9d0b3e-2d7c-4a35-9a0e-5d1c1b2f3a4b',
    LogicalResourceId: 'GatewaySecretSigningKey',
    ResourceType: 'Custom::SigningKey',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:...', ...PROPERTIES },
    ...extra,
  };
}

const logged = () => (console.log as jest.Mock).mock.calls.map((call) => String(call[0])).join('\n');

test('Create: adds a whsec_ signing key and a rate-limit key of 32 random bytes each, keeps every other key, and never reveals them', async () => {
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ TWILIO_ACCOUNT_SID: 'AC123', TWILIO_AUTH_TOKEN: '' }) });
  secrets.on(PutSecretValueCommand).resolves({});

  await handler(event('Create'));

  const put = secrets.commandCalls(PutSecretValueCommand);
  expect(put).toHaveLength(1);
  expect(put[0].args[0].input).toMatchObject({ SecretId: SECRET_ARN, ClientRequestToken: '6f9d0b3e-2d7c-4a35-9a0e-5d1c1b2f3a4b' });
  const written = JSON.parse(put[0].args[0].input.SecretString!);
  expect(written).toMatchObject({ TWILIO_ACCOUNT_SID: 'AC123', TWILIO_AUTH_TOKEN: '' });
  const key: string = written.SMS_GATEWAY_SIGNING_SECRET;
  expect(key).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  expect(Buffer.from(key.slice('whsec_'.length), 'base64')).toHaveLength(32);
  expect(parseSigningSecrets('SMS_GATEWAY_SIGNING_SECRET', key)).toEqual([key]);
  const rateLimitKey: string = written.SMS_GATEWAY_RATE_LIMIT_KEY;
  expect(Buffer.from(rateLimitKey, 'base64')).toHaveLength(32);
  expect(parseGatewayKeys(written)).toEqual({ signingSecrets: [key], rateLimitKey });

  expect(responses).toHaveLength(1);
  expect(responses[0].headers['content-type']).toBe('');
  expect(responses[0].body).toEqual({
    Status: 'SUCCESS',
    Reason: 'SMS_GATEWAY_RATE_LIMIT_KEY generated; SMS_GATEWAY_SIGNING_SECRET generated',
    PhysicalResourceId: `${SECRET_ARN}#SMS_GATEWAY_SIGNING_SECRET`,
    StackId: event('Create').StackId,
    RequestId: event('Create').RequestId,
    LogicalResourceId: 'GatewaySecretSigningKey',
    NoEcho: true,
    Data: {},
  });
  expect(JSON.stringify(responses) + logged()).not.toContain(key.slice('whsec_'.length));
  expect(JSON.stringify(responses) + logged()).not.toContain(rateLimitKey);
});

test('two stacks get two different keys', async () => {
  secrets.on(GetSecretValueCommand).resolves({ SecretString: '{}' });
  await handler(event('Create'));
  await handler(event('Create'));
  const written = secrets.commandCalls(PutSecretValueCommand).map((call) => JSON.parse(call.args[0].input.SecretString!));
  const keys = written.flatMap((values) => [values.SMS_GATEWAY_SIGNING_SECRET, values.SMS_GATEWAY_RATE_LIMIT_KEY]);
  expect(new Set(keys).size).toBe(4);
});

test('Create keeps keys that are already there (a retry, or keys set by hand)', async () => {
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ SMS_GATEWAY_SIGNING_SECRET: 'whsec_existing', SMS_GATEWAY_RATE_LIMIT_KEY: 'existing' }) });
  await handler(event('Create'));
  expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  expect(responses[0].body).toMatchObject({ Status: 'SUCCESS', Reason: 'kept' });
});

test('the update that adds RateLimitKeyName copies the first signing secret into the new key, so the counters carry over', async () => {
  // A stack deployed before the rate-limit key existed, in the middle of a signing-key rotation.
  const [newest, older] = ['whsec_bmV3ZXN0IGtleSBvZiB0aGlydHktdHdvIGJ5dGVzIQ==', 'whsec_b2xkZXIga2V5IG9mIHRoaXJ0eS10d28gYnl0ZXMhIQ=='];
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ TWILIO_AUTH_TOKEN: 't', SMS_GATEWAY_SIGNING_SECRET: ` ${newest} ${older}` }) });
  secrets.on(PutSecretValueCommand).resolves({});
  const physical = { PhysicalResourceId: `${SECRET_ARN}#SMS_GATEWAY_SIGNING_SECRET` };

  await handler(event('Update', { ...physical, OldResourceProperties: { ServiceToken: 'arn:aws:lambda:...', SecretArn: SECRET_ARN } }));

  const written = JSON.parse(secrets.commandCalls(PutSecretValueCommand)[0].args[0].input.SecretString!);
  expect(written).toEqual({ TWILIO_AUTH_TOKEN: 't', SMS_GATEWAY_SIGNING_SECRET: ` ${newest} ${older}`, SMS_GATEWAY_RATE_LIMIT_KEY: newest });
  // The key the gateway used before the upgrade is the one it uses after it.
  expect(parseGatewayKeys(written).rateLimitKey).toBe(parseGatewayKeys({ SMS_GATEWAY_SIGNING_SECRET: written.SMS_GATEWAY_SIGNING_SECRET }).rateLimitKey);
  expect(responses[0].body).toMatchObject({ Status: 'SUCCESS', Reason: 'SMS_GATEWAY_RATE_LIMIT_KEY copied from the first signing secret', ...physical });
  expect(logged()).not.toContain(newest.slice('whsec_'.length));
});

test('a malformed signing secret, which keyed no counter, is not copied: the rate-limit key is generated', async () => {
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ SMS_GATEWAY_SIGNING_SECRET: 'whsec_short' }) });
  secrets.on(PutSecretValueCommand).resolves({});
  await handler(event('Create'));
  const written = JSON.parse(secrets.commandCalls(PutSecretValueCommand)[0].args[0].input.SecretString!);
  expect(written.SMS_GATEWAY_SIGNING_SECRET).toBe('whsec_short');
  expect(Buffer.from(written.SMS_GATEWAY_RATE_LIMIT_KEY, 'base64')).toHaveLength(32);
  expect(responses[0].body).toMatchObject({ Status: 'SUCCESS', Reason: 'SMS_GATEWAY_RATE_LIMIT_KEY generated' });
});

test('Update ensures the keys only when the secret or the key names changed; Delete leaves the secret alone', async () => {
  secrets.on(GetSecretValueCommand).resolves({ SecretString: '{}' });
  const physical = { PhysicalResourceId: `${SECRET_ARN}#SMS_GATEWAY_SIGNING_SECRET` };

  await handler(event('Update', { ...physical, OldResourceProperties: { ServiceToken: 'arn:aws:lambda:...', ...PROPERTIES } }));
  await handler(event('Delete', physical));
  expect(secrets.calls()).toHaveLength(0);
  expect(responses.map((r) => [r.body.Status, r.body.Reason, r.body.PhysicalResourceId])).toEqual([
    ['SUCCESS', 'nothing to do', physical.PhysicalResourceId],
    ['SUCCESS', 'nothing to do', physical.PhysicalResourceId],
  ]);

  await handler(event('Update', { ...physical, OldResourceProperties: { ...PROPERTIES, SecretArn: `${SECRET_ARN}-old` } }));
  expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(1);
});

test('a secret that is not a JSON object fails the deployment without being overwritten or quoted', async () => {
  secrets.on(GetSecretValueCommand).resolves({ SecretString: 'hunter2-not-json' });
  await handler(event('Create'));
  expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  expect(responses[0].body).toMatchObject({ Status: 'FAILED', Reason: 'Error: The secret does not hold a JSON object; it was left unchanged.' });
  expect(JSON.stringify(responses) + logged()).not.toContain('hunter2');
});

test('a Secrets Manager failure is reported to CloudFormation instead of leaving it waiting', async () => {
  secrets.on(GetSecretValueCommand).rejects(Object.assign(new Error('User is not authorized to perform GetSecretValue'), { name: 'AccessDeniedException' }));
  await handler(event('Create'));
  expect(responses[0].body).toMatchObject({
    Status: 'FAILED',
    Reason: 'AccessDeniedException: User is not authorized to perform GetSecretValue',
  });
});
