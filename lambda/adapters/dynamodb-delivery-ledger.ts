import { createHash, randomUUID } from 'node:crypto';
import type { DeliveryLedger } from '../core/ports';
import { isConditionFailure, type DynamoDbClient } from './dynamodb-client';
import { DELIVERY_KEY_PREFIX, STATE_EXPIRY_ATTRIBUTE, STATE_KEY_ATTRIBUTE } from './state-schema';

/**
 * How long a counted status is remembered. Twilio's duplicates come within minutes; a final
 * status can come hours after the send (a message may wait in Twilio's queue for its validity
 * period, 10 hours by default, and a carrier's receipt can be late); a week covers both at the cost of one small item per final
 * status. Everything in the state table expires within 7 days.
 */
export const DELIVERY_REPORT_SECONDS = 7 * 86400;

/**
 * The delivery ledger in the state table: one item per (message id, status), written once with
 * a conditional PutItem, so that of any number of reports of one status exactly one is counted.
 *
 * Each report writes a random token with its item and its condition accepts that token: when
 * the answer to the write is lost and the write is sent again (the client's retry), the second
 * attempt finds its own item and succeeds, instead of taking its own first write for somebody
 * else's report and counting nothing.
 */
export class DynamoDbDeliveryLedger implements DeliveryLedger {
  constructor(
    private readonly client: DynamoDbClient,
    private readonly tableName: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async firstReport(messageId: string, status: string): Promise<boolean> {
    const nowSeconds = Math.floor(this.clock() / 1000);
    const token = randomUUID();
    try {
      await this.client.call('PutItem', {
        TableName: this.tableName,
        Item: {
          [STATE_KEY_ATTRIBUTE]: { S: this.id(messageId, status) },
          [STATE_EXPIRY_ATTRIBUTE]: { N: String(nowSeconds + DELIVERY_REPORT_SECONDS) },
          token: { S: token },
        },
        // DynamoDB deletes expired items within days, not at once: an expired one counts as gone.
        ConditionExpression: 'attribute_not_exists(#id) OR #expiration < :now OR #token = :token',
        ExpressionAttributeNames: { '#id': STATE_KEY_ATTRIBUTE, '#expiration': STATE_EXPIRY_ATTRIBUTE, '#token': 'token' },
        ExpressionAttributeValues: { ':now': { N: String(nowSeconds) }, ':token': { S: token } },
      });
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** A hash keeps any provider's ids short and uniform as keys. */
  private id(messageId: string, status: string): string {
    return `${DELIVERY_KEY_PREFIX}${createHash('sha256').update(`${messageId}\n${status}`).digest('base64url')}`;
  }
}
