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
])('%j fails naming %s', (context, key, problem) => {
  const error = errorFor(context);
  expect(error.key).toBe(key);
  expect(error.message).toMatch(new RegExp(`^Invalid CDK context "${key}": `));
  expect(error.message).toMatch(problem);
});

test('every key docs/configuration.md documents is read', () => {
  expect([...CONTEXT_KEYS].sort()).toEqual(
    [
      'alarmEmail',
      'allowedCountries',
      'burstCeiling',
      'existingSecretArn',
      'failureRateThreshold',
      'metricsNamespace',
      'rateLimits',
      'throttleBurst',
      'throttleRate',
      'voiceMachineDetection',
    ],
  );
});
