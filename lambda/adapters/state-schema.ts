/**
 * The shape of the gateway's one DynamoDB table (STATE_TABLE), shared by the code that uses it
 * and the stack that creates it: partition key `id`, expiry (TTL) attribute `expiration` in
 * epoch seconds. These are Powertools Idempotency's defaults; the rate limiter uses the same.
 */
export const STATE_KEY_ATTRIBUTE = 'id';
export const STATE_EXPIRY_ATTRIBUTE = 'expiration';

/**
 * Key prefix of the status Lambda's items (dynamodb-delivery-ledger.ts): the only items its
 * role may write (cdk/constructs/state-table.ts).
 */
export const DELIVERY_KEY_PREFIX = 'delivery#';
