import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SNSEvent, SNSEventRecord } from 'aws-lambda';
import { recordDeliveryStatus, type StatusDependencies } from '../core/delivery-status';
import { isGatewayError } from '../core/errors';
import type { DeliveryReportReader } from '../core/ports';

export interface SnsStatusHandlerDependencies extends StatusDependencies {
  logger: Logger;
  /** Checks and reads AWS End User Messaging's events (lambda/providers/aws-sms/delivery-events.ts). */
  events: DeliveryReportReader<SNSEventRecord>;
}

/**
 * The status Lambda's SNS subscription: each record a delivery event, counted once like a
 * Twilio callback (core/delivery-status.ts). A record refused (another topic, not an event) is
 * logged and skipped: SNS would deliver it again unchanged, so failing the invocation only
 * delays the others. Anything unexpected fails the invocation, which Lambda retries (the ledger
 * keeps the records already counted from counting twice) and the status-lambda-errors alarm sees.
 */
export function createSnsStatusHandler(deps: SnsStatusHandlerDependencies) {
  const { logger } = deps;

  return async function handler(event: SNSEvent, context: Context): Promise<void> {
    logger.addContext(context);
    try {
      for (const record of event.Records ?? []) {
        try {
          await recordDeliveryStatus(await deps.events.read(record), deps);
        } catch (err) {
          if (!isGatewayError(err)) throw err;
          logger.warn('delivery event refused', { reason: err.code, detail: err.message, topic: record?.Sns?.TopicArn, snsMessageId: record?.Sns?.MessageId });
        }
      }
    } finally {
      logger.resetKeys();
    }
  };
}
