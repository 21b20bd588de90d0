import { maskPhone } from './e164';
import type { DeliveryLedger, DeliveryReport, DeliveryTelemetry, Log } from './ports';

/**
 * The delivery status use case (docs/api.md, docs/operations.md): a provider's report, already
 * verified and read by its module (lambda/providers/), counted once per final state of a
 * message, whichever provider sent it.
 */

export interface StatusDependencies {
  telemetry: DeliveryTelemetry;
  /** Which (message, status) pairs were counted: replays and the provider's duplicates are not counted again. */
  ledger: DeliveryLedger;
  log: Log;
}

export async function recordDeliveryStatus(report: DeliveryReport, deps: StatusDependencies): Promise<DeliveryReport> {
  let counted = false;
  if (report.outcome) {
    counted = await firstReport(report, deps);
    if (counted) deps.telemetry.delivery(report.channel, report.outcome, report.errorCode, report.provider);
  }
  deps.log.info('delivery status', {
    provider: report.provider,
    channel: report.channel,
    sid: report.messageId,
    status: report.status,
    outcome: report.outcome === undefined ? 'in-progress' : counted ? report.outcome : 'repeated',
    errorCode: report.errorCode,
    recipient: maskPhone(report.recipient),
  });
  return report;
}

/**
 * Whether this final status of this message is reported for the first time. When the ledger
 * cannot tell (a slow, lost or refused answer), the status is counted: Twilio does not retry a
 * callback answered with an error (it retries once, and only when it cannot connect: docs
 * "Webhooks Connection Overrides", rp defaults to ct), so refusing it would lose it for good
 * (and an SNS event that fails is retried by Lambda only as a whole invocation),
 * while counting it can at worst count it twice, if it also arrives again while the write is
 * lost. The alarms read failure rates: one extra count is the smaller error.
 */
async function firstReport(report: DeliveryReport, deps: StatusDependencies): Promise<boolean> {
  try {
    return await deps.ledger.firstReport(report.messageId, report.status);
  } catch (err) {
    deps.log.warn('delivery status counted without deduplication', { sid: report.messageId, status: report.status, error: (err as Error).message });
    return true;
  }
}
