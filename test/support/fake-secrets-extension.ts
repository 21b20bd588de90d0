import type { IncomingMessage, ServerResponse } from 'node:http';
import { Loopback } from './loopback';

/**
 * A loopback stand-in for the AWS Parameters and Secrets Lambda Extension's HTTP interface:
 * `GET /secretsmanager/get?secretId=...` with the `X-Aws-Parameters-Secrets-Token` header (the
 * function's AWS_SESSION_TOKEN), answering with GetSecretValue's JSON.
 */
export class FakeSecretsExtension {
  readonly requests: { secretId: string | null; token: string | undefined }[] = [];
  private readonly secrets = new Map<string, string>();
  private failures: number[] = [];

  private loopback!: Loopback;

  private constructor(readonly sessionToken: string) {}

  static async start(sessionToken = 'bench-session-token'): Promise<FakeSecretsExtension> {
    const fake = new FakeSecretsExtension(sessionToken);
    fake.loopback = await Loopback.start((req, _body, res) => fake.handle(req, res));
    return fake;
  }

  get port(): number {
    return this.loopback.port;
  }

  put(arn: string, value: Record<string, unknown>): void {
    this.secrets.set(arn, JSON.stringify(value));
  }

  /** The next requests answer these HTTP statuses, in order. */
  fail(...statuses: number[]): void {
    this.failures.push(...statuses);
  }

  close(): Promise<void> {
    return this.loopback.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const token = req.headers['x-aws-parameters-secrets-token'] as string | undefined;
    const secretId = url.searchParams.get('secretId');
    this.requests.push({ secretId, token });
    const failure = this.failures.shift();
    const stored = secretId ? this.secrets.get(secretId) : undefined;
    if (failure) {
      res.writeHead(failure).end('failure');
    } else if (url.pathname !== '/secretsmanager/get' || token !== this.sessionToken) {
      res.writeHead(401).end('unauthorized');
    } else if (!stored) {
      res.writeHead(400).end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ ARN: secretId, Name: secretId!.split(':').pop(), SecretString: stored, VersionId: 'v1', VersionStages: ['AWSCURRENT'] }),
      );
    }
  }
}
