import { createHash } from 'node:crypto';
import { GatewayError } from '../core/errors';
import type { ClaimResult, IdempotencyStore } from '../core/ports';
import { isConditionFailure, type DynamoDbClient, type Item } from './dynamodb-client';
import { STATE_EXPIRY_ATTRIBUTE, STATE_KEY_ATTRIBUTE } from './state-schema';

// Fail closed: without the record a repeat could send twice.
function unavailable(cause: unknown): GatewayError {
  return new GatewayError('provider_unavailable', 'The idempotency store is unavailable; try again later.', { cause });
}

/** A repeated webhook-id within this time gets the first answer, without a second message. */
export const IDEMPOTENCY_WINDOW_SECONDS = 600;

const IN_PROGRESS = 'INPROGRESS';
const SENDING = 'SENDING';
const COMPLETED = 'COMPLETED';

// Placeholders for the record's attributes in expressions (`status`, `data` and `owner` are
// DynamoDB reserved words); each request names only those its expressions use.
const NAMES: Record<string, string> = {
  '#i': STATE_KEY_ATTRIBUTE,
  '#x': STATE_EXPIRY_ATTRIBUTE,
  '#s': 'status',
  '#p': 'in_progress_expiration',
  '#o': 'owner',
  '#d': 'data',
};

function namesIn(...expressions: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(NAMES).filter(([name]) => expressions.some((expression) => expression.includes(name))));
}

// Retry-After 1: the attempt holding the id most likely ends within a second (docs/api.md).
function inProgress(): GatewayError {
  return new GatewayError('request_in_progress', 'A request with this webhook-id is being processed; retry in a moment.', { retryAfterSeconds: 1 });
}

/**
 * Idempotency records in the state table, on the record protocol of Powertools Idempotency's
 * DynamoDB persistence layer (status INPROGRESS/COMPLETED, `expiration` in seconds,
 * `in_progress_expiration` in milliseconds, `validation` hash, `data`), on the fetch-based
 * client. Powertools' own layer is built on the AWS SDK and jmespath: together ~60 ms of every
 * cold start and 45 KB of the send bundle, for four item operations; and it cannot say "this
 * attempt may have sent".
 *
 * Two additions make every write safe to repeat and every outcome known (docs/reliability.md):
 * - `owner`, the attempt's token. Each write is conditional on it, so a write repeated after a
 *   lost or late answer finds its own work, and an attempt whose claim was taken over cannot
 *   mark it sending.
 * - status SENDING, written before the provider is called. An INPROGRESS claim is only a lease
 *   (`in_progress_expiration`): when it runs out another attempt may take it over, since
 *   nothing was sent. A SENDING claim is never taken over: until the attempt's end (its
 *   `in_progress_expiration`) a repeat is told to wait, after it the outcome is unknown.
 */
export class DynamoDbIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly client: DynamoDbClient,
    private readonly tableName: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async claim(key: string, fingerprint: string, owner: string, { leaseMs }: { leaseMs: number }): Promise<ClaimResult> {
    const now = this.clock();
    // Free, expired, or a claim whose lease ran out before it started sending.
    const condition = 'attribute_not_exists(#i) OR #x < :now OR (#s = :claimed AND #p < :ms)';
    try {
      await this.client.call('PutItem', {
        TableName: this.tableName,
        Item: {
          [STATE_KEY_ATTRIBUTE]: { S: this.id(key) },
          status: { S: IN_PROGRESS },
          [STATE_EXPIRY_ATTRIBUTE]: { N: String(Math.floor(now / 1000) + IDEMPOTENCY_WINDOW_SECONDS) },
          in_progress_expiration: { N: String(now + leaseMs) },
          validation: { S: fingerprint },
          owner: { S: owner },
        },
        ConditionExpression: condition,
        ExpressionAttributeNames: namesIn(condition),
        ExpressionAttributeValues: { ':now': { N: String(Math.floor(now / 1000)) }, ':ms': { N: String(now) }, ':claimed': { S: IN_PROGRESS } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return { state: 'claimed' };
    } catch (err) {
      if (!isConditionFailure(err)) throw unavailable(err);
      const item = err.item ?? (await this.read(key).catch((cause: unknown) => Promise.reject(unavailable(cause))));
      return this.existing(item, fingerprint, owner, now);
    }
  }

  async startSending(key: string, owner: string, { remainingTimeMs }: { remainingTimeMs: number }): Promise<void> {
    try {
      // Already SENDING: this write, repeated after its answer was lost.
      await this.update(key, 'SET #s = :sending, #p = :until', '#o = :owner AND (#s = :claimed OR #s = :sending)', {
        ':sending': { S: SENDING },
        ':claimed': { S: IN_PROGRESS },
        ':owner': { S: owner },
        ':until': { N: String(this.clock() + remainingTimeMs) },
      });
    } catch (err) {
      // Another attempt took the claim over after this one's lease ran out: it sends, not this one.
      throw isConditionFailure(err) ? inProgress() : unavailable(err);
    }
  }

  async complete(key: string, owner: string, answer: Record<string, unknown>): Promise<void> {
    // Only the attempt that marked the claim sending gets here: repeated, the write does the same.
    await this.update(key, 'SET #s = :done, #d = :data, #x = :expires', '#o = :owner', {
      ':done': { S: COMPLETED },
      ':data': { S: JSON.stringify(answer) },
      ':owner': { S: owner },
      ':expires': { N: String(Math.floor(this.clock() / 1000) + IDEMPOTENCY_WINDOW_SECONDS) },
    });
  }

  async release(key: string, owner: string): Promise<void> {
    try {
      await this.client.call('DeleteItem', {
        TableName: this.tableName,
        Key: this.key(key),
        ConditionExpression: '#o = :owner',
        ExpressionAttributeNames: namesIn('#o'),
        ExpressionAttributeValues: { ':owner': { S: owner } },
      });
    } catch (err) {
      // Gone already (this delete, repeated), or not this attempt's claim any more.
      if (!isConditionFailure(err)) throw err;
    }
  }

  private update(key: string, update: string, condition: string, values: Record<string, { S: string } | { N: string }>) {
    return this.client.call('UpdateItem', {
      TableName: this.tableName,
      Key: this.key(key),
      UpdateExpression: update,
      ConditionExpression: condition,
      ExpressionAttributeNames: namesIn(update, condition),
      ExpressionAttributeValues: values,
    });
  }

  private key(key: string) {
    return { [STATE_KEY_ATTRIBUTE]: { S: this.id(key) } };
  }

  /** The id of the record: a hash keeps arbitrary webhook-ids short and uniform as keys. */
  private id(key: string): string {
    return `idempotency#${createHash('sha256').update(key).digest('base64url')}`;
  }

  private async read(key: string): Promise<Item | undefined> {
    const { Item } = await this.client.call<{ Item?: Item }>('GetItem', { TableName: this.tableName, Key: this.key(key), ConsistentRead: true });
    return Item;
  }

  /** What a claim that found a record answers. */
  private existing(item: Item | undefined, fingerprint: string, owner: string, now: number): ClaimResult {
    const text = (name: string) => (item?.[name] as { S?: string } | undefined)?.S;
    // Claimed and gone between our write and our read: the other attempt failed; say retry.
    if (!item) throw inProgress();
    if (text('validation') !== fingerprint) {
      throw new GatewayError('idempotency_key_reused', 'This webhook-id was already used for a different request body.');
    }
    // This attempt's own claim: its write was applied, and repeated because the answer was lost or late.
    if (text('owner') === owner) return { state: 'claimed' };
    if (text('status') === COMPLETED) return { state: 'answered', answer: JSON.parse(text('data') ?? '{}') as Record<string, unknown> };
    const until = Number((item.in_progress_expiration as { N?: string } | undefined)?.N ?? 0);
    if (text('status') === SENDING && until < now) return { state: 'abandoned' };
    throw inProgress();
  }
}
