import type { ForwarderName } from '../../auth0/build';
import { newSigningSecret } from '../support/signing';
import { CODE, EXPECTED_BODIES, failure, invoke, RECIPIENT, type Secrets } from './support/invoke';
import { built } from './support/load-forwarder';
import { closedPort, VerifyingGateway } from './support/verifying-gateway';

/**
 * Each built forwarder file, run in a vm with only Node built-ins, against a loopback gateway
 * that verifies signatures with the `standardwebhooks` package.
 */

const FORWARDERS: ForwarderName[] = ['send-phone-message', 'custom-phone-provider', 'send-phone-message-hook'];
// 9 s of forwarder time is 180 ms of test time.
const FAST = { timeScale: 50 };

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
    expect(request.headers['webhook-id']).toMatch(/^msg_[0-9a-f-]{36}$/);
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
    const { result, loaded } = await invoke(name, secrets(), FAST);
    const err = await failure(result);

    expect(err.message).toBe('SMS gateway refused the message (HTTP 403): Messages to +1415***0123 (US) are not allowed by this gateway.');
    expect(err.message).not.toContain(CODE);
    expect(err.message).not.toContain(RECIPIENT);
    expect(gateway.requests).toHaveLength(1);
    expect(loaded.logged).toEqual([]);
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

  it('fails with the gateway message when the retry also gets a 5xx', async () => {
    const unavailable = { status: 503, body: { error: { code: 'provider_unavailable', message: 'Twilio did not answer.' } } };
    gateway.answer(unavailable, unavailable);
    const { result } = await invoke(name, secrets(), FAST);

    expect((await failure(result)).message).toBe('SMS gateway refused the message (HTTP 503): Twilio did not answer.');
    expect(gateway.requests).toHaveLength(2);
  });

  it('tries twice, then fails naming the URL, when the gateway is unreachable', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/messages`;
    const { result } = await invoke(name, secrets({ SMS_GATEWAY_URL: url }), FAST);

    expect((await failure(result)).message).toBe(`Could not reach the SMS gateway at ${url} (2 attempts): ECONNREFUSED.`);
  });

  it('gives up after a 9 s timeout per attempt, two attempts', async () => {
    gateway.answer({ status: 200, delayMs: 1000 }, { status: 200, delayMs: 1000 });
    const started = Date.now();
    const { result } = await invoke(name, secrets(), FAST);

    expect((await failure(result)).message).toBe(`SMS gateway at ${gateway.url} did not answer within 9 s (2 attempts).`);
    expect(gateway.requests).toHaveLength(2);
    expect(gateway.requests[1].headers['webhook-id']).toBe(gateway.requests[0].headers['webhook-id']);
    // 2 x 180 ms (scaled) plus the pause: well under the 1 s the gateway would have taken.
    expect(Date.now() - started).toBeLessThan(900);
  });

  it.each([
    ['SMS_GATEWAY_URL', { SMS_GATEWAY_URL: undefined }],
    ['SMS_GATEWAY_SIGNING_SECRET', { SMS_GATEWAY_SIGNING_SECRET: '' }],
  ])('fails fast, naming %s, when that secret is missing', async (missing, overrides) => {
    const { result } = await invoke(name, secrets(overrides));
    const err = await failure(result);

    expect(err.message).toMatch(new RegExp(`^Missing (Action|Hook) secret ${missing}: add it to the (Action|Hook)'s secrets`));
    expect(gateway.requests).toHaveLength(0);
  });

  it('refuses a malformed signing secret or a plain-http remote URL without sending, never echoing the secret', async () => {
    const badSecret = 'not-a-whsec-value';
    const malformed = await failure((await invoke(name, secrets({ SMS_GATEWAY_SIGNING_SECRET: badSecret }))).result);
    expect(malformed.message).toContain('SMS_GATEWAY_SIGNING_SECRET must be "whsec_" followed by base64');
    expect(malformed.message).not.toContain(badSecret);

    const insecure = await failure((await invoke(name, secrets({ SMS_GATEWAY_URL: 'http://sms.example.com/messages' }))).result);
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
