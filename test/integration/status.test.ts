import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { DynamoDbClient } from '../../lambda/adapters/dynamodb-client';
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from '../../lambda/local/embedded-dynamodb';
import { ensureStateTable } from '../../lambda/local/state-table';
import { FaultProxy, refusedUrl, type Fault, type ProxiedRequest } from '../support/fault-proxy';
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
    expect(metricSummary(gateway.output.metrics())).toEqual(['MessageDelivered[Channel|Channel,Provider]']);
    expect(gateway.output.metrics()[0]).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: 'SmsGateway' }] }, Channel: 'sms', MessageDelivered: 1 });
  });

  it.each([
    ['undelivered', '30003', 'MessageUndelivered'],
    ['failed', '30008', 'MessageFailed'],
  ])('counts an SMS %s with its Twilio error code', async (status, errorCode, metric) => {
    const sid = await createMessage();
    gateway.output.clear();
    expect((await twilio.sendStatusCallback(sid, { MessageStatus: status, ErrorCode: errorCode })).status).toBe(204);
    expect(metricSummary(gateway.output.metrics())).toEqual([`${metric}[Channel|Channel,Provider]`, `${metric}[Channel,ErrorCode]`]);
    expect(gateway.output.metrics()[0]).toMatchObject({ Channel: 'sms', Provider: 'twilio', [metric]: 1 });
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
    expect(docs.map((doc) => doc.Provider)).toEqual(errorCode === undefined ? ['twilio'] : ['twilio', undefined]);
    expect(docs.map((doc) => doc.ErrorCode)).toEqual(errorCode === undefined ? [undefined] : [undefined, errorCode]);
  });

  it.each(['queued', 'accepted', 'sending', 'sent'])('answers 204 to the in-between state %s and counts nothing', async (status) => {
    const sid = await createMessage();
    gateway.output.clear();
    expect((await twilio.sendStatusCallback(sid, { MessageStatus: status })).status).toBe(204);
    expect(gateway.output.metrics()).toEqual([]);
  });
});

// Issue 10, fault 7: ten replays of one valid callback counted ten failures.
describe('each status counted once per message', () => {
  it("counts a failed SMS once, however often the callback is replayed or Twilio delivers it again", async () => {
    const sid = await createMessage();
    gateway.output.clear();
    const params = { AccountSid: twilio.accountSid, MessageSid: sid, SmsSid: sid, MessageStatus: 'failed', ErrorCode: '30008', To: '+14155550123' };
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': getExpectedTwilioSignature(twilio.authToken, gateway.statusCallbackUrl, params) };
    for (let i = 0; i < 10; i++) expect((await post(gateway.statusCallbackUrl, form(params), headers)).status).toBe(204);
    // Twilio's own duplicates carry a new I-Twilio-Idempotency-Token each.
    for (let i = 0; i < 3; i++) expect((await twilio.sendStatusCallback(sid, { MessageStatus: 'failed', ErrorCode: '30008' })).status).toBe(204);
    expect(metricSummary(gateway.output.metrics())).toEqual(['MessageFailed[Channel|Channel,Provider]', 'MessageFailed[Channel,ErrorCode]']);
    expect(gateway.output.logs().filter((line) => line.message === 'delivery status' && line.outcome === 'failed')).toHaveLength(1);
    expect(gateway.output.logs().filter((line) => line.message === 'delivery status' && line.outcome === 'repeated')).toHaveLength(12);
  });

  it('counts each status of one message once, and the same status of another message again', async () => {
    const [first, second] = [await createMessage(), await createMessage()];
    const call = await createMessage('voice');
    gateway.output.clear();
    for (let i = 0; i < 3; i++) {
      await twilio.sendStatusCallback(first, { MessageStatus: 'undelivered', ErrorCode: '30003' });
      await twilio.sendStatusCallback(first, { MessageStatus: 'delivered' });
      await twilio.sendStatusCallback(second, { MessageStatus: 'delivered' });
      await twilio.sendStatusCallback(call, { CallStatus: 'busy' });
    }
    expect(metricSummary(gateway.output.metrics())).toEqual([
      'MessageUndelivered[Channel|Channel,Provider]',
      'MessageUndelivered[Channel,ErrorCode]',
      'MessageDelivered[Channel|Channel,Provider]',
      'MessageDelivered[Channel|Channel,Provider]',
      'MessageUndelivered[Channel|Channel,Provider]',
      'MessageUndelivered[Channel,ErrorCode]',
    ]);
    expect(gateway.output.metrics()[4]).toMatchObject({ Channel: 'voice', MessageUndelivered: 1 });
  });
});

describe('when the deduplication write fails', () => {
  // The status Lambda's one outside call besides the secret: a conditional PutItem in the state
  // table (dynalite behind a FaultProxy). Decision (lambda/core/delivery-status.ts): Twilio gets
  // 204 whatever happens, and a status whose write cannot be confirmed is counted, with a
  // warning, since Twilio would not retry a 5xx.
  let dynamo: EmbeddedDynamoDb;
  let proxy: FaultProxy;
  let faulty: RunningGateway;

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamoDb();
    const state = { STATE_TABLE: 'status-faults', AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint };
    await ensureStateTable(new DynamoDbClient({ ...process.env, ...state }), state.STATE_TABLE);
    proxy = await FaultProxy.start(dynamo.endpoint);
    faulty = await startGateway(twilioModeEnv(twilio, secret, { ...NO_RATE_LIMITS, ...state, AWS_ENDPOINT_URL_DYNAMODB: proxy.url }));
  });

  afterAll(async () => {
    await faulty.close();
    await proxy.close();
    await dynamo.close();
  });

  /** The fault, for the ledger's PutItem only (the sends' DynamoDB calls pass). */
  const onLedgerWrite = (fault: Fault) => (request: ProxiedRequest) =>
    request.headers['x-amz-target'] === 'DynamoDB_20120810.PutItem' && request.body.includes('"delivery#') ? fault : undefined;

  async function failedSms(): Promise<string> {
    const text = JSON.stringify({ recipient: '+14155550123', code: '1234' });
    const response = await post(`${faulty.url}/messages`, text, signedHeaders(secret, text));
    expect(response.status).toBe(200);
    faulty.output.clear();
    return response.body.sid as string;
  }

  const report = (sid: string) => twilio.sendStatusCallback(sid, { MessageStatus: 'failed', ErrorCode: '30008' });
  const failures = () => faulty.output.metrics().filter((doc) => doc.MessageFailed === 1 && doc.ErrorCode === undefined).length;
  const warnings = () => faulty.output.logs().filter((line) => line.message === 'delivery status counted without deduplication');

  it.each([
    // The write lands; its answer comes after the ledger's 500 ms. The write is conditional on its
    // own token, so the client sends it again, and the retry finds its own item: counted, no warning.
    ['a slow answer', { kind: 'delay', ms: 800 } as Fault, 0],
    // The write lands; the client sends it again and the item's token lets the repeat through as its own.
    ['a lost answer', { kind: 'lose-answer' } as Fault, 0],
    // The write never arrives; the client sends it again.
    ['a connection dropped after the request was written', { kind: 'drop-after-read' } as Fault, 0],
  ])('counts a status once through %s, and not its repeat', async (_case, fault, warned) => {
    const sid = await failedSms();
    proxy.inject(onLedgerWrite(fault));
    expect((await report(sid)).status).toBe(204);
    expect(proxy.pending).toBe(0);
    expect((await report(sid)).status).toBe(204);
    expect(failures()).toBe(1);
    expect(warnings()).toHaveLength(warned);
  });

  it('counts a status, with a warning naming the message, when DynamoDB answers with an error', async () => {
    const sid = await failedSms();
    const error = { kind: 'answer', status: 500, body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' }) } as Fault;
    proxy.inject(onLedgerWrite(error), onLedgerWrite(error));
    expect((await report(sid)).status).toBe(204);
    expect(proxy.pending).toBe(0);
    expect(failures()).toBe(1);
    expect(warnings()).toEqual([expect.objectContaining({ sid, status: 'failed', error: 'Internal server error', level: 'WARN' })]);
  });

  it('counts a status, with a warning, when DynamoDB refuses the connection', async () => {
    const refused = await startGateway(twilioModeEnv(twilio, secret, { STATE_TABLE: 'status-faults', AWS_ENDPOINT_URL_DYNAMODB: await refusedUrl() }));
    try {
      const sid = `SM${'7'.repeat(32)}`;
      const response = await twilio.sendStatusCallback(sid, { MessageStatus: 'undelivered', ErrorCode: '30003' }, { url: refused.statusCallbackUrl });
      expect(response.status).toBe(204);
      expect(metricSummary(refused.output.metrics())).toEqual(['MessageUndelivered[Channel|Channel,Provider]', 'MessageUndelivered[Channel,ErrorCode]']);
      expect(refused.output.logs()).toContainEqual(expect.objectContaining({ message: 'delivery status counted without deduplication', sid, level: 'WARN' }));
    } finally {
      await refused.close();
    }
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
