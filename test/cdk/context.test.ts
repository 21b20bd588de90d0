import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildGatewayApp } from '../../cdk/gateway-app';
import { checkContextKeys, CONTEXT_KEYS, readGatewayConfig } from '../../cdk/config';
import { SmsGatewayStack } from '../../cdk/sms-gateway-stack';
import { cdkJsonContext, logicalIdOf, newApp, resourcesOfType, synthGateway, type Synthesized, removeAssemblies } from './synth';

const ROOT = resolve(__dirname, '../..');

/**
 * Context that changes what is deployed: an existing secret, the fraud settings and the stage
 * throttling reach the template; a bad value or a broken template stops synth with its name.
 */

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/sms-gateway-AbC123';

describe('with an existing secret, fraud settings and throttling', () => {
  let s: Synthesized;

  beforeAll(() => {
    s = synthGateway({
      existingSecretArn: SECRET_ARN,
      rateLimits: 'recipient:3/1h, global:500/1h',
      allowedCountries: 'us, CA,us',
      throttleRate: '5',
      throttleBurst: '10',
      voiceMachineDetection: 'ON',
    });
  });

  test('creates no secret and no signing-key function: the existing secret is used as it is', () => {
    s.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    s.template.resourceCountIs('Custom::SigningKey', 0);
    expect(resourcesOfType(s.json, 'AWS::Lambda::Function')).toHaveLength(2);
    expect(s.json.Outputs!.SecretArn.Value).toBe(SECRET_ARN);
  });

  test('both Lambdas read exactly that ARN (complete, so no wildcard suffix)', () => {
    for (const path of ['Send/Function/Resource', 'Status/Function/Resource']) {
      expect(s.json.Resources[logicalIdOf(s.stack, path)].Properties!.Environment.Variables.SECRET_ARN).toBe(SECRET_ARN);
    }
    const secretStatements = resourcesOfType(s.json, 'AWS::IAM::Policy').flatMap(([, p]) =>
      (p.Properties!.PolicyDocument.Statement as any[]).filter((st) => JSON.stringify(st.Action).includes('secretsmanager')),
    );
    expect(secretStatements).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SECRET_ARN },
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SECRET_ARN },
    ]);
  });

  test('RATE_LIMITS as given and ALLOWED_COUNTRIES normalized, on the send Lambda only', () => {
    const send = s.json.Resources[logicalIdOf(s.stack, 'Send/Function/Resource')].Properties!.Environment.Variables;
    const status = s.json.Resources[logicalIdOf(s.stack, 'Status/Function/Resource')].Properties!.Environment.Variables;
    expect(send).toMatchObject({ RATE_LIMITS: 'recipient:3/1h, global:500/1h', ALLOWED_COUNTRIES: 'US,CA' });
    expect(status.RATE_LIMITS).toBeUndefined();
    expect(status.ALLOWED_COUNTRIES).toBeUndefined();
  });

  test('VOICE_MACHINE_DETECTION from voiceMachineDetection, on the send Lambda only (the status Lambda reads AnsweredBy whenever Twilio sends it)', () => {
    const send = s.json.Resources[logicalIdOf(s.stack, 'Send/Function/Resource')].Properties!.Environment.Variables;
    const status = s.json.Resources[logicalIdOf(s.stack, 'Status/Function/Resource')].Properties!.Environment.Variables;
    expect(send.VOICE_MACHINE_DETECTION).toBe('on');
    expect(status.VOICE_MACHINE_DETECTION).toBeUndefined();
  });

  test('stage throttling from throttleRate and throttleBurst', () => {
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
    });
  });
});

afterAll(removeAssemblies);

describe('synth fails before building anything', () => {
  test.each([
    ['alarmEmail', 'not-an-address'],
    ['existingSecretArn', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/sms-gateway'],
    ['failureRateThreshold', '0.1%x'],
    ['burstCeiling', '0'],
    ['throttleRate', 'fast'],
    ['throttleBurst', '2.5'],
    ['metricsNamespace', 'AWS/Lambda'],
    ['rateLimits', 'recipient:5'],
    ['allowedCountries', 'US,XX'],
    ['voiceMachineDetection', 'yes'],
    ['awsSms', '+15017122661'],
    ['providers', 'twilio,sms'],
    ['providerRoutes', 'IN=aws'],
  ])('on a bad %s, with a message naming it', (key, value) => {
    expect(() => buildGatewayApp(new App({ context: { [key]: value } }))).toThrow(`Invalid CDK context "${key}"`);
  });

  test('on a template that does not parse, naming its path in config/messages.json', () => {
    const broken = {
      defaultLanguage: 'en',
      applications: { default: { templates: { authentication: { sms: { en: '{{ code } is your code' } } } } },
    };
    expect(() => new SmsGatewayStack(newApp(), 'Broken', { config: readGatewayConfig(() => undefined), messages: broken })).toThrow(
      /^config\/messages\.json: applications\.default\.templates\.authentication\.sms\.en: /,
    );
  });

  test('on a voice template in a language no voice of config/voices.json speaks, naming its path', () => {
    const klingon = {
      defaultLanguage: 'en',
      applications: { default: { templates: { authentication: { voice: { en: 'Code: {{ voice_code }}', tlh: 'ngoq: {{ voice_code }}' } } } } },
    };
    expect(() => new SmsGatewayStack(newApp(), 'Voiceless', { config: readGatewayConfig(() => undefined), messages: klingon })).toThrow(
      'config/messages.json: applications.default.templates.authentication.voice.tlh: no voice speaks this language: add one to config/voices.json (docs/voice.md)',
    );
  });
});

describe('unknown context keys', () => {
  test.each([
    ['allowedCountry', 'allowedCountries'],
    ['alarmemail', 'alarmEmail'],
    ['rateLimit', 'rateLimits'],
    ['throttleBrust', 'throttleBurst'],
    ['awsSMS', 'awsSms'],
    ['providerRoute', 'providerRoutes'],
  ])('refuses %s, naming %s', (key, meant) => {
    expect(() => buildGatewayApp(new App({ context: { [key]: 'x' } }))).toThrow(`Unknown CDK context "${key}": did you mean ${meant}?`);
  });

  test('lists the settings when nothing is close', () => {
    expect(() => buildGatewayApp(new App({ context: { region: 'eu-west-1' } }))).toThrow(
      /^Unknown CDK context "region": the gateway's settings are alarmEmail, existingSecretArn, .*allowedCountries, .*voiceMachineDetection, awsSms, providers, providerRoutes\.$/,
    );
  });

  test("accepts the CDK's own keys: feature flags, aws:cdk:*, cached lookups, acknowledged issues", () => {
    expect(() =>
      checkContextKeys([
        ...Object.keys(cdkJsonContext()),
        'aws:cdk:enable-path-metadata',
        'aws:cdk:bundling-stacks',
        'aws-cdk:enableDiffNoFail',
        'availability-zones:account=123456789012:region=eu-west-1',
        'acknowledged-issue-numbers',
        'cli-telemetry',
        ...CONTEXT_KEYS,
      ]),
    ).not.toThrow();
  });

  test('`cdk synth -c allowedCountry=US` stops with one line and exit code 1', () => {
    // The CDK CLI hands -c values to the app in CDK_CONTEXT_JSON; the app is cdk.json's "app".
    const outdir = mkdtempSync(join(tmpdir(), 'sms-gateway-cdk-'));
    const run = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'cdk/app.ts')], {
      cwd: ROOT,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ allowedCountry: 'US' }), CDK_OUTDIR: outdir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    rmSync(outdir, { recursive: true, force: true });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('Unknown CDK context "allowedCountry": did you mean allowedCountries?\n');
  });
});
