import * as sdk from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { FakeAwsSms, READ_OPERATIONS, SEND_TEXT_MESSAGE, SEND_VOICE_MESSAGE, VOICE_IDS, type MemberShape, type OperationShape } from '../support/fake-aws-sms';

/**
 * The loopback AWS End User Messaging against AWS's own client, @aws-sdk/client-pinpoint-sms-voice-v2,
 * which is generated from the service model: the fake's input shapes are the model's, and the
 * SDK reads the fake's answers and errors as it reads AWS's (so the gateway's hand-written
 * client is tested against a server the SDK agrees with).
 */

let fake: FakeAwsSms;
let client: sdk.PinpointSMSVoiceV2Client;

beforeAll(async () => {
  fake = await FakeAwsSms.start();
  client = new sdk.PinpointSMSVoiceV2Client({ region: fake.region, endpoint: fake.url, credentials: fake.credentials, maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await fake.close();
});

/** The SDK's schema of a structure: [kind, namespace, name, traits, member names, member types, required count]. */
type Schema = [number, string, string, unknown, string[], unknown[], number?];
// The SDK's simple types: 0 string, 1 number, 2 boolean, 128 a map (of strings here), 64 a list
// of strings; a list of structures is a function that returns its schema.
const SDK_TYPES: Record<string, unknown> = { string: 0, integer: 1, boolean: 2, map: 128 };
const sdkType = (member: MemberShape) => (member.type === 'list' ? (member.of === 'string' ? 64 : 'function') : SDK_TYPES[member.type]);
const typeOf = (type: unknown) => (typeof type === 'function' ? 'function' : type);

describe('the input shapes', () => {
  it.each([
    ['SendTextMessage', SEND_TEXT_MESSAGE, (sdk as unknown as Record<string, Schema>).SendTextMessageRequest$],
    ['SendVoiceMessage', SEND_VOICE_MESSAGE, (sdk as unknown as Record<string, Schema>).SendVoiceMessageRequest$],
    ...Object.entries(READ_OPERATIONS).map(([name, shape]) => [name, shape, (sdk as unknown as Record<string, Schema>)[`${name}Request$`]] as const),
  ] as const)('of %s are the model: its members, their types, the required ones', (_name, shape: OperationShape, schema) => {
    const [, , , , names, types, requiredCount = 0] = schema;
    expect(Object.keys(shape.members)).toEqual(names);
    expect(Object.values(shape.members).map(sdkType)).toEqual(types.map(typeOf));
    expect(shape.required).toEqual(names.slice(0, requiredCount));
  });

  it("offers the model's voices", () => {
    expect([...VOICE_IDS]).toEqual(Object.values(sdk.VoiceId));
  });
});

describe('answers the SDK reads', () => {
  it('takes a text message and returns its MessageId', async () => {
    const output = await client.send(
      new sdk.SendTextMessageCommand({ DestinationPhoneNumber: '+14155550123', OriginationIdentity: fake.account.defaultIdentity, MessageBody: 'hello', MessageType: 'TRANSACTIONAL' }),
    );
    expect(output.MessageId).toBe(fake.sent.at(-1)?.messageId);
    expect(fake.requests.at(-1)).toMatchObject({ operation: 'SendTextMessage', signed: true });
  });

  it('takes a call in SSML', async () => {
    const output = await client.send(
      new sdk.SendVoiceMessageCommand({
        DestinationPhoneNumber: '+14155550123',
        OriginationIdentity: fake.account.phoneNumbers[0].PhoneNumber,
        MessageBody: '<speak>Your code is 4<break time="500ms"/>8</speak>',
        MessageBodyTextType: 'SSML',
        VoiceId: 'JOANNA',
      }),
    );
    expect(fake.sent.at(-1)).toMatchObject({ messageId: output.MessageId, operation: 'SendVoiceMessage' });
  });

  it('refuses an opted-out number with ConflictException and its Reason', async () => {
    fake.account.optedOut.add('+14155550199');
    const error = await client
      .send(new sdk.SendTextMessageCommand({ DestinationPhoneNumber: '+14155550199', OriginationIdentity: fake.account.defaultIdentity, MessageBody: 'hello' }))
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(sdk.ConflictException);
    expect(error).toMatchObject({ Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT', ResourceType: 'opted-out-number', $metadata: { httpStatusCode: 400 } });
  });

  it('refuses an identity the account does not have with ResourceNotFoundException', async () => {
    const error = await client
      .send(new sdk.SendTextMessageCommand({ DestinationPhoneNumber: '+14155550123', OriginationIdentity: 'pool-00000000000000000000000000000000', MessageBody: 'hello' }))
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(sdk.ResourceNotFoundException);
  });

  it('refuses a call from a sender ID with ValidationException', async () => {
    const error = await client
      .send(new sdk.SendVoiceMessageCommand({ DestinationPhoneNumber: '+14155550123', OriginationIdentity: 'MFACODE', MessageBody: 'hello' }))
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(sdk.ValidationException);
    expect(error).toMatchObject({ Reason: 'VOICE_CAPABILITY_NOT_AVAILABLE' });
  });

  it('refuses a value outside the model: ValidationException naming the field', async () => {
    const error = await client
      .send(new sdk.SendTextMessageCommand({ DestinationPhoneNumber: '+14155550123', OriginationIdentity: fake.account.defaultIdentity, MessageBody: 'hi', TimeToLive: 1 }))
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(sdk.ValidationException);
    expect(error).toMatchObject({ Reason: 'FIELD_VALIDATION_FAILED', Fields: [{ Name: 'TimeToLive' }] });
  });

  it('answers scripted errors of each class as the SDK classifies them', async () => {
    const send = () => client.send(new sdk.SendTextMessageCommand({ DestinationPhoneNumber: '+14155550123', OriginationIdentity: fake.account.defaultIdentity, MessageBody: 'hi' })).catch((err: unknown) => err);
    fake.script({ status: 500, body: { __type: 'com.amazonaws.pinpointsmsvoicev2#InternalServerException', Message: 'oops', RequestId: 'r-1' } });
    expect(await send()).toMatchObject({ name: 'InternalServerException', $fault: 'server' });
    fake.script({ status: 400, body: { __type: 'com.amazonaws.pinpointsmsvoicev2#ThrottlingException', Message: 'slow down' } });
    expect(await send()).toMatchObject({ name: 'ThrottlingException', $fault: 'client' });
  });

  it('refuses credentials it was not given: InvalidClientTokenId, 403', async () => {
    const stranger = new sdk.PinpointSMSVoiceV2Client({
      region: fake.region,
      endpoint: fake.url,
      credentials: { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'nope' },
      maxAttempts: 1,
    });
    const error = await stranger
      .send(new sdk.SendTextMessageCommand({ DestinationPhoneNumber: '+14155550123', OriginationIdentity: fake.account.defaultIdentity, MessageBody: 'hi' }))
      .catch((err: unknown) => err);
    stranger.destroy();
    expect(error).toMatchObject({ name: 'InvalidClientTokenId', $metadata: { httpStatusCode: 403 } });
    expect(fake.requests.at(-1)?.signed).toBe(false);
  });

  it('refuses a signature made with the wrong secret: IncompleteSignature', async () => {
    const forger = new sdk.PinpointSMSVoiceV2Client({
      region: fake.region,
      endpoint: fake.url,
      credentials: { ...fake.credentials, secretAccessKey: 'guessed' },
      maxAttempts: 1,
    });
    const taken = fake.sent.length;
    const error = await forger
      .send(new sdk.SendTextMessageCommand({ DestinationPhoneNumber: '+14155550123', OriginationIdentity: fake.account.defaultIdentity, MessageBody: 'hi' }))
      .catch((err: unknown) => err);
    forger.destroy();
    expect(error).toMatchObject({ name: 'IncompleteSignature', $metadata: { httpStatusCode: 400 } });
    expect(fake.sent).toHaveLength(taken);
  });
});

describe('the read operations, as the SDK reads them', () => {
  afterEach(() => fake.account.reset());

  it('describes a phone number by id or ARN, and refuses one the account does not have', async () => {
    const [number] = fake.account.phoneNumbers;
    const byId = await client.send(new sdk.DescribePhoneNumbersCommand({ PhoneNumberIds: [number.PhoneNumberId] }));
    expect(byId.PhoneNumbers).toEqual([
      expect.objectContaining({ PhoneNumberId: number.PhoneNumberId, PhoneNumber: number.PhoneNumber, IsoCountryCode: 'US', Status: 'ACTIVE', NumberCapabilities: ['SMS', 'VOICE'], CreatedTimestamp: expect.any(Date) }),
    ]);
    const arn = byId.PhoneNumbers![0].PhoneNumberArn!;
    expect((await client.send(new sdk.DescribePhoneNumbersCommand({ PhoneNumberIds: [arn] }))).PhoneNumbers?.[0].PhoneNumberId).toBe(number.PhoneNumberId);

    const error = await client.send(new sdk.DescribePhoneNumbersCommand({ PhoneNumberIds: ['phone-00000000000000000000000000000000'] })).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(sdk.ResourceNotFoundException);
  });

  it('pages with NextToken, as the SDK\'s paginators follow it', async () => {
    const seen: string[] = [];
    for await (const page of sdk.paginateDescribePhoneNumbers({ client, pageSize: 1 }, {})) seen.push(...(page.PhoneNumbers ?? []).map((number) => number.PhoneNumber!));
    expect(seen).toEqual(fake.account.phoneNumbers.map((number) => number.PhoneNumber));
  });

  it("lists a pool's numbers with their countries, and filters sender IDs", async () => {
    const pool = fake.account.defaultIdentity;
    const members = await client.send(new sdk.ListPoolOriginationIdentitiesCommand({ PoolId: pool }));
    expect(members.OriginationIdentities?.map((member) => member.IsoCountryCode)).toEqual(['US', 'CA']);
    const senders = await client.send(new sdk.DescribeSenderIdsCommand({ Filters: [{ Name: 'sender-id', Values: ['MFACODE'] }] }));
    expect(senders.SenderIds).toEqual([expect.objectContaining({ SenderId: 'MFACODE', IsoCountryCode: 'GB', Registered: true })]);
    const unknown = await client.send(new sdk.DescribeSenderIdsCommand({ Filters: [{ Name: 'colour' as sdk.SenderIdFilterName, Values: ['blue'] }] })).catch((err: unknown) => err);
    expect(unknown).toMatchObject({ name: 'ValidationException', Reason: 'INVALID_FILTER_VALUES' });
  });

  it('describes the account: its tier, spend limits, configuration set and country rules', async () => {
    fake.account.protectConfigurations.set('protect-1', { SMS: { RU: 'BLOCK' }, VOICE: {} });
    fake.account.defaultProtectConfigurationId = 'protect-1';

    const attributes = await client.send(new sdk.DescribeAccountAttributesCommand({}));
    expect(attributes.AccountAttributes).toEqual([{ Name: 'ACCOUNT_TIER', Value: 'PRODUCTION' }, { Name: 'DEFAULT_PROTECT_CONFIGURATION_ID', Value: 'protect-1' }]);
    const limits = await client.send(new sdk.DescribeSpendLimitsCommand({}));
    expect(limits.SpendLimits?.[0]).toEqual({ Name: 'TEXT_MESSAGE_MONTHLY_SPEND_LIMIT', EnforcedLimit: 0, MaxLimit: 1000, Overridden: false });
    const sets = await client.send(new sdk.DescribeConfigurationSetsCommand({ ConfigurationSetNames: ['sms-gateway'] }));
    expect(sets.ConfigurationSets?.[0].EventDestinations?.[0]).toMatchObject({ EventDestinationName: 'status-lambda', Enabled: true, SnsDestination: { TopicArn: expect.stringContaining(':sns:') } });
    const rules = await client.send(new sdk.GetProtectConfigurationCountryRuleSetCommand({ ProtectConfigurationId: 'protect-1', NumberCapability: 'SMS' }));
    expect(rules.CountryRuleSet).toEqual({ RU: { ProtectStatus: 'BLOCK' } });
  });
});
