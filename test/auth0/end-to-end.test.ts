import { FakeTwilio } from '../support/fake-twilio';
import { FaultProxy } from '../support/fault-proxy';
import { NO_RATE_LIMITS, type RunningGateway, startGateway, twilioModeEnv } from '../support/gateway';
import { newSigningSecret } from '../support/signing';
import { actionEvent, CODE, RECIPIENT, RecordingApi } from './support/invoke';
import { built, loadForwarder } from './support/load-forwarder';

/**
 * The whole path with nothing faked but Twilio: the built Action (in a vm, as Auth0 runs it)
 * -> the gateway's real handlers behind the local server (`npm start`) -> loopback Twilio ->
 * Twilio's signed status callback -> the MessageDelivered EMF metric.
 */

const SENDER = '+15017122661';

let twilio: FakeTwilio;
let gateway: RunningGateway;
let secret: string;

beforeAll(async () => {
  twilio = await FakeTwilio.start();
  secret = newSigningSecret();
  gateway = await startGateway(twilioModeEnv(twilio, secret, NO_RATE_LIMITS));
});

afterAll(async () => {
  await gateway?.close();
  await twilio?.close();
});

beforeEach(() => {
  twilio.created.clear();
});

it('delivers an MFA code from the Auth0 Action to Twilio and counts the delivery', async () => {
  const action = loadForwarder(await built('send-phone-message'));
  const event = actionEvent({ SMS_GATEWAY_URL: `${gateway.url}/messages`, SMS_GATEWAY_SIGNING_SECRET: secret });

  await action.exports.onExecuteSendPhoneMessage(event, {});

  expect(twilio.created.size).toBe(1);
  const [[sid, request]] = [...twilio.created];
  expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
  expect(request.form).toMatchObject({ To: RECIPIENT, From: SENDER, StatusCallback: gateway.statusCallbackUrl });
  expect(request.form.Body).toContain(CODE);
  expect(gateway.output.metrics()).toEqual(expect.arrayContaining([expect.objectContaining({ MessageSent: 1, Channel: 'sms' })]));

  const callback = await twilio.sendStatusCallback(sid, { MessageStatus: 'delivered' });
  expect(callback.status).toBe(204);
  expect(gateway.output.metrics()).toEqual(expect.arrayContaining([expect.objectContaining({ MessageDelivered: 1, Channel: 'sms' })]));

  // Neither side wrote the code anywhere: the forwarder logs nothing, the gateway (Twilio mode) masks.
  expect(action.logged).toEqual([]);
  expect(gateway.output.text).not.toContain(CODE);
});

/**
 * The custom-phone-provider Action, for every notification type Auth0's event object page lists
 * and both delivery methods. The flows differ in the event around the notification: MFA has the
 * user's login request and a database connection; passwordless an `sms` connection and a user
 * known by phone; phone verification a database user whose number is being verified; the
 * optional parts (request, organization, transaction) are absent in some.
 */
describe('the custom-phone-provider Action, every notification, against the gateway', () => {
  const PHONE = '+14155550199';
  const base = (notification: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    secrets: { SMS_GATEWAY_URL: `${gateway.url}/messages`, SMS_GATEWAY_SIGNING_SECRET: secret },
    notification: { recipient: PHONE, from: SENDER, locale: 'en_US', ...notification },
    client: { client_id: 'app1', name: 'Acme', metadata: {} },
    tenant: { id: 'acme', friendly_name: 'Acme' },
    user: { user_id: 'auth0|1', app_metadata: {}, user_metadata: {}, created_at: '2025-01-01T00:00:00.000Z', updated_at: '2025-01-01T00:00:00.000Z', email_verified: true },
    ...extra,
  });
  const mfaLogin = { request: { ip: '203.0.113.9', method: 'POST', language: 'en', user_agent: 'Mozilla/5.0', geoip: {} }, connection: { id: 'con_1', name: 'Username-Password-Authentication', strategy: 'auth0' } };
  const passwordless = {
    request: { ip: '203.0.113.9', method: 'POST', geoip: {} },
    connection: { id: 'con_2', name: 'sms', strategy: 'sms' },
    user: { user_id: 'sms|64f1', phone_number: PHONE, phone_verified: true, app_metadata: {}, user_metadata: {}, created_at: '2025-01-01T00:00:00.000Z', updated_at: '2025-01-01T00:00:00.000Z', email_verified: false },
    transaction: { correlation_id: 'corr-1' },
  };
  const phoneVerification = {
    connection: { id: 'con_3', name: 'Phone-Users', strategy: 'auth0' },
    user: { user_id: 'auth0|2', phone_number: PHONE, phone_verified: false, app_metadata: {}, user_metadata: {}, created_at: '2025-01-01T00:00:00.000Z', updated_at: '2025-01-01T00:00:00.000Z', email_verified: false },
    organization: { id: 'org_1', name: 'acme-eu', display_name: 'Acme EU', metadata: {} },
  };

  const CASES: [string, Record<string, unknown>, Record<string, unknown>, string | undefined][] = [
    ['MFA verification (otp_verify)', { message_type: 'otp_verify', code: '204816', as_text: '204816 is your code', as_voice: 'Your code is 2 0 4 8 1 6' }, mfaLogin, '204816'],
    ['MFA enrollment (otp_enroll)', { message_type: 'otp_enroll', code: '731905' }, mfaLogin, '731905'],
    ['a passwordless login (otp_verify)', { message_type: 'otp_verify', code: '551203' }, passwordless, '551203'],
    ['a phone number verification (otp_verify)', { message_type: 'otp_verify', code: '880417' }, phoneVerification, '880417'],
    ['a password change with a reset code', { message_type: 'change_password', code: '615288' }, mfaLogin, '615288'],
    ['a password change without a code', { message_type: 'change_password' }, mfaLogin, undefined],
    ['a blocked account', { message_type: 'blocked_account', as_text: 'Your account is blocked' }, mfaLogin, undefined],
    ['a breached password', { message_type: 'password_breach' }, {}, undefined],
  ];

  describe.each(['text', 'voice'] as const)('delivered by %s', (deliveryMethod) => {
    it.each(CASES)('%s', async (_flow, notification, extra, code) => {
      const action = loadForwarder(await built('custom-phone-provider'));
      const api = new RecordingApi();

      await action.exports.onExecuteCustomPhoneProvider(base({ ...notification, delivery_method: deliveryMethod }, extra), api);

      expect(api.outcomes).toEqual([]);
      expect(twilio.created.size).toBe(1);
      const [[sid, request]] = [...twilio.created];
      expect(sid.slice(0, 2)).toBe(deliveryMethod === 'text' ? 'SM' : 'CA');
      expect(request.form.To).toBe(PHONE);
      // What a person hears: the TwiML's text, without the <break>s between the digits.
      const said = deliveryMethod === 'text' ? request.form.Body : request.form.Twiml.replace(/<[^>]*>/g, '');
      if (code) expect(said).toContain(code);
      else expect(said).not.toMatch(/\d{4}/);
      expect(action.logged).toEqual([]);
    });
  });

  it("sends once when Auth0 runs the Action again for the same notification (api.notification.retry)", async () => {
    const action = loadForwarder(await built('custom-phone-provider'));
    const event = base({ message_type: 'otp_verify', code: '402211', delivery_method: 'text' }, mfaLogin);

    for (let run = 0; run < 3; run++) {
      const api = new RecordingApi();
      await action.exports.onExecuteCustomPhoneProvider(event, api);
      expect(api.outcomes).toEqual([]);
    }

    expect(twilio.created.size).toBe(1);
  });

  it.each([
    ['lost', { kind: 'lose-answer' as const }, '318604'],
    ['later than the attempt timeout', { kind: 'delay' as const, ms: 400 }, '529047'],
  ])("sends once when the gateway's answer is %s: the retry gets the first answer", async (_case, fault, code) => {
    const proxy = await FaultProxy.start(gateway.url);
    try {
      proxy.inject(fault);
      // 9 s attempts become 180 ms: the 400 ms delay outlasts the first one.
      const action = loadForwarder(await built('custom-phone-provider'), { timeScale: 50 });
      const event = base({ message_type: 'otp_verify', code, delivery_method: 'text' }, mfaLogin);
      event.secrets.SMS_GATEWAY_URL = `${proxy.url}/messages`;
      const api = new RecordingApi();

      await action.exports.onExecuteCustomPhoneProvider(event, api);

      expect(api.outcomes).toEqual([]);
      expect(proxy.requests.length).toBeGreaterThanOrEqual(2);
      expect(new Set(proxy.requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
      expect(twilio.created.size).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('drops an otp notification that comes without a code, naming the field', async () => {
    const action = loadForwarder(await built('custom-phone-provider'));
    const api = new RecordingApi();

    await action.exports.onExecuteCustomPhoneProvider(base({ message_type: 'otp_verify', delivery_method: 'text' }, mfaLogin), api);

    expect(api.outcomes).toEqual([{ call: 'drop', reason: 'SMS gateway refused the message (HTTP 400): Field "code" is required.' }]);
    expect(twilio.created.size).toBe(0);
  });
});
