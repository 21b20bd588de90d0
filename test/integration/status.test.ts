import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { FakeTwilio } from '../support/fake-twilio';
import { NO_RATE_LIMITS, post, type RunningGateway, startGateway, twilioModeEnv } from '../support/gateway';
import { metricSummary } from '../support/output';
import { newSigningSecret, signedHeaders } from '../support/signing';

/**
 * POST /twilio/status through the local server: Twilio (played by FakeTwilio) posts signed
 * callbacks for resources the gateway created; each final state becomes one EMF document.
 */

let twilio: FakeTwilio;
let gateway: RunningGateway;
let secret: string;

async function createMessage(messageType: 'sms' | 'voice' = 'sms'): Promise<string> {
  const text = JSON.stringify({ recipient: '+14155550123', code: '1234', message_type: messageType });
  const response = await post(`${gateway.url}/messages`, text, signedHeaders(secret, text));
  expect(response.status).toBe(200);
  return response.body.sid as string;
}

function form(params: Record<string, string>) {
  return new URLSearchParams(params).toString();
}

beforeAll(async () => {
  twilio = await FakeTwilio.start();
  secret = newSigningSecret();
  gateway = await startGateway(twilioModeEnv(twilio, secret, NO_RATE_LIMITS));
});

afterAll(async () => {
  await gateway.close();
  await twilio.close();
});

beforeEach(() => gateway.output.clear());

describe('counted states', () => {
  it('counts a delivered SMS as MessageDelivered{Channel=sms}', async () => {
    const sid = await createMessage();
    gateway.output.clear();
    const response = await twilio.sendStatusCallback(sid, { MessageStatus: 'delivered' });
    expect(response.status).toBe(204);
    expect(metricSummary(gateway.output.metrics())).toEqual(['MessageDelivered[Channel]']);
    expect(gateway.output.metrics()[0]).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: 'SmsGateway' }] }, Channel: 'sms', MessageDelivered: 1 });
  });

  it.each([
    ['undelivered', '30003', 'MessageUndelivered'],
    ['failed', '30008', 'MessageFailed'],
  ])('counts an SMS %s with its Twilio error code', async (status, errorCode, metric) => {
    const sid = await createMessage();
    gateway.output.clear();
    expect((await twilio.sendStatusCallback(sid, { MessageStatus: status, ErrorCode: errorCode })).status).toBe(204);
    expect(metricSummary(gateway.output.metrics())).toEqual([`${metric}[Channel]`, `${metric}[Channel,ErrorCode]`]);
    expect(gateway.output.metrics()[1]).toMatchObject({ Channel: 'sms', ErrorCode: errorCode, [metric]: 1 });
  });

  it.each([
    ['completed', 'MessageDelivered', undefined],
    ['busy', 'MessageUndelivered', 'none'],
    ['no-answer', 'MessageUndelivered', 'none'],
    ['failed', 'MessageFailed', 'none'],
    ['canceled', 'MessageFailed', 'none'],
  ])('counts a call %s as %s{Channel=voice}', async (status, metric, errorCode) => {
    const sid = await createMessage('voice');
    gateway.output.clear();
    expect((await twilio.sendStatusCallback(sid, { CallStatus: status })).status).toBe(204);
    const docs = gateway.output.metrics();
    expect(docs[0]).toMatchObject({ Channel: 'voice', [metric]: 1 });
    expect(docs.map((doc) => doc.ErrorCode)).toEqual(errorCode === undefined ? [undefined] : [undefined, errorCode]);
  });

  it.each(['queued', 'accepted', 'sending', 'sent'])('answers 204 to the in-between state %s and counts nothing', async (status) => {
    const sid = await createMessage();
    gateway.output.clear();
    expect((await twilio.sendStatusCallback(sid, { MessageStatus: status })).status).toBe(204);
    expect(gateway.output.metrics()).toEqual([]);
  });
});

describe('refusals', () => {
  it('403 for a forged signature, a signature for another URL, or another auth token', async () => {
    const sid = await createMessage();
    gateway.output.clear();
    const url = gateway.statusCallbackUrl;
    const params = { MessageSid: sid, MessageStatus: 'delivered', AccountSid: twilio.accountSid };
    const forgeries = [
      'bm90IGEgc2lnbmF0dXJl',
      getExpectedTwilioSignature(twilio.authToken, 'https://elsewhere.example/twilio/status', params),
      getExpectedTwilioSignature('another-auth-token-0123456789abcd', url, params),
      getExpectedTwilioSignature(twilio.authToken, url, { ...params, MessageStatus: 'failed' }),
    ];
    for (const signature of forgeries) {
      const response = await post(url, form(params), { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature });
      expect(response.status).toBe(403);
      expect(response.body).toEqual({ error: { code: 'invalid_signature', message: expect.any(String) } });
    }
    expect(gateway.output.metrics()).toEqual([]);
  });

  it('403 without a signature', async () => {
    const response = await post(gateway.statusCallbackUrl, form({ MessageSid: 'SM1', MessageStatus: 'delivered' }), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response.status).toBe(403);
  });

  it('400 when MessageStatus or CallStatus is missing from a signed callback', async () => {
    const incomplete: Record<string, string>[] = [{ MessageSid: 'SM0123' }, { CallSid: 'CA0123' }, { AccountSid: twilio.accountSid }];
    for (const params of incomplete) {
      const signature = getExpectedTwilioSignature(twilio.authToken, gateway.statusCallbackUrl, params);
      const response = await post(gateway.statusCallbackUrl, form(params), {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature,
      });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_request');
    }
  });

  it('415 for JSON and 405 for GET', async () => {
    expect((await post(gateway.statusCallbackUrl, '{}', { 'content-type': 'application/json' })).status).toBe(415);
    expect((await fetch(gateway.statusCallbackUrl)).status).toBe(405);
  });

  it('403 for every callback in console mode, where no auth token can verify them', async () => {
    const consoleGateway = await startGateway({ SMS_GATEWAY_SIGNING_SECRET: newSigningSecret() });
    try {
      const params = { MessageSid: 'SM0123', MessageStatus: 'delivered' };
      const signature = getExpectedTwilioSignature(twilio.authToken, consoleGateway.statusCallbackUrl, params);
      const response = await post(consoleGateway.statusCallbackUrl, form(params), {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature,
      });
      expect(response.status).toBe(403);
      expect(response.body.error.message).toMatch(/TWILIO_AUTH_TOKEN/);
    } finally {
      await consoleGateway.close();
    }
  });
});
