import { sign } from 'aws4';
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
  /** Per attempt; every send waits on this table, so a slow answer is treated as an outage. */
  timeoutMs?: number;
}

// A failure worth one more try: DynamoDB's own "try again" answers and dropped connections.
const RETRYABLE = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'InternalServerError', 'ServiceUnavailable']);

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
    this.endpoint = new URL(env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL || `https://dynamodb.${this.region}.amazonaws.com`);
    this.timeoutMs = options.timeoutMs ?? 2_000;
  }

  /** One DynamoDB operation (`PutItem`, `UpdateItem`, ...) with its JSON input; returns its JSON output. */
  async call<T = Record<string, unknown>>(operation: string, input: object): Promise<T> {
    try {
      return await this.attempt<T>(operation, input);
    } catch (err) {
      const retryable = err instanceof NoAnswerError ? !err.timedOut : err instanceof DynamoDbError && (RETRYABLE.has(err.name) || err.status >= 500);
      if (!retryable) throw err;
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
