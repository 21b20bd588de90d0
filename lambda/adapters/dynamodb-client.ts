import { sign } from 'aws4';
import { ENV } from '../../shared/names';
import { httpRequest, NoAnswerError } from './http-request';

/**
 * The few DynamoDB calls the send Lambda makes, as SigV4-signed HTTPS requests (signed by
 * `aws4`), instead of through the AWS SDK.
 *
 * Why not the SDK: @aws-sdk/client-dynamodb is loaded from the Lambda runtime at every cold
 * start (~60 ms here, more than the whole rest of the gateway), and its first call resolves
 * credentials and endpoint rule sets on top. The DynamoDB JSON protocol is one signed POST per
 * operation; this client speaks exactly that, with the same endpoint and credential variables
 * the SDK reads (AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION, AWS_ACCESS_KEY_ID, ...).
 */

export type AttributeValue = { S: string } | { N: string };
export type Item = Record<string, AttributeValue>;

/** A refusal from DynamoDB (`name` is the exception: ConditionalCheckFailedException, ...). */
export class DynamoDbError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly status: number,
    /** The item as it was, when a condition failed and DynamoDB returned it. */
    readonly item?: Item,
  ) {
    super(message);
  }
}

export function isConditionFailure(err: unknown): err is DynamoDbError {
  return err instanceof DynamoDbError && err.name === 'ConditionalCheckFailedException';
}

type Env = Record<string, string | undefined>;

export interface DynamoDbClientOptions {
  /**
   * Per attempt; every send waits on this table. A slow answer may still have been applied, so
   * an operation safe to repeat is tried once more (`CallOptions`), and is then found applied.
   */
  timeoutMs?: number;
}

export interface CallOptions {
  /**
   * Whether the operation may be applied twice. True (the default) for reads and for writes
   * made safe to repeat by their condition (the idempotency records carry their owner's
   * token): those are tried once more after any failure, a timeout or a lost answer included.
   * False for a write that must not be applied twice (the rate limiter's give-back, `ADD -1`):
   * it is tried again only when DynamoDB provably did not apply it.
   */
  idempotent?: boolean;
}

// DynamoDB's "slow down" refusals: the request was refused before anything was applied.
const THROTTLED = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded']);

/**
 * Whether a failed attempt is worth one more. A 5xx may come after the write was applied:
 * DynamoDB's error-handling guide says a single-item write answered with 500 "may have
 * succeeded or failed", and a timeout or a dropped connection says nothing either.
 */
function worthRetrying(err: unknown, idempotent: boolean): boolean {
  if (err instanceof NoAnswerError) return idempotent || !err.sent;
  if (!(err instanceof DynamoDbError)) return false;
  return THROTTLED.has(err.name) || (idempotent && err.status >= 500);
}

export class DynamoDbClient {
  private readonly endpoint: URL;
  private readonly region: string;
  private readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  private readonly timeoutMs: number;

  constructor(env: Env = process.env, options: DynamoDbClientOptions = {}) {
    this.region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      // Lambda always provides them; locally `npm start` sets placeholders for its embedded store.
      throw new Error('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are needed to reach DynamoDB.');
    }
    this.credentials = { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
    this.endpoint = new URL(env[ENV.dynamoDbEndpointUrl] || env.AWS_ENDPOINT_URL || `https://dynamodb.${this.region}.amazonaws.com`);
    this.timeoutMs = options.timeoutMs ?? 2_000;
  }

  /** One DynamoDB operation (`PutItem`, `UpdateItem`, ...) with its JSON input; returns its JSON output. */
  async call<T = Record<string, unknown>>(operation: string, input: object, options: CallOptions = {}): Promise<T> {
    try {
      return await this.attempt<T>(operation, input);
    } catch (err) {
      if (!worthRetrying(err, options.idempotent ?? true)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 50));
      return this.attempt<T>(operation, input);
    }
  }

  private async attempt<T>(operation: string, input: object): Promise<T> {
    const signed = sign(
      {
        host: this.endpoint.host,
        path: this.endpoint.pathname,
        method: 'POST',
        service: 'dynamodb',
        region: this.region,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation}` },
        body: JSON.stringify(input),
      },
      this.credentials,
    );
    const answer = await httpRequest(this.endpoint, { method: 'POST', headers: signed.headers, body: signed.body as string, timeoutMs: this.timeoutMs });
    const body = answer.text ? (JSON.parse(answer.text) as Record<string, unknown>) : {};
    if (answer.status >= 200 && answer.status < 300) return body as T;
    const type = String(body.__type ?? 'UnknownError');
    const message = String(body.message ?? body.Message ?? `HTTP ${answer.status}`);
    throw new DynamoDbError(type.slice(type.lastIndexOf('#') + 1), message, answer.status, body.Item as Item | undefined);
  }
}
