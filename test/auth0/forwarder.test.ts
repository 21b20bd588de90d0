import { createHmac } from 'node:crypto';
import type { ForwarderName } from '../../auth0/build';
import { newSigningSecret } from '../support/signing';
import { CODE, customProviderEvent, EXPECTED_BODIES, failure, invoke, RECIPIENT, RecordingApi, type Invocation, type Secrets } from './support/invoke';
import { built, loadForwarder } from './support/load-forwarder';
import { refusedUrl } from '../support/fault-proxy';
import { VerifyingGateway } from './support/verifying-gateway';

/**
 * Each built forwarder file, run in a vm with only Node built-ins, against a loopback gateway
 * that verifies signatures with the `standardwebhooks` package.
 */

const FORWARDERS: ForwarderName[] = ['send-phone-message', 'custom-phone-provider', 'send-phone-message-hook'];
// 9 s of forwarder time is 180 ms of test time.
const FAST = { timeScale: 50 };

interface Outcome {
  message: string;
  /** custom-phone-provider only: how the Action told Auth0 (api.notification.drop or retry). */
  call?: 'drop' | 'retry';
}

/**
 * How a forwarder reports a message it could not deliver: the Actions of the send-phone-message
 * trigger and the Hook fail with an Error; the custom-phone-provider Action returns after calling
 * api.notification.drop or retry with the same explanation.
 */
async function outcome(name: ForwarderName, invocation: Invocation): Promise<Outcome> {
  if (name !== 'custom-phone-provider') return { message: (await failure(invocation.result)).message };
  await invocation.result;
  const last = invocation.api.last;
  if (!last) throw new Error('expected api.notification.drop or retry, but the Action reported success');
  return { message: last.reason ?? '', call: last.call };
}

/** The call custom-phone-provider makes for an outcome: undefined for the other forwarders. */
function expectedCall(name: ForwarderName, call: 'drop' | 'retry'): 'drop' | 'retry' | undefined {
  return name === 'custom-phone-provider' ? call : undefined;
}

let secret: string;
let gateway: VerifyingGateway;

function secrets(overrides: Secrets = {}): Secrets {
  return { SMS_GATEWAY_URL: gateway.url, SMS_GATEWAY_SIGNING_SECRET: secret, ...overrides };
}

beforeAll(async () => {
  // Build all three up front, as `npm run build` would.
  await Promise.all(FORWARDERS.map((name) => built(name)));
});

beforeEach(async () => {
  secret = newSigningSecret();
  gateway = await VerifyingGateway.start([secret]);
});

afterEach(async () => {
  await gateway.close();
});

describe.each(FORWARDERS)('%s', (name) => {
  it('posts the contract body, signed, and succeeds on 200', async () => {
    const { result, loaded } = await invoke(name, secrets());
    await result;

    expect(gateway.requests).toHaveLength(1);
    const [request] = gateway.requests;
    expect(request.verifiedBy).toEqual([secret]);
    expect(request.body).toEqual(EXPECTED_BODIES[name]);
    expect(request.headers['content-type']).toBe('application/json');
    // The webhook-id is derived from the message, as docs/auth0.md states.
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const derived = createHmac('sha256', key).update(`mfa-sms-gateway/webhook-id/v1\0${request.raw}`).digest('hex').slice(0, 32);
    expect(request.headers['webhook-id']).toBe(`msg_${derived}`);
    expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    // Only Node built-ins were asked for, and nothing was logged.
    expect(loaded.required.every((module) => module.startsWith('node:'))).toBe(true);
    expect(loaded.logged).toEqual([]);
  });

  it('surfaces the gateway error message and status of a 4xx, without the code, after one request', async () => {
    gateway.answer({
      status: 403,
      body: { error: { code: 'destination_not_allowed', message: 'Messages to +1415***0123 (US) are not allowed by this gateway.' } },
    });
    const invocation = await invoke(name, secrets(), FAST);
    const err = await outcome(name, invocation);

    expect(err).toEqual({
      message: 'SMS gateway refused the message (HTTP 403): Messages to +1415***0123 (US) are not allowed by this gateway.',
      call: expectedCall(name, 'drop'),
    });
    expect(err.message).not.toContain(CODE);
    expect(err.message).not.toContain(RECIPIENT);
    expect(gateway.requests).toHaveLength(1);
    expect(invocation.loaded.logged).toEqual([]);
  });

  it('retries a 503 once with the same webhook-id and a fresh signature, then succeeds', async () => {
    gateway.answer({ status: 503, body: { error: { code: 'provider_unavailable', message: 'Twilio did not answer.' } } });
    const { result } = await invoke(name, secrets(), FAST);
    await result;

    expect(gateway.requests).toHaveLength(2);
    const [first, second] = gateway.requests;
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(second.raw).toBe(first.raw);
    expect(Number(second.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(Number(first.headers['webhook-timestamp']));
    expect(first.verifiedBy).toEqual([secret]);
    expect(second.verifiedBy).toEqual([secret]);
  });

  it('fails with the gateway message, for Auth0 to retry later, when three attempts get a 503', async () => {
    const unavailable = { status: 503, body: { error: { code: 'provider_unavailable', message: 'Twilio did not answer.' } } };
    gateway.answer(unavailable, unavailable, unavailable);
    const invocation = await invoke(name, secrets(), FAST);

    expect(await outcome(name, invocation)).toEqual({ message: 'SMS gateway refused the message (HTTP 503): Twilio did not answer.', call: expectedCall(name, 'retry') });
    expect(gateway.requests).toHaveLength(3);
    expect(new Set(gateway.requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
  });

  it('tries three times, then fails naming the URL, when the gateway is unreachable', async () => {
    const url = `${await refusedUrl()}/messages`;
    const invocation = await invoke(name, secrets({ SMS_GATEWAY_URL: url }), FAST);

    expect(await outcome(name, invocation)).toEqual({ message: `Could not reach the SMS gateway at ${url} (3 attempts): ECONNREFUSED.`, call: expectedCall(name, 'retry') });
  });

  it("gives up after two 9 s attempts, within Auth0's 20 s", async () => {
    gateway.answer({ status: 200, delayMs: 1000 }, { status: 200, delayMs: 1000 });
    const started = Date.now();
    const invocation = await invoke(name, secrets(), FAST);

    expect(await outcome(name, invocation)).toEqual({ message: `SMS gateway at ${gateway.url} did not answer within 9 s (2 attempts).`, call: expectedCall(name, 'retry') });
    expect(gateway.requests).toHaveLength(2);
    expect(gateway.requests[1].headers['webhook-id']).toBe(gateway.requests[0].headers['webhook-id']);
    // 2 x 180 ms (scaled) plus the pause: well under the 1 s the gateway would have taken.
    expect(Date.now() - started).toBeLessThan(900);
  });

  it.each([
    ['SMS_GATEWAY_URL', { SMS_GATEWAY_URL: undefined }],
    ['SMS_GATEWAY_SIGNING_SECRET', { SMS_GATEWAY_SIGNING_SECRET: '' }],
  ])('fails fast, naming %s, when that secret is missing', async (missing, overrides) => {
    const err = await outcome(name, await invoke(name, secrets(overrides)));

    expect(err.message).toMatch(new RegExp(`^Missing (Action|Hook) secret ${missing}: add it to the (Action|Hook)'s secrets`));
    expect(err.call).toBe(expectedCall(name, 'drop'));
    expect(gateway.requests).toHaveLength(0);
  });

  it('refuses a malformed signing secret or a plain-http remote URL without sending, never echoing the secret', async () => {
    const badSecret = 'not-a-whsec-value';
    const malformed = await outcome(name, await invoke(name, secrets({ SMS_GATEWAY_SIGNING_SECRET: badSecret })));
    expect(malformed.message).toContain('SMS_GATEWAY_SIGNING_SECRET must be "whsec_" followed by base64');
    expect(malformed.message).not.toContain(badSecret);
    expect(malformed.call).toBe(expectedCall(name, 'drop'));

    const insecure = await outcome(name, await invoke(name, secrets({ SMS_GATEWAY_URL: 'http://sms.example.com/messages' })));
    expect(insecure.message).toContain('SMS_GATEWAY_URL must be an https:// URL');
    expect(gateway.requests).toHaveLength(0);
  });
});

describe('key rotation', () => {
  it('signs with every secret in a space-separated value, and each signature verifies on its own', async () => {
    const next = newSigningSecret();
    await gateway.close();
    gateway = await VerifyingGateway.start([secret, next]);

    const { result } = await invoke('send-phone-message', secrets({ SMS_GATEWAY_SIGNING_SECRET: `${secret} ${next}` }));
    await result;

    const [request] = gateway.requests;
    expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(request.verifiedBy).toEqual([secret, next]);
  });
});

describe('the retry policy (docs/auth0.md)', () => {
  const refusal = (status: number, code: string) => ({ status, body: { error: { code, message: `refused with ${code}` } } });

  it.each([
    [400, 'invalid_request'],
    [401, 'invalid_signature'],
    [403, 'destination_not_allowed'],
    [404, 'not_found'],
    [413, 'payload_too_large'],
    [422, 'idempotency_key_reused'],
    [500, 'configuration_error'],
    [501, 'channel_unavailable'],
    [502, 'provider_error'],
  ])('never retries %i %s, and the custom-phone-provider Action drops the notification', async (status, code) => {
    for (const name of ['send-phone-message', 'custom-phone-provider'] as const) {
      gateway.requests.length = 0;
      gateway.answer(refusal(status, code));
      const err = await outcome(name, await invoke(name, secrets(), FAST));

      expect(err).toEqual({ message: `SMS gateway refused the message (HTTP ${status}): refused with ${code}`, call: expectedCall(name, 'drop') });
      expect(gateway.requests).toHaveLength(1);
    }
  });

  it.each([
    [409, 'request_in_progress'],
    [429, 'rate_limited'],
    [503, 'provider_unavailable'],
  ])('retries %i %s after its Retry-After, with the same webhook-id', async (status, code) => {
    gateway.answer({ ...refusal(status, code), headers: { 'retry-after': '1' } });
    const invocation = await invoke('custom-phone-provider', secrets(), FAST);
    await invocation.result;

    expect(invocation.api.outcomes).toEqual([]);
    expect(gateway.requests).toHaveLength(2);
    const [first, second] = gateway.requests;
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    // Retry-After: 1 is 1000 ms of forwarder time, 20 ms of test time.
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(1000 / FAST.timeScale - 2);
  });

  it("does not wait out a Retry-After beyond Auth0's 20 s: Auth0 retries later", async () => {
    gateway.answer({ ...refusal(429, 'rate_limited'), headers: { 'retry-after': '3600' } });
    const invocation = await invoke('custom-phone-provider', secrets(), FAST);

    expect(await outcome('custom-phone-provider', invocation)).toEqual({ message: 'SMS gateway refused the message (HTTP 429): refused with rate_limited', call: 'retry' });
    expect(gateway.requests).toHaveLength(1);
  });

  it('takes 202 unconfirmed as a done send: no retry, no outcome call', async () => {
    gateway.answer({ status: 202, body: { id: 'x', sid: 'SM0', status: 'unconfirmed', channel: 'sms' } });
    const invocation = await invoke('custom-phone-provider', secrets(), FAST);
    await invocation.result;

    expect(gateway.requests).toHaveLength(1);
    expect(invocation.api.outcomes).toEqual([]);
  });

  it('retries a connection dropped after the request was written, with the same webhook-id', async () => {
    gateway.answer({ status: 200, hangUp: true });
    const invocation = await invoke('custom-phone-provider', secrets(), FAST);
    await invocation.result;

    expect(invocation.api.outcomes).toEqual([]);
    expect(gateway.requests).toHaveLength(2);
    expect(gateway.requests[1].headers['webhook-id']).toBe(gateway.requests[0].headers['webhook-id']);
  });

  it("gives Auth0's own retry of a notification (a new run, same event) the same webhook-id, and another notification another", async () => {
    const action = loadForwarder(await built('custom-phone-provider'));
    const event = customProviderEvent(secrets());
    for (let run = 0; run < 2; run++) await action.exports.onExecuteCustomPhoneProvider(event, new RecordingApi());
    const other = customProviderEvent(secrets());
    other.notification.code = '9071';
    await action.exports.onExecuteCustomPhoneProvider(other, new RecordingApi());

    const ids = gateway.requests.map((request) => request.headers['webhook-id']);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
  });
});
