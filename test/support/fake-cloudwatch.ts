import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback CloudWatch endpoint for DescribeAlarms, speaking the protocol the installed
 * @aws-sdk/client-cloudwatch uses: AWS JSON 1.0 (`X-Amz-Target:
 * GraniteServiceVersion20100801.DescribeAlarms`), timestamps as epoch seconds. Point the SDK at
 * it with AWS_ENDPOINT_URL_CLOUDWATCH.
 */

export interface FakeAlarm {
  name: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  reason?: string;
  /** Seconds since the epoch. */
  updated?: number;
}

export class FakeCloudWatch {
  alarms: FakeAlarm[] = [];
  readonly calls: { operation: string; input: Record<string, unknown> }[] = [];
  /** Answer every call with this error instead (e.g. AccessDenied). */
  failWith?: { status: number; type: string; message: string };

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeCloudWatch> {
    let fake: FakeCloudWatch | undefined;
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^GraniteServiceVersion20100801\./, '');
      const input = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
      const [status, body] = fake!.answer(operation, input);
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.0',
        ...(status >= 400 ? { 'x-amzn-query-error': `${(body as { __type: string }).__type};Sender` } : {}),
      });
      res.end(JSON.stringify(body));
    });
    fake = new FakeCloudWatch(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(operation: string, input: Record<string, unknown>): [number, unknown] {
    this.calls.push({ operation, input });
    if (this.failWith) return [this.failWith.status, { __type: this.failWith.type, message: this.failWith.message }];
    if (operation !== 'DescribeAlarms') return [400, { __type: 'InvalidAction', message: `unsupported operation ${operation}` }];
    const prefix = typeof input.AlarmNamePrefix === 'string' ? input.AlarmNamePrefix : '';
    const matching = this.alarms.filter((alarm) => alarm.name.startsWith(prefix));
    return [
      200,
      {
        MetricAlarms: matching.map((alarm) => ({
          AlarmName: alarm.name,
          AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarm.name}`,
          StateValue: alarm.state,
          StateReason: alarm.reason ?? 'Threshold Crossed',
          StateUpdatedTimestamp: alarm.updated ?? 1_750_000_000,
          ActionsEnabled: true,
        })),
        CompositeAlarms: [],
      },
    ];
  }
}
