import { createHash, randomUUID } from 'node:crypto';
import { DynamoDbClient } from '../../lambda/adapters/dynamodb-client';
import { DynamoDbIdempotencyStore } from '../../lambda/adapters/dynamodb-idempotency';
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from '../../lambda/local/embedded-dynamodb';
import { ensureStateTable } from '../../lambda/local/state-table';
import { FakeTwilio, twilioError } from '../support/fake-twilio';
import { FaultProxy, type ProxiedRequest } from '../support/fault-proxy';
import { post, type JsonResponse, type RunningGateway, startGateway, twilioModeEnv } from '../support/gateway';
import { metricSummary } from '../support/output';
import { newSigningSecret, signedHeaders } from '../support/signing';

/**
 * The send path under the faults of issue 10 (1, 2, 3, 5): a Twilio that accepts and answers
 * late or not at all, and a state store whose answers are slow or lost, each played over
 * loopback by the fake Twilio and dynalite behind a FaultProxy. What must hold: at most one
 * create per webhook-id, an unknown outcome answered as `202 unconfirmed` (docs/api.md), a
 * slow or lost state-store answer never costs the user the code, and counts never go below what
 * was sent (docs/reliability.md).
 */

const RECIPIENT = '+14155550123';
const TABLE = 'sms-gateway-state';

interface World {
  gateway: RunningGateway;
  /** The gateway's own state table, directly (dynalite, no fault). */
  state: DynamoDbClient;
  twilio: FakeTwilio;
  /** In front of the fake Twilio, when asked for. */
  twilioProxy: FaultProxy;
  /** In front of dynalite. */
  stateProxy: FaultProxy;
  send(body?: Record<string, unknown>, id?: string): Promise<JsonResponse>;
}

let secret: string;
beforeAll(() => {
  secret = newSigningSecret();
});

async function withWorld(env: Record<string, string>, test: (world: World) => Promise<void>) {
  const twilio = await FakeTwilio.start();
  const twilioProxy = await FaultProxy.start(twilio.url);
  const dynamo: EmbeddedDynamoDb = await startEmbeddedDynamoDb();
  const state = new DynamoDbClient({ AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  await ensureStateTable(state, TABLE);
  const stateProxy = await FaultProxy.start(dynamo.endpoint);
  const gateway = await startGateway(
    twilioModeEnv(twilio, secret, {
      TWILIO_API_BASE_URL: twilioProxy.url,
      STATE_TABLE: TABLE,
      AWS_ENDPOINT_URL_DYNAMODB: stateProxy.url,
      ...env,
    }),
  );
  const send = (body: Record<string, unknown> = {}, id = `msg_${randomUUID()}`) => {
    const text = bodyText(body);
    return post(`${gateway.url}/messages`, text, signedHeaders(secret, text, { id }));
  };
  try {
    await test({ gateway, state, twilio, twilioProxy, stateProxy, send });
  } finally {
    await gateway.close();
    await Promise.all([twilioProxy.close(), stateProxy.close()]);
    await Promise.all([twilio.close(), dynamo.close()]);
  }
}

const bodyText = (body: Record<string, unknown> = {}) => JSON.stringify({ recipient: RECIPIENT, code: '482913', ...body });

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What Auth0's forwarder does with one message (auth0/forwarder/core.ts): one webhook-id, and
 * one retry 250 ms after a 5xx or no answer. Returns every answer it got.
 */
async function forwarded(world: World, body: Record<string, unknown> = {}): Promise<JsonResponse[]> {
  const id = `msg_${randomUUID()}`;
  const first = await world.send(body, id);
  if (first.status < 500) return [first];
  await pause(250);
  return [first, await world.send(body, id)];
}

/** A DynamoDB operation, as the fault proxy sees it. */
const operation = (name: string) => (request: ProxiedRequest) => request.headers['x-amz-target'] === `DynamoDB_20120810.${name}`;
const POSTS = (request: ProxiedRequest) => request.method === 'POST';

describe('fault 1: Twilio accepts the message but answers after the 5 s attempt timeout', () => {
  it('answers 202 unconfirmed, never creates a second message for the webhook-id, and counts SendUnconfirmed', async () => {
    await withWorld({}, async ({ twilio, gateway, send }) => {
      twilio.script(twilio.accepting({ delayMs: 6_000 }));
      const id = `msg_${randomUUID()}`;
      const first = await send({}, id);
      const metrics = gateway.output.metrics();
      const again = await send({}, id); // the forwarder's retry, or any later repeat

      expect(twilio.created.size).toBe(1);
      expect(first.status).toBe(202);
      expect(first.body).toEqual({ id, status: 'unconfirmed', channel: 'sms', provider: 'twilio' });
      expect(again.status).toBe(202);
      expect(again.body).toEqual(first.body);
      expect(metricSummary(metrics)).toEqual(['SendUnconfirmed[Channel|Channel,Provider]', 'SendLatency[Channel|Channel,Provider]']);
      expect(metrics[0]).toMatchObject({ Channel: 'sms', SendUnconfirmed: 1 });
      expect(gateway.output.logs()).toContainEqual(expect.objectContaining({ message: 'message outcome unknown', outcome: 'unconfirmed', recipient: '+1415***0123' }));
    });
  });

  it('keeps the quota spent: 15 requests to one number while Twilio is slow create 5 messages under recipient:5/1h', async () => {
    await withWorld({ RATE_LIMITS: 'recipient:5/1h' }, async ({ twilio, send }) => {
      for (let i = 0; i < 15; i++) twilio.script(twilio.accepting({ delayMs: 6_000 }));
      const answers = await Promise.all(Array.from({ length: 15 }, () => send()));
      // A forwarder retries what failed; an unconfirmed send is not retried (it is a 2xx).
      const retried = await Promise.all(answers.filter((answer) => answer.status >= 500).map(() => send()));

      expect(twilio.created.size).toBe(5);
      expect([...answers, ...retried].map((answer) => answer.status).sort()).toEqual([...Array(5).fill(202), ...Array(10).fill(429)]);
    });
  });

  it('treats a 5xx from Twilio the same way: no retry, 202 unconfirmed (Twilio: a retried 500 may send twice)', async () => {
    await withWorld({}, async ({ twilioProxy, send }) => {
      twilioProxy.inject({ kind: 'answer', status: 500, body: JSON.stringify({ code: 20500, message: 'Internal Server Error', status: 500 }) });
      const id = `msg_${randomUUID()}`;
      const first = await send({}, id);
      const again = await send({}, id);
      expect(twilioProxy.requests.filter(POSTS)).toHaveLength(1);
      expect(first.status).toBe(202);
      expect(again.body).toEqual({ id, status: 'unconfirmed', channel: 'sms', provider: 'twilio' });
    });
  });

  it('says 202 unconfirmed for a call too, with channel voice', async () => {
    await withWorld({}, async ({ twilio, send }) => {
      twilio.script(twilio.accepting({ delayMs: 6_000 }));
      const id = `msg_${randomUUID()}`;
      const answer = await send({ message_type: 'voice' }, id);
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual({ id, status: 'unconfirmed', channel: 'voice', provider: 'twilio' });
      expect(twilio.created.size).toBe(1);
    });
  });
});

describe('fault 2: Twilio reads the POST, then the connection drops', () => {
  it.each([
    ['after Twilio created the message', 'lose-answer', 1],
    ['before Twilio saw it (the gateway cannot tell)', 'drop-after-read', 0],
  ] as const)('%s: one POST in all, 202 unconfirmed, the retry sends nothing', async (_case, kind, created) => {
    await withWorld({}, async ({ twilio, twilioProxy, send }) => {
      // A first message leaves a kept-alive connection, so the next POST goes out on a reused socket.
      expect((await send()).status).toBe(200);
      twilio.created.clear();
      const before = twilioProxy.requests.length;
      twilioProxy.inject({ kind }, { kind }, { kind }, { kind });

      const id = `msg_${randomUUID()}`;
      const first = await send({}, id);
      const again = await send({}, id);

      expect(twilioProxy.requests.length - before).toBe(1);
      expect(twilio.created.size).toBe(created);
      expect(first.status).toBe(202);
      expect(again.status).toBe(202);
      expect(again.body).toEqual({ id, status: 'unconfirmed', channel: 'sms', provider: 'twilio' });
    });
  });

  it('re-sends what provably never reached Twilio: a 429 (never processed), then succeeds', async () => {
    await withWorld({}, async ({ twilio, twilioProxy, send }) => {
      twilioProxy.inject({ kind: 'answer', status: 429, body: JSON.stringify({ code: 20429, message: 'Too Many Requests', status: 429 }) });
      const answer = await send();
      expect(answer.status).toBe(200);
      expect(twilioProxy.requests.filter(POSTS)).toHaveLength(2);
      expect(twilio.created.size).toBe(1);
    });
  });
});

describe('fault 3: a slow or lost state-store answer never loses the code', () => {
  it('the claim is written but its answer comes after the 2 s client timeout: the user gets the code, once', async () => {
    await withWorld({}, async ({ twilio, stateProxy, ...world }) => {
      stateProxy.inject((request) => (operation('PutItem')(request) ? { kind: 'delay', ms: 2_500 } : undefined));
      const answers = await forwarded({ twilio, stateProxy, ...world });
      expect(answers.at(-1)!.status).toBe(200);
      expect(twilio.created.size).toBe(1);
    });
  });

  it("the claim's answer is lost (the connection drops after DynamoDB wrote it): the user gets the code, once", async () => {
    await withWorld({}, async ({ twilio, stateProxy, ...world }) => {
      stateProxy.inject((request) => (operation('PutItem')(request) ? { kind: 'lose-answer' } : undefined));
      const answers = await forwarded({ twilio, stateProxy, ...world });
      expect(answers.at(-1)!.status).toBe(200);
      expect(twilio.created.size).toBe(1);
    });
  });

  it('the first attempt never learns that it holds the claim and gives up (503): the forwarder’s retry gets the claim and sends, once', async () => {
    await withWorld({}, async ({ twilio, stateProxy, ...world }) => {
      const slowClaim = (request: ProxiedRequest) => (operation('PutItem')(request) ? { kind: 'delay' as const, ms: 2_500 } : undefined);
      stateProxy.inject(slowClaim, slowClaim);
      const answers = await forwarded({ twilio, stateProxy, ...world });
      expect(answers.map((answer) => answer.status)).toEqual([503, 200]);
      expect(twilio.created.size).toBe(1);
    });
  });

  it('the answer to "sending" is lost: the attempt finds its own mark and sends, once', async () => {
    await withWorld({}, async ({ twilio, stateProxy, ...world }) => {
      stateProxy.inject((request) => (operation('UpdateItem')(request) && request.body.includes('"SENDING"') ? { kind: 'lose-answer' } : undefined));
      const answers = await forwarded({ twilio, stateProxy, ...world });
      expect(stateProxy.pending).toBe(0);
      expect(answers.map((answer) => answer.status)).toEqual([200]);
      expect(twilio.created.size).toBe(1);
    });
  });

  it('the answer that records the send is lost: 200 all the same, and a repeat gets the first answer', async () => {
    await withWorld({}, async ({ twilio, stateProxy, send }) => {
      stateProxy.inject((request) => (operation('UpdateItem')(request) && request.body.includes('"COMPLETED"') ? { kind: 'lose-answer' } : undefined));
      const id = `msg_${randomUUID()}`;
      const first = await send({}, id);
      const again = await send({}, id);
      expect(stateProxy.pending).toBe(0);
      expect(first.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect(twilio.created.size).toBe(1);
    });
  });
});

describe('an attempt that died while sending', () => {
  it('is never sent again: a repeat of its webhook-id gets 202 unconfirmed', async () => {
    await withWorld({}, async ({ twilio, state, send }) => {
      // The first attempt claimed the id, marked it sending, and its invocation ended 10 s ago.
      const id = `msg_${randomUUID()}`;
      const died = new DynamoDbIdempotencyStore(state, TABLE, () => Date.now() - 20_000);
      const fingerprint = createHash('sha256').update(bodyText()).digest('base64url');
      await died.claim(id, fingerprint, 'first-attempt', { leaseMs: 3_000 });
      await died.startSending(id, 'first-attempt', { remainingTimeMs: 10_000 });

      const repeat = await send({}, id);
      expect(repeat.status).toBe(202);
      expect(repeat.body).toEqual({ id, status: 'unconfirmed', channel: 'sms' });
      expect(twilio.requests).toHaveLength(0);
    });
  });
});

describe('fault 5: give-backs are never repeated', () => {
  it('a lost answer to the give-back does not give the count back twice: 5 messages under recipient:5/1h, not 6', async () => {
    await withWorld({ RATE_LIMITS: 'recipient:5/1h' }, async ({ twilio, stateProxy, send }) => {
      // Twilio refuses the first message, so its count is given back, and that answer is lost.
      twilio.script(twilioError(400, 21608, 'The number is unverified.'));
      stateProxy.inject((request) => (operation('UpdateItem')(request) && request.body.includes(':minusOne') ? { kind: 'lose-answer' } : undefined));
      expect((await send()).status).toBe(502);
      expect(stateProxy.pending).toBe(0);

      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await send()).status);
      expect(twilio.created.size).toBe(5);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    });
  });
});
