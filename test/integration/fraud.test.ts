import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDbClient } from '../../lambda/adapters/dynamodb-client';
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from '../../lambda/local/embedded-dynamodb';
import { ensureStateTable } from '../../lambda/local/state-table';
import { FakeTwilio, twilioError } from '../support/fake-twilio';
import { post, type RunningGateway, startGateway, twilioModeEnv, withGateway as usingGateway } from '../support/gateway';
import { metricSummary } from '../support/output';
import { newSigningSecret, signedHeaders } from '../support/signing';
import { refusedUrl } from '../support/fault-proxy';

/**
 * Fraud protection end to end, on the real DynamoDB code against dynalite: rate limits,
 * destination screening, and once-only sends per webhook-id.
 */

let twilio: FakeTwilio;
let secret: string;

beforeAll(async () => {
  twilio = await FakeTwilio.start();
  secret = newSigningSecret();
});

afterAll(() => twilio.close());

function withGateway(env: Record<string, string>, test: (gateway: RunningGateway) => Promise<void>) {
  return usingGateway(twilioModeEnv(twilio, secret, env), test);
}

function send(gateway: RunningGateway, body: Record<string, unknown>, options: { id?: string; headers?: Record<string, string> } = {}) {
  const text = JSON.stringify({ code: '482913', ...body });
  return post(`${gateway.url}/messages`, text, { ...signedHeaders(secret, text, { id: options.id }), ...options.headers });
}

function twilioCalls(from: number) {
  return twilio.requests.length - from;
}

describe('rate limits', () => {
  it('allows 5 messages per number per hour by default, then 429 with Retry-After, a metric and a log naming the limit', async () => {
    await withGateway({}, async (gateway) => {
      const before = twilio.requests.length;
      for (let i = 0; i < 5; i++) expect((await send(gateway, { recipient: '+14155550101' })).status).toBe(200);
      gateway.output.clear();

      const refused = await send(gateway, { recipient: '+14155550101' });
      expect(refused.status).toBe(429);
      expect(refused.body.error).toEqual({ code: 'rate_limited', message: expect.stringContaining('recipient:5/1h') });
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect(twilioCalls(before)).toBe(5);

      expect(metricSummary(gateway.output.metrics())).toEqual(['SendFailed[Channel]', 'SendFailed[Channel,Reason]']);
      expect(gateway.output.metrics()[1]).toMatchObject({ Channel: 'sms', Reason: 'rate_limited', SendFailed: 1 });
      expect(gateway.output.logs()).toContainEqual(
        expect.objectContaining({ message: 'message not sent', reason: 'rate_limited', limit: 'recipient:5/1h', recipient: '+1415***0101' }),
      );

      // Another number is not affected.
      expect((await send(gateway, { recipient: '+14155550102' })).status).toBe(200);
    });
  });

  it('limits per client IP, only for requests that carry one', async () => {
    await withGateway({ RATE_LIMITS: 'ip:3/1h' }, async (gateway) => {
      for (let i = 0; i < 3; i++) expect((await send(gateway, { recipient: `+1415555020${i}`, ip: '203.0.113.7' })).status).toBe(200);
      expect((await send(gateway, { recipient: '+14155550209', ip: '203.0.113.7' })).status).toBe(429);
      expect((await send(gateway, { recipient: '+14155550209', ip: '198.51.100.1' })).status).toBe(200);
      expect((await send(gateway, { recipient: '+14155550209' })).status).toBe(200);
    });
  });

  it('limits per country calling code and globally', async () => {
    await withGateway({ RATE_LIMITS: 'country:2/1h,global:3/1h' }, async (gateway) => {
      expect((await send(gateway, { recipient: '+14155550301' })).status).toBe(200);
      expect((await send(gateway, { recipient: '+14155550302' })).status).toBe(200);
      const country = await send(gateway, { recipient: '+14155550303' });
      expect(country.status).toBe(429);
      expect(country.body.error.message).toContain('country:2/1h');
      expect((await send(gateway, { recipient: '+447911123456' })).status).toBe(200);
      const global = await send(gateway, { recipient: '+34612345678' });
      expect(global.status).toBe(429);
      expect(global.body.error.message).toContain('global:3/1h');
    });
  });

  it('sends exactly the limit when 50 requests for one number arrive at once', async () => {
    await withGateway({}, async (gateway) => {
      const before = twilio.requests.length;
      const responses = await Promise.all(Array.from({ length: 50 }, () => send(gateway, { recipient: '+14155550401' })));
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(5);
      expect(statuses.filter((status) => status === 429)).toHaveLength(45);
      expect(twilioCalls(before)).toBe(5);
    });
  });

  it('does not count requests refused by validation or signature checks', async () => {
    await withGateway({}, async (gateway) => {
      for (let i = 0; i < 10; i++) {
        expect((await send(gateway, { recipient: '+14155550501', code: 'x' })).status).toBe(400);
        expect((await send(gateway, { recipient: '+14155550501' }, { headers: { 'webhook-signature': 'v1,AAAA' } })).status).toBe(401);
      }
      for (let i = 0; i < 5; i++) expect((await send(gateway, { recipient: '+14155550501' })).status).toBe(200);
    });
  });

  it('gives the quota back when Twilio provably sent nothing, so a retry does not pay twice', async () => {
    await withGateway({}, async (gateway) => {
      const id = `msg_${randomUUID()}`;
      // 429 twice: never processed (twilio.com/docs/errors/20429), so the gateway answers 503.
      twilio.script(twilioError(429, 20429, 'Too Many Requests'), twilioError(429, 20429, 'Too Many Requests'));
      expect((await send(gateway, { recipient: '+14155550601' }, { id })).status).toBe(503);
      expect((await send(gateway, { recipient: '+14155550601' }, { id })).status).toBe(200);
      for (let i = 0; i < 4; i++) expect((await send(gateway, { recipient: '+14155550601' })).status).toBe(200);
      expect((await send(gateway, { recipient: '+14155550601' })).status).toBe(429);
    });
  });

  it('fails closed with 503 when DynamoDB is unreachable: no unlimited send', async () => {
    await withGateway({ STATE_TABLE: 'sms-gateway-state', AWS_ENDPOINT_URL_DYNAMODB: await refusedUrl() }, async (gateway) => {
      const before = twilio.requests.length;
      const response = await send(gateway, { recipient: '+14155550701' });
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('provider_unavailable');
      expect(twilioCalls(before)).toBe(0);
    });
  });
});

// Issue 10, fault 4: the counters were keyed by the first signing secret, so a rotation reset them.
describe('limits across a signing-key rotation', () => {
  let dynamo: EmbeddedDynamoDb;
  let state: Record<string, string>;

  beforeEach(async () => {
    dynamo = await startEmbeddedDynamoDb();
    state = { STATE_TABLE: 'rotation-state', AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint };
    await ensureStateTable(new DynamoDbClient({ ...process.env, ...state }), state.STATE_TABLE);
  });

  afterEach(() => dynamo.close());

  /** Sends to one number through a gateway with these keys, signed with the first signing secret. */
  async function sendAll(keys: Record<string, string>, count: number): Promise<number[]> {
    const gateway = await startGateway(twilioModeEnv(twilio, keys.SMS_GATEWAY_SIGNING_SECRET, { ...state, ...keys }));
    try {
      const signWith = keys.SMS_GATEWAY_SIGNING_SECRET.split(' ')[0];
      const statuses: number[] = [];
      for (let i = 0; i < count; i++) {
        const text = JSON.stringify({ recipient: '+14155551401', code: '482913' });
        statuses.push((await post(`${gateway.url}/messages`, text, signedHeaders(signWith, text))).status);
      }
      return statuses;
    } finally {
      await gateway.close();
    }
  }

  it('keeps counting a number after rotate-signing-key writes "<new> <old>"', async () => {
    const [oldKey, newKey] = [newSigningSecret(), newSigningSecret()];
    const SMS_GATEWAY_RATE_LIMIT_KEY = randomBytes(32).toString('base64');
    expect(await sendAll({ SMS_GATEWAY_SIGNING_SECRET: oldKey, SMS_GATEWAY_RATE_LIMIT_KEY }, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(await sendAll({ SMS_GATEWAY_SIGNING_SECRET: `${newKey} ${oldKey}`, SMS_GATEWAY_RATE_LIMIT_KEY }, 1)).toEqual([429]);
    expect(await sendAll({ SMS_GATEWAY_SIGNING_SECRET: newKey, SMS_GATEWAY_RATE_LIMIT_KEY }, 1)).toEqual([429]);
  });

  it('keeps the counters of a deployment made before the key existed, once the key is seeded with the old signing secret', async () => {
    const [oldKey, newKey] = [newSigningSecret(), newSigningSecret()];
    // Before the upgrade: no SMS_GATEWAY_RATE_LIMIT_KEY, so the counters are keyed as before.
    expect(await sendAll({ SMS_GATEWAY_SIGNING_SECRET: oldKey }, 5)).toEqual([200, 200, 200, 200, 200]);
    // The upgrade seeds the key with the first signing secret (Custom::SigningKey, or rotate-signing-key).
    expect(await sendAll({ SMS_GATEWAY_SIGNING_SECRET: oldKey, SMS_GATEWAY_RATE_LIMIT_KEY: oldKey }, 1)).toEqual([429]);
    expect(await sendAll({ SMS_GATEWAY_SIGNING_SECRET: `${newKey} ${oldKey}`, SMS_GATEWAY_RATE_LIMIT_KEY: oldKey }, 1)).toEqual([429]);
  });
});

describe('once per webhook-id', () => {
  it('answers a repeat with the first answer, without a second message or metric', async () => {
    await withGateway({}, async (gateway) => {
      const before = twilio.requests.length;
      const id = `msg_${randomUUID()}`;
      const first = await send(gateway, { recipient: '+14155550801' }, { id });
      gateway.output.clear();
      const again = await send(gateway, { recipient: '+14155550801' }, { id });
      expect(first.status).toBe(200);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect(twilioCalls(before)).toBe(1);
      expect(gateway.output.metrics()).toEqual([]);
      expect(gateway.output.logs()).toContainEqual(expect.objectContaining({ outcome: 'replayed', sid: first.body.sid }));
    });
  });

  it('answers 409 request_in_progress to a repeat that arrives while the first is being sent', async () => {
    await withGateway({}, async (gateway) => {
      const id = `msg_${randomUUID()}`;
      twilio.script({ status: 201, body: { sid: `SM${'1'.repeat(32)}`, status: 'queued' }, delayMs: 500 });
      const first = send(gateway, { recipient: '+14155550901' }, { id });
      await new Promise((resolve) => setTimeout(resolve, 150));
      const concurrent = await send(gateway, { recipient: '+14155550901' }, { id });
      expect(concurrent.status).toBe(409);
      expect(concurrent.body.error.code).toBe('request_in_progress');
      expect(concurrent.headers.get('retry-after')).toBe('1');
      expect((await first).status).toBe(200);
    });
  });

  it('refuses 422 idempotency_key_reused when an id comes back with another body', async () => {
    await withGateway({}, async (gateway) => {
      const before = twilio.requests.length;
      const id = `msg_${randomUUID()}`;
      expect((await send(gateway, { recipient: '+14155551001' }, { id })).status).toBe(200);
      const reused = await send(gateway, { recipient: '+14155551002' }, { id });
      expect(reused.status).toBe(422);
      expect(reused.body.error.code).toBe('idempotency_key_reused');
      expect(twilioCalls(before)).toBe(1);
    });
  });

  it('sends again on a retry after a failed attempt', async () => {
    await withGateway({}, async (gateway) => {
      const before = twilio.requests.length;
      const id = `msg_${randomUUID()}`;
      twilio.script(twilioError(400, 21608, 'The number is unverified.'));
      expect((await send(gateway, { recipient: '+14155551101' }, { id })).status).toBe(502);
      expect((await send(gateway, { recipient: '+14155551101' }, { id })).status).toBe(200);
      expect(twilioCalls(before)).toBe(2);
    });
  });
});

describe('destinations', () => {
  it('refuses countries outside ALLOWED_COUNTRIES with 403, before Twilio, counted as SendFailed', async () => {
    await withGateway({ ALLOWED_COUNTRIES: 'us,CA' }, async (gateway) => {
      const before = twilio.requests.length;
      const refused = await send(gateway, { recipient: '+33612345678' });
      expect(refused.status).toBe(403);
      expect(refused.body.error).toEqual({ code: 'destination_not_allowed', message: expect.stringContaining('FR') });
      expect(gateway.output.metrics()[1]).toMatchObject({ Reason: 'destination_not_allowed', SendFailed: 1 });
      expect((await send(gateway, { recipient: '+14155551201' })).status).toBe(200);
      expect(twilioCalls(before)).toBe(1);
    });
  });

  // Issue 10, fault 8: with no ALLOWED_COUNTRIES these reached Twilio; the denylist named none of them.
  const PREMIUM_AND_SHARED_COST: [string, string][] = [
    ['+33891234567', 'premium-rate'], // FR 089x
    ['+33811234567', 'shared-cost'], // FR 081x
    ['+499001123456', 'premium-rate'], // DE 0900
    ['+4918012345678', 'shared-cost'], // DE 0180
    ['+43900123456', 'premium-rate'], // AT 0900
    ['+3290123456', 'premium-rate'], // BE 090x
    ['+34803123456', 'premium-rate'], // ES 803
    ['+34902123456', 'shared-cost'], // ES 902
    ['+39899123456', 'premium-rate'], // IT 899
    ['+41900123456', 'premium-rate'], // CH 0900
    ['+319001234567', 'premium-rate'], // NL 0900
    ['+48701234567', 'premium-rate'], // PL 70x
    ['+611900123456', 'premium-rate'], // AU 1900
    ['+611300123456', 'shared-cost'], // AU 1300
    ['+448431234567', 'premium-rate'], // GB 0843 (revenue share)
  ];

  it('refuses premium-rate and shared-cost numbers by their type, in every country, naming the type and never the number', async () => {
    await withGateway({}, async (gateway) => {
      const before = twilio.requests.length;
      for (const [recipient, type] of PREMIUM_AND_SHARED_COST) {
        const response = await send(gateway, { recipient });
        expect([recipient, response.status]).toEqual([recipient, 403]);
        expect(response.body.error).toEqual({ code: 'destination_not_allowed', message: expect.stringContaining(type) });
        expect(response.text).not.toContain(recipient.slice(1));
      }
      expect(twilioCalls(before)).toBe(0);
      expect(gateway.output.text).not.toContain(PREMIUM_AND_SHARED_COST[0][0]);
      expect(gateway.output.logs()).toContainEqual(expect.objectContaining({ reason: 'destination_not_allowed', recipient: '+3389***4567' }));
    });
  });

  it('refuses the other non-personal types (toll-free, UAN, personal numbering, pager) and sends to mobile, fixed-line and VoIP numbers', async () => {
    await withGateway({}, async (gateway) => {
      const before = twilio.requests.length;
      for (const [recipient, type] of [
        ['+448001234567', 'toll-free'], // GB 0800
        ['+443001234567', 'UAN'], // GB 03
        ['+447012345678', 'personal numbering'], // GB 070
        ['+4970012345678', 'personal numbering'], // DE 0700
        ['+41740123456', 'pager'], // CH 074
      ]) {
        const response = await send(gateway, { recipient });
        expect([recipient, response.status, response.body.error.message]).toEqual([recipient, 403, expect.stringContaining(type)]);
      }
      expect(twilioCalls(before)).toBe(0);
      for (const recipient of ['+447911123456', '+34612345678', '+4915112345678', '+33912345678', '+441234567890', '+14155551301']) {
        expect([recipient, (await send(gateway, { recipient })).status]).toEqual([recipient, 200]);
      }
    });
  });

  it('refuses premium-rate and satellite ranges, by type or from the denylist, whatever the countries', async () => {
    await withGateway({}, async (gateway) => {
      const before = twilio.requests.length;
      for (const recipient of ['+979123456789', '+881612345678', '+449012345678', '+19005551234']) {
        const response = await send(gateway, { recipient });
        expect(response.status).toBe(403);
        expect(response.body.error.code).toBe('destination_not_allowed');
      }
      expect(twilioCalls(before)).toBe(0);
    });
  });
});
