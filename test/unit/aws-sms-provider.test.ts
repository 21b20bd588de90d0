import net from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as awsSdk from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { GatewayError } from '../../lambda/core/errors';
import type { OutboundMessage, ProviderOutcome } from '../../lambda/core/ports';
import { voiceScript } from '../../lambda/core/voice-script';
import { mapAwsSmsError } from '../../lambda/providers/aws-sms/errors';
import { AwsSmsProvider, type AwsSmsProviderOptions } from '../../lambda/providers/aws-sms/provider';
import { awsError, FakeAwsSms } from '../support/fake-aws-sms';
import { FaultProxy, refusedUrl } from '../support/fault-proxy';

/**
 * The AWS End User Messaging provider, a hand-written SigV4 client, against the loopback
 * AWS (test/support/fake-aws-sms.ts), which checks each request's signature and shape: what goes
 * on the wire, how every answer maps to the contract's errors or to an unknown outcome, and the
 * faults of a real network (FaultProxy): a send is repeated only when it provably did not reach
 * AWS, since SendTextMessage has no idempotency token.
 */

const RECIPIENT = '+14155550123';
const SMS: OutboundMessage = { channel: 'sms', to: RECIPIENT, country: 'US', body: '482913 is your code', language: 'en' };

let aws: FakeAwsSms;
let proxy: FaultProxy;

beforeAll(async () => {
  aws = await FakeAwsSms.start();
  proxy = await FaultProxy.start(aws.url, { preserveHost: true });
});

afterAll(async () => {
  await proxy.close();
  await aws.close();
});

function provider(options: AwsSmsProviderOptions & { via?: string } = {}): AwsSmsProvider {
  const { via, ...rest } = options;
  return new AwsSmsProvider(aws.gatewayEnv(), { endpoint: via ?? aws.url, backoffMs: () => 0, ...rest });
}

const SETTINGS = () => ({ originationIdentity: aws.account.defaultIdentity });

/** What AWS received and took while `run` ran, and how the send ended. */
async function during(run: () => Promise<ProviderOutcome>) {
  const [requests, sent, proxied] = [aws.requests.length, aws.sent.length, proxy.requests.length];
  const result = await run().then(
    (outcome) => ({ outcome, error: undefined }),
    (error: unknown) => ({ outcome: undefined, error: error as GatewayError }),
  );
  return { ...result, requests: aws.requests.slice(requests), sent: aws.sent.slice(sent), proxied: proxy.requests.slice(proxied) };
}

describe('requests', () => {
  it('sends an SMS with SendTextMessage: signed for sms-voice, TRANSACTIONAL, from the identity, with the configuration set', async () => {
    const { outcome, requests, sent } = await during(() => provider({ configurationSet: 'sms-gateway' }).send(SMS, SETTINGS()));

    expect(outcome).toEqual({ outcome: 'accepted', sid: sent[0].messageId, status: 'accepted', latencyMs: expect.any(Number) });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ operation: 'SendTextMessage', signed: true });
    expect(requests[0].headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(requests[0].headers['x-amz-security-token']).toBe(aws.credentials.sessionToken);
    expect(requests[0].headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${aws.credentials.accessKeyId}/\\d{8}/${aws.region}/sms-voice/aws4_request, `));
    expect(sent[0].input).toEqual({
      DestinationPhoneNumber: RECIPIENT,
      OriginationIdentity: aws.account.defaultIdentity,
      MessageBody: '482913 is your code',
      MessageType: 'TRANSACTIONAL',
      ConfigurationSetName: 'sms-gateway',
    });
  });

  it('names no configuration set when none is configured', async () => {
    const { sent } = await during(() => provider().send(SMS, SETTINGS()));
    expect(sent[0].input).not.toHaveProperty('ConfigurationSetName');
  });

  it('places a call with SendVoiceMessage: the script as SSML, in the Polly voice of the language', async () => {
    const script = voiceScript('Tu código es 4 8 2 9 1 3.', '482913');
    const { outcome, sent } = await during(() => provider().send({ ...SMS, channel: 'voice', body: 'Tu código es 4 8 2 9 1 3.', script, language: 'es-MX' }, SETTINGS()));

    expect(outcome).toMatchObject({ outcome: 'accepted', sid: sent[0].messageId });
    expect(sent[0]).toMatchObject({ operation: 'SendVoiceMessage', input: { MessageBodyTextType: 'SSML', VoiceId: 'MIA', OriginationIdentity: aws.account.defaultIdentity } });
    expect(sent[0].input).not.toHaveProperty('MessageType');
    expect(sent[0].input.MessageBody).toMatch(/^<speak><break time="1000ms"\/>Tu código es 4<break time="500ms"\/>8<break time="500ms"\/>2/);
  });

  it('needs the Lambda credentials: without them it refuses before any request, and another provider may send', async () => {
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...env } = aws.gatewayEnv();
    const bare = new AwsSmsProvider(env, { endpoint: aws.url });
    const { error, requests } = await during(() => bare.send(SMS, SETTINGS()));
    expect(error).toMatchObject({ code: 'configuration_error' });
    expect(requests).toEqual([]);
  });
});

describe('refusals: nothing was sent', () => {
  it.each([
    ['opted out', awsError('ConflictException', 'The destination phone number +14155550123 is opted out.', { Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' }), 'destination_not_allowed', undefined, 'ConflictException:DESTINATION_PHONE_NUMBER_OPTED_OUT'],
    ['blocked by the protect configuration', awsError('ConflictException', 'Blocked.', { Reason: 'DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION' }), 'destination_not_allowed', undefined, 'ConflictException:DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION'],
    ['a country the identity cannot reach', awsError('ValidationException', 'No route.', { Reason: 'INVALID_IDENTITY_FOR_DESTINATION_COUNTRY' }), 'destination_not_allowed', true, 'ValidationException:INVALID_IDENTITY_FOR_DESTINATION_COUNTRY'],
    ['an invalid number', awsError('ValidationException', 'Bad number.', { Reason: 'FIELD_VALIDATION_FAILED', Fields: [{ Name: 'DestinationPhoneNumber', Message: 'invalid' }] }), 'invalid_recipient', undefined, 'ValidationException:FIELD_VALIDATION_FAILED'],
    ['the sandbox', awsError('ConflictException', 'Not verified.', { Reason: 'DESTINATION_PHONE_NUMBER_NOT_VERIFIED' }), 'provider_error', undefined, 'ConflictException:DESTINATION_PHONE_NUMBER_NOT_VERIFIED'],
    ['the monthly spend limit', awsError('ServiceQuotaExceededException', 'Limit.', { Reason: 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT' }), 'provider_error', undefined, 'ServiceQuotaExceededException:MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT'],
    ['the daily calls to one number', awsError('ServiceQuotaExceededException', 'Limit.', { Reason: 'DAILY_DESTINATION_CALL_LIMIT' }), 'rate_limited', false, 'ServiceQuotaExceededException:DAILY_DESTINATION_CALL_LIMIT'],
    ['an account refused', awsError('AccessDeniedException', 'Disabled.', { Reason: 'ACCOUNT_DISABLED' }), 'provider_error', undefined, 'AccessDeniedException:ACCOUNT_DISABLED'],
    ['an IAM denial', awsError('AccessDeniedException', 'User is not authorized to perform sms-voice:SendTextMessage'), 'provider_error', undefined, 'AccessDeniedException'],
    ['an identity that does not exist', awsError('ResourceNotFoundException', 'Not found.', { ResourceType: 'pool', ResourceId: 'pool-x' }), 'configuration_error', undefined, 'ResourceNotFoundException'],
    ['an identity that cannot call', awsError('ValidationException', 'No voice.', { Reason: 'VOICE_CAPABILITY_NOT_AVAILABLE' }), 'channel_unavailable', undefined, 'ValidationException:VOICE_CAPABILITY_NOT_AVAILABLE'],
    ['any other validation error', awsError('ValidationException', 'Odd.', { Reason: 'OTHER' }), 'provider_error', undefined, 'ValidationException:OTHER'],
    ['an error of no known type', { status: 403, body: '<html>Forbidden</html>' }, 'provider_error', undefined, 'HTTP 403'],
  ] as const)('%s: %s', async (_what, answer, code, failover, providerCode) => {
    aws.script(answer);
    const { error, requests } = await during(() => provider().send(SMS, SETTINGS()));

    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code, details: { providerCode, latencyMs: expect.any(Number) } });
    expect(error?.details.failover).toBe(failover);
    expect(error?.toBody().error.provider_code).toBe(providerCode);
    expect(requests).toHaveLength(1);
  });

  it('masks the numbers AWS quotes', async () => {
    aws.account.optedOut.add('+14155550124');
    const { error } = await during(() => provider().send({ ...SMS, to: '+14155550124' }, SETTINGS()));
    expect(error?.message).toContain('+1415***0124');
    expect(error?.message).not.toContain('+14155550124');
  });

  it("reads the error type from X-Amzn-Errortype when the body has none, and AWS's lower-case message", async () => {
    aws.script({ status: 400, headers: { 'x-amzn-errortype': 'ConflictException:http://internal.amazon.com/coral/com.amazonaws.pinpointsmsvoicev2/' }, body: { message: 'Opted out', Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' } });
    const { error } = await during(() => provider().send(SMS, SETTINGS()));
    expect(error).toMatchObject({ code: 'destination_not_allowed', details: { providerCode: 'ConflictException:DESTINATION_PHONE_NUMBER_OPTED_OUT' } });
    expect(error?.message).toContain('Opted out');
  });

  it.each([
    ['unknown access key', { accessKeyId: 'AKIDOTHER' }, 'InvalidClientTokenId'],
    ['wrong secret', { secretAccessKey: 'guessed' }, 'IncompleteSignature'],
    ['no session token', { sessionToken: undefined }, 'InvalidClientTokenId'],
  ])("rejects the Lambda's credentials (%s): provider_error, which another provider may take", async (_what, change, providerCode) => {
    const credentials = { ...aws.credentials, ...change };
    const env = { ...aws.gatewayEnv(), AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_SESSION_TOKEN: credentials.sessionToken };
    const stranger = new AwsSmsProvider(env, { endpoint: aws.url, backoffMs: () => 0 });
    const { error, sent } = await during(() => stranger.send(SMS, SETTINGS()));
    expect(error).toMatchObject({ code: 'provider_error', details: { providerCode } });
    expect(error?.details.failover).toBeUndefined();
    expect(sent).toEqual([]);
  });

  it('retries a ThrottlingException once, and sends', async () => {
    aws.script(awsError('ThrottlingException', 'Rate exceeded'));
    const { outcome, requests, sent } = await during(() => provider().send(SMS, SETTINGS()));
    expect(outcome).toMatchObject({ outcome: 'accepted' });
    expect(requests).toHaveLength(2);
    expect(sent).toHaveLength(1);
  });

  it('answers provider_unavailable after two ThrottlingExceptions', async () => {
    aws.script(awsError('ThrottlingException', 'Rate exceeded'), awsError('ThrottlingException', 'Rate exceeded'));
    const { error, requests } = await during(() => provider().send(SMS, SETTINGS()));
    expect(error).toMatchObject({ code: 'provider_unavailable', details: { providerCode: 'ThrottlingException' } });
    expect(requests).toHaveLength(2);
  });
});

/** Counts the connections this process opens to a URL's port: a refused one never reaches a server that could count it. */
function countConnections(url: string): { count(): number } {
  const port = Number(new URL(url).port);
  const connect = jest.spyOn(net.Socket.prototype, 'connect');
  const portOf = (args: unknown[]): number | undefined => {
    // node:net hands connect() either its options or its normalized [options, callback].
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    return typeof first === 'object' && first !== null ? Number((first as net.TcpNetConnectOpts).port) : undefined;
  };
  return { count: () => connect.mock.calls.filter((args) => portOf(args) === port).length };
}

describe('faults: what reached AWS is never repeated', () => {
  afterEach(() => jest.restoreAllMocks());

  it('a refused connection is retried once, then provider_unavailable: nothing sent', async () => {
    const via = await refusedUrl();
    const connections = countConnections(via);
    const { error } = await during(async () => provider({ via }).send(SMS, SETTINGS()));
    expect(error).toMatchObject({ code: 'provider_unavailable', message: 'AWS End User Messaging could not be reached; try again later.' });
    expect(connections.count()).toBe(2);
  });

  it('a slow answer (AWS took it, answered after the attempt timeout) is unknown, one message, not repeated', async () => {
    aws.script(aws.accepting({ delayMs: 600 }));
    const { outcome, requests, sent } = await during(() => provider({ attemptTimeoutMs: 200 }).send(SMS, SETTINGS()));
    expect(outcome).toMatchObject({ outcome: 'unknown', detail: 'AWS End User Messaging did not answer in time.' });
    expect(requests).toHaveLength(1);
    expect(sent).toHaveLength(1);
  });

  it('a slow answer through the network is unknown too', async () => {
    proxy.inject({ kind: 'delay', ms: 600 });
    const { outcome, sent, proxied } = await during(() => provider({ via: proxy.url, attemptTimeoutMs: 200 }).send(SMS, SETTINGS()));
    expect(outcome).toMatchObject({ outcome: 'unknown' });
    expect(sent).toHaveLength(1);
    expect(proxied).toHaveLength(1);
  });

  it('a lost answer (AWS took it, the connection was cut on the way back) is unknown, one message', async () => {
    proxy.inject({ kind: 'lose-answer' });
    const { outcome, sent, proxied } = await during(() => provider({ via: proxy.url }).send(SMS, SETTINGS()));
    expect(outcome).toMatchObject({ outcome: 'unknown', detail: 'AWS End User Messaging hung up before answering.' });
    expect(sent).toHaveLength(1);
    expect(proxied).toHaveLength(1);
  });

  it('AWS hanging up after taking it is unknown, one message', async () => {
    aws.script(aws.accepting({ hangUp: true }));
    const { outcome, sent } = await during(() => provider().send(SMS, SETTINGS()));
    expect(outcome).toMatchObject({ outcome: 'unknown' });
    expect(sent).toHaveLength(1);
  });

  it('a connection dropped after the request was written is unknown and not repeated, though AWS never saw it', async () => {
    proxy.inject({ kind: 'drop-after-read' });
    const { outcome, sent, proxied } = await during(() => provider({ via: proxy.url }).send(SMS, SETTINGS()));
    expect(outcome).toMatchObject({ outcome: 'unknown' });
    expect(sent).toEqual([]);
    expect(proxied).toHaveLength(1);
  });

  it.each([
    ['InternalServerException', awsError('InternalServerException', 'Internal error', { RequestId: 'r-1' }), 'AWS End User Messaging answered HTTP 500 (InternalServerException).'],
    ['a 503 on the way', { status: 503, body: '' }, 'AWS End User Messaging answered HTTP 503.'],
    ['a 200 without a MessageId', { status: 200, body: {} }, 'AWS End User Messaging answered HTTP 200 without a MessageId.'],
    ['a 200 that is not JSON', { status: 200, body: 'OK' }, 'AWS End User Messaging answered HTTP 200 without a MessageId.'],
  ])('%s is unknown, not repeated', async (_what, answer, detail) => {
    aws.script(answer);
    const { outcome, requests } = await during(() => provider().send(SMS, SETTINGS()));
    expect(outcome).toMatchObject({ outcome: 'unknown', detail });
    expect(requests).toHaveLength(1);
  });

  it('the proxy answering an error itself (AWS never saw it) is a refusal', async () => {
    proxy.inject({ kind: 'answer', status: 400, body: JSON.stringify({ __type: 'ThrottlingException', Message: 'slow' }) }, { kind: 'answer', status: 400, body: JSON.stringify({ __type: 'ThrottlingException', Message: 'slow' }) });
    const { error, sent, proxied } = await during(() => provider({ via: proxy.url }).send(SMS, SETTINGS()));
    expect(error).toMatchObject({ code: 'provider_unavailable' });
    expect(sent).toEqual([]);
    expect(proxied).toHaveLength(2);
  });

  it('keeps within the budget the selector gives it: the attempt times out at the budget', async () => {
    // AWS answers at 800 ms: waiting for the 5 s attempt timeout would get that answer (accepted).
    aws.script(aws.accepting({ delayMs: 800 }));
    const { outcome } = await during(() => provider({ attemptTimeoutMs: 5_000 }).send(SMS, SETTINGS(), { budgetMs: 300 }));
    expect(outcome).toMatchObject({ outcome: 'unknown', detail: 'AWS End User Messaging did not answer in time.' });
  });

  it('does not retry a refused connection when the budget has no second left', async () => {
    const via = await refusedUrl();
    const connections = countConnections(via);
    const { error } = await during(() => provider({ via }).send(SMS, SETTINGS(), { budgetMs: 900 }));
    expect(error).toMatchObject({ code: 'provider_unavailable' });
    expect(connections.count()).toBe(1);
  });
});

describe('the error mapping', () => {
  const sdk = awsSdk as unknown as Record<string, Record<string, string>>;
  const reasonsOf = (exception: string) => Object.values(sdk[`${exception}Reason`]);

  // What every reason of the model's send errors maps to (the ones the gateway tells apart); any
  // reason not listed here must map to provider_error, which another provider may take.
  const EXPECTED: Record<string, [string, boolean | undefined]> = {
    DESTINATION_PHONE_NUMBER_OPTED_OUT: ['destination_not_allowed', undefined],
    CANNOT_ADD_OPTED_OUT_NUMBER: ['destination_not_allowed', undefined],
    DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION: ['destination_not_allowed', undefined],
    DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE: ['destination_not_allowed', undefined],
    DESTINATION_COUNTRY_BLOCKED: ['destination_not_allowed', true],
    COUNTRY_CODE_MISMATCH: ['destination_not_allowed', true],
    COUNTRY_NOT_ENABLED: ['destination_not_allowed', true],
    INVALID_IDENTITY_FOR_DESTINATION_COUNTRY: ['destination_not_allowed', true],
    INTERNATIONAL_SENDING_NOT_SUPPORTED: ['destination_not_allowed', true],
    SENDER_ID_NOT_REGISTERED: ['destination_not_allowed', true],
    SENDER_ID_REQUIRES_REGISTRATION: ['destination_not_allowed', true],
    SENDER_ID_NOT_SUPPORTED: ['destination_not_allowed', true],
    VOICE_CAPABILITY_NOT_AVAILABLE: ['channel_unavailable', undefined],
    NUMBER_CAPABILITIES_MISMATCH: ['channel_unavailable', undefined],
    DAILY_DESTINATION_CALL_LIMIT: ['rate_limited', false],
    // A reason of another operation that shares the words; no send answers it, and it would mean that.
    TWO_WAY_NOT_SUPPORTED_IN_COUNTRY: ['destination_not_allowed', true],
  };

  it.each(['Validation', 'Conflict', 'ServiceQuotaExceeded', 'AccessDenied'])("maps every reason of AWS's model for %sException (the SDK's enum) as the table says", (name) => {
    const mapped = reasonsOf(`${name}Exception`).map((reason) => {
      const error = mapAwsSmsError(400, { type: `${name}Exception`, reason }, 1);
      return [reason, [error.code, error.details.failover]];
    });
    const expected = mapped.map(([reason]) => [reason, EXPECTED[reason as string] ?? ['provider_error', undefined]]);
    expect(mapped).toEqual(expected);
  });

  it('names every reason of the table in the model', () => {
    const known = new Set(['Validation', 'Conflict', 'ServiceQuotaExceeded', 'AccessDenied'].flatMap((name) => reasonsOf(`${name}Exception`)));
    expect(Object.keys(EXPECTED).filter((reason) => !known.has(reason))).toEqual([]);
  });

  it("names only exceptions of AWS's model", () => {
    const source = readFileSync(join(__dirname, '../../lambda/providers/aws-sms/errors.ts'), 'utf8');
    const exceptions = [...source.matchAll(/'(\w+Exception)'/g)].map((match) => match[1]);
    expect(exceptions.length).toBeGreaterThan(1);
    expect(exceptions.filter((name) => !(`${name}$` in sdk))).toEqual([]);
  });
});
