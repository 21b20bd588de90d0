import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ERROR_STATUS } from '../../lambda/core/errors';
import { FakeSecretsManager } from '../support/fake-secrets-manager';
import { FakeTwilio, twilioError } from '../support/fake-twilio';
import { NO_RATE_LIMITS, twilioModeEnv, withGateway } from '../support/gateway';
import { replayCurl, start, waitFor } from '../support/npm-start';
import { conformance, documentedOperations, errorCodeDocumented, OPENAPI_PATH, type Answer } from '../support/openapi';
import { newSigningSecret, signedHeaders } from '../support/signing';

/**
 * docs/openapi.yaml against the gateway's real answers: `npm start` in its own process (console
 * mode), and the same handlers behind the local server against a loopback Twilio and Secrets
 * Manager, provoking every documented status. Each answer's status, headers and body must be
 * documented; and every documented answer must have been seen, but for the few listed below.
 */

const ROOT = join(__dirname, '..', '..');

// Documented but not provoked here, each for a reason.
const NOT_PROVOKED: Record<string, string> = {
  'POST /twilio/status 500':
    'internal_error is a bug by definition; configuration_error needs an unreadable secret, and npm start takes its keys from the environment (test/unit/secrets.test.ts reads broken secrets)',
  'POST /twilio/status 503': 'Secrets Manager not answering: npm start takes its keys from the environment (test/unit/secrets.test.ts plays the faults)',
};

const seen = new Set<string>();
const problems: string[] = [];
beforeEach(() => {
  problems.length = 0;
});

async function call(base: string, method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const response = await fetch(`${base}${path}`, { method, headers: init.headers, body: init.body });
  const answer = { status: response.status, headers: response.headers, text: await response.text() };
  record(method, path, answer);
  return answer;
}

function record(method: string, path: string, answer: Answer): void {
  seen.add(`${method} ${path} ${answer.status}`);
  problems.push(...conformance(method, path, answer));
}

function signed(secret: string, body: unknown, id?: string) {
  const text = JSON.stringify(body);
  return { headers: signedHeaders(secret, text, { id }), body: text };
}

it('is a valid OpenAPI 3.1 document', () => {
  const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/@seriousme/openapi-schema-validator/bin/validate-api-cli.js'), OPENAPI_PATH], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual({ valid: true });
});

it("documents every error code at the status the gateway answers it with", () => {
  const missing = Object.entries(ERROR_STATUS).filter(([code, status]) => !errorCodeDocumented(code, status));
  expect(missing).toEqual([]);
});

describe('answers of `npm start` in console mode', () => {
  it('conform', async () => {
    const started = start({});
    try {
      const [, base] = await waitFor(started, /listening on (\S+)\n/);
      await waitFor(started, /--voice\n/);
      const secret = started.output().match(/^ {2}SMS_GATEWAY_SIGNING_SECRET=(\S+)$/m)![1];

      const printed = await replayCurl(started.output());
      record('POST', '/messages', { status: printed.status, headers: printed.headers, text: await printed.text() });
      expect(printed.status).toBe(200);

      await call(base, 'POST', '/messages', signed(secret, { recipient: '+14155550123', code: '123456', message_type: 'voice' }));
      await call(base, 'POST', '/messages', { headers: { 'content-type': 'application/json' }, body: '{}' });
      await call(base, 'GET', '/messages');
      await call(base, 'POST', '/nowhere', { body: '{}' });
      await call(base, 'POST', '/messages', { headers: { 'content-type': 'application/json' }, body: 'x'.repeat(17 * 1024) });
    } finally {
      started.child.kill('SIGTERM');
      await started.exited;
    }
    expect(problems).toEqual([]);
  });
});

describe('answers of the handlers in Twilio mode', () => {
  let twilio: FakeTwilio;
  let secret: string;

  beforeAll(async () => {
    twilio = await FakeTwilio.start();
    secret = newSigningSecret();
  });

  afterAll(async () => {
    await twilio.close();
  });

  it('conform on POST /messages for every status', async () => {
    const env = twilioModeEnv(twilio, secret, { RATE_LIMITS: 'recipient:3/1h', ALLOWED_COUNTRIES: 'US,CA,ES' });
    await withGateway(env, async ({ url }) => {
      const post = (body: unknown, id?: string) => call(url, 'POST', '/messages', signed(secret, body, id));

      expect((await post({ recipient: '+14155550100', code: '1234' })).status).toBe(200);
      expect((await post({ recipient: '+34612345678', code: '1234', message_type: 'voice', language: 'es' })).status).toBe(200);
      expect((await post({ recipient: '+14155550101' })).status).toBe(400);
      expect((await post({ recipient: '+1415', code: '1234' })).status).toBe(400);
      expect((await call(url, 'POST', '/messages', { headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
      expect((await post({ recipient: '+447400123456', code: '1234' })).status).toBe(403);
      expect((await call(url, 'POST', '/messages', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' })).status).toBe(415);
      expect((await call(url, 'POST', '/messages', { headers: { 'content-type': 'application/json' }, body: 'x'.repeat(17 * 1024) })).status).toBe(413);
      for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) expect((await call(url, method, '/messages')).status).toBe(405);

      // The same webhook-id with another body; then the same one while the first is still at Twilio.
      const first = signed(secret, { recipient: '+14155550102', code: '1234' });
      expect((await call(url, 'POST', '/messages', first)).status).toBe(200);
      expect((await post({ recipient: '+14155550103', code: '1234' }, first.headers['webhook-id'])).status).toBe(422);
      // Twilio's 201 for a new message, two seconds late (within the gateway's 5 s attempt timeout).
      twilio.script({ status: 201, body: { sid: `SM${'a'.repeat(32)}`, status: 'queued', to: '+14155550104', direction: 'outbound-api' }, delayMs: 2_000 });
      const slow = signed(secret, { recipient: '+14155550104', code: '1234' });
      const atTwilio = twilio.requests.length;
      const pending = call(url, 'POST', '/messages', slow);
      // Once Twilio has the request, the first attempt holds the webhook-id: no fixed sleep to race.
      while (twilio.requests.length === atTwilio) await new Promise((resolve) => setTimeout(resolve, 10));
      expect((await call(url, 'POST', '/messages', slow)).status).toBe(409);
      await pending;

      for (let i = 0; i < 3; i++) await post({ recipient: '+14155550105', code: '1234' });
      expect((await post({ recipient: '+14155550105', code: '1234' })).status).toBe(429);

      twilio.script(twilioError(400, 21608, 'The number is unverified. Trial accounts cannot send messages to unverified numbers.'));
      expect((await post({ recipient: '+14155550106', code: '1234' })).status).toBe(502);
      // A 5xx may come after Twilio took the message: unconfirmed, never sent again.
      twilio.script(twilioError(500, 20500, 'Internal Server Error'));
      expect((await post({ recipient: '+14155550107', code: '1234' })).status).toBe(202);
      // A 429 is Twilio's "not processed": retried once, then 503 and nothing sent.
      twilio.script(twilioError(429, 20429, 'Too Many Requests'), twilioError(429, 20429, 'Too Many Requests'));
      expect((await post({ recipient: '+14155550111', code: '1234' })).status).toBe(503);
    });
    expect(problems).toEqual([]);
  });

  it('conform on POST /messages without a sender number for voice (501)', async () => {
    const env = twilioModeEnv(twilio, secret, { ...NO_RATE_LIMITS, TWILIO_PHONE_NUMBER: '', TWILIO_MESSAGING_SERVICE_SID: `MG${'0'.repeat(32)}` });
    await withGateway(env, async ({ url }) => {
      expect((await call(url, 'POST', '/messages', signed(secret, { recipient: '+14155550108', code: '1234', message_type: 'voice' }))).status).toBe(501);
    });
    expect(problems).toEqual([]);
  });

  it('conform on POST /messages when the secret in AWS is incomplete (500)', async () => {
    const secretsManager = await FakeSecretsManager.start();
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:sms-gateway-AbCdEf';
    secretsManager.put(arn, { SMS_GATEWAY_SIGNING_SECRET: secret, TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' });
    try {
      const env = {
        AWS_LAMBDA_FUNCTION_NAME: 'sms-gateway-send',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
        SECRET_ARN: arn,
        STATUS_CALLBACK_URL: 'https://abc123.execute-api.us-east-1.amazonaws.com/twilio/status',
        TWILIO_API_BASE_URL: twilio.url,
      };
      await withGateway(env, async ({ url }) => {
        expect((await call(url, 'POST', '/messages', signed(secret, { recipient: '+14155550109', code: '1234' }))).status).toBe(500);
      });
    } finally {
      await secretsManager.close();
    }
    expect(problems).toEqual([]);
  });

  it('conform on POST /twilio/status for every status', async () => {
    await withGateway(twilioModeEnv(twilio, secret, NO_RATE_LIMITS), async ({ url, statusCallbackUrl }) => {
      const sent = await call(url, 'POST', '/messages', signed(secret, { recipient: '+14155550110', code: '1234' }));
      const sid = JSON.parse(sent.text).sid as string;

      const delivered = await twilio.sendStatusCallback(sid, { MessageStatus: 'delivered' }, { url: statusCallbackUrl });
      record('POST', '/twilio/status', { status: delivered.status, headers: delivered.headers, text: await delivered.text() });
      expect(delivered.status).toBe(204);
      const incomplete = await twilio.sendStatusCallback(sid, {}, { url: statusCallbackUrl });
      record('POST', '/twilio/status', { status: incomplete.status, headers: incomplete.headers, text: await incomplete.text() });
      expect(incomplete.status).toBe(400);

      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      expect((await call(url, 'POST', '/twilio/status', { headers: form, body: `MessageSid=${sid}&MessageStatus=delivered` })).status).toBe(403);
      expect((await call(url, 'POST', '/twilio/status', { headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(415);
      expect((await call(url, 'POST', '/twilio/status', { headers: form, body: `Body=${'x'.repeat(17 * 1024)}` })).status).toBe(413);
      for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) expect((await call(url, method, '/twilio/status')).status).toBe(405);
    });
    expect(problems).toEqual([]);
  });
});

it('has seen every documented answer, but for the ones listed with their reason', () => {
  // Runs last: Jest runs a file's tests in the order they are written.
  const unseen = documentedOperations().filter((operation) => !seen.has(operation) && !(operation in NOT_PROVOKED));
  expect(unseen).toEqual([]);
});
