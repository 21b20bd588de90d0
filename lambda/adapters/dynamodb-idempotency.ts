import { createHash } from 'node:crypto';
import { GatewayError } from '../core/errors';
import type { IdempotencyStore } from '../core/ports';
import { isConditionFailure, type DynamoDbClient, type Item } from './dynamodb-client';
import { STATE_EXPIRY_ATTRIBUTE, STATE_KEY_ATTRIBUTE } from './state-schema';

// Fail closed: without the record a repeat could send twice.
function unavailable(cause: unknown): GatewayError {
  return new GatewayError('provider_unavailable', 'The idempotency store is unavailable; try again later.', { cause });
}

/** A repeated webhook-id within this time gets the first answer, without a second message. */
export const IDEMPOTENCY_WINDOW_SECONDS = 600;

const IN_PROGRESS = 'INPROGRESS';
const COMPLETED = 'COMPLETED';

/**
 * Idempotency records in the state table, with the record protocol of Powertools Idempotency's
 * DynamoDB persistence layer (status INPROGRESS/COMPLETED, `expiration` in seconds,
 * `in_progress_expiration` in milliseconds, `validation` hash, `data`), on the fetch-based
 * client. Powertools' own layer is built on the AWS SDK and jmespath: together ~60 ms of every
 * cold start and 45 KB of the send bundle, for four item operations.
 */
export class DynamoDbIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly client: DynamoDbClient,
    private readonly tableName: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async claim(key: string, fingerprint: string, options: { remainingTimeMs?: number } = {}) {
    const now = this.clock();
    try {
      await this.client.call('PutItem', {
        TableName: this.tableName,
        Item: {
          [STATE_KEY_ATTRIBUTE]: { S: this.id(key) },
          status: { S: IN_PROGRESS },
          [STATE_EXPIRY_ATTRIBUTE]: { N: String(Math.floor(now / 1000) + IDEMPOTENCY_WINDOW_SECONDS) },
          // The claim ends with the invocation: a crashed attempt does not block retries for 10 minutes.
          in_progress_expiration: { N: String(now + (options.remainingTimeMs ?? 60_000)) },
          validation: { S: fingerprint },
        },
        ConditionExpression:
          'attribute_not_exists(#id) OR #expiration < :now OR (#status = :inProgress AND #inProgressExpiration < :nowMs)',
        ExpressionAttributeNames: { '#id': STATE_KEY_ATTRIBUTE, '#expiration': STATE_EXPIRY_ATTRIBUTE, '#status': 'status', '#inProgressExpiration': 'in_progress_expiration' },
        ExpressionAttributeValues: { ':now': { N: String(Math.floor(now / 1000)) }, ':nowMs': { N: String(now) }, ':inProgress': { S: IN_PROGRESS } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return undefined;
    } catch (err) {
      if (!isConditionFailure(err)) throw unavailable(err);
      return this.existing(err.item ?? (await this.read(key).catch((cause: unknown) => Promise.reject(unavailable(cause)))), fingerprint);
    }
  }

  async complete(key: string, answer: Record<string, unknown>): Promise<void> {
    await this.client.call('UpdateItem', {
      TableName: this.tableName,
      Key: { [STATE_KEY_ATTRIBUTE]: { S: this.id(key) } },
      UpdateExpression: 'SET #status = :completed, #data = :data, #expiration = :expiration',
      ExpressionAttributeNames: { '#status': 'status', '#data': 'data', '#expiration': STATE_EXPIRY_ATTRIBUTE },
      ExpressionAttributeValues: {
        ':completed': { S: COMPLETED },
        ':data': { S: JSON.stringify(answer) },
        ':expiration': { N: String(Math.floor(this.clock() / 1000) + IDEMPOTENCY_WINDOW_SECONDS) },
      },
    });
  }

  async release(key: string): Promise<void> {
    await this.client.call('DeleteItem', { TableName: this.tableName, Key: { [STATE_KEY_ATTRIBUTE]: { S: this.id(key) } } });
  }

  /** The id of the record: a hash keeps arbitrary webhook-ids short and uniform as keys. */
  private id(key: string): string {
    return `idempotency#${createHash('sha256').update(key).digest('base64url')}`;
  }

  private async read(key: string): Promise<Item | undefined> {
    const { Item } = await this.client.call<{ Item?: Item }>('GetItem', {
      TableName: this.tableName,
      Key: { [STATE_KEY_ATTRIBUTE]: { S: this.id(key) } },
      ConsistentRead: true,
    });
    return Item;
  }

  private existing(item: Item | undefined, fingerprint: string): Record<string, unknown> {
    const text = (name: string) => (item?.[name] as { S?: string } | undefined)?.S;
    if (!item) {
      // Claimed and gone between our write and our read: the other attempt failed; say retry.
      throw new GatewayError('request_in_progress', 'A request with this webhook-id was being processed; retry in a moment.', { retryAfterSeconds: 1 });
    }
    if (text('validation') !== fingerprint) {
      throw new GatewayError('idempotency_key_reused', 'This webhook-id was already used for a different request body.');
    }
    if (text('status') !== COMPLETED) {
      throw new GatewayError('request_in_progress', 'A request with this webhook-id is being processed; retry in a moment.', { retryAfterSeconds: 1 });
    }
    return JSON.parse(text('data') ?? '{}') as Record<string, unknown>;
  }
}
