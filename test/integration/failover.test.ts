import { randomUUID } from 'node:crypto';
import { FakeAwsSms, awsError } from '../support/fake-aws-sms';
import { FakeTwilio, twilioError } from '../support/fake-twilio';
import { FaultProxy, refusedUrl } from '../support/fault-proxy';
import { NO_RATE_LIMITS, post, startGateway, twilioModeEnv, type JsonResponse, type RunningGateway } from '../support/gateway';
import { metricSummary } from '../support/output';
import { newSigningSecret, signedHeaders } from '../support/signing';

/**
 * Two providers behind the real handlers (docs/reliability.md, "Failover"): Twilio and AWS End
 * User Messaging, each a loopback fake behind a FaultProxy. What must hold: the next provider is
 * tried only when the previous one provably did not take the message; never after an unknown
 * outcome, a bad number or an opted-out user; a webhook-id sends at most once in total; the
 * answer and the metrics name the provider that sent; AWS's delivery events count once.
 */

const RECIPIENT = '+14155550123';
const TOPIC = 'arn:aws:sns:eu-west-2:111122223333:sms-gateway-events';

let secret: string;
let twilio: FakeTwilio;
let aws: FakeAwsSms;
let twilioProxy: FaultProxy;
let awsProxy: FaultProxy;

beforeAll(async () => {
  secret = newSigningSecret();
  twilio = await FakeTwilio.start();
  aws = await FakeAwsSms.start();
  twilioProxy = await FaultProxy.start(twilio.url);
  awsProxy = await FaultProxy.start(aws.url, { preserveHost: true });
});

afterAll(async () => {
  await Promise.all([twilioProxy.close(), awsProxy.close()]);
  await Promise.all([twilio.close(), aws.close()]);
});

interface World {
  gateway: RunningGateway;
  send(body?: Record<string, unknown>, id?: string): Promise<JsonResponse>;
  /** What each provider took during the test. */
  twilioCreated(): number;
  awsSent(): FakeAwsSms['sent'];
}

/** A gateway with both providers (PROVIDERS=twilio,aws unless `env` says otherwise), through the proxies. */
async function withGateway(env: Record<string, string>, test: (world: World) => Promise<void>) {
  const gateway = await startGateway({
    ...twilioModeEnv(twilio, secret, { TWILIO_API_BASE_URL: twilioProxy.url }),
    ...aws.gatewayEnv(awsProxy.url),
    ...NO_RATE_LIMITS,
    PROVIDERS: 'twilio,aws',
    AWS_SMS_CONFIGURATION_SET: 'sms-gateway',
    AWS_SMS_EVENTS_TOPIC_ARN: TOPIC,
    ...env,
  });
  const [created, sent] = [twilio.created.size, aws.sent.length];
  const send = (body: Record<string, unknown> = {}, id = `msg_${randomUUID()}`) => {
    const text = JSON.stringify({ recipient: RECIPIENT, code: '482913', ...body });
    return post(`${gateway.url}/messages`, text, signedHeaders(secret, text, { id }));
  };
  try {
    await test({ gateway, send, twilioCreated: () => twilio.created.size - created, awsSent: () => aws.sent.slice(sent) });
    // Every scripted answer and fault was used: none is left to surprise the next test.
    expect([twilio.pending, aws.pending, twilioProxy.pending, awsProxy.pending]).toEqual([0, 0, 0, 0]);
  } finally {
    await gateway.close();
  }
}

const failovers = (gateway: RunningGateway) => gateway.output.metrics().filter((doc) => doc.ProviderFailover === 1);

describe('failover from Twilio to AWS', () => {
  it('sends through AWS when Twilio refuses the connection: one create in total, named in the answer and the metrics', async () => {
    await withGateway({ TWILIO_API_BASE_URL: await refusedUrl() }, async ({ gateway, send, twilioCreated, awsSent }) => {
      const id = `msg_${randomUUID()}`;
      const response = await send({}, id);

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ id, sid: awsSent()[0].messageId, status: 'accepted', channel: 'sms', provider: 'aws' });
      expect(twilioCreated()).toBe(0);
      expect(awsSent()).toHaveLength(1);
      expect(awsSent()[0].input).toMatchObject({ DestinationPhoneNumber: RECIPIENT, MessageType: 'TRANSACTIONAL', ConfigurationSetName: 'sms-gateway' });
      expect(metricSummary(gateway.output.metrics())).toEqual([
        'ProviderFailover[From,To]',
        'MessageSent[Channel|Channel,Provider]',
        'SendLatency[Channel|Channel,Provider]',
      ]);
      expect(failovers(gateway)).toEqual([expect.objectContaining({ From: 'twilio', To: 'aws' })]);
      expect(gateway.output.metrics()).toContainEqual(expect.objectContaining({ Channel: 'sms', Provider: 'aws', MessageSent: 1 }));
      expect(gateway.output.logs()).toContainEqual(expect.objectContaining({ message: 'provider failover', from: 'twilio', to: 'aws', reason: 'provider_unavailable', level: 'WARN' }));

      // The forwarder's retry of the same webhook-id: the same answer, nothing sent again.
      const again = await send({}, id);
      expect(again.body).toEqual(response.body);
      expect(awsSent()).toHaveLength(1);
    });
  });

  it.each([
    ["rejects the credentials (20003, and the secret holds no others)", twilioError(401, 20003, 'Authenticate')],
    ['has the country off in its SMS geo permissions (21408)', twilioError(400, 21408, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number")],
    ['answers 429 twice', [twilioError(429, 20429, 'Too Many Requests'), twilioError(429, 20429, 'Too Many Requests')]],
    ['is a trial account (21608)', twilioError(400, 21608, 'The number is unverified.')],
  ])('sends through AWS when Twilio %s', async (_what, refusals) => {
    await withGateway({}, async ({ gateway, send, twilioCreated, awsSent }) => {
      twilio.script(...[refusals].flat());
      const response = await send();
      expect(response.status).toBe(200);
      expect(response.body.provider).toBe('aws');
      expect(twilioCreated()).toBe(0);
      expect(awsSent()).toHaveLength(1);
      expect(failovers(gateway)).toHaveLength(1);
    });
  });

  it("logs no code when Twilio's refusal quotes the message before AWS sends it", async () => {
    await withGateway({}, async ({ gateway, send, awsSent }) => {
      twilio.script(twilioError(400, 21608, 'Message "482913 is your code" cannot go to an unverified number.'));
      const response = await send();
      expect(response.body.provider).toBe('aws');
      expect(awsSent()).toHaveLength(1);
      expect(gateway.output.logs()).toContainEqual(expect.objectContaining({ message: 'provider failover', providerCode: 21608 }));
      expect(gateway.output.text).not.toContain('482913');
    });
  });

  it('answers 202 unconfirmed, and does not try AWS, when Twilio times out: it may have sent', async () => {
    await withGateway({}, async ({ gateway, send, awsSent }) => {
      twilio.script(twilio.accepting({ delayMs: 6_000 }));
      const response = await send();
      expect(response.status).toBe(202);
      expect(response.body).toEqual({ id: expect.any(String), status: 'unconfirmed', channel: 'sms', provider: 'twilio' });
      expect(awsSent()).toEqual([]);
      expect(failovers(gateway)).toEqual([]);
    });
  });

  it.each([
    ['loses the answer', { kind: 'lose-answer' } as const],
    ['drops the connection after the request was written', { kind: 'drop-after-read' } as const],
    ['answers 502 on the way', { kind: 'answer', status: 502, body: 'Bad Gateway' } as const],
  ])('does not try AWS when the network to Twilio %s: 202 unconfirmed', async (_what, fault) => {
    await withGateway({}, async ({ send, awsSent }) => {
      twilioProxy.inject(fault);
      const response = await send();
      expect(response.status).toBe(202);
      expect(response.body.provider).toBe('twilio');
      expect(awsSent()).toEqual([]);
    });
  });

  it.each([
    ['a bad number (21211)', twilioError(400, 21211, "The 'To' number +14155550123 is not a valid phone number."), 400, 'invalid_recipient'],
    ['a user who replied STOP (21610)', twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'), 403, 'destination_not_allowed'],
  ])('does not try AWS after %s: the refusal is the answer', async (_what, refusal, status, code) => {
    await withGateway({}, async ({ gateway, send, awsSent }) => {
      twilio.script(refusal);
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect(awsSent()).toEqual([]);
      expect(failovers(gateway)).toEqual([]);
      expect(gateway.output.metrics()).toContainEqual(expect.objectContaining({ Channel: 'sms', Provider: 'twilio', SendFailed: 1 }));
    });
  });

  it('never reaches a provider for a destination the gateway refuses', async () => {
    await withGateway({ ALLOWED_COUNTRIES: 'GB' }, async ({ send, twilioCreated, awsSent }) => {
      const response = await send();
      expect(response.status).toBe(403);
      expect(twilioCreated()).toBe(0);
      expect(awsSent()).toEqual([]);
    });
  });

  it('answers the last refusal when both providers refuse, and sends nothing', async () => {
    await withGateway({ TWILIO_API_BASE_URL: await refusedUrl() }, async ({ gateway, send, awsSent }) => {
      aws.script(awsError('ThrottlingException', 'Rate exceeded'), awsError('ThrottlingException', 'Rate exceeded'));
      const response = await send();
      expect(response.status).toBe(503);
      expect(response.body.error).toEqual({ code: 'provider_unavailable', message: expect.stringContaining('AWS End User Messaging refused the message (ThrottlingException'), provider_code: 'ThrottlingException' });
      expect(awsSent()).toEqual([]);
      expect(failovers(gateway)).toHaveLength(1);
      expect(gateway.output.metrics()).toContainEqual(expect.objectContaining({ Channel: 'sms', Provider: 'aws', SendFailed: 1 }));
    });
  });

  it("routes a country to AWS first, and back to Twilio when AWS refuses (PROVIDER_ROUTES=GB=aws,twilio)", async () => {
    await withGateway({ PROVIDER_ROUTES: 'GB=aws,twilio' }, async ({ gateway, send, twilioCreated, awsSent }) => {
      aws.script(awsError('ConflictException', 'Not verified', { Reason: 'DESTINATION_PHONE_NUMBER_NOT_VERIFIED' }));
      const response = await send({ recipient: '+447400123456' });
      expect(response.status).toBe(200);
      expect(response.body.provider).toBe('twilio');
      expect(twilioCreated()).toBe(1);
      expect(awsSent()).toEqual([]);
      expect(failovers(gateway)).toEqual([expect.objectContaining({ From: 'aws', To: 'twilio' })]);
      // Other countries keep PROVIDERS' order.
      expect((await send()).body.provider).toBe('twilio');
      expect(awsSent()).toEqual([]);
    });
  });
});

describe('AWS End User Messaging alone (PROVIDERS=aws)', () => {
  const AWS_ONLY = { PROVIDERS: 'aws', TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', TWILIO_PHONE_NUMBER: '' };

  it('needs no Twilio keys and is not console mode: it sends through AWS', async () => {
    await withGateway(AWS_ONLY, async ({ gateway, send, awsSent }) => {
      const response = await send();
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ provider: 'aws', status: 'accepted' });
      expect(awsSent()).toHaveLength(1);
      expect(gateway.output.text).not.toContain('[console mode]');
    });
  });

  it('places a call with SendVoiceMessage, in SSML, in the voice of the language', async () => {
    await withGateway(AWS_ONLY, async ({ send, awsSent }) => {
      const response = await send({ message_type: 'voice', language: 'fr-CA' });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ provider: 'aws', channel: 'voice', sid: awsSent()[0].messageId });
      expect(awsSent()[0]).toMatchObject({ operation: 'SendVoiceMessage', input: { VoiceId: 'CHANTAL', MessageBodyTextType: 'SSML', ConfigurationSetName: 'sms-gateway' } });
      expect(awsSent()[0].input.MessageBody).toMatch(/^<speak>.*4<break time="500ms"\/>8<break time="500ms"\/>2.*<\/speak>$/);
    });
  });

  it('answers 501 channel_unavailable for a call from a sender ID', async () => {
    await withGateway({ ...AWS_ONLY, AWS_SMS_ORIGINATION_IDENTITY: 'MFACODE' }, async ({ send, awsSent }) => {
      const response = await send({ message_type: 'voice' });
      expect(response.status).toBe(501);
      expect(response.body.error).toMatchObject({ code: 'channel_unavailable', provider_code: 'ValidationException:VOICE_CAPABILITY_NOT_AVAILABLE' });
      expect(awsSent()).toEqual([]);
    });
  });

  it('refuses an opted-out number with 403, and sends nothing', async () => {
    aws.account.optedOut.add('+14155550177');
    await withGateway(AWS_ONLY, async ({ send, awsSent }) => {
      const response = await send({ recipient: '+14155550177' });
      expect(response.status).toBe(403);
      expect(response.body.error.provider_code).toBe('ConflictException:DESTINATION_PHONE_NUMBER_OPTED_OUT');
      expect(awsSent()).toEqual([]);
    });
  });

  it('refuses to start without an origination identity, naming the variable', async () => {
    await expect(startGateway({ ...twilioModeEnv(twilio, secret), ...aws.gatewayEnv(), ...AWS_ONLY, AWS_SMS_ORIGINATION_IDENTITY: '' })).rejects.toThrow(/^AWS_SMS_ORIGINATION_IDENTITY is missing/);
  });

  it.each([
    ['takes the message and answers late', () => aws.script(aws.accepting({ delayMs: 6_000 })), 1],
    ['loses the answer', () => awsProxy.inject({ kind: 'lose-answer' }), 1],
    ['drops the connection after the request was written', () => awsProxy.inject({ kind: 'drop-after-read' }), 0],
    ['answers InternalServerException', () => aws.script(awsError('InternalServerException', 'Internal error')), 0],
  ])('answers 202 unconfirmed when AWS %s, never sending again', async (_what, fault, taken) => {
    await withGateway(AWS_ONLY, async ({ gateway, send, awsSent }) => {
      fault();
      const id = `msg_${randomUUID()}`;
      const response = await send({}, id);
      expect(response.status).toBe(202);
      expect(response.body).toEqual({ id, status: 'unconfirmed', channel: 'sms', provider: 'aws' });
      expect(awsSent()).toHaveLength(taken);
      expect((await send({}, id)).body).toEqual(response.body);
      expect(awsSent()).toHaveLength(taken);
      expect(gateway.output.metrics()).toContainEqual(expect.objectContaining({ Channel: 'sms', Provider: 'aws', SendUnconfirmed: 1 }));
    });
  });

  it('answers 503 when AWS cannot be reached: nothing was sent, so the retry sends', async () => {
    await withGateway({ ...AWS_ONLY, AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: await refusedUrl() }, async ({ send }) => {
      const id = `msg_${randomUUID()}`;
      const response = await send({}, id);
      expect(response.status).toBe(503);
      expect(response.body.error.message).toBe('AWS End User Messaging could not be reached; try again later.');
      // The forwarder's retry of the webhook-id tries AWS again: not the 202 of an unknown outcome, nor a 409.
      const retry = await send({}, id);
      expect(retry.status).toBe(503);
      expect(retry.body.error.message).toBe('AWS End User Messaging could not be reached; try again later.');
    });
  });

  it('scrubs the code out of an error AWS quotes the message in', async () => {
    await withGateway(AWS_ONLY, async ({ gateway, send }) => {
      aws.script(awsError('ValidationException', "Message body '482913 is your code' was refused.", { Reason: 'OTHER' }));
      const response = await send();
      expect(response.status).toBe(502);
      expect(response.text).not.toContain('482913');
      expect(response.body.error.message).toContain('***');
      expect(gateway.output.text).not.toContain('482913');
    });
  });
});

describe('a provider forced by the request (the body\'s `provider`)', () => {
  it('sends through AWS when asked, though PROVIDERS names only Twilio', async () => {
    await withGateway({ PROVIDERS: 'twilio' }, async ({ send, twilioCreated, awsSent }) => {
      const response = await send({ provider: 'aws' });
      expect(response.status).toBe(200);
      expect(response.body.provider).toBe('aws');
      expect(twilioCreated()).toBe(0);
      expect(awsSent()).toHaveLength(1);
    });
  });

  it('does not fail over from the forced provider', async () => {
    await withGateway({}, async ({ send, awsSent }) => {
      twilio.script(twilioError(401, 20003, 'Authenticate'));
      const response = await send({ provider: 'twilio' });
      expect(response.status).toBe(502);
      expect(awsSent()).toEqual([]);
    });
  });

  it('refuses with 400 a provider the gateway has no settings for', async () => {
    await withGateway({ PROVIDERS: 'twilio', AWS_SMS_ORIGINATION_IDENTITY: '' }, async ({ send, twilioCreated, awsSent }) => {
      const response = await send({ provider: 'aws' });
      expect(response.status).toBe(400);
      expect(response.body.error).toEqual({ code: 'invalid_request', message: 'Field "provider" names aws, which this gateway has no settings for.' });
      expect(twilioCreated()).toBe(0);
      expect(awsSent()).toEqual([]);
    });
  });
});

describe("AWS's delivery events, through SNS", () => {
  async function sentThroughAws(world: World, body: Record<string, unknown> = {}): Promise<string> {
    const response = await world.send({ provider: 'aws', ...body });
    expect(response.status).toBe(200);
    world.gateway.output.clear();
    return response.body.sid as string;
  }

  it('counts each final event once, however often SNS delivers it, under Provider=aws', async () => {
    await withGateway({}, async (world) => {
      const messageId = await sentThroughAws(world);
      const event = aws.deliveryEvent(messageId, 'TEXT_DELIVERED', { topicArn: TOPIC });
      for (let i = 0; i < 3; i++) await world.gateway.deliverSns(event);

      expect(metricSummary(world.gateway.output.metrics())).toEqual(['MessageDelivered[Channel|Channel,Provider]']);
      expect(world.gateway.output.metrics()[0]).toMatchObject({ Channel: 'sms', Provider: 'aws', MessageDelivered: 1 });
      const logs = world.gateway.output.logs().filter((line) => line.message === 'delivery status');
      expect(logs.map((line) => line.outcome)).toEqual(['delivered', 'repeated', 'repeated']);
      expect(logs[0]).toMatchObject({ provider: 'aws', sid: messageId, status: 'text_delivered', recipient: '+1415***0123' });
    });
  });

  it('counts a blocked SMS as MessageFailed with the event type as its error code, and a busy call as undelivered', async () => {
    await withGateway({}, async (world) => {
      const sms = await sentThroughAws(world);
      const call = await sentThroughAws(world, { message_type: 'voice' });
      await world.gateway.deliverSns(aws.deliveryEvent(sms, 'TEXT_BLOCKED', { topicArn: TOPIC }));
      await world.gateway.deliverSns(aws.deliveryEvent(call, 'VOICE_BUSY', { topicArn: TOPIC }));
      expect(world.gateway.output.metrics()).toContainEqual(expect.objectContaining({ Channel: 'sms', ErrorCode: 'TEXT_BLOCKED', MessageFailed: 1 }));
      expect(world.gateway.output.metrics()).toContainEqual(expect.objectContaining({ Channel: 'voice', ErrorCode: 'VOICE_BUSY', MessageUndelivered: 1 }));
    });
  });

  it('counts nothing for intermediate events, and nothing from another topic', async () => {
    await withGateway({}, async (world) => {
      const messageId = await sentThroughAws(world);
      await world.gateway.deliverSns(aws.deliveryEvent(messageId, 'TEXT_PENDING', { topicArn: TOPIC }));
      await world.gateway.deliverSns(aws.deliveryEvent(messageId, 'TEXT_DELIVERED', { topicArn: `${TOPIC}-forged` }));
      expect(world.gateway.output.metrics()).toEqual([]);
      expect(world.gateway.output.logs()).toContainEqual(expect.objectContaining({ message: 'delivery event refused', reason: 'invalid_signature', level: 'WARN' }));
    });
  });
});
