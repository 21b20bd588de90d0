import { CONTEXT_KEYS, ContextError, DEFAULTS, readGatewayConfig } from '../../cdk/config';

/** Context reading and validation, without synthesizing anything. */

const read = (context: Record<string, unknown>) => readGatewayConfig((key) => context[key]);

function errorFor(context: Record<string, unknown>): ContextError {
  try {
    read(context);
  } catch (err) {
    expect(err).toBeInstanceOf(ContextError);
    return err as ContextError;
  }
  throw new Error('expected a ContextError');
}

test('no context: every default, nothing optional set', () => {
  expect(read({})).toEqual({
    alarmEmail: undefined,
    existingSecretArn: undefined,
    failureRateThreshold: 10,
    burstCeiling: 100,
    throttleRate: 20,
    throttleBurst: 50,
    metricsNamespace: 'SmsGateway',
    rateLimits: undefined,
    allowedCountries: undefined,
    voiceMachineDetection: undefined,
    providers: undefined,
    providerRoutes: undefined,
    awsSms: undefined,
  });
  expect(DEFAULTS.throttleBurst).toBeGreaterThanOrEqual(DEFAULTS.throttleRate);
});

test('strings from -c and numbers from cdk.json are both accepted; blanks count as unset', () => {
  expect(read({ failureRateThreshold: '12.5%', burstCeiling: 300, throttleRate: '2.5', throttleBurst: ' 5 ' })).toMatchObject({
    failureRateThreshold: 12.5,
    burstCeiling: 300,
    throttleRate: 2.5,
    throttleBurst: 5,
  });
  expect(read({ alarmEmail: '  ', rateLimits: '', allowedCountries: ' , ' })).toMatchObject({
    alarmEmail: undefined,
    rateLimits: undefined,
    allowedCountries: undefined,
  });
});

test('fraud settings are checked with the Lambda\'s own parsers; countries are normalized', () => {
  expect(read({ rateLimits: 'off', allowedCountries: 'gb, fr ,GB' })).toMatchObject({ rateLimits: 'off', allowedCountries: 'GB,FR' });
  expect(errorFor({ rateLimits: 'recipient:5/1h,recipient:9/1h' }).message).toBe(
    'Invalid CDK context "rateLimits": has two recipient limits over the same window.',
  );
  expect(errorFor({ allowedCountries: 'USA' }).message).toMatch(/^Invalid CDK context "allowedCountries": has "USA"/);
});

test('voiceMachineDetection: on or off from -c, or a boolean from cdk.json; unset leaves the Lambda\'s default', () => {
  expect(read({ voiceMachineDetection: 'on' }).voiceMachineDetection).toBe(true);
  expect(read({ voiceMachineDetection: ' Off ' }).voiceMachineDetection).toBe(false);
  expect(read({ voiceMachineDetection: true }).voiceMachineDetection).toBe(true);
  expect(read({ voiceMachineDetection: false }).voiceMachineDetection).toBe(false);
  expect(read({ voiceMachineDetection: '' }).voiceMachineDetection).toBeUndefined();
});

test.each([
  [{ voiceMachineDetection: 'enable' }, 'voiceMachineDetection', /^Invalid CDK context "voiceMachineDetection": must be "on" or "off" \(got "enable"\)\.$/],
  [{ alarmEmail: 'ops at example.com' }, 'alarmEmail', /email address/],
  [{ existingSecretArn: 'prod/sms-gateway' }, 'existingSecretArn', /complete ARN/],
  [{ existingSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:gw-AbC12' }, 'existingSecretArn', /6-character suffix/],
  [{ failureRateThreshold: '150' }, 'failureRateThreshold', /between 0\.1 and 100 \(percent\)/],
  [{ failureRateThreshold: 'ten' }, 'failureRateThreshold', /must be a number/],
  [{ burstCeiling: '10.5' }, 'burstCeiling', /whole number/],
  [{ throttleRate: '0' }, 'throttleRate', /between 1 and 10000/],
  [{ throttleRate: '40', throttleBurst: '20' }, 'throttleBurst', /at least throttleRate \(40\)/],
  [{ metricsNamespace: 'aws/custom' }, 'metricsNamespace', /must not start with "AWS\/"/],
  [{ metricsNamespace: "it's" }, 'metricsNamespace', /letters, digits/],
  [{ alarmEmail: { address: 'x@example.com' } }, 'alarmEmail', /must be a string or a number/],
  [{ awsSms: '+447700900123' }, 'awsSms', /^Invalid CDK context "awsSms": names a phone number, which IAM cannot name: give its phone number ID \(phone-…\) or its ARN/],
  [{ awsSms: 'MyBrand' }, 'awsSms', /a sender ID is given with its country, like MyBrand\/GB/],
  [{ awsSms: 'MyBrand/UK' }, 'awsSms', /has "UK", which is not an ISO 3166 alpha-2 country code with phone numbers: did you mean GB\?$/],
  [{ awsSms: 'arn:aws:sms-voice:eu-west-1:123456789012:pool/phone-abc' }, 'awsSms', /has the origination identity "arn:aws:sms-voice:eu-west-1:123456789012:pool\/phone-abc": must be off/],
  [{ awsSms: 'arn:aws:sns:eu-west-1:123456789012:topic' }, 'awsSms', /must be off, an origination identity/],
  [{ awsSms: true }, 'awsSms', /; got true\.$/],
  [{ awsSms: 'originationIdentity=pool-abc,configurationSet=codes,region=eu-west-1' }, 'awsSms', /has "region"; its fields are originationIdentity and configurationSet\.$/],
  [{ awsSms: 'originationIdentity=pool-abc,originationIdentity=pool-def' }, 'awsSms', /names originationIdentity twice\.$/],
  [{ awsSms: 'configurationSet=codes' }, 'awsSms', /names no originationIdentity/],
  [{ awsSms: { originationIdentity: 'pool-abc', configurationSet: 'mfa codes' } }, 'awsSms', /has the configurationSet "mfa codes": a name is 1 to 64 letters, digits, _ or -\.$/],
  [{ providers: 'twilio,aws' }, 'providers', /^Invalid CDK context "providers": names aws, but AWS End User Messaging is off: set awsSms to its origination identity/],
  [{ providerRoutes: 'IN=aws;*=twilio' }, 'providerRoutes', /names aws, but AWS End User Messaging is off/],
  [{ providers: 'twilio,twilio' }, 'providers', /^Invalid CDK context "providers": names twilio twice\.$/],
  [{ providerRoutes: 'UK=twilio' }, 'providerRoutes', /^Invalid CDK context "providerRoutes": has "UK", .*did you mean GB\?$/],
  [{ providerRoutes: 'IN' }, 'providerRoutes', /each route is COUNTRY=providers/],
])('%j fails naming %s', (context, key, problem) => {
  const error = errorFor(context);
  expect(error.key).toBe(key);
  expect(error.message).toMatch(new RegExp(`^Invalid CDK context "${key}": `));
  expect(error.message).toMatch(problem);
});

describe('awsSms', () => {
  const PHONE_ID = 'phone-0123456789abcdef0123456789abcdef';

  test.each([undefined, '', ' off ', 'OFF', false, null])('%j is off, the default', (value) => {
    expect(read({ awsSms: value }).awsSms).toBeUndefined();
  });

  test.each([
    [PHONE_ID, { type: 'phone-number', name: PHONE_ID }],
    ['pool-fedcba9876543210fedcba9876543210', { type: 'pool', name: 'pool-fedcba9876543210fedcba9876543210' }],
    ['MyBrand/gb', { type: 'sender-id', name: 'MyBrand/GB' }],
    [
      `arn:aws:sms-voice:eu-west-1:210987654321:phone-number/${PHONE_ID}`,
      { type: 'phone-number', name: PHONE_ID, arn: `arn:aws:sms-voice:eu-west-1:210987654321:phone-number/${PHONE_ID}` },
    ],
    [
      'arn:aws:sms-voice:eu-west-1:210987654321:sender-id/MyBrand/gb',
      { type: 'sender-id', name: 'MyBrand/GB', arn: 'arn:aws:sms-voice:eu-west-1:210987654321:sender-id/MyBrand/GB' },
    ],
  ])('the origination identity %s alone', (value, identity) => {
    expect(read({ awsSms: ` ${value} ` }).awsSms).toEqual({ originationIdentity: identity, configurationSet: undefined });
  });

  test('with a configuration set name: key=value pairs from -c, an object from cdk.json', () => {
    const expected = { originationIdentity: { type: 'phone-number', name: PHONE_ID }, configurationSet: 'mfa-codes' };
    expect(read({ awsSms: `originationIdentity=${PHONE_ID}, configurationSet = mfa-codes` }).awsSms).toEqual(expected);
    expect(read({ awsSms: `configurationSet=mfa-codes,originationIdentity=${PHONE_ID}` }).awsSms).toEqual(expected);
    expect(read({ awsSms: { originationIdentity: PHONE_ID, configurationSet: 'mfa-codes' } }).awsSms).toEqual(expected);
    expect(read({ awsSms: { originationIdentity: PHONE_ID } }).awsSms).toEqual({ ...expected, configurationSet: undefined });
  });

  test('is off for off and false, from -c (strings) or cdk.json, and when unset', () => {
    for (const awsSms of ['off', 'OFF', 'false', ' false ', false, undefined]) expect(read({ awsSms }).awsSms).toBeUndefined();
  });

  test('routes that name no aws pass through as given, with AWS End User Messaging on or off', () => {
    for (const awsSms of ['off', PHONE_ID]) {
      expect(read({ awsSms, providers: 'Twilio', providerRoutes: 'US=twilio;*=twilio' })).toMatchObject({ providers: 'Twilio', providerRoutes: 'US=twilio;*=twilio' });
    }
  });

  test('with it on, a route may name aws, and the values reach the Lambda as given', () => {
    expect(read({ awsSms: PHONE_ID, providers: 'twilio,aws', providerRoutes: 'IN=aws' })).toMatchObject({ providers: 'twilio,aws', providerRoutes: 'IN=aws' });
  });
});

test('every key docs/configuration.md documents is read', () => {
  expect([...CONTEXT_KEYS].sort()).toEqual(
    [
      'alarmEmail',
      'allowedCountries',
      'awsSms',
      'burstCeiling',
      'existingSecretArn',
      'failureRateThreshold',
      'metricsNamespace',
      'providerRoutes',
      'providers',
      'rateLimits',
      'throttleBurst',
      'throttleRate',
      'voiceMachineDetection',
    ],
  );
});
