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

/** One EMF document with a single dimension set, or the sets given. */
function emf(dimensions: Record<string, string>, metrics: [name: string, unit: string, value: number][], sets: string[][] = [Object.keys(dimensions)]) {
  return {
    _aws: {
      Timestamp: expect.any(Number),
      CloudWatchMetrics: [{ Namespace: NAMESPACE, Dimensions: sets, Metrics: metrics.map(([Name, Unit]) => ({ Name, Unit })) }],
    },
    ...dimensions,
    ...Object.fromEntries(metrics.map(([name, , value]) => [name, value])),
  };
}

/** The document of a send or delivery metric whose provider is known: by Channel, and by Channel and Provider. */
const byProvider = (channel: string, provider: string, metrics: [name: string, unit: string, value: number][]) =>
  emf({ Channel: channel, Provider: provider }, metrics, [['Channel'], ['Channel', 'Provider']]);

/** Every line written, parsed: the tests expect nothing but EMF documents (no Powertools warnings). */
function documents(): unknown[] {
  const lines = output.text.split('\n').filter((line) => line.trim() !== '');
  return lines.map((line) => JSON.parse(line));
}

describe('MetricsTelemetry', () => {
  it('counts a sent message with its latency, by channel, and by channel and provider', () => {
    telemetry.messageSent('sms', 412, 'twilio');
    const measures: [string, string, number][] = [
      ['MessageSent', 'Count', 1],
      ['SendLatency', 'Milliseconds', 412],
    ];
    expect(documents()).toEqual([byProvider('sms', 'twilio', measures)]);
  });

  it('counts a send whose outcome is unknown with its latency, by channel, and by channel and provider', () => {
    telemetry.sendUnconfirmed('voice', 5_003, 'aws');
    const measures: [string, string, number][] = [
      ['SendUnconfirmed', 'Count', 1],
      ['SendLatency', 'Milliseconds', 5_003],
    ];
    expect(documents()).toEqual([byProvider('voice', 'aws', measures)]);
  });

  it('counts an unknown outcome by channel only when no provider is named (the selector itself failed)', () => {
    telemetry.sendUnconfirmed('sms', 3);
    expect(documents()).toEqual([
      emf({ Channel: 'sms' }, [
        ['SendUnconfirmed', 'Count', 1],
        ['SendLatency', 'Milliseconds', 3],
      ]),
    ]);
  });

  it('counts a send the gateway refused by channel, and by channel and reason: no provider took part', () => {
    telemetry.sendFailed('voice', 'rate_limited');
    expect(documents()).toEqual([
      emf({ Channel: 'voice' }, [['SendFailed', 'Count', 1]]),
      emf({ Channel: 'voice', Reason: 'rate_limited' }, [['SendFailed', 'Count', 1]]),
    ]);
  });

  it("adds the latency of a provider's refusal under the channel, and the provider's own set", () => {
    telemetry.sendFailed('sms', 'provider_error', 1_234, 'aws');
    const measures: [string, string, number][] = [
      ['SendFailed', 'Count', 1],
      ['SendLatency', 'Milliseconds', 1_234],
    ];
    expect(documents()).toEqual([byProvider('sms', 'aws', measures), emf({ Channel: 'sms', Reason: 'provider_error' }, [['SendFailed', 'Count', 1]])]);
  });

  it('counts a delivered message by channel, and by channel and provider', () => {
    telemetry.delivery('sms', 'delivered', 'none', 'aws');
    expect(documents()).toEqual([byProvider('sms', 'aws', [['MessageDelivered', 'Count', 1]])]);
  });

  it.each([
    ['undelivered', 'MessageUndelivered', '30003'],
    ['failed', 'MessageFailed', '30008'],
  ] as const)('counts %s messages by channel, by channel and provider, and by channel and error code', (outcome, metric, errorCode) => {
    telemetry.delivery('sms', outcome, errorCode, 'twilio');
    expect(documents()).toEqual([byProvider('sms', 'twilio', [[metric, 'Count', 1]]), emf({ Channel: 'sms', ErrorCode: errorCode }, [[metric, 'Count', 1]])]);
  });

  it('writes ErrorCode none when the provider gave no code', () => {
    telemetry.delivery('voice', 'undelivered', 'none', 'twilio');
    expect(documents()).toContainEqual(emf({ Channel: 'voice', ErrorCode: 'none' }, [['MessageUndelivered', 'Count', 1]]));
  });

  it('counts a failover from one provider to the next, by From and To', () => {
    telemetry.providerFailover('twilio', 'aws');
    expect(documents()).toEqual([emf({ From: 'twilio', To: 'aws' }, [['ProviderFailover', 'Count', 1]])]);
  });

  it('starts each event from a clean slate: no dimension or metric leaks into the next', () => {
    telemetry.sendFailed('voice', 'rate_limited', 5);
    telemetry.delivery('sms', 'failed', '30008', 'twilio');
    telemetry.messageSent('sms', 7, 'aws');
    const docs = documents();
    expect(docs).toHaveLength(5);
    expect(docs[4]).toEqual(
      byProvider('sms', 'aws', [
        ['MessageSent', 'Count', 1],
        ['SendLatency', 'Milliseconds', 7],
      ]),
    );
    expect(docs[3]).toEqual(emf({ Channel: 'sms', ErrorCode: '30008' }, [['MessageFailed', 'Count', 1]]));
    expect(docs[0]).toEqual(
      emf({ Channel: 'voice' }, [
        ['SendFailed', 'Count', 1],
        ['SendLatency', 'Milliseconds', 5],
      ]),
    );
  });

  it('never adds a service dimension', () => {
    telemetry.messageSent('voice', 1, 'twilio');
    telemetry.sendFailed('voice', 'provider_unavailable', 2, 'twilio');
    for (const doc of output.metrics()) {
      expect(doc).not.toHaveProperty('service');
      const [block] = (doc._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics;
      expect(block.Dimensions.flat()).not.toContain('service');
    }
  });

  it('uses the namespace it is given', () => {
    new MetricsTelemetry(createMetrics('Acme/Sms', 'acme')).messageSent('sms', 3, 'console');
    expect(output.metrics()[0]).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: 'Acme/Sms' }] } });
  });
});
