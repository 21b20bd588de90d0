import * as fs from 'node:fs';
import * as path from 'node:path';
import { FINAL_EVENT_TYPES } from '../../cdk/constructs/aws-sms';
import { FAILOVER_PAIRS, METERED_PROVIDERS } from '../../cdk/constructs/gateway-metrics';
import { SENDING_PROVIDERS } from '../../lambda/providers/routes';
import {
  dashboardWidgets,
  dependencyCycle,
  logicalIdOf,
  removeAssemblies,
  resourcesOfType,
  synthGateway,
  type CfnResourceJson,
  type Synthesized,
} from './synth';

/**
 * AWS End User Messaging in the stack (context awsSms, docs/configuration.md): off, the template
 * is today's; on, a configuration set reports final events through an encrypted SNS topic to the
 * status Lambda, and the send Lambda may send from the one origination identity, naming the one
 * configuration set.
 */

const PHONE_ID = 'phone-0123456789abcdef0123456789abcdef';
const POOL_ID = 'pool-fedcba9876543210fedcba9876543210';
const SHARED_PHONE_ARN = `arn:aws:sms-voice:eu-west-1:210987654321:phone-number/${PHONE_ID}`;

let off: Synthesized;
let on: Synthesized;

beforeAll(() => {
  off = synthGateway({ awsSms: 'off' });
  // cdk.json's object form, with a configuration set name, and routes that fail over to aws.
  on = synthGateway({ awsSms: { originationIdentity: PHONE_ID, configurationSet: 'mfa-codes' }, providers: 'twilio,aws', providerRoutes: 'IN=aws;*=twilio,aws' });
});

afterAll(removeAssemblies);

/** `arn:<partition>:<service>:<region>:<account>:<resource>` in the stack's own account and region. */
const localArn = (service: string, resource: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`]],
});
const id = (s: Synthesized, pathSuffix: string) => logicalIdOf(s.stack, pathSuffix);
const resource = (s: Synthesized, pathSuffix: string) => s.json.Resources[id(s, pathSuffix)];
const environment = (s: Synthesized, lambda: 'Send' | 'Status') => resource(s, `${lambda}/Function/Resource`).Properties!.Environment.Variables;
const policyStatements = (s: Synthesized, lambda: 'Send' | 'Status') => resource(s, `${lambda}/Role/DefaultPolicy/Resource`).Properties!.PolicyDocument.Statement as any[];
const smsStatements = (s: Synthesized) => policyStatements(s, 'Send').filter((statement) => JSON.stringify(statement.Action).includes('sms-voice'));

describe('off (the default)', () => {
  test('the template is the one without any awsSms context, byte for byte', () => {
    expect(JSON.stringify(off.json)).toBe(JSON.stringify(synthGateway().json));
    expect(JSON.stringify(off.json)).toBe(JSON.stringify(synthGateway({ awsSms: false }).json));
  });

  test('creates nothing for AWS End User Messaging: no configuration set, no key, one topic (the alarms\'), no sms-voice permission, six alarms', () => {
    expect(Object.values(off.json.Resources).filter((r) => /SMSVOICE|KMS/.test(r.Type))).toEqual([]);
    expect(resourcesOfType(off.json, 'AWS::SNS::Topic')).toHaveLength(1);
    expect(resourcesOfType(off.json, 'AWS::SNS::Subscription')).toHaveLength(0);
    expect(resourcesOfType(off.json, 'AWS::CloudWatch::Alarm')).toHaveLength(6);
    expect(JSON.stringify(off.json)).not.toMatch(/sms-voice|AWS_SMS_|ProviderFailover|"Provider"/);
    expect(Object.keys(off.json.Outputs!)).not.toContain('AwsSmsOriginationIdentity');
  });
});

describe('turning it on', () => {
  test('replaces nothing: every resource keeps its logical id and type, and only the two Lambdas, the send policy and the dashboard change', () => {
    const changed: string[] = [];
    for (const [logicalId, before] of Object.entries(off.json.Resources)) {
      const after = on.json.Resources[logicalId];
      expect(after?.Type).toBe(before.Type);
      if (JSON.stringify(after) !== JSON.stringify(before)) changed.push(logicalId);
    }
    expect(changed.sort()).toEqual(
      [id(on, 'Send/Function/Resource'), id(on, 'Status/Function/Resource'), id(on, 'Send/Role/DefaultPolicy/Resource'), id(on, 'Dashboard/Dashboard/Resource')].sort(),
    );
  });

  test('adds exactly the configuration set, its topic with policy, key and subscription, the invoke permission and the failover alarm', () => {
    const added = Object.entries(on.json.Resources)
      .filter(([logicalId]) => !(logicalId in off.json.Resources))
      .map(([logicalId, r]) => `${r.Type} ${logicalId}`)
      .sort();
    expect(added).toEqual(
      [
        `AWS::SMSVOICE::ConfigurationSet ${id(on, 'AwsSms/ConfigurationSet')}`,
        `AWS::SNS::Topic ${id(on, 'AwsSms/Events/Resource')}`,
        `AWS::SNS::TopicPolicy ${id(on, 'AwsSms/Events/Policy/Resource')}`,
        `AWS::KMS::Key ${id(on, 'AwsSms/EventsKey/Resource')}`,
        `AWS::SNS::Subscription ${id(on, 'Status/Function/Events/Resource')}`,
        `AWS::Lambda::Permission ${resourcesOfType(on.json, 'AWS::Lambda::Permission').find(([, p]) => p.Properties!.Principal === 'sns.amazonaws.com')![0]}`,
        `AWS::CloudWatch::Alarm ${id(on, 'Alarms/Failover/Resource')}`,
      ].sort(),
    );
  });

  test('the template has no dependency cycle', () => {
    expect(dependencyCycle(on.json)).toBeUndefined();
  });

  test('cdk-nag AwsSolutions finds nothing, and no acknowledgement is added for it', () => {
    const report = JSON.parse(fs.readFileSync(path.join(on.outdir, 'validation-report.json'), 'utf8'));
    const findings = report.pluginReports.flatMap((r: any) => r.violations.map((v: any) => v.ruleName));
    expect(findings).toEqual([]);
    const suppressed = report.pluginReports.flatMap((r: any) => (r.suppressedViolations ?? []).map((v: any) => v.ruleName)).sort();
    expect(suppressed).toEqual(['AwsSolutions-APIG4', 'AwsSolutions-APIG4', 'AwsSolutions-APIG4', 'AwsSolutions-SMG4']);
  });
});

describe('the configuration set', () => {
  test('has the name given, and one enabled SNS event destination for the final SMS and voice events', () => {
    const set = resource(on, 'AwsSms/ConfigurationSet');
    expect(set.Properties).toEqual({
      ConfigurationSetName: 'mfa-codes',
      EventDestinations: [
        {
          EventDestinationName: 'status-lambda',
          Enabled: true,
          MatchingEventTypes: [...FINAL_EVENT_TYPES],
          SnsDestination: { TopicArn: { Ref: id(on, 'AwsSms/Events/Resource') } },
        },
      ],
    });
  });

  test('final events only: no intermediate state, no TEXT_SENT (refused by AWS), nothing of MMS or RCS', () => {
    expect(FINAL_EVENT_TYPES).toEqual(expect.arrayContaining(['TEXT_DELIVERED', 'TEXT_SUCCESSFUL', 'TEXT_UNKNOWN', 'VOICE_COMPLETED', 'VOICE_FAILED']));
    for (const type of ['TEXT_SENT', 'TEXT_QUEUED', 'TEXT_PENDING', 'VOICE_INITIATED', 'VOICE_RINGING', 'VOICE_ANSWERED', 'TEXT_ALL', 'ALL']) {
      expect(FINAL_EVENT_TYPES).not.toContain(type);
    }
    expect(FINAL_EVENT_TYPES.every((type) => /^(TEXT|VOICE)_/.test(type))).toBe(true);
  });

  test('is created after the topic policy and the subscription, so that no event of the first sends is refused or lost', () => {
    expect(resource(on, 'AwsSms/ConfigurationSet').DependsOn).toEqual(
      expect.arrayContaining([id(on, 'AwsSms/Events/Resource'), id(on, 'AwsSms/Events/Policy/Resource'), id(on, 'Status/Function/Events/Resource')]),
    );
  });

  test('is named after the stack when awsSms names only the identity', () => {
    const s = synthGateway({ awsSms: POOL_ID });
    expect(resource(s, 'AwsSms/ConfigurationSet').Properties!.ConfigurationSetName).toBe('MfaSmsGateway');
  });
});

describe('the events topic', () => {
  test('is encrypted with its own key, rotated yearly, deleted with the stack', () => {
    const topic = resource(on, 'AwsSms/Events/Resource');
    const keyId = id(on, 'AwsSms/EventsKey/Resource');
    expect(topic.Properties).toEqual({
      TopicName: 'MfaSmsGateway-aws-sms-events',
      DisplayName: 'MFA SMS gateway: AWS End User Messaging delivery events',
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    expect(on.json.Resources[keyId]).toMatchObject({ Properties: { EnableKeyRotation: true, PendingWindowInDays: 7 }, DeletionPolicy: 'Delete' });
  });

  test('its policy requires TLS, and lets sms-voice.amazonaws.com publish for this account\'s configuration set only', () => {
    const topicRef = { Ref: id(on, 'AwsSms/Events/Resource') };
    expect(resource(on, 'AwsSms/Events/Policy/Resource').Properties).toEqual({
      Topics: [topicRef],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AllowPublishThroughSSLOnly',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Resource: topicRef,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          {
            Sid: 'AwsEndUserMessagingPublishesEvents',
            Effect: 'Allow',
            Principal: { Service: 'sms-voice.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: topicRef,
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': localArn('sms-voice', 'configuration-set/mfa-codes') },
            },
          },
        ],
      },
    });
  });

  test('its key lets sms-voice.amazonaws.com make data keys for this topic only; the account keeps the key', () => {
    const statements = resource(on, 'AwsSms/EventsKey/Resource').Properties!.KeyPolicy.Statement as any[];
    expect(statements).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'kms:*', Principal: { AWS: expect.anything() } }),
      {
        Sid: 'AwsEndUserMessagingPublishesEvents',
        Effect: 'Allow',
        Principal: { Service: 'sms-voice.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': localArn('sns', 'MfaSmsGateway-aws-sms-events') } },
      },
    ]);
  });

  test('the status Lambda is its one subscriber, by a Lambda subscription', () => {
    const topicRef = { Ref: id(on, 'AwsSms/Events/Resource') };
    const subscriptions = resourcesOfType(on.json, 'AWS::SNS::Subscription');
    expect(subscriptions.map(([, r]) => r.Properties)).toEqual([
      { Protocol: 'lambda', TopicArn: topicRef, Endpoint: { 'Fn::GetAtt': [id(on, 'Status/Function/Resource'), 'Arn'] } },
    ]);
  });

  test('SNS may invoke the status Lambda from this topic only; the API routes keep their own permissions', () => {
    const permissions = resourcesOfType(on.json, 'AWS::Lambda::Permission').map(([, r]) => r.Properties!);
    expect(permissions.filter((p) => p.Principal === 'sns.amazonaws.com')).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [id(on, 'Status/Function/Resource'), 'Arn'] },
        Principal: 'sns.amazonaws.com',
        SourceArn: { Ref: id(on, 'AwsSms/Events/Resource') },
      },
    ]);
    expect(permissions.filter((p) => p.Principal === 'apigateway.amazonaws.com')).toHaveLength(3);
    expect(permissions).toHaveLength(4);
  });
});

describe('the Lambdas', () => {
  test('send: the identity as an ARN, the configuration set, and PROVIDERS and PROVIDER_ROUTES as given', () => {
    expect(environment(on, 'Send')).toMatchObject({
      AWS_SMS_ORIGINATION_IDENTITY: localArn('sms-voice', `phone-number/${PHONE_ID}`),
      AWS_SMS_CONFIGURATION_SET: { Ref: id(on, 'AwsSms/ConfigurationSet') },
      PROVIDERS: 'twilio,aws',
      PROVIDER_ROUTES: 'IN=aws;*=twilio,aws',
    });
    expect(environment(on, 'Send').AWS_SMS_EVENTS_TOPIC_ARN).toBeUndefined();
  });

  test('status: the events topic it accepts records from, and nothing else new', () => {
    const before = environment(off, 'Status');
    expect(environment(on, 'Status')).toEqual({ ...before, AWS_SMS_EVENTS_TOPIC_ARN: { Ref: id(on, 'AwsSms/Events/Resource') } });
  });

  test('send may do exactly SendTextMessage and SendVoiceMessage, on the identity and the configuration set; no wildcard', () => {
    expect(smsStatements(on)).toHaveLength(1);
    const [statement] = smsStatements(on);
    expect(statement).toEqual({ Effect: 'Allow', Action: ['sms-voice:SendTextMessage', 'sms-voice:SendVoiceMessage'], Resource: expect.any(Array) });
    expect(statement.Resource).toHaveLength(2);
    expect(statement.Resource).toEqual(
      expect.arrayContaining([localArn('sms-voice', `phone-number/${PHONE_ID}`), { 'Fn::GetAtt': [id(on, 'AwsSms/ConfigurationSet'), 'Arn'] }]),
    );
    for (const [, policy] of resourcesOfType(on.json, 'AWS::IAM::Policy')) {
      for (const st of policy.Properties!.PolicyDocument.Statement) expect(JSON.stringify([st.Action, st.Resource])).not.toContain('*');
    }
  });

  test('status gets no sms-voice, SNS or KMS permission: SNS invokes it, and decrypts for it', () => {
    expect(policyStatements(on, 'Status')).toEqual(policyStatements(off, 'Status'));
  });

  test('the outputs name the identity and the configuration set', () => {
    expect(on.json.Outputs!.AwsSmsOriginationIdentity.Value).toEqual(localArn('sms-voice', `phone-number/${PHONE_ID}`));
    expect(on.json.Outputs!.AwsSmsConfigurationSet.Value).toEqual({ Ref: id(on, 'AwsSms/ConfigurationSet') });
  });
});

describe.each([
  ['a pool ID', POOL_ID, localArn('sms-voice', `pool/${POOL_ID}`), ['sms-voice:SendTextMessage', 'sms-voice:SendVoiceMessage']],
  ['a sender ID with its country', 'MyBrand/gb', localArn('sms-voice', 'sender-id/MyBrand/GB'), 'sms-voice:SendTextMessage'],
  ['the ARN of a phone number shared from another account', SHARED_PHONE_ARN, SHARED_PHONE_ARN, ['sms-voice:SendTextMessage', 'sms-voice:SendVoiceMessage']],
])('the identity as %s', (_form, value, arn, actions) => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthGateway({ awsSms: `originationIdentity=${value},configurationSet=codes` });
  });

  test('is the ARN the send Lambda sends from, and the one its policy names', () => {
    expect(environment(s, 'Send').AWS_SMS_ORIGINATION_IDENTITY).toEqual(arn);
    const [statement, ...others] = smsStatements(s);
    expect(others).toEqual([]);
    expect(statement.Action).toEqual(actions);
    expect(statement.Resource).toEqual(expect.arrayContaining([arn, { 'Fn::GetAtt': [id(s, 'AwsSms/ConfigurationSet'), 'Arn'] }]));
    expect(statement.Resource).toHaveLength(2);
  });
});

describe('alarm and dashboard', () => {
  test('watch every provider that can send, and only those', () => {
    expect([...METERED_PROVIDERS].sort()).toEqual([...SENDING_PROVIDERS].sort());
  });

  const alarm = (s: Synthesized, name: string): CfnResourceJson | undefined =>
    resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').find(([, a]) => a.Properties!.AlarmName === name)?.[1];

  test('provider-failover fires on a single failover in 5 minutes, either way, and notifies the alarm topic with a runbook', () => {
    const p = alarm(on, 'MfaSmsGateway-provider-failover')!.Properties!;
    const topicRef = { Ref: id(on, 'AlarmTopic/Resource') };
    expect(p).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
    expect(p.AlarmDescription).toMatch(/Runbook: docs\/operations\.md, section "Alarms"/);
    const stats = (p.Metrics as any[]).filter((m) => m.MetricStat);
    expect(stats.map((m) => [m.MetricStat.Metric.Namespace, m.MetricStat.Metric.MetricName, m.MetricStat.Metric.Dimensions, m.MetricStat.Stat, m.MetricStat.Period])).toEqual([
      ['SmsGateway', 'ProviderFailover', [{ Name: 'From', Value: 'twilio' }, { Name: 'To', Value: 'aws' }], 'Sum', 300],
      ['SmsGateway', 'ProviderFailover', [{ Name: 'From', Value: 'aws' }, { Name: 'To', Value: 'twilio' }], 'Sum', 300],
    ]);
    const [expression] = (p.Metrics as any[]).filter((m) => m.Expression);
    expect(expression).toMatchObject({ ReturnData: true, Expression: stats.map((m) => `FILL(${m.Id}, 0)`).join(' + ') });
  });

  test('the existing alarms read the series they read with AWS off', () => {
    const names = resourcesOfType(off.json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!.AlarmName as string);
    expect(names).toHaveLength(6);
    for (const name of names) expect(alarm(on, name)).toEqual(alarm(off, name));
  });

  describe('the dashboard', () => {
    let widgets: ReturnType<typeof dashboardWidgets>;
    beforeAll(() => {
      widgets = dashboardWidgets(on.json);
    });
    const titled = (title: string) => widgets.find((w) => w.properties.title === title)!.properties;

    test('shows the seven alarms', () => {
      expect(titled('Alarms').alarms).toHaveLength(7);
    });

    test.each([
      ['Twilio', 'twilio'],
      ['AWS End User Messaging', 'aws'],
    ])('%s: sends and deliveries from the Channel+Provider series, both channels summed', (title, provider) => {
      const metrics = titled(`${title}: sent / delivered / undelivered / failed / unconfirmed`).metrics as any[][];
      const expressions = metrics.filter((m) => m[0].expression).map((m) => m[0].label);
      expect(expressions).toEqual(['MessageSent', 'MessageDelivered', 'MessageUndelivered', 'MessageFailed', 'SendFailed', 'SendUnconfirmed']);
      const series = metrics.filter((m) => !m[0].expression).map((m) => m.slice(0, 6));
      expect(series).toHaveLength(12);
      for (const m of series) expect(m).toEqual(['SmsGateway', expect.any(String), 'Channel', expect.stringMatching(/^(sms|voice)$/), 'Provider', provider]);
    });

    test('failovers by From and To', () => {
      const metrics = titled('Failovers to the next provider').metrics as any[][];
      expect(metrics.map((m) => m.slice(0, 6))).toEqual(FAILOVER_PAIRS.map(([from, to]) => ['SmsGateway', 'ProviderFailover', 'From', from, 'To', to]));
    });

    test('with AWS off, none of it', () => {
      expect(dashboardWidgets(off.json).map((w) => w.properties.title)).not.toContain('Failovers to the next provider');
    });
  });
});
