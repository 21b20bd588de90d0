import type { SNSEventRecord } from 'aws-lambda';
import { ENV, PROVIDER } from '../../../shared/names';
import { GatewayError } from '../../core/errors';
import type { DeliveryOutcome, DeliveryReport, DeliveryReportReader } from '../../core/ports';

/**
 * AWS End User Messaging's delivery events, as the configuration set's SNS event destination
 * publishes them and SNS hands them to the status Lambda: each record's `Sns.Message` is the
 * event's JSON (user guide, "Example event data": `eventType`, `messageId`, `isFinal`,
 * `destinationPhoneNumber`, `messageStatus`, ...), read into the gateway's DeliveryReport.
 *
 * Who may send one: the Lambda subscription is invoked by SNS alone, through the function's
 * resource policy for that topic, and the topic takes publications from AWS End User Messaging
 * alone (the stack's policies). The record's TopicArn is checked against the configured topic,
 * as AWS advises ("Reject any message with an unexpected TopicArn"); SNS's message signature is
 * not checked: docs/security.md says why.
 */

/**
 * The event types that end a message's story, by outcome (user guide, "Event types for SMS, MMS,
 * and voice"). TEXT_DELIVERED and TEXT_SUCCESSFUL mean the same, by country. Undelivered: it
 * reached the network but not the person, for now (unreachable, expired, busy, unanswered).
 * Failed: it will not be delivered as it is (invalid, blocked, spam, a failed call).
 * Intermediate types (TEXT_PENDING, TEXT_QUEUED, VOICE_INITIATED, VOICE_RINGING, VOICE_ANSWERED)
 * count nothing; MEDIA_ and RCS_ types are not the gateway's.
 */
const OUTCOMES: Record<string, DeliveryOutcome> = {
  TEXT_DELIVERED: 'delivered',
  TEXT_SUCCESSFUL: 'delivered',
  TEXT_UNREACHABLE: 'undelivered',
  TEXT_CARRIER_UNREACHABLE: 'undelivered',
  TEXT_TTL_EXPIRED: 'undelivered',
  TEXT_UNKNOWN: 'undelivered',
  TEXT_BLOCKED: 'failed',
  TEXT_CARRIER_BLOCKED: 'failed',
  TEXT_SPAM: 'failed',
  TEXT_INVALID: 'failed',
  TEXT_INVALID_MESSAGE: 'failed',
  TEXT_PROTECT_BLOCKED: 'failed',
  // Completed means the audio was played, not that a person heard it (voicemail): like a Twilio
  // call `completed` without answering-machine detection.
  VOICE_COMPLETED: 'delivered',
  VOICE_BUSY: 'undelivered',
  VOICE_NO_ANSWER: 'undelivered',
  VOICE_TTL_EXPIRED: 'undelivered',
  VOICE_FAILED: 'failed',
};

const CHANNEL = /^(TEXT|VOICE)_[A-Z_]+$/;

/**
 * Reads one event's JSON. Only `eventType` and `messageId` are required: they are what the
 * events of every channel share in AWS's examples (the voice example was not at hand when this
 * was written, so nothing voice-specific is read). An event with `isFinal: false` is an
 * intermediate status (a TEXT_CARRIER_UNREACHABLE that the carrier retries) and counts nothing.
 * Throws GatewayError(invalid_request) for anything else.
 */
export function classifyAwsSmsEvent(text: string): DeliveryReport {
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new GatewayError('invalid_request', 'The SNS message is not JSON.');
  }
  const type = typeof event?.eventType === 'string' ? event.eventType : '';
  const messageId = typeof event?.messageId === 'string' ? event.messageId : '';
  const channel = CHANNEL.exec(type)?.[1];
  if (!channel || !messageId) throw new GatewayError('invalid_request', 'The SNS message is not an SMS or voice event of AWS End User Messaging (eventType TEXT_... or VOICE_..., and messageId).');
  const outcome = event.isFinal === false ? undefined : OUTCOMES[type];
  return {
    provider: PROVIDER.aws,
    messageId,
    channel: channel === 'TEXT' ? 'sms' : 'voice',
    status: type.toLowerCase(),
    outcome,
    errorCode: outcome === undefined || outcome === 'delivered' ? 'none' : type,
    recipient: typeof event.destinationPhoneNumber === 'string' ? event.destinationPhoneNumber : undefined,
  };
}

/** The SNS records of the configured topic, read into reports. */
export class AwsSmsDeliveryEvents implements DeliveryReportReader<SNSEventRecord> {
  /** `topicArn`: AWS_SMS_EVENTS_TOPIC_ARN; unset, every record is refused. */
  constructor(private readonly topicArn: string | undefined) {}

  /** Throws GatewayError: invalid_signature for a record of another topic, invalid_request for one that is not an event. */
  async read(record: SNSEventRecord): Promise<DeliveryReport> {
    if (!this.topicArn) throw new GatewayError('invalid_signature', `An SNS record arrived, but ${ENV.awsSmsEventsTopicArn} is not set: no topic is trusted.`);
    if (record?.Sns?.TopicArn !== this.topicArn) throw new GatewayError('invalid_signature', `An SNS record of another topic than ${ENV.awsSmsEventsTopicArn} was refused.`);
    if (record.Sns.Type !== 'Notification' || typeof record.Sns.Message !== 'string') throw new GatewayError('invalid_request', 'The SNS record is not a notification.');
    return classifyAwsSmsEvent(record.Sns.Message);
  }
}
