import type { IncomingMessage, ServerResponse } from 'node:http';
import { Loopback } from './loopback';

/**
 * A loopback Secrets Manager endpoint speaking the service's JSON protocol (x-amz-json-1.1,
 * X-Amz-Target), enough for the real AWS SDK client: GetSecretValue, PutSecretValue,
 * DescribeSecret. Point the SDK at it with AWS_ENDPOINT_URL_SECRETS_MANAGER.
 */

export interface SecretsManagerCall {
  operation: string;
  input: Record<string, unknown>;
}

interface Failure {
  status: number;
  type: string;
  message: string;
  hangUp?: boolean;
}

export class FakeSecretsManager {
  readonly calls: SecretsManagerCall[] = [];
  private readonly secrets = new Map<string, { value: string; version: number }>();
  private readonly failures: Failure[] = [];

  private loopback!: Loopback;

  static async start(): Promise<FakeSecretsManager> {
    const fake = new FakeSecretsManager();
    fake.loopback = await Loopback.start((req, body, res) => fake.handle(req, body, res));
    return fake;
  }

  get url(): string {
    return this.loopback.url;
  }

  private handle(req: IncomingMessage, raw: Buffer, res: ServerResponse): void {
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '');
    const input = JSON.parse(raw.toString() || '{}') as Record<string, unknown>;
    const { status, body } = this.answer(operation, input);
    if (status === 0) {
      req.socket.destroy();
      return;
    }
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      ...(status >= 400 ? { 'x-amzn-errortype': (body as { __type: string }).__type } : {}),
    });
    res.end(JSON.stringify(body));
  }

  /** Stores a secret under an ARN (or name) and returns the ARN. */
  put(arn: string, value: Record<string, unknown> | string): string {
    const previous = this.secrets.get(arn);
    this.secrets.set(arn, { value: typeof value === 'string' ? value : JSON.stringify(value), version: (previous?.version ?? 0) + 1 });
    return arn;
  }

  get(arn: string): Record<string, unknown> | undefined {
    const stored = this.secrets.get(arn);
    return stored ? (JSON.parse(stored.value) as Record<string, unknown>) : undefined;
  }

  /** The next calls fail this way, in order. `status: 0` hangs up without answering. */
  fail(...failures: Failure[]): void {
    this.failures.push(...failures);
  }

  count(operation: string): number {
    return this.calls.filter((call) => call.operation === operation).length;
  }

  close(): Promise<void> {
    return this.loopback.close();
  }

  private answer(operation: string, input: Record<string, unknown>): { status: number; body: unknown } {
    this.calls.push({ operation, input });
    const failure = this.failures.shift();
    if (failure) return { status: failure.status, body: { __type: failure.type, message: failure.message } };

    const id = String(input.SecretId ?? '');
    const stored = this.secrets.get(id);
    const notFound = { status: 400, body: { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." } };
    switch (operation) {
      case 'GetSecretValue':
        if (!stored) return notFound;
        return {
          status: 200,
          body: { ARN: id, Name: id.split(':').pop(), SecretString: stored.value, VersionId: `v${stored.version}`, VersionStages: ['AWSCURRENT'], CreatedDate: 1_700_000_000 },
        };
      case 'PutSecretValue':
        if (!stored) return notFound;
        this.put(id, String(input.SecretString));
        return { status: 200, body: { ARN: id, Name: id.split(':').pop(), VersionId: `v${this.secrets.get(id)!.version}`, VersionStages: ['AWSCURRENT'] } };
      case 'DescribeSecret':
        if (!stored) return notFound;
        return { status: 200, body: { ARN: id, Name: id.split(':').pop() } };
      default:
        return { status: 400, body: { __type: 'InvalidRequestException', message: `unsupported operation ${operation}` } };
    }
  }
}
