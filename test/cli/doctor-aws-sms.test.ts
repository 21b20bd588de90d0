import { FaultProxy, refusedUrl, type Fault, type ProxiedRequest } from '../support/fault-proxy';
import { SECRET_ARN, World } from './support/world';

/**
 * `sms-gateway doctor` with AWS End User Messaging: a stack deployed with awsSms on and
 * PROVIDERS=twilio,aws, the loopback AWS End User Messaging (test/support/fake-aws-sms.ts) read
 * through AWS's own client. Each fault of the account or of the deployment turns the check that
 * owns it to FAIL or WARN with its fix; each fault of the network or of AWS's answers is reported,
 * never a hang or a crash.
 */

interface Report {
  code: number;
  statuses: Record<string, string>;
  check(id: string): { id: string; status: string; detail: string; fix: string | null };
}

const AWS_CHECKS = ['providers.routes', 'aws-sms.account', 'aws-sms.identity', 'aws-sms.countries', 'aws-sms.voice', 'aws-sms.spend-limit', 'aws-sms.configuration-set'];
const NO_AUTH0 = { AUTH0_DOMAIN: undefined, AUTH0_CLIENT_ID: undefined, AUTH0_CLIENT_SECRET: undefined };
const TIMEOUT_MS = 300;

let world: World;

beforeAll(async () => {
  world = await World.start({ awsSms: true, providers: 'twilio,aws' });
});

afterAll(async () => {
  await world.close();
});

beforeEach(() => {
  world.reset();
});

/** Every detail and fix is one sentence. */
function expectOneSentence(text: string): void {
  expect(text).not.toMatch(/\.\s+[A-Z]/);
}

async function doctor(env: Record<string, string | undefined> = NO_AUTH0): Promise<Report> {
  const run = await world.run(['doctor', '--json'], env, { awsTimeoutMs: TIMEOUT_MS });
  expect(run.stderr).toBe('');
  const document = JSON.parse(run.stdout) as { checks: { id: string; status: string; detail: string; fix: string | null }[] };
  for (const check of document.checks) for (const text of [check.detail, check.fix]) if (text) expectOneSentence(text);
  return {
    code: run.code,
    statuses: Object.fromEntries(document.checks.map((check) => [check.id, check.status])),
    check: (id) => document.checks.find((check) => check.id === id)!,
  };
}

function account() {
  return world.awsSms!.account;
}

function withSecret(changes: Record<string, string>): void {
  world.secrets.put(SECRET_ARN, { ...world.secretValues, ...changes });
}

describe('a healthy deployment with AWS End User Messaging', () => {
  it('passes the routes and every AWS End User Messaging check, reading only', async () => {
    const report = await doctor();

    expect(report.code).toBe(0);
    for (const id of AWS_CHECKS) expect([id, report.statuses[id]]).toEqual([id, id === 'aws-sms.voice' ? 'PASS' : 'PASS']);
    expect(report.check('providers.routes').detail).toBe(`send Lambda's PROVIDERS: twilio, then aws; twilio has its keys, aws sends from ${world.awsSmsIdentityArn} (the stack's awsSms)`);
    expect(report.check('aws-sms.account').detail).toBe('the account is out of the SMS sandbox in us-east-1 (ACCOUNT_TIER PRODUCTION)');
    expect(report.check('aws-sms.identity').detail).toBe(`the pool ${world.awsSmsIdentityArn} from the stack's awsSms is ACTIVE in us-east-1 and sends SMS and calls`);
    expect(report.check('aws-sms.countries').detail).toBe(`${world.awsSmsIdentityArn} reaches US, CA of send Lambda's ALLOWED_COUNTRIES`);
    expect(report.check('aws-sms.voice').detail).toBe(`${world.awsSmsIdentityArn} can place calls`);
    expect(report.check('aws-sms.spend-limit').detail).toBe('monthly spend limits: SMS $1000; voice $1000; AWS refuses every send past them until the month ends');
    expect(report.check('aws-sms.configuration-set').detail).toBe(
      'the configuration set sms-gateway sends 5 event types to the SNS topic arn:aws:sns:us-east-1:111122223333:MfaSmsGateway-aws-sms-events (event destination status-lambda)',
    );
    // Reads only, all signed with the caller's credentials: nothing was sent.
    expect(world.awsSms!.sent).toEqual([]);
    expect(world.awsSms!.requests.every((request) => request.signed && /^(Describe|List|Get)/.test(request.operation))).toBe(true);
  });
});

describe('the routes', () => {
  it('fails routes the send Lambda cannot parse, with the parser\'s words', async () => {
    world.setDeployed({ providers: 'twilio,sms' });

    const report = await doctor();

    expect(report.code).toBe(1);
    expect(report.check('providers.routes')).toEqual({
      id: 'providers.routes',
      status: 'FAIL',
      detail: 'the send Lambda would not start: PROVIDERS has "sms": the providers are twilio, aws, in failover order, like twilio,aws',
      fix: 'deploy with valid -c providers=... and -c providerRoutes=..., as docs/configuration.md describes them',
    });
    expect(report.statuses['aws-sms.account']).toBe('SKIP');
  });

  it('fails a route to aws without an origination identity, and a route to twilio without its keys', async () => {
    world.setStack(world.messagesUrl, null);
    expect((await doctor()).check('providers.routes')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('the routes name aws (send Lambda\'s PROVIDERS: twilio, then aws), but no origination identity is set') });

    world.reset();
    world.secrets.put(SECRET_ARN, { SMS_GATEWAY_SIGNING_SECRET: world.signingSecret });
    const report = await doctor();
    expect(report.check('providers.routes')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('the secret has no Twilio keys, so messages routed to twilio fail with 500 configuration_error') });
    expect(report.check('aws.secret')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('no Twilio keys') });
  });

  it('checks a deployment that routes to aws alone, without Twilio keys', async () => {
    world.setDeployed({ providers: 'aws' });
    world.secrets.put(SECRET_ARN, { SMS_GATEWAY_SIGNING_SECRET: world.signingSecret, SMS_GATEWAY_RATE_LIMIT_KEY: world.secretValues.SMS_GATEWAY_RATE_LIMIT_KEY });

    const report = await doctor();

    expect(report.check('providers.routes')).toMatchObject({ status: 'PASS', detail: expect.stringMatching(/^send Lambda's PROVIDERS: aws; aws sends from/) });
    expect(report.check('aws.secret')).toMatchObject({ status: 'PASS', detail: `secret ${SECRET_ARN}: complete; no Twilio keys` });
    expect(report.check('twilio.credentials').status).toBe('SKIP');
  });
});

describe('the account and the origination identity', () => {
  it('warns about the sandbox when aws only takes over, and fails it when a route sends through aws first', async () => {
    account().accountTier = 'SANDBOX';
    expect((await doctor()).check('aws-sms.account')).toMatchObject({
      status: 'WARN',
      detail: 'the account is in the SMS sandbox in us-east-1 (ACCOUNT_TIER SANDBOX), so AWS sends only to its verified destination numbers, and a failover to aws reaches nobody else',
      fix: expect.stringContaining('production access'),
    });

    world.setDeployed({ providerRoutes: 'CA=aws,twilio' });
    expect((await doctor()).check('aws-sms.account')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('codes routed to aws first reach nobody else') });

    account().accountTier = 'SOMETHING_NEW';
    expect((await doctor()).check('aws-sms.account')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('did not say whether the account is in the sandbox') });
  });

  it('fails an identity the account does not have', async () => {
    world.setStack(world.messagesUrl, { identity: world.awsSmsIdentityArn.replace(/pool-\w+$/, `pool-${'0'.repeat(32)}`), configurationSet: 'sms-gateway' });

    const report = await doctor();

    expect(report.code).toBe(1);
    expect(report.check('aws-sms.identity')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('is no pool of the account in us-east-1, so AWS refuses every send from it (ResourceNotFoundException)') });
    for (const id of ['aws-sms.countries', 'aws-sms.voice']) expect(report.check(id).detail).toBe('not checked: the origination identity was not found (see aws-sms.identity)');
  });

  it('fails an identity in the secret that the stack does not let its send Lambda send from', async () => {
    withSecret({ AWS_SMS_ORIGINATION_IDENTITY: '+12065550152' });

    const report = await doctor();

    expect(report.check('aws-sms.identity')).toMatchObject({
      status: 'FAIL',
      detail: `the stack lets its send Lambda send from ${world.awsSmsIdentityArn} only, so AWS refuses sends from the phone number +1206***0152 from the secret (AccessDeniedException)`,
    });
    expect(JSON.stringify(report.check('aws-sms.identity'))).not.toContain('+12065550152');

    // The number's own ARN in the stack: the number, found by listing the account's, is the one granted.
    const numberArn = `arn:aws:sms-voice:us-east-1:111122223333:phone-number/${account().phoneNumbers[0].PhoneNumberId}`;
    world.setStack(world.messagesUrl, { identity: numberArn, configurationSet: 'sms-gateway' });
    expect((await doctor()).check('aws-sms.identity')).toMatchObject({ status: 'PASS', detail: 'the phone number +1206***0152 from the secret is ACTIVE in us-east-1 and sends SMS and calls' });
  });

  it('fails a pool that is not active, or has no number; warns about a sender ID not registered', async () => {
    account().pools[0].Status = 'CREATING';
    expect((await doctor()).check('aws-sms.identity')).toMatchObject({ status: 'FAIL', detail: `the pool ${world.awsSmsIdentityArn} is CREATING, and sends nothing until it is ACTIVE` });

    account().reset();
    for (const number of account().phoneNumbers) delete number.PoolId;
    expect((await doctor()).check('aws-sms.identity')).toMatchObject({ status: 'FAIL', detail: `the pool ${world.awsSmsIdentityArn} has no phone number or sender ID, so it sends nothing` });

    account().reset();
    account().senderIds[0].Registered = false;
    const senderArn = 'arn:aws:sms-voice:us-east-1:111122223333:sender-id/MFACODE/GB';
    world.setStack(world.messagesUrl, { identity: senderArn, configurationSet: 'sms-gateway' });
    expect((await doctor()).check('aws-sms.identity')).toMatchObject({ status: 'WARN', detail: `the sender ID ${senderArn} is not registered in GB, and countries that require registration refuse it (SENDER_ID_NOT_REGISTERED)` });
  });
});

describe('the countries', () => {
  it('fails a country routed to aws first that the identity has no number of, and only warns when aws merely takes over', async () => {
    world.setDeployed({ allowedCountries: 'US,CA,GB', providerRoutes: 'GB=aws,twilio' });
    expect((await doctor()).check('aws-sms.countries')).toMatchObject({
      status: 'FAIL',
      detail: `${world.awsSmsIdentityArn} has no number or sender ID of GB, so AWS cannot send there (routed to aws: GB: aws, then twilio; elsewhere: twilio, then aws)`,
      fix: expect.stringContaining('providerRoutes'),
    });

    world.setDeployed({ allowedCountries: 'US,CA,GB' });
    expect((await doctor()).check('aws-sms.countries')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('has no number or sender ID of GB, so AWS cannot send there') });

    account().pools[0].SharedRoutesEnabled = true;
    expect((await doctor()).check('aws-sms.countries')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('reaches them only through shared routes') });
  });

  it("fails a country the account's protect configuration blocks", async () => {
    account().protectConfigurations.set('protect-1', { SMS: { CA: 'BLOCK', US: 'ALLOW' }, VOICE: {} });
    account().defaultProtectConfigurationId = 'protect-1';
    world.setDeployed({ providers: 'aws,twilio' });

    expect((await doctor()).check('aws-sms.countries')).toMatchObject({ status: 'FAIL', detail: expect.stringMatching(/^the protect configuration protect-1 blocks SMS to CA/) });

    // The configuration set's own protect configuration comes first (user guide, "Using protect configurations").
    account().protectConfigurations.set('protect-2', { SMS: {}, VOICE: {} });
    account().configurationSet('sms-gateway')!.ProtectConfigurationId = 'protect-2';
    expect((await doctor()).check('aws-sms.countries')).toMatchObject({ status: 'PASS', detail: expect.stringContaining('which the protect configuration protect-2 allows') });
  });

  it('warns when the gateway allows every country', async () => {
    world.setDeployed({ allowedCountries: undefined });

    expect((await doctor()).check('aws-sms.countries')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('the gateway allows every country'), fix: expect.stringContaining('allowedCountries') });
  });
});

describe('voice, spend limit and configuration set', () => {
  beforeEach(() => {
    for (const number of account().phoneNumbers) number.NumberCapabilities = ['SMS'];
  });

  it('fails voice offered by the tenant when aws alone sends, warns when it fails over, skips when no voice is offered', async () => {
    world.tenant.messageTypes = ['sms', 'voice'];
    world.setDeployed({ providers: 'aws' });
    expect((await doctor({})).check('aws-sms.voice')).toMatchObject({ status: 'FAIL', detail: `${world.awsSmsIdentityArn} cannot place calls, so the voice codes the tenant offers routed to aws fail with 501 channel_unavailable` });

    world.setDeployed({ providers: 'twilio,aws' });
    expect((await doctor({})).check('aws-sms.voice')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('and go to the next provider') });

    world.tenant.messageTypes = ['sms'];
    expect((await doctor({})).check('aws-sms.voice')).toMatchObject({ status: 'SKIP', detail: 'not checked: the tenant offers no voice codes, and the origination identity cannot place calls' });
  });

  it('warns about a $1 spend limit and fails a $0 one', async () => {
    account().spendLimits[0] = { Name: 'TEXT_MESSAGE_MONTHLY_SPEND_LIMIT', EnforcedLimit: 1, MaxLimit: 1, Overridden: false };
    expect((await doctor()).check('aws-sms.spend-limit')).toMatchObject({ status: 'WARN', detail: expect.stringContaining("the monthly SMS spend limit is $1, a new account's") });

    account().spendLimits[0] = { Name: 'TEXT_MESSAGE_MONTHLY_SPEND_LIMIT', EnforcedLimit: 0, MaxLimit: 1000, Overridden: true };
    expect((await doctor()).check('aws-sms.spend-limit')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('$0, so AWS sends no SMS') });

    account().spendLimits[0] = { Name: 'TEXT_MESSAGE_MONTHLY_SPEND_LIMIT', EnforcedLimit: 50, MaxLimit: 1000, Overridden: true };
    expect((await doctor()).check('aws-sms.spend-limit')).toMatchObject({ status: 'PASS', detail: expect.stringContaining("SMS $50, your own below the account's $1000") });
  });

  it('fails a configuration set that is gone, or whose SNS event destination is disabled', async () => {
    account().configurationSet('sms-gateway')!.EventDestinations[0].Enabled = false;
    expect((await doctor()).check('aws-sms.configuration-set')).toMatchObject({ status: 'FAIL', detail: 'the SNS event destination status-lambda of the configuration set sms-gateway is disabled, so no delivery event reaches the status Lambda' });

    account().configurationSets.clear();
    expect((await doctor()).check('aws-sms.configuration-set')).toMatchObject({
      status: 'FAIL',
      detail: "the configuration set sms-gateway from the stack's AwsSmsConfigurationSet does not exist in us-east-1, so AWS refuses every send naming it (ResourceNotFoundException)",
      fix: expect.stringContaining('npx cdk deploy'),
    });
  });
});

describe('faults between the doctor and AWS End User Messaging', () => {
  let proxy: FaultProxy;
  let saved: string | undefined;

  beforeEach(async () => {
    proxy = await FaultProxy.start(world.awsSms!.url, { preserveHost: true });
    saved = process.env.AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2;
    process.env.AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 = proxy.url;
    // Every read operation is called: a phone number's identity, and a protect configuration in force.
    account().protectConfigurations.set('protect-1', { SMS: {}, VOICE: {} });
    account().defaultProtectConfigurationId = 'protect-1';
  });

  afterEach(async () => {
    process.env.AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 = saved;
    await proxy.close();
  });

  /** The operation's every attempt meets the fault (the SDK tries a read 3 times). */
  function faultEvery(operation: string, fault: Fault): void {
    const only = (request: ProxiedRequest) => (request.headers['x-amz-target'] === `PinpointSMSVoiceV2.${operation}` ? fault : undefined);
    proxy.inject(...Array.from({ length: 3 }, () => only));
  }

  // Which identity makes the doctor call the operation, and which check owns what it reads.
  const OPERATIONS: [operation: string, owner: string, identity?: 'number' | 'sender'][] = [
    ['DescribeAccountAttributes', 'aws-sms.account'],
    ['DescribePools', 'aws-sms.identity'],
    ['ListPoolOriginationIdentities', 'aws-sms.identity'],
    ['DescribePhoneNumbers', 'aws-sms.identity', 'number'],
    ['DescribeSenderIds', 'aws-sms.identity', 'sender'],
    ['DescribeSpendLimits', 'aws-sms.spend-limit'],
    ['DescribeConfigurationSets', 'aws-sms.configuration-set'],
    ['GetProtectConfigurationCountryRuleSet', 'aws-sms.countries'],
  ];
  const FAULTS: [name: string, fault: Fault, status: string, detail: RegExp][] = [
    ['a slow answer', { kind: 'delay', ms: TIMEOUT_MS * 4 }, 'FAIL', /AWS could not be reached \((ETIMEDOUT|timeout)\)/],
    ['a lost answer', { kind: 'lose-answer' }, 'FAIL', /AWS could not be reached \(ECONNRESET\)/],
    [
      'an error answer',
      { kind: 'answer', status: 500, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify({ __type: 'com.amazonaws.pinpointsmsvoicev2#InternalServerException', Message: 'Internal failure' }) },
      'WARN',
      /InternalServerException: Internal failure/,
    ],
  ];

  describe.each(OPERATIONS)('of %s', (operation, owner, identity) => {
    it.each(FAULTS)('is reported by %s as the owning check, and the doctor ends', async (_name, fault, status, detail) => {
      if (identity === 'number') withSecret({ AWS_SMS_ORIGINATION_IDENTITY: '+12065550152' });
      if (identity === 'sender') withSecret({ AWS_SMS_ORIGINATION_IDENTITY: 'MFACODE' });
      faultEvery(operation, fault);

      const report = await doctor();

      expect(report.code).toBe(status === 'FAIL' && owner !== 'aws-sms.countries' ? 1 : 0);
      const owned = report.check(owner);
      // The protect configuration's rules are one input of aws-sms.countries among others: it warns.
      expect(owned).toMatchObject({ status: owner === 'aws-sms.countries' ? 'WARN' : status, detail: expect.stringMatching(detail) });
      expect(proxy.requests.filter((request) => request.fault !== 'pass').length).toBe(3);
      if (operation === 'DescribeAccountAttributes' && status === 'FAIL') {
        for (const id of ['aws-sms.identity', 'aws-sms.spend-limit', 'aws-sms.configuration-set']) expect(report.check(id).detail).toBe('not checked: AWS End User Messaging could not be read (see aws-sms.account)');
      }
    });
  });

  it('reports a refused connection once, by aws-sms.account, and skips the other reads', async () => {
    process.env.AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 = await refusedUrl();

    const report = await doctor();

    expect(report.code).toBe(1);
    expect(report.check('aws-sms.account')).toEqual({
      id: 'aws-sms.account',
      status: 'FAIL',
      detail: 'Could not call sms-voice:DescribeAccountAttributes: AWS could not be reached (ECONNREFUSED)',
      fix: 'check the network connection, the proxy settings (HTTPS_PROXY) and AWS_ENDPOINT_URL if it is set',
    });
    for (const id of ['aws-sms.identity', 'aws-sms.countries', 'aws-sms.voice', 'aws-sms.spend-limit', 'aws-sms.configuration-set']) expect(report.statuses[id]).toBe('SKIP');
  });

  it('retries a read that met one fault, and passes', async () => {
    proxy.inject((request) => (request.headers['x-amz-target'] === 'PinpointSMSVoiceV2.DescribePools' ? { kind: 'lose-answer' } : undefined));

    const report = await doctor();

    expect(report.check('aws-sms.identity').status).toBe('PASS');
    expect(proxy.pending).toBe(0);
  });

  it('warns that a read was not allowed, naming the permission, and checks the rest', async () => {
    const denied = JSON.stringify({ __type: 'com.amazonaws.pinpointsmsvoicev2#AccessDeniedException', Message: 'not authorized to perform sms-voice:DescribeSpendLimits' });
    proxy.inject((request) => (request.headers['x-amz-target'] === 'PinpointSMSVoiceV2.DescribeSpendLimits' ? { kind: 'answer', status: 400, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: denied } : undefined));

    const report = await doctor();

    expect(report.code).toBe(0);
    expect(report.check('aws-sms.spend-limit')).toEqual({
      id: 'aws-sms.spend-limit',
      status: 'WARN',
      detail: 'not checked, since your AWS identity may not call sms-voice:DescribeSpendLimits',
      fix: 'allow it sms-voice:DescribeSpendLimits on * (docs/operations.md lists what the doctor reads)',
    });
    expect(report.check('aws-sms.configuration-set').status).toBe('PASS');
  });

  it('fails credentials AWS refuses, once, and skips the other reads', async () => {
    const refused = JSON.stringify({ __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
    proxy.inject(() => ({ kind: 'answer', status: 400, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: refused }));

    const report = await doctor();

    expect(report.check('aws-sms.account')).toMatchObject({ status: 'FAIL', fix: expect.stringContaining('AWS refuses your credentials') });
    expect(report.check('aws-sms.identity').detail).toBe('not checked: AWS End User Messaging could not be read (see aws-sms.account)');
  });
});
