import { DynamoDbError, type DynamoDbClient } from '../adapters/dynamodb-client';
import { STATE_KEY_ATTRIBUTE } from '../adapters/state-schema';

/**
 * Creates the state table as the stack defines it, for `npm start` and the tests (against the
 * embedded dynalite). The stack also turns on TTL and point-in-time recovery, which an
 * embedded store has no use for.
 */
export async function ensureStateTable(client: DynamoDbClient, tableName: string): Promise<void> {
  try {
    await client.call('CreateTable', {
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: STATE_KEY_ATTRIBUTE, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: STATE_KEY_ATTRIBUTE, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
  } catch (err) {
    if (!(err instanceof DynamoDbError && err.name === 'ResourceInUseException')) throw err;
  }
}
