import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { CounterStore } from '../core/ports';
import { STATE_EXPIRY_ATTRIBUTE, STATE_KEY_ATTRIBUTE } from './state-schema';

// The gateway's one DynamoDB table (STATE_TABLE), shared by idempotency records and rate-limit
// counters; its shape is in state-schema.ts.

/** One client per container; short timeouts because every send waits on this table. */
export function createStateClient(): DynamoDBClient {
  return new DynamoDBClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
}

/** Rate-limit counters as items `{ id, count, expiration }`, changed only by conditional updates. */
export class DynamoDbCounterStore implements CounterStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async increment(key: string, max: number, expiresAtSeconds: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [STATE_KEY_ATTRIBUTE]: { S: key } },
          UpdateExpression: 'ADD #count :one SET #expiration = if_not_exists(#expiration, :expiration)',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
          ExpressionAttributeNames: { '#count': 'count', '#expiration': STATE_EXPIRY_ATTRIBUTE },
          ExpressionAttributeValues: { ':one': { N: '1' }, ':max': { N: String(max) }, ':expiration': { N: String(expiresAtSeconds) } },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || (err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  async decrement(key: string): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { [STATE_KEY_ATTRIBUTE]: { S: key } },
        UpdateExpression: 'ADD #count :minusOne',
        ConditionExpression: 'attribute_exists(#count)',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':minusOne': { N: '-1' } },
      }),
    );
  }
}

/**
 * Creates the table as the stack defines it (for `npm start` and tests, against dynalite).
 * The stack also turns on TTL and point-in-time recovery, which an embedded store ignores.
 */
export async function ensureStateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: STATE_KEY_ATTRIBUTE, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: STATE_KEY_ATTRIBUTE, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException || (err as Error).name === 'ResourceInUseException')) throw err;
  }
}
