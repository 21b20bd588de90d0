import * as fs from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { DEFAULTS } from '../../cdk/config';
import { SIGNING_KEY_HANDLER_FILE } from '../../cdk/constructs/signing-key';
import { dependencyCycle, logicalIdOf, referencedIds, resourcesOfType, synthGateway, type Synthesized, removeAssemblies } from './synth';

/**
 * The stack with no context at all (what `npx cdk deploy` builds on a fresh clone): every
 * resource and property the deploy issue asks for, asserted on the synthesized template.
 */

let s: Synthesized;
let ids: Record<'send' | 'status' | 'signingKey' | 'secret' | 'table' | 'api' | 'topic' | 'sendLogs' | 'statusLogs', string>;

beforeAll(() => {
  s = synthGateway();
  ids = {
    send: logicalIdOf(s.stack, 'Send/Function/Resource'),
    status: logicalIdOf(s.stack, 'Status/Function/Resource'),
    signingKey: logicalIdOf(s.stack, 'SigningKey/Handler/Resource'),
    secret: logicalIdOf(s.stack, 'GatewaySecret/Secret/Resource'),
    table: logicalIdOf(s.stack, 'State/Table/Resource'),
    api: logicalIdOf(s.stack, 'Http/Api/Resource'),
    topic: logicalIdOf(s.stack, 'AlarmTopic/Resource'),
    sendLogs: logicalIdOf(s.stack, 'Send/Logs/Resource'),
    statusLogs: logicalIdOf(s.stack, 'Status/Logs/Resource'),
  };
});

afterAll(removeAssemblies);

const apiEndpoint = () => ({ 'Fn::GetAtt': [ids.api, 'ApiEndpoint'] });
const url = (path: string) => ({ 'Fn::Join': ['', [apiEndpoint(), path]] });
const fn = (id: string) => s.json.Resources[id];

// The Parameters and Secrets extension's settings, set by CDK with the layer.
const EXTENSION_ENV = {
  PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED: 'false',
  PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE: '1000',
  PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '2773',
  PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL: 'warn',
  PARAMETERS_SECRETS_EXTENSION_MAX_CONNECTIONS: '3',
  SECRETS_MANAGER_TIMEOUT_MILLIS: '0',
  SECRETS_MANAGER_TTL: '300',
  SSM_PARAMETER_STORE_TIMEOUT_MILLIS: '0',
  SSM_PARAMETER_STORE_TTL: '300',
};

describe('HTTP API', () => {
  test.each([
    ['ANY /messages', 'send'],
    ['ANY /twilio/status', 'status'],
    ['$default', 'send'],
  ] as const)('%s goes to the %s Lambda (payload format 2.0)', (routeKey, lambda) => {
    const [routeId, route] = resourcesOfType(s.json, 'AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties?.RouteKey === routeKey)!;
    expect(route.Properties).toMatchObject({ ApiId: { Ref: ids.api }, AuthorizationType: 'NONE' });
    const integrationId = JSON.stringify(route.Properties!.Target).match(/"Ref":"([A-Za-z0-9]+)"/)![1];
    expect(fn(integrationId).Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [ids[lambda], 'Arn'] },
    });
    expect(routeId).toBeDefined();
  });

  test('has only those routes: every method reaches the handlers, which answer 405 and 404 in JSON', () => {
    expect(resourcesOfType(s.json, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties!.RouteKey).sort()).toEqual([
      '$default',
      'ANY /messages',
      'ANY /twilio/status',
    ]);
  });

  test('API Gateway may invoke each Lambda only from its own route of this API', () => {
    for (const [lambda, path] of [
      ['send', '/messages'],
      ['status', '/twilio/status'],
    ] as const) {
      s.template.hasResourceProperties('AWS::Lambda::Permission', {
        FunctionName: { 'Fn::GetAtt': [ids[lambda], 'Arn'] },
        Principal: 'apigateway.amazonaws.com',
        SourceArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: ids.api }, `/*/*${path}`])] },
      });
    }
    // And the send Lambda from the $default route, for its 404s: still only this API.
    s.template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [ids.send, 'Arn'] },
      SourceArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: ids.api }, '/*/*'])] },
    });
    expect(resourcesOfType(s.json, 'AWS::Lambda::Permission')).toHaveLength(3);
  });

  test('the $default stage deploys automatically, is throttled, and writes JSON access logs to a log group with retention', () => {
    const [, stage] = resourcesOfType(s.json, 'AWS::ApiGatewayV2::Stage')[0];
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: DEFAULTS.throttleRate, ThrottlingBurstLimit: DEFAULTS.throttleBurst },
    });
    const logGroupId = stage.Properties!.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    expect(fn(logGroupId).Properties).toMatchObject({ RetentionInDays: 30 });
    const format = JSON.parse(stage.Properties!.AccessLogSettings.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status' });
    // Nothing that could carry the phone number or the code.
    expect(Object.values(format).join(' ')).not.toMatch(/requestOverride|body|querystring|\$input/i);
  });
});

describe('Lambdas', () => {
  test('all three run on Node.js 24 (the newest CDK offers) on arm64', () => {
    const functions = resourcesOfType(s.json, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(3);
    for (const [, f] of functions) expect(f.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
  });

  test('send: 512 MB, 10 s (below Auth0\'s 20 s, above the Twilio adapter\'s 8 s), handler bundled from lambda/send.ts', () => {
    expect(fn(ids.send).Properties).toMatchObject({ MemorySize: 512, Timeout: 10, Handler: 'index.handler' });
    expect(fn(ids.send).Properties!.Timeout).toBeGreaterThan(8);
    expect(fn(ids.send).Properties!.Timeout).toBeLessThan(20);
  });

  test('status: 256 MB, 8 s', () => {
    expect(fn(ids.status).Properties).toMatchObject({ MemorySize: 256, Timeout: 8, Handler: 'index.handler' });
  });

  test('send environment: secret, callback URL from the API endpoint, state table, metrics namespace; no limits unless configured', () => {
    expect(fn(ids.send).Properties!.Environment.Variables).toEqual({
      SECRET_ARN: { Ref: ids.secret },
      STATUS_CALLBACK_URL: url('/twilio/status'),
      STATE_TABLE: { Ref: ids.table },
      POWERTOOLS_METRICS_NAMESPACE: 'SmsGateway',
      POWERTOOLS_SERVICE_NAME: 'sms-gateway-send',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
      ...EXTENSION_ENV,
    });
  });

  test('status environment: the same secret and callback URL (it verifies Twilio signatures against both), the state table', () => {
    expect(fn(ids.status).Properties!.Environment.Variables).toEqual({
      SECRET_ARN: { Ref: ids.secret },
      STATUS_CALLBACK_URL: url('/twilio/status'),
      STATE_TABLE: { Ref: ids.table },
      POWERTOOLS_METRICS_NAMESPACE: 'SmsGateway',
      POWERTOOLS_SERVICE_NAME: 'sms-gateway-status',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
      ...EXTENSION_ENV,
    });
  });

  test('both read the secret through the Parameters and Secrets extension layer, its cache off', () => {
    for (const id of [ids.send, ids.status]) {
      const layers = fn(id).Properties!.Layers as unknown[];
      expect(layers).toHaveLength(1);
      // The extension's arm64 layer, looked up by region so the stack stays region-agnostic.
      expect(layers[0]).toEqual({ 'Fn::FindInMap': [expect.stringMatching(/^Paramsandsecrets/), { Ref: 'AWS::Region' }, '1x0x103xarm64'] });
    }
  });

  test('each Lambda logs to its own log group with one month of retention', () => {
    for (const [id, f] of resourcesOfType(s.json, 'AWS::Lambda::Function')) {
      const logGroupId = f.Properties!.LoggingConfig.LogGroup.Ref;
      expect(fn(logGroupId)).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
      expect(id).toBeDefined();
    }
    expect(fn(ids.send).Properties!.LoggingConfig.LogGroup.Ref).toBe(ids.sendLogs);
    expect(fn(ids.status).Properties!.LoggingConfig.LogGroup.Ref).toBe(ids.statusLogs);
  });

  test('every log group has a retention', () => {
    const groups = resourcesOfType(s.json, 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(4);
    for (const [, group] of groups) expect(group.Properties!.RetentionInDays).toBe(30);
  });
});

describe('IAM', () => {
  const policyOf = (functionId: string) => {
    const roleId = fn(functionId).Properties!.Role['Fn::GetAtt'][0];
    const policies = resourcesOfType(s.json, 'AWS::IAM::Policy').filter(([, p]) => p.Properties!.Roles.some((r: any) => r.Ref === roleId));
    expect(policies).toHaveLength(1);
    return { roleId, statements: policies[0][1].Properties!.PolicyDocument.Statement as any[] };
  };
  const logsStatement = (logGroupId: string) => ({
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
  });

  test('send may write its logs, read the one secret, and do four item operations on the state table; nothing else', () => {
    expect(policyOf(ids.send).statements).toEqual([
      logsStatement(ids.sendLogs),
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: ids.secret } },
      {
        Effect: 'Allow',
        Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': [ids.table, 'Arn'] },
      },
    ]);
  });

  test('status may write its logs, read the one secret, and put delivery# items into the state table; nothing else', () => {
    expect(policyOf(ids.status).statements).toEqual([
      logsStatement(ids.statusLogs),
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: ids.secret } },
      {
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: { 'Fn::GetAtt': [ids.table, 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['delivery#*'] } },
      },
    ]);
  });

  test('the signing-key function may read and write the one secret; nothing else', () => {
    const logGroupId = fn(ids.signingKey).Properties!.LoggingConfig.LogGroup.Ref;
    expect(policyOf(ids.signingKey).statements).toEqual([
      logsStatement(logGroupId),
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], Resource: { Ref: ids.secret } },
    ]);
  });

  test('no wildcard resource or action, no managed policy, no PutMetricData anywhere', () => {
    for (const [, policy] of resourcesOfType(s.json, 'AWS::IAM::Policy')) {
      for (const statement of policy.Properties!.PolicyDocument.Statement) {
        expect(JSON.stringify(statement.Resource)).not.toContain('*');
        expect(JSON.stringify(statement.Action)).not.toContain('*');
        expect(JSON.stringify(statement.Action)).not.toContain('PutMetricData');
      }
    }
    for (const [, role] of resourcesOfType(s.json, 'AWS::IAM::Role')) {
      expect(role.Properties!.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties!.Policies).toBeUndefined();
      expect(role.Properties!.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
    }
  });
});

describe('secret', () => {
  test('is created with empty Twilio keys to fill in, and retained when the stack is deleted', () => {
    const secret = fn(ids.secret);
    expect(secret).toMatchObject({ Type: 'AWS::SecretsManager::Secret', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(JSON.parse(secret.Properties!.SecretString)).toEqual({
      TWILIO_ACCOUNT_SID: '',
      TWILIO_AUTH_TOKEN: '',
      TWILIO_API_KEY_SID: '',
      TWILIO_API_KEY_SECRET: '',
      TWILIO_MESSAGING_SERVICE_SID: '',
      TWILIO_PHONE_NUMBER: '',
    });
    // The signing key is never in the template: it is generated in the account.
    expect(JSON.stringify(s.json)).not.toMatch(/whsec_[A-Za-z0-9+/]{20,}/);
  });

  test('a custom resource generates SMS_GATEWAY_SIGNING_SECRET and SMS_GATEWAY_RATE_LIMIT_KEY into it, with the handler inline', () => {
    s.template.hasResource('Custom::SigningKey', {
      Properties: {
        ServiceToken: { 'Fn::GetAtt': [ids.signingKey, 'Arn'] },
        SecretArn: { Ref: ids.secret },
        SigningKeyName: 'SMS_GATEWAY_SIGNING_SECRET',
        RateLimitKeyName: 'SMS_GATEWAY_RATE_LIMIT_KEY',
      },
      DependsOn: Match.arrayWith([logicalIdOf(s.stack, 'SigningKey/Role/DefaultPolicy/Resource')]),
    });
    expect(fn(ids.signingKey).Properties).toMatchObject({
      Handler: 'index.handler',
      Code: { ZipFile: fs.readFileSync(SIGNING_KEY_HANDLER_FILE, 'utf8') },
      MemorySize: 128,
    });
  });
});

describe('state table', () => {
  test('on demand, partition key id (string), TTL on expiration, point-in-time recovery on, removed with the stack', () => {
    expect(fn(ids.table)).toMatchObject({
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Delete',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    });
    expect(fn(ids.table).Properties!.GlobalSecondaryIndexes).toBeUndefined();
    expect(fn(ids.table).Properties!.StreamSpecification).toBeUndefined();
  });
});

describe('alarm topic', () => {
  test('requires TLS from publishers and has no subscription unless alarmEmail is given', () => {
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: ids.topic }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    s.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('outputs', () => {
  test('the /messages URL, the status callback URL, the secret, the topic, the dashboard URL and the table', () => {
    const outputs = s.json.Outputs!;
    expect(outputs.MessagesUrl.Value).toEqual(url('/messages'));
    expect(outputs.StatusCallbackUrl.Value).toEqual(url('/twilio/status'));
    expect(outputs.SecretArn.Value).toEqual({ Ref: ids.secret });
    expect(outputs.AlarmTopicArn.Value).toEqual({ Ref: ids.topic });
    expect(outputs.StateTableName.Value).toEqual({ Ref: ids.table });
    expect(JSON.stringify(outputs.DashboardUrl.Value)).toContain('#dashboards/dashboard/MfaSmsGateway');
  });
});

describe('dependencies', () => {
  test('the template has no dependency cycle (the callback URL comes from the API, not from a route or stage)', () => {
    expect(dependencyCycle(s.json)).toBeUndefined();
    // The Lambdas depend on the API itself, and the routes on the Lambdas: the acyclic way round.
    expect(referencedIds(fn(ids.send).Properties)).toContain(ids.api);
  });
});
