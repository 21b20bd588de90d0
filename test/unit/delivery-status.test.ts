import { recordDeliveryStatus, type StatusDependencies } from '../../lambda/core/delivery-status';
import type { DeliveryLedger, DeliveryReport } from '../../lambda/core/ports';

/**
 * The status use case, whichever provider reported: each final state of a message counted once,
 * states in between logged only. How a provider's report is verified and read is tested with
 * its module (test/unit/twilio-status-callback.test.ts, test/unit/aws-sms-delivery-events.test.ts).
 */

interface Recorded {
  delivery: [string, string, string][];
  info: [string, Record<string, unknown>][];
  warn: [string, Record<string, unknown>][];
  reported: string[];
  providers: string[];
}

function deps(options: { ledger?: DeliveryLedger } = {}): StatusDependencies & { recorded: Recorded } {
  const recorded: Recorded = { delivery: [], info: [], warn: [], reported: [], providers: [] };
  return {
    recorded,
    telemetry: {
      delivery: (channel, outcome, errorCode, provider) => {
        recorded.delivery.push([channel, outcome, errorCode]);
        recorded.providers.push(provider);
      },
    },
    // An in-memory ledger: the DynamoDB one is tested in test/integration/status.test.ts.
    ledger: options.ledger ?? {
      async firstReport(messageId, status) {
        const pair = `${messageId} ${status}`;
        if (recorded.reported.includes(pair)) return false;
        recorded.reported.push(pair);
        return true;
      },
    },
    log: {
      info: (message, attributes) => void recorded.info.push([message, attributes]),
      warn: (message, attributes) => void recorded.warn.push([message, attributes]),
      error: () => undefined,
    },
  };
}

/** A report as a provider's module hands it over. */
function report(fields: Partial<DeliveryReport> & Pick<DeliveryReport, 'messageId' | 'status'>): DeliveryReport {
  return { provider: 'twilio', channel: 'sms', errorCode: 'none', ...fields };
}

const DELIVERED = report({ messageId: 'SM1', status: 'delivered', outcome: 'delivered', recipient: '+14155550123' });

it('counts a final state', async () => {
  const d = deps();
  await expect(recordDeliveryStatus(DELIVERED, d)).resolves.toEqual(DELIVERED);
  expect(d.recorded.delivery).toEqual([['sms', 'delivered', 'none']]);
  expect(d.recorded.providers).toEqual(['twilio']);
});

it("counts another provider's report under that provider", async () => {
  const d = deps();
  await recordDeliveryStatus(report({ provider: 'aws', messageId: 'ed23196c-75ce-4727-93ee-7bf72b64998f', status: 'text_blocked', outcome: 'failed', errorCode: 'TEXT_BLOCKED' }), d);
  expect(d.recorded.delivery).toEqual([['sms', 'failed', 'TEXT_BLOCKED']]);
  expect(d.recorded.providers).toEqual(['aws']);
});

it('counts undelivered and failed states with their error code', async () => {
  const d = deps();
  await recordDeliveryStatus(report({ messageId: 'SM1', status: 'undelivered', outcome: 'undelivered', errorCode: '30003' }), d);
  await recordDeliveryStatus(report({ messageId: 'CA1', channel: 'voice', status: 'no-answer', outcome: 'undelivered' }), d);
  await recordDeliveryStatus(report({ messageId: 'CA2', channel: 'voice', status: 'canceled', outcome: 'failed' }), d);
  expect(d.recorded.delivery).toEqual([
    ['sms', 'undelivered', '30003'],
    ['voice', 'undelivered', 'none'],
    ['voice', 'failed', 'none'],
  ]);
});

it('counts each status of a message once, however often it is reported', async () => {
  const d = deps();
  for (let i = 0; i < 3; i++) {
    await recordDeliveryStatus(report({ messageId: 'SM1', status: 'failed', outcome: 'failed', errorCode: '30008' }), d);
    await recordDeliveryStatus(report({ messageId: 'SM1', status: 'delivered', outcome: 'delivered' }), d);
    await recordDeliveryStatus(report({ messageId: 'CA1', channel: 'voice', status: 'busy', outcome: 'undelivered' }), d);
  }
  expect(d.recorded.delivery).toEqual([
    ['sms', 'failed', '30008'],
    ['sms', 'delivered', 'none'],
    ['voice', 'undelivered', 'none'],
  ]);
  expect(d.recorded.reported).toEqual(['SM1 failed', 'SM1 delivered', 'CA1 busy']);
  expect(d.recorded.info.map(([, attributes]) => attributes.outcome)).toEqual(['failed', 'delivered', 'undelivered', ...Array(6).fill('repeated')]);
});

it('asks the ledger about final states only', async () => {
  const d = deps();
  await recordDeliveryStatus(report({ messageId: 'SM1', status: 'sent' }), d);
  await recordDeliveryStatus(report({ messageId: 'CA1', channel: 'voice', status: 'ringing' }), d);
  expect(d.recorded.reported).toEqual([]);
});

it('counts the status, with a warning, when the ledger cannot tell whether it was counted', async () => {
  const d = deps({ ledger: { firstReport: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9')) } });
  await expect(recordDeliveryStatus(report({ messageId: 'SM1', status: 'failed', outcome: 'failed' }), d)).resolves.toMatchObject({ outcome: 'failed' });
  expect(d.recorded.delivery).toEqual([['sms', 'failed', 'none']]);
  expect(d.recorded.warn).toEqual([
    ['delivery status counted without deduplication', { sid: 'SM1', status: 'failed', error: 'connect ECONNREFUSED 127.0.0.1:9' }],
  ]);
});

it('counts nothing for states in between, but still accepts them', async () => {
  const d = deps();
  for (const status of ['queued', 'sent']) {
    expect((await recordDeliveryStatus(report({ messageId: 'SM1', status }), d)).outcome).toBeUndefined();
  }
  await recordDeliveryStatus(report({ messageId: 'CA1', channel: 'voice', status: 'ringing' }), d);
  expect(d.recorded.delivery).toEqual([]);
});

it('logs the state with the recipient masked', async () => {
  const d = deps();
  await recordDeliveryStatus({ ...DELIVERED, status: 'sent', outcome: undefined }, d);
  expect(d.recorded.info).toEqual([
    ['delivery status', { provider: 'twilio', channel: 'sms', sid: 'SM1', status: 'sent', outcome: 'in-progress', errorCode: 'none', recipient: '+1415***0123' }],
  ]);
});
