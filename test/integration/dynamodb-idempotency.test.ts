import { DynamoDbClient } from '../../lambda/adapters/dynamodb-client';
import { DynamoDbIdempotencyStore, IDEMPOTENCY_WINDOW_SECONDS } from '../../lambda/adapters/dynamodb-idempotency';
import { isGatewayError } from '../../lambda/core/errors';
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from '../../lambda/local/embedded-dynamodb';
import { ensureStateTable } from '../../lambda/local/state-table';
import { refusedUrl } from '../support/fault-proxy';

/**
 * The idempotency records on their real store (dynalite), with the clock injected: claims and
 * their owners, answers for repeats, refusals, the lease that lets a retry take over a claim
 * that never started sending, and the expiries that free an id again.
 */

const TABLE = 'idempotency-test';
let dynamo: EmbeddedDynamoDb;
let client: DynamoDbClient;
let now = Date.UTC(2026, 10, 27, 12, 0, 0);
let store: DynamoDbIdempotencyStore;
let counter = 0;
const key = () => `msg_${++counter}`;

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(() => undefined, (err: unknown) => err);
  if (!isGatewayError(error)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  dynamo = await startEmbeddedDynamoDb();
  client = new DynamoDbClient({ AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  await ensureStateTable(client, TABLE);
  store = new DynamoDbIdempotencyStore(client, TABLE, () => now);
});

afterAll(() => dynamo.close());

const LEASE = { leaseMs: 3_000 };
const SENDING = { remainingTimeMs: 10_000 };

it('lets the first attempt proceed and answers a repeat with its answer once completed', async () => {
  const id = key();
  expect(await store.claim(id, 'body-1', 'a', LEASE)).toEqual({ state: 'claimed' });
  expect((await refusal(store.claim(id, 'body-1', 'b', LEASE))).code).toBe('request_in_progress');
  await store.startSending(id, 'a', SENDING);
  await store.complete(id, 'a', { id, sid: 'SM1', status: 'queued', channel: 'sms' });
  expect(await store.claim(id, 'body-1', 'b', LEASE)).toEqual({ state: 'answered', answer: { id, sid: 'SM1', status: 'queued', channel: 'sms' } });
});

it('refuses the id with another body, in progress or completed', async () => {
  const id = key();
  await store.claim(id, 'body-1', 'a', LEASE);
  expect((await refusal(store.claim(id, 'body-2', 'b', LEASE))).code).toBe('idempotency_key_reused');
  await store.startSending(id, 'a', SENDING);
  await store.complete(id, 'a', { sid: 'SM2' });
  expect((await refusal(store.claim(id, 'body-2', 'b', LEASE))).code).toBe('idempotency_key_reused');
});

it('forgets a released claim, so that a retry proceeds; only its owner can release it', async () => {
  const id = key();
  await store.claim(id, 'body-1', 'a', LEASE);
  await store.release(id, 'b');
  expect((await refusal(store.claim(id, 'body-1', 'b', LEASE))).code).toBe('request_in_progress');
  await store.release(id, 'a');
  await store.release(id, 'a'); // repeated after a lost answer: harmless
  expect(await store.claim(id, 'body-1', 'b', LEASE)).toEqual({ state: 'claimed' });
});

it('recognizes its own claim when the write is repeated after a lost answer', async () => {
  const id = key();
  await store.claim(id, 'body-1', 'a', LEASE);
  expect(await store.claim(id, 'body-1', 'a', LEASE)).toEqual({ state: 'claimed' });
  await store.startSending(id, 'a', SENDING);
  await store.startSending(id, 'a', SENDING);
  await store.complete(id, 'a', { sid: 'SM4' });
  await store.complete(id, 'a', { sid: 'SM4' });
  expect(await store.claim(id, 'body-1', 'b', LEASE)).toEqual({ state: 'answered', answer: { sid: 'SM4' } });
});

it('lets a retry take over a claim whose lease ran out before it started sending; the first attempt then cannot send', async () => {
  const id = key();
  await store.claim(id, 'body-1', 'a', LEASE);
  now += 2_000;
  const waiting = await refusal(store.claim(id, 'body-1', 'b', LEASE));
  expect(waiting).toMatchObject({ code: 'request_in_progress', details: { retryAfterSeconds: 1 } });
  now += 1_500;
  expect(await store.claim(id, 'body-1', 'b', LEASE)).toEqual({ state: 'claimed' });
  expect((await refusal(store.startSending(id, 'a', SENDING))).code).toBe('request_in_progress');
  await store.release(id, 'a');
  await store.startSending(id, 'b', SENDING);
  await store.complete(id, 'b', { sid: 'SM6' });
  await expect(store.complete(id, 'a', { sid: 'SM5' })).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  expect(await store.claim(id, 'body-1', 'c', LEASE)).toEqual({ state: 'answered', answer: { sid: 'SM6' } });
});

it('never lets a retry take over a claim that started sending: it waits, then learns the outcome is unknown', async () => {
  const id = key();
  await store.claim(id, 'body-1', 'a', LEASE);
  await store.startSending(id, 'a', { remainingTimeMs: 10_000 });
  now += 7_000;
  const waiting = await refusal(store.claim(id, 'body-1', 'b', LEASE));
  expect(waiting).toMatchObject({ code: 'request_in_progress', details: { retryAfterSeconds: 1 } });
  now += 4_000; // the first attempt's invocation is over: it died while sending
  expect(await store.claim(id, 'body-1', 'b', LEASE)).toEqual({ state: 'abandoned' });
  expect(await store.claim(id, 'body-1', 'c', LEASE)).toEqual({ state: 'abandoned' });
  expect((await refusal(store.startSending(id, 'b', SENDING))).code).toBe('request_in_progress');
});

it('frees an expired record', async () => {
  const old = key();
  await store.claim(old, 'body-1', 'a', LEASE);
  await store.startSending(old, 'a', SENDING);
  await store.complete(old, 'a', { sid: 'SM3' });
  now += (IDEMPOTENCY_WINDOW_SECONDS - 1) * 1000;
  expect(await store.claim(old, 'body-1', 'b', LEASE)).toEqual({ state: 'answered', answer: { sid: 'SM3' } });
  now += 2_000;
  expect(await store.claim(old, 'body-1', 'b', LEASE)).toEqual({ state: 'claimed' });
});

it('fails closed when the store cannot be reached', async () => {
  const unreachable = new DynamoDbIdempotencyStore(new DynamoDbClient({ AWS_ENDPOINT_URL_DYNAMODB: await refusedUrl(), AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' }), TABLE);
  expect((await refusal(unreachable.claim(key(), 'body', 'a', LEASE))).code).toBe('provider_unavailable');
  expect((await refusal(unreachable.startSending(key(), 'a', SENDING))).code).toBe('provider_unavailable');
});
