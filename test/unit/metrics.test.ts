import { createMetrics, MetricsTelemetry } from '../../lambda/adapters/metrics';
import { OutputCapture } from '../support/output';

/**
 * The EMF documents the real Powertools Metrics writes for each telemetry event: exactly the
 * metric names, units, values and dimension sets of docs/operations.md, "Metrics".
 */

const NAMESPACE = 'SmsGateway';

let output: OutputCapture;
let telemetry: MetricsTelemetry;

beforeEach(() => {
  output = new OutputCapture().start();
  telemetry = new MetricsTelemetry(createMetrics(NAMESPACE, 'sms-gateway'));
});

afterEach(() => output.stop());

/** One EMF document with a single dimension set. */
function emf(dimensions: Record<string, string>, metrics: [name: string, unit: string, value: number][]) {
  return {
    _aws: {
      Timestamp: expect.any(Number),
      CloudWatchMetrics: [{ Namespace: NAMESPACE, Dimensions: [Object.keys(dimensions)], Metrics: metrics.map(([Name, Unit]) => ({ Name, Unit })) }],
    },
    ...dimensions,
    ...Object.fromEntries(metrics.map(([name, , value]) => [name, value])),
  };
}

/** Every line written, parsed: the tests expect nothing but EMF documents (no Powertools warnings). */
function documents(): unknown[] {
  const lines = output.text.split('\n').filter((line) => line.trim() !== '');
  return lines.map((line) => JSON.parse(line));
}

describe('MetricsTelemetry', () => {
  it('counts a sent message with its latency, by channel', () => {
    telemetry.messageSent('sms', 412);
    expect(documents()).toEqual([
      emf({ Channel: 'sms' }, [
        ['MessageSent', 'Count', 1],
        ['SendLatency', 'Milliseconds', 412],
      ]),
    ]);
  });

  it('counts a send whose outcome is unknown with its latency, by channel', () => {
    telemetry.sendUnconfirmed('voice', 5_003);
    expect(documents()).toEqual([
      emf({ Channel: 'voice' }, [
        ['SendUnconfirmed', 'Count', 1],
        ['SendLatency', 'Milliseconds', 5_003],
      ]),
    ]);
  });

  it('counts a failed send by channel, and by channel and reason', () => {
    telemetry.sendFailed('voice', 'channel_unavailable');
    expect(documents()).toEqual([
      emf({ Channel: 'voice' }, [['SendFailed', 'Count', 1]]),
      emf({ Channel: 'voice', Reason: 'channel_unavailable' }, [['SendFailed', 'Count', 1]]),
    ]);
  });

  it('adds the latency of a failed Twilio call under the channel only', () => {
    telemetry.sendFailed('sms', 'provider_error', 1_234);
    expect(documents()).toEqual([
      emf({ Channel: 'sms' }, [
        ['SendFailed', 'Count', 1],
        ['SendLatency', 'Milliseconds', 1_234],
      ]),
      emf({ Channel: 'sms', Reason: 'provider_error' }, [['SendFailed', 'Count', 1]]),
    ]);
  });

  it('counts a delivered message by channel only', () => {
    telemetry.delivery('sms', 'delivered', 'none');
    expect(documents()).toEqual([emf({ Channel: 'sms' }, [['MessageDelivered', 'Count', 1]])]);
  });

  it.each([
    ['undelivered', 'MessageUndelivered', '30003'],
    ['failed', 'MessageFailed', '30008'],
  ] as const)('counts %s messages by channel, and by channel and error code', (outcome, metric, errorCode) => {
    telemetry.delivery('sms', outcome, errorCode);
    expect(documents()).toEqual([
      emf({ Channel: 'sms' }, [[metric, 'Count', 1]]),
      emf({ Channel: 'sms', ErrorCode: errorCode }, [[metric, 'Count', 1]]),
    ]);
  });

  it('writes ErrorCode none when Twilio gave no code', () => {
    telemetry.delivery('voice', 'undelivered', 'none');
    expect(documents()).toEqual([
      emf({ Channel: 'voice' }, [['MessageUndelivered', 'Count', 1]]),
      emf({ Channel: 'voice', ErrorCode: 'none' }, [['MessageUndelivered', 'Count', 1]]),
    ]);
  });

  it('starts each event from a clean slate: no dimension or metric leaks into the next', () => {
    telemetry.sendFailed('voice', 'rate_limited', 5);
    telemetry.delivery('sms', 'failed', '30008');
    telemetry.messageSent('sms', 7);
    const docs = documents();
    expect(docs).toHaveLength(5);
    expect(docs[4]).toEqual(
      emf({ Channel: 'sms' }, [
        ['MessageSent', 'Count', 1],
        ['SendLatency', 'Milliseconds', 7],
      ]),
    );
    expect(docs[3]).toEqual(emf({ Channel: 'sms', ErrorCode: '30008' }, [['MessageFailed', 'Count', 1]]));
  });

  it('never adds a service dimension', () => {
    telemetry.messageSent('voice', 1);
    telemetry.sendFailed('voice', 'provider_unavailable');
    for (const doc of output.metrics()) {
      expect(doc).not.toHaveProperty('service');
      const [block] = (doc._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics;
      expect(block.Dimensions.flat()).not.toContain('service');
    }
  });

  it('uses the namespace it is given', () => {
    new MetricsTelemetry(createMetrics('Acme/Sms', 'acme')).messageSent('sms', 3);
    expect(output.metrics()[0]).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: 'Acme/Sms' }] } });
  });
});
