import { Loopback } from './loopback';

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

  private loopback!: Loopback;

  static async start(): Promise<FakeCloudWatch> {
    const fake = new FakeCloudWatch();
    fake.loopback = await Loopback.start((req, raw, res) => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^GraniteServiceVersion20100801\./, '');
      const input = JSON.parse(raw.toString() || '{}') as Record<string, unknown>;
      const [status, body] = fake.answer(operation, input);
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.0',
        ...(status >= 400 ? { 'x-amzn-query-error': `${(body as { __type: string }).__type};Sender` } : {}),
      });
      res.end(JSON.stringify(body));
    });
    return fake;
  }

  get url(): string {
    return this.loopback.url;
  }

  close(): Promise<void> {
    return this.loopback.close();
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
