import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for the AWS Parameters and Secrets Lambda Extension's HTTP interface:
 * `GET /secretsmanager/get?secretId=...` with the `X-Aws-Parameters-Secrets-Token` header (the
 * function's AWS_SESSION_TOKEN), answering with GetSecretValue's JSON.
 */
export class FakeSecretsExtension {
  readonly requests: { secretId: string | null; token: string | undefined }[] = [];
  private readonly secrets = new Map<string, string>();
  private failures: number[] = [];

  private constructor(
    private readonly server: Server,
    readonly sessionToken: string,
  ) {}

  static async start(sessionToken = 'bench-session-token'): Promise<FakeSecretsExtension> {
    let fake: FakeSecretsExtension | undefined;
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const token = req.headers['x-aws-parameters-secrets-token'] as string | undefined;
      const secretId = url.searchParams.get('secretId');
      fake!.requests.push({ secretId, token });
      const failure = fake!.failures.shift();
      const stored = secretId ? fake!.secrets.get(secretId) : undefined;
      if (failure) {
        res.writeHead(failure).end('failure');
      } else if (url.pathname !== '/secretsmanager/get' || token !== fake!.sessionToken) {
        res.writeHead(401).end('unauthorized');
      } else if (!stored) {
        res.writeHead(400).end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({ ARN: secretId, Name: secretId!.split(':').pop(), SecretString: stored, VersionId: 'v1', VersionStages: ['AWSCURRENT'] }),
        );
      }
    });
    fake = new FakeSecretsExtension(server, sessionToken);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  put(arn: string, value: Record<string, unknown>): void {
    this.secrets.set(arn, JSON.stringify(value));
  }

  /** The next requests answer these HTTP statuses, in order. */
  fail(...statuses: number[]): void {
    this.failures.push(...statuses);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
