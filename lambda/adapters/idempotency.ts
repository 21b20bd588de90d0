import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { GatewayError, isGatewayError } from '../core/errors';
import type { IdempotencyStore, Log } from '../core/ports';
import { STATE_EXPIRY_ATTRIBUTE, STATE_KEY_ATTRIBUTE } from './state-schema';

/** A repeated webhook-id within this time gets the first answer, without a second message. */
export const IDEMPOTENCY_WINDOW_SECONDS = 600;

interface Payload {
  key: string;
  fingerprint: string;
}

/**
 * Powertools Idempotency with its DynamoDB persistence layer, in the gateway's state table:
 * the record is written "in progress" before the send (a concurrent repeat sees it), holds the
 * answer for 10 minutes after, and is deleted when the send fails so that a retry sends.
 */
export class PowertoolsIdempotencyStore implements IdempotencyStore {
  private readonly config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'fingerprint',
    expiresAfterSeconds: IDEMPOTENCY_WINDOW_SECONDS,
    throwOnNoIdempotencyKey: true,
  });
  private readonly run: (payload: Payload, operation: () => Promise<unknown>) => Promise<unknown>;

  constructor(
    client: DynamoDBClient,
    tableName: string,
    private readonly log: Log,
  ) {
    const persistenceStore = new DynamoDBPersistenceLayer({
      tableName,
      awsSdkV3Client: client,
      keyAttr: STATE_KEY_ATTRIBUTE,
      expiryAttr: STATE_EXPIRY_ATTRIBUTE,
    });
    this.run = makeIdempotent((_payload: Payload, operation: () => Promise<unknown>) => operation(), {
      persistenceStore,
      config: this.config,
      keyPrefix: 'idempotency',
      dataIndexArgument: 0,
    });
  }

  async once<T extends Record<string, unknown>>(
    key: string,
    fingerprint: string,
    operation: () => Promise<T>,
    options: { remainingTimeMs?: number } = {},
  ): Promise<{ result: T; replayed: boolean }> {
    // The in-progress record expires with the invocation, so that a crashed run does not block
    // retries for the whole window.
    const remaining = options.remainingTimeMs;
    if (remaining !== undefined) this.config.registerLambdaContext({ getRemainingTimeInMillis: () => remaining } as Context);

    let produced: { result: T } | undefined;
    try {
      const result = (await this.run({ key, fingerprint }, async () => {
        const result = await operation();
        produced = { result };
        return result;
      })) as T;
      return { result, replayed: produced === undefined };
    } catch (err) {
      if (isGatewayError(err)) throw err;
      if (produced) {
        // Sent, but the answer could not be stored: the user has the message, so say so.
        this.log.warn('idempotency record not saved after a successful send', { error: (err as Error).message });
        return { result: produced.result, replayed: false };
      }
      throw translate(err);
    }
  }
}

function translate(err: unknown): GatewayError {
  switch ((err as Error).name) {
    case 'IdempotencyAlreadyInProgressError':
      return new GatewayError('request_in_progress', 'A request with this webhook-id is being processed; retry in a moment.', {
        retryAfterSeconds: 1,
      });
    case 'IdempotencyValidationError':
      return new GatewayError('idempotency_key_reused', 'This webhook-id was already used for a different request body.');
    default:
      return new GatewayError('provider_unavailable', 'The idempotency store is unavailable; try again later.', { cause: err });
  }
}
