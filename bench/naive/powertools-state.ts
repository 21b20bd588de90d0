import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { GatewayError } from '../../lambda/core/errors';
import type { ClaimResult, CounterStore, IdempotencyStore } from '../../lambda/core/ports';

/**
 * The naive Lambda's state, as most projects would write it: Powertools Idempotency's own
 * DynamoDB persistence layer and the AWS SDK's DynamoDB client, loaded from the runtime.
 */

const client = new DynamoDBClient({});

export class PowertoolsIdempotencyStore implements IdempotencyStore {
  private readonly config = new IdempotencyConfig({ eventKeyJmesPath: 'key', payloadValidationJmesPath: 'fingerprint', expiresAfterSeconds: 600 });
  private readonly persistence: DynamoDBPersistenceLayer;
  private readonly fingerprints = new Map<string, string>();

  constructor(private readonly tableName: string) {
    this.persistence = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
    this.persistence.configure({ config: this.config, keyPrefix: 'idempotency' });
  }

  async claim(key: string, fingerprint: string, _owner: string, { leaseMs }: { leaseMs: number }): Promise<ClaimResult> {
    this.config.registerLambdaContext({ getRemainingTimeInMillis: () => leaseMs } as Context);
    this.fingerprints.set(key, fingerprint);
    try {
      await this.persistence.saveInProgress({ key, fingerprint }, leaseMs);
      return { state: 'claimed' };
    } catch (err) {
      if ((err as Error).name !== 'IdempotencyItemAlreadyExistsError') throw err;
      const record = await this.persistence.getRecord({ key, fingerprint }).catch((cause: Error) => {
        throw new GatewayError(cause.name === 'IdempotencyValidationError' ? 'idempotency_key_reused' : 'request_in_progress', cause.message);
      });
      if (record.getStatus() !== 'COMPLETED') throw new GatewayError('request_in_progress', 'in progress');
      return { state: 'answered', answer: record.getResponse() as Record<string, unknown> };
    }
  }

  /**
   * Powertools has no "sending" state: one conditional write with the SDK, as the gateway makes,
   * that leaves the status INPROGRESS, which Powertools' saveSuccess expects.
   */
  async startSending(key: string, _owner: string, { remainingTimeMs }: { remainingTimeMs: number }) {
    await client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        // Powertools' own key for the record (protected in its types).
        Key: { id: { S: (this.persistence as unknown as { getHashedIdempotencyKey(data: unknown): string }).getHashedIdempotencyKey({ key, fingerprint: this.fingerprints.get(key) }) } },
        UpdateExpression: 'SET #s = :sending, #e = :until',
        ConditionExpression: '#s = :inProgress',
        ExpressionAttributeNames: { '#s': 'status', '#e': 'in_progress_expiration' },
        ExpressionAttributeValues: { ':sending': { S: 'INPROGRESS' }, ':inProgress': { S: 'INPROGRESS' }, ':until': { N: String(Date.now() + remainingTimeMs) } },
      }),
    );
  }

  async complete(key: string, _owner: string, answer: Record<string, unknown>) {
    await this.persistence.saveSuccess({ key, fingerprint: this.fingerprints.get(key) ?? '' }, answer as never);
  }

  async release(key: string) {
    await this.persistence.deleteRecord({ key, fingerprint: this.fingerprints.get(key) ?? '' });
  }
}

export class SdkCounterStore implements CounterStore {
  constructor(private readonly tableName: string) {}

  async increment(key: string, counters: readonly { name: string; max: number }[], expiresAtSeconds: number) {
    const names = Object.fromEntries(counters.map(({ name }, i) => [`#c${i}`, name]));
    const values = Object.fromEntries(counters.map(({ max }, i) => [`:max${i}`, { N: String(max) }]));
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { id: { S: key } },
          UpdateExpression: `ADD ${counters.map((_, i) => `#c${i} :one`).join(', ')} SET #e = if_not_exists(#e, :e)`,
          ConditionExpression: counters.map((_, i) => `(attribute_not_exists(#c${i}) OR #c${i} < :max${i})`).join(' AND '),
          ExpressionAttributeNames: { ...names, '#e': 'expiration' },
          ExpressionAttributeValues: { ...values, ':one': { N: '1' }, ':e': { N: String(expiresAtSeconds) } },
        }),
      );
      return undefined;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const { Item } = await client.send(new GetItemCommand({ TableName: this.tableName, Key: { id: { S: key } }, ConsistentRead: true }));
      return Object.fromEntries(counters.map(({ name }) => [name, Number(Item?.[name]?.N ?? 0)]));
    }
  }

  async decrement(key: string, names: readonly string[]) {
    await client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { id: { S: key } },
        UpdateExpression: `ADD ${names.map((_, i) => `#c${i} :minusOne`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#c${i}`, name])),
        ExpressionAttributeValues: { ':minusOne': { N: '-1' } },
      }),
    );
  }
}
