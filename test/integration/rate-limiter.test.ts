import { DynamoDbClient, type Item } from '../../lambda/adapters/dynamodb-client';
import { DynamoDbCounterStore } from '../../lambda/adapters/dynamodb-counters';
import { isGatewayError } from '../../lambda/core/errors';
import { parseRateLimits } from '../../lambda/core/limits-config';
import { parseE164 } from '../../lambda/core/phone';
import { RateLimiter } from '../../lambda/core/rate-limiter';
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from '../../lambda/local/embedded-dynamodb';
import { ensureStateTable } from '../../lambda/local/state-table';
import { refusedUrl } from '../support/fault-proxy';

/**
 * The rate limiter on its real store (DynamoDB conditional updates, against dynalite), with
 * the clock injected to cross window boundaries.
 */

const TABLE = 'limiter-test';
const KEY = 'whsec_limiter-test-key';

let dynamo: EmbeddedDynamoDb;
let client: DynamoDbClient;
let counters: DynamoDbCounterStore;
let now: number;
const clock = () => now;

function request(recipient: string, ip?: string) {
  return { recipient: parseE164(recipient)!, ip };
}

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    if (isGatewayError(err)) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

/** Every item in the table: its key and its counters. */
async function storedItems(): Promise<{ key: string; counts: Record<string, number> }[]> {
  const { Items = [] } = await client.call<{ Items?: Item[] }>('Scan', { TableName: TABLE });
  return Items.map((item) => ({
    key: (item.id as { S: string }).S,
    counts: Object.fromEntries(Object.entries(item).flatMap(([name, value]) => (name.startsWith('n') ? [[name, Number((value as { N: string }).N)]] : []))),
  }));
}

beforeAll(async () => {
  dynamo = await startEmbeddedDynamoDb();
  client = new DynamoDbClient({ AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  await ensureStateTable(client, TABLE);
  counters = new DynamoDbCounterStore(client, TABLE);
});

afterAll(() => dynamo.close());

let day = 0;
beforeEach(() => {
  // A new day per test keeps the tests' windows, and so their counters, apart: 10:00:00 UTC.
  day += 1;
  now = Date.UTC(2026, 0, day, 10, 0, 0);
});

it('refuses once a window is full and says when it reopens, then allows again in the next window', async () => {
  const limiter = new RateLimiter(parseRateLimits('recipient:2/1h'), counters, clock);
  await limiter.reserve(request('+14155550123'), KEY);
  now += 10 * 60_000;
  await limiter.reserve(request('+14155550123'), KEY);

  now += 20 * 60_000; // 10:30
  const refused = await rejection(limiter.reserve(request('+14155550123'), KEY));
  expect(refused.code).toBe('rate_limited');
  expect(refused.details).toMatchObject({ limit: 'recipient:2/1h', retryAfterSeconds: 30 * 60 });

  now += 30 * 60_000; // 11:00, a new window
  await expect(limiter.reserve(request('+14155550123'), KEY)).resolves.toBeDefined();
});

it('applies the 24-hour limit across hourly windows, and names it', async () => {
  const limiter = new RateLimiter(parseRateLimits('recipient:2/1h,recipient:3/24h'), counters, clock);
  await limiter.reserve(request('+14155550124'), KEY);
  await limiter.reserve(request('+14155550124'), KEY);
  now += 3600_000;
  await limiter.reserve(request('+14155550124'), KEY);
  const refused = await rejection(limiter.reserve(request('+14155550124'), KEY));
  expect(refused.details).toMatchObject({ limit: 'recipient:3/24h', retryAfterSeconds: 13 * 3600 });
});

it('keeps all the limits of a scope in one item, and gives everything back when another scope refuses', async () => {
  const limiter = new RateLimiter(parseRateLimits('recipient:5/1h,recipient:10/24h,global:1/1h'), counters, clock);
  await limiter.reserve(request('+14155550125'), KEY);
  const refused = await rejection(limiter.reserve(request('+14155550126'), KEY));
  expect(refused.details.limit).toBe('global:1/1h');

  const today = `#${Math.floor(now / 86_400_000) * 86_400}`;
  const recipients = (await storedItems()).filter(({ key }) => key.startsWith('rate#recipient#') && key.endsWith(today));
  expect(recipients).toHaveLength(2);
  // The refused request's counts were taken in parallel with the global one, then given back.
  expect(recipients.map(({ counts }) => Object.values(counts).sort()).sort()).toEqual([
    [0, 0],
    [1, 1],
  ]);
});

it('gives back on release()', async () => {
  const limiter = new RateLimiter(parseRateLimits('ip:1/1h'), counters, clock);
  const reservation = await limiter.reserve(request('+14155550127', '192.0.2.1'), KEY);
  await expect(limiter.reserve(request('+14155550127', '192.0.2.1'), KEY)).rejects.toMatchObject({ code: 'rate_limited' });
  await reservation.release();
  await reservation.release(); // twice is harmless
  await expect(limiter.reserve(request('+14155550127', '192.0.2.1'), KEY)).resolves.toBeDefined();
});

it('lets exactly the limit through when 50 reservations race', async () => {
  const limiter = new RateLimiter(parseRateLimits('recipient:5/1h,recipient:10/24h,global:1000/1h'), counters, clock);
  const results = await Promise.allSettled(Array.from({ length: 50 }, () => limiter.reserve(request('+14155550128'), KEY)));
  expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(5);
  const reasons = results.flatMap((result) => (result.status === 'rejected' ? [(result.reason as { code: string }).code] : []));
  expect(new Set(reasons)).toEqual(new Set(['rate_limited']));
});

it('keeps numbers and IP addresses out of the table keys', async () => {
  const limiter = new RateLimiter(parseRateLimits('recipient:5/1h,ip:5/1h'), counters, clock);
  await limiter.reserve(request('+14155550129', '198.51.100.23'), KEY);
  const keys = (await storedItems()).map(({ key }) => key).join(' ');
  expect(keys).toMatch(/rate#ip#[\w-]{22}#\d+/);
  expect(keys).not.toContain('4155550129');
  expect(keys).not.toContain('198.51.100.23');
});

it('fails closed when the store cannot be reached', async () => {
  const unreachable = new DynamoDbCounterStore(
    new DynamoDbClient({ AWS_ENDPOINT_URL_DYNAMODB: await refusedUrl(), AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' }),
    TABLE,
  );
  const limiter = new RateLimiter(parseRateLimits('recipient:5/1h'), unreachable, clock);
  const refused = await rejection(limiter.reserve(request('+14155550130'), KEY));
  expect(refused.code).toBe('provider_unavailable');
});
