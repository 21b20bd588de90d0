import { DynamoDbClient } from '../../lambda/adapters/dynamodb-client';
import { DynamoDbIdempotencyStore, IDEMPOTENCY_WINDOW_SECONDS } from '../../lambda/adapters/dynamodb-idempotency';
import { isGatewayError } from '../../lambda/core/errors';
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from '../../lambda/local/embedded-dynamodb';
import { ensureStateTable } from '../../lambda/local/state-table';

/**
 * The idempotency records on their real store (dynalite), with the clock injected: claims,
 * answers for repeats, refusals, and the expiries that free an id again.
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

it('lets the first attempt proceed and answers a repeat with its answer once completed', async () => {
  const id = key();
  expect(await store.claim(id, 'body-1')).toBeUndefined();
  expect((await refusal(store.claim(id, 'body-1'))).code).toBe('request_in_progress');
  await store.complete(id, { id, sid: 'SM1', status: 'queued', channel: 'sms' });
  expect(await store.claim(id, 'body-1')).toEqual({ id, sid: 'SM1', status: 'queued', channel: 'sms' });
});

it('refuses the id with another body, in progress or completed', async () => {
  const id = key();
  await store.claim(id, 'body-1');
  expect((await refusal(store.claim(id, 'body-2'))).code).toBe('idempotency_key_reused');
  await store.complete(id, { sid: 'SM2' });
  expect((await refusal(store.claim(id, 'body-2'))).code).toBe('idempotency_key_reused');
});

it('forgets a released claim, so that a retry proceeds', async () => {
  const id = key();
  await store.claim(id, 'body-1');
  await store.release(id);
  expect(await store.claim(id, 'body-1')).toBeUndefined();
});

it('frees a claim whose invocation ended without completing (a crash), and an expired record', async () => {
  const crashed = key();
  await store.claim(crashed, 'body-1', { remainingTimeMs: 10_000 });
  now += 9_000;
  expect((await refusal(store.claim(crashed, 'body-1'))).code).toBe('request_in_progress');
  now += 2_000;
  expect(await store.claim(crashed, 'body-1')).toBeUndefined();

  const old = key();
  await store.claim(old, 'body-1');
  await store.complete(old, { sid: 'SM3' });
  now += (IDEMPOTENCY_WINDOW_SECONDS - 1) * 1000;
  expect(await store.claim(old, 'body-1')).toEqual({ sid: 'SM3' });
  now += 2_000;
  expect(await store.claim(old, 'body-1')).toBeUndefined();
});

it('fails closed when the store cannot be reached', async () => {
  const unreachable = new DynamoDbIdempotencyStore(new DynamoDbClient({ AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' }), TABLE);
  expect((await refusal(unreachable.claim(key(), 'body'))).code).toBe('provider_unavailable');
});
