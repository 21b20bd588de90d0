import type { CounterStore } from '../core/ports';
import { isConditionFailure, type DynamoDbClient, type Item } from './dynamodb-client';
import { STATE_EXPIRY_ATTRIBUTE, STATE_KEY_ATTRIBUTE } from './state-schema';

/**
 * Rate-limit counters: one item per subject and period, one numeric attribute per limit,
 * changed only by conditional updates, so a limit is never overshot by concurrent requests.
 */
export class DynamoDbCounterStore implements CounterStore {
  constructor(
    private readonly client: DynamoDbClient,
    private readonly tableName: string,
  ) {}

  /**
   * Not idempotent, yet retried after a lost answer (the client's default): a repeat can only
   * count one send twice, which errs on the side of the limit.
   */
  async increment(key: string, counters: readonly { name: string; max: number }[], expiresAtSeconds: number) {
    const names: Record<string, string> = { '#expiration': STATE_EXPIRY_ATTRIBUTE };
    const values: Record<string, { N: string }> = { ':one': { N: '1' }, ':expiration': { N: String(expiresAtSeconds) } };
    const conditions = counters.map(({ name, max }, i) => {
      names[`#c${i}`] = name;
      values[`:max${i}`] = { N: String(max) };
      return `(attribute_not_exists(#c${i}) OR #c${i} < :max${i})`;
    });
    try {
      await this.client.call('UpdateItem', {
        TableName: this.tableName,
        Key: { [STATE_KEY_ATTRIBUTE]: { S: key } },
        UpdateExpression: `ADD ${counters.map((_, i) => `#c${i} :one`).join(', ')} SET #expiration = if_not_exists(#expiration, :expiration)`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return undefined;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      // DynamoDB returns the item with the refusal; stores that do not are asked once more.
      const item = err.item ?? (await this.read(key));
      return Object.fromEntries(counters.map(({ name }) => [name, Number((item?.[name] as { N?: string } | undefined)?.N ?? 0)]));
    }
  }

  /**
   * Never repeated unless DynamoDB provably did not apply it: a give-back applied twice would let
   * one more message through than the limit allows. A lost give-back leaves one count taken,
   * the safe side.
   */
  async decrement(key: string, names: readonly string[]): Promise<void> {
    await this.client.call(
      'UpdateItem',
      {
        TableName: this.tableName,
        Key: { [STATE_KEY_ATTRIBUTE]: { S: key } },
        UpdateExpression: `ADD ${names.map((_, i) => `#c${i} :minusOne`).join(', ')}`,
        ConditionExpression: names.map((_, i) => `attribute_exists(#c${i})`).join(' AND '),
        ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#c${i}`, name])),
        ExpressionAttributeValues: { ':minusOne': { N: '-1' } },
      },
      { idempotent: false },
    );
  }

  private async read(key: string): Promise<Item | undefined> {
    const { Item } = await this.client.call<{ Item?: Item }>('GetItem', {
      TableName: this.tableName,
      Key: { [STATE_KEY_ATTRIBUTE]: { S: key } },
      ConsistentRead: true,
    });
    return Item;
  }
}
