import type { SNSEventRecord } from 'aws-lambda';
import { GatewayError } from '../../lambda/core/errors';
import { AwsSmsDeliveryEvents, classifyAwsSmsEvent } from '../../lambda/providers/aws-sms/delivery-events';

/**
 * AWS End User Messaging's events (user guide, "Example event data" and "Event types for SMS,
 * MMS, and voice") as the status Lambda reads them from SNS: which count, as what, and which
 * records are refused.
 */

const TOPIC = 'arn:aws:sns:eu-west-2:111122223333:sms-gateway-events';

/** The user guide's SMS example, verbatim but for the type. */
function smsEvent(eventType: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    eventType,
    eventVersion: '1.0',
    eventTimestamp: 1686975103470,
    isFinal: true,
    originationPhoneNumber: '+12065550152',
    destinationPhoneNumber: '+14255550156',
    isInternationalSend: false,
    mcc: '310',
    mnc: '800',
    messageId: '862a8790-60c0-4430-9b2b-658bdexample',
    messageRequestTimestamp: 1686975103170,
    messageEncoding: 'GSM',
    messageType: 'PROMOTIONAL',
    messageStatus: 'SUCCESSFUL',
    messageStatusDescription: 'Message has been accepted by phone carrier',
    context: { account: 'bar' },
    totalMessageParts: 1,
    totalMessagePrice: 0.09582,
    totalCarrierFee: 0.0,
    ...extra,
  });
}

describe('classifyAwsSmsEvent', () => {
  it("reads the user guide's example: a delivered SMS of AWS", () => {
    expect(classifyAwsSmsEvent(smsEvent('TEXT_SUCCESSFUL'))).toEqual({
      provider: 'aws',
      messageId: '862a8790-60c0-4430-9b2b-658bdexample',
      channel: 'sms',
      status: 'text_successful',
      outcome: 'delivered',
      errorCode: 'none',
      recipient: '+14255550156',
    });
  });

  it.each([
    ['TEXT_DELIVERED', 'sms', 'delivered', 'none'],
    ['TEXT_UNREACHABLE', 'sms', 'undelivered', 'TEXT_UNREACHABLE'],
    ['TEXT_CARRIER_UNREACHABLE', 'sms', 'undelivered', 'TEXT_CARRIER_UNREACHABLE'],
    ['TEXT_TTL_EXPIRED', 'sms', 'undelivered', 'TEXT_TTL_EXPIRED'],
    ['TEXT_UNKNOWN', 'sms', 'undelivered', 'TEXT_UNKNOWN'],
    ['TEXT_BLOCKED', 'sms', 'failed', 'TEXT_BLOCKED'],
    ['TEXT_CARRIER_BLOCKED', 'sms', 'failed', 'TEXT_CARRIER_BLOCKED'],
    ['TEXT_SPAM', 'sms', 'failed', 'TEXT_SPAM'],
    ['TEXT_INVALID', 'sms', 'failed', 'TEXT_INVALID'],
    ['TEXT_INVALID_MESSAGE', 'sms', 'failed', 'TEXT_INVALID_MESSAGE'],
    ['TEXT_PROTECT_BLOCKED', 'sms', 'failed', 'TEXT_PROTECT_BLOCKED'],
    ['VOICE_COMPLETED', 'voice', 'delivered', 'none'],
    ['VOICE_BUSY', 'voice', 'undelivered', 'VOICE_BUSY'],
    ['VOICE_NO_ANSWER', 'voice', 'undelivered', 'VOICE_NO_ANSWER'],
    ['VOICE_TTL_EXPIRED', 'voice', 'undelivered', 'VOICE_TTL_EXPIRED'],
    ['VOICE_FAILED', 'voice', 'failed', 'VOICE_FAILED'],
  ])('%s counts as a %s %s (error code %s)', (type, channel, outcome, errorCode) => {
    expect(classifyAwsSmsEvent(smsEvent(type))).toMatchObject({ channel, outcome, errorCode, status: type.toLowerCase() });
  });

  it.each(['TEXT_QUEUED', 'TEXT_PENDING', 'TEXT_SENT', 'VOICE_INITIATED', 'VOICE_RINGING', 'VOICE_ANSWERED'])('%s is an intermediate status: it counts nothing', (type) => {
    expect(classifyAwsSmsEvent(smsEvent(type))).toMatchObject({ outcome: undefined, errorCode: 'none' });
  });

  it('counts nothing for an event that is not final, whatever its type (a carrier error AWS retries)', () => {
    expect(classifyAwsSmsEvent(smsEvent('TEXT_CARRIER_UNREACHABLE', { isFinal: false }))).toMatchObject({ outcome: undefined });
  });

  it('reads an event with only its type and id (AWS documents more, and a voice event may have less)', () => {
    expect(classifyAwsSmsEvent(JSON.stringify({ eventType: 'VOICE_COMPLETED', messageId: 'm-1' }))).toEqual({
      provider: 'aws',
      messageId: 'm-1',
      channel: 'voice',
      status: 'voice_completed',
      outcome: 'delivered',
      errorCode: 'none',
      recipient: undefined,
    });
  });

  it.each([
    ['not JSON', 'TEXT_DELIVERED'],
    ['no messageId', JSON.stringify({ eventType: 'TEXT_DELIVERED' })],
    ['a media event', JSON.stringify({ eventType: 'MEDIA_DELIVERED', messageId: 'm-1' })],
    ['an RCS event', JSON.stringify({ eventType: 'RCS_DELIVERED', messageId: 'm-1' })],
    ['no type', JSON.stringify({ messageId: 'm-1' })],
    ['null', 'null'],
  ])('refuses %s as invalid_request', (_what, text) => {
    expect(() => classifyAwsSmsEvent(text)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});

describe('AwsSmsDeliveryEvents', () => {
  const record = (topicArn: string, message = smsEvent('TEXT_DELIVERED'), type = 'Notification') =>
    ({ EventSource: 'aws:sns', Sns: { Type: type, TopicArn: topicArn, Message: message, MessageId: 'sns-1' } }) as unknown as SNSEventRecord;

  it('reads a record of the configured topic', async () => {
    await expect(new AwsSmsDeliveryEvents(TOPIC).read(record(TOPIC))).resolves.toMatchObject({ provider: 'aws', outcome: 'delivered' });
  });

  it('refuses a record of another topic (AWS: "Reject any message with an unexpected TopicArn")', async () => {
    const error = (await new AwsSmsDeliveryEvents(TOPIC).read(record(`${TOPIC}-other`)).catch((err: unknown) => err)) as GatewayError;
    expect(error).toMatchObject({ code: 'invalid_signature' });
    expect(error.message).toContain('AWS_SMS_EVENTS_TOPIC_ARN');
  });

  it('refuses every record while no topic is configured, naming the variable', async () => {
    await expect(new AwsSmsDeliveryEvents(undefined).read(record(TOPIC))).rejects.toMatchObject({ code: 'invalid_signature', message: expect.stringContaining('AWS_SMS_EVENTS_TOPIC_ARN is not set') });
  });

  it('refuses what is not a notification', async () => {
    await expect(new AwsSmsDeliveryEvents(TOPIC).read(record(TOPIC, 'x', 'SubscriptionConfirmation'))).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
