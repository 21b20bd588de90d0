import { CHECKS } from '../../cli/doctor/checks';
import { refusedUrl } from '../support/fault-proxy';
import { newSigningSecret } from '../support/signing';
import { AnsweringServer } from './support/answering-server';
import { ALARMS, MESSAGING_SERVICE, SECRET_ARN, SENDER, STACK, World, withoutAwsCredentials } from './support/world';

/**
 * `sms-gateway doctor` against loopback AWS (CloudFormation, Secrets Manager, CloudWatch),
 * Twilio, Auth0 and the real gateway: a healthy setup passes every check; each fault turns the
 * check that owns it to FAIL (or WARN) with its fix, and the checks that depend on it to SKIP.
 */

interface Report {
  code: number;
  statuses: Record<string, string>;
  check(id: string): { id: string; status: string; detail: string; fix: string | null };
}

let world: World;

beforeAll(async () => {
  world = await World.start();
});

afterAll(async () => {
  await world.close();
});

beforeEach(async () => {
  world.reset();
  expect((await world.run(['auth0', 'deploy'])).code).toBe(0);
  world.tenant.calls.length = 0;
});

/** Every detail and fix is one sentence, without parentheses inside parentheses. */
function expectOneSentence(text: string): void {
  expect(text).not.toMatch(/\.\s+[A-Z]/);
  let depth = 0;
  for (const character of text) {
    depth += character === '(' ? 1 : character === ')' ? -1 : 0;
    if (depth > 1) throw new Error(`nested parentheses in: ${text}`);
  }
}

async function doctor(args: string[] = [], env: Record<string, string | undefined> = {}): Promise<Report> {
  const run = await world.run(['doctor', '--json', ...args], env);
  expect(run.stderr).toBe('');
  const document = JSON.parse(run.stdout) as { checks: { id: string; status: string; detail: string; fix: string | null }[] };
  for (const check of document.checks) for (const text of [check.detail, check.fix]) if (text) expectOneSentence(text);
  return {
    code: run.code,
    statuses: Object.fromEntries(document.checks.map((check) => [check.id, check.status])),
    check: (id) => document.checks.find((check) => check.id === id)!,
  };
}

describe('a healthy setup', () => {
  it('passes every check, prints one line per check and exits 0', async () => {
    const run = await world.run(['doctor']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').filter((line) => /^(PASS|WARN|FAIL|SKIP) {2}/.test(line));
    // Without AWS End User Messaging (test/cli/doctor-aws-sms.test.ts has it), its checks say SKIP.
    const skipped = (id: string) => id === 'twilio.api-key' || id.startsWith('aws-sms.');
    expect(lines.map((line) => line.replace(/:.*$/, ''))).toEqual(CHECKS.map((check) => `${skipped(check.id) ? 'SKIP' : 'PASS'}  ${check.id}`));
    expect(run.stdout).toContain(`PASS  aws.stack: stack ${STACK} is CREATE_COMPLETE in us-east-1`);
    expect(run.stdout).toContain('PASS  twilio.messaging-service: Messaging Service "MFA codes" (MG…cdef) with 1 phone number');
    expect(run.stdout).toContain("PASS  twilio.geo-permissions: SMS geo permissions are on for US, CA (send Lambda's ALLOWED_COUNTRIES)");
    expect(run.stdout).toContain('PASS  gateway.signature: the gateway accepts requests signed with the signing secret');
    expect(run.stdout).toContain("PASS  auth0.signing-secret: the Action holds the gateway's URL and signing secret (fingerprints match)");
    expect(run.stdout).toContain('SKIP  twilio.api-key: no API key configured: sends use the auth token');
    expect(run.stdout).toContain("PASS  auth0.experience: the tenant runs the legacy MFA phone experience (send-phone-message Action): the tenant's phone_consolidated_experience setting is off");
    expect(run.stdout).toContain("PASS  providers.routes: send Lambda's PROVIDERS: twilio; twilio has its keys");
    expect(run.stdout).toContain('SKIP  aws-sms.account: not checked: no route names aws (twilio) and no origination identity is set');
    expect(run.stdout).toContain('19 passed, 0 warned, 0 failed, 7 skipped.');
  });

  it('prints one JSON document with --json: checks with id, status, detail and fix, and a summary', async () => {
    const run = await world.run(['doctor', '--json']);

    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout);
    expect(Object.keys(document)).toEqual(['checks', 'summary']);
    expect(document.checks.map((check: { id: string }) => check.id)).toEqual(CHECKS.map((check) => check.id));
    for (const check of document.checks) {
      expect(Object.keys(check)).toEqual(['id', 'status', 'detail', 'fix']);
      expect(check.fix).toBeNull();
    }
    expect(document.summary).toEqual({ pass: 19, warn: 0, fail: 0, skip: 7, ok: true });
  });

  it('only reads: no message sent, nothing written in AWS or Auth0, no secret or token printed', async () => {
    const run = await world.run(['doctor']);

    expect(world.twilio.requests.filter((request) => request.method !== 'GET')).toEqual([]);
    expect(world.secrets.count('PutSecretValue')).toBe(0);
    expect(world.tenant.writes()).toEqual([]);
    for (const secret of [world.signingSecret, world.twilio.authToken, world.tenant.clientSecret]) expect(run.stdout).not.toContain(secret);
    expect(run.stdout).not.toContain(SENDER);
  });
});

describe('missing credentials', () => {
  it('skips what needs AWS or Auth0, and exits 1 saying that nothing was checked', async () => {
    const restore = withoutAwsCredentials();
    try {
      const none = { AUTH0_DOMAIN: undefined, AUTH0_CLIENT_ID: undefined, AUTH0_CLIENT_SECRET: undefined };
      const report = await doctor([], none);

      expect(report.code).toBe(1);
      expect(new Set(Object.values(report.statuses))).toEqual(new Set(['SKIP']));
      expect(report.check('aws.stack').detail).toBe('not checked: no AWS credentials, so configure them as for the AWS CLI, until `aws sts get-caller-identity` answers');
      expect(report.check('gateway.unsigned').detail).toBe(
        "not checked: no gateway URL, since neither --url nor SMS_GATEWAY_URL is given and the stack's MessagesUrl cannot be read with no AWS credentials",
      );
      expect(report.check('auth0.access').detail).toBe('not checked: no Auth0 credentials, since AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET are not set');

      const text = await world.run(['doctor'], none);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/\n0 passed, 0 warned, 0 failed, \d+ skipped: nothing was checked\./);
    } finally {
      restore();
    }
  });

  it('checks a gateway given with --url and the keys of the environment when there is no AWS', async () => {
    const restore = withoutAwsCredentials();
    try {
      const report = await doctor(['--url', world.messagesUrl], { ...world.secretValues, ALLOWED_COUNTRIES: 'US' });

      expect(report.code).toBe(0);
      expect(report.statuses).toMatchObject({
        'aws.stack': 'SKIP',
        'aws.alarms': 'SKIP',
        'aws.secret': 'PASS',
        'twilio.credentials': 'PASS',
        'twilio.geo-permissions': 'PASS',
        'gateway.unsigned': 'PASS',
        'gateway.signature': 'PASS',
        'gateway.status-callback': 'PASS',
        'auth0.signing-secret': 'PASS',
      });
      expect(report.check('aws.secret').detail).toMatch(/^environment variables: complete/);
    } finally {
      restore();
    }
  });

  it('warns that a local gateway without Twilio keys runs in console mode', async () => {
    const restore = withoutAwsCredentials();
    try {
      const report = await doctor(['--url', world.messagesUrl], { SMS_GATEWAY_SIGNING_SECRET: world.signingSecret });

      expect(report.check('aws.secret')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('console mode') });
      expect(report.check('twilio.credentials').status).toBe('SKIP');
    } finally {
      restore();
    }
  });
});

describe('AWS faults', () => {
  it('fails aws.stack when the stack does not exist, and skips what depends on it', async () => {
    const report = await doctor(['--stack', 'Elsewhere']);

    expect(report.code).toBe(1);
    expect(report.check('aws.stack')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('Stack Elsewhere was not found in us-east-1'), fix: expect.stringContaining('npx cdk deploy') });
    for (const id of ['aws.secret', 'aws.alarms', 'twilio.credentials', 'gateway.unsigned', 'auth0.signing-secret']) expect(report.statuses[id]).toBe('SKIP');
  });

  it('fails aws.stack with a network fix, not a deploy, when AWS cannot be reached', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_CLOUDFORMATION;
    process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = await refusedUrl();
    try {
      const report = await doctor();

      expect(report.code).toBe(1);
      expect(report.check('aws.stack')).toEqual({
        id: 'aws.stack',
        status: 'FAIL',
        detail: 'Could not read the stack MfaSmsGateway: AWS could not be reached (ECONNREFUSED)',
        fix: 'check the network connection, the proxy settings (HTTPS_PROXY) and AWS_ENDPOINT_URL if it is set',
      });
    } finally {
      process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = saved;
    }
  });

  it.each([
    ['UPDATE_IN_PROGRESS', 'WARN'],
    ['UPDATE_ROLLBACK_COMPLETE', 'WARN'],
    ['ROLLBACK_COMPLETE', 'FAIL'],
    ['UPDATE_FAILED', 'FAIL'],
  ])('reports a stack in %s as %s', async (status, expected) => {
    world.cloudFormation.statuses.set(STACK, status);

    expect((await doctor()).check('aws.stack')).toMatchObject({ status: expected, detail: expect.stringContaining(status) });
  });

  it('lists every problem of an incomplete secret, and skips the Twilio checks', async () => {
    world.secrets.put(SECRET_ARN, { ...world.secretValues, TWILIO_AUTH_TOKEN: '', TWILIO_MESSAGING_SERVICE_SID: 'MGnot-hex', TWILIO_PHONE_NUMBER: '' });

    const report = await doctor();

    expect(report.code).toBe(1);
    expect(report.check('aws.secret')).toMatchObject({
      status: 'FAIL',
      detail: `secret ${SECRET_ARN}: TWILIO_AUTH_TOKEN is missing: it verifies Twilio status callbacks; TWILIO_MESSAGING_SERVICE_SID must look like MG followed by 32 hex characters`,
      fix: '`npx sms-gateway secrets set` with the values from the Twilio Console',
    });
    expect(report.statuses['twilio.credentials']).toBe('SKIP');
  });

  it('says how to replace a missing signing secret', async () => {
    world.secrets.put(SECRET_ARN, { ...world.secretValues, SMS_GATEWAY_SIGNING_SECRET: 'whsec_short' });

    const report = await doctor();

    expect(report.check('aws.secret')).toMatchObject({ status: 'FAIL', fix: expect.stringContaining('secrets rotate-signing-key') });
    expect(report.statuses['gateway.signature']).toBe('SKIP');
  });

  it('warns when the secret has no SMS_GATEWAY_RATE_LIMIT_KEY, and says how to add it without restarting the limits', async () => {
    const { SMS_GATEWAY_RATE_LIMIT_KEY: _none, ...values } = world.secretValues;
    world.secrets.put(SECRET_ARN, values);

    const report = await doctor();

    expect(report.code).toBe(0);
    expect(report.check('aws.secret')).toMatchObject({
      status: 'WARN',
      detail: expect.stringContaining('SMS_GATEWAY_RATE_LIMIT_KEY is missing, so the rate limits are keyed by the signing secret and its next rotation restarts them'),
      fix: expect.stringContaining('copy the first key of SMS_GATEWAY_SIGNING_SECRET into SMS_GATEWAY_RATE_LIMIT_KEY'),
    });
    expect(JSON.stringify(report.check('aws.secret'))).not.toContain(world.signingSecret);
  });

  it('fails on a malformed SMS_GATEWAY_RATE_LIMIT_KEY, without showing it', async () => {
    world.secrets.put(SECRET_ARN, { ...world.secretValues, SMS_GATEWAY_RATE_LIMIT_KEY: 'short-key' });

    const report = await doctor();

    expect(report.code).toBe(1);
    expect(report.check('aws.secret')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('SMS_GATEWAY_RATE_LIMIT_KEY must be the base64 of 24 or more random bytes'),
      fix: expect.stringContaining('openssl rand -base64 32'),
    });
    expect(JSON.stringify(report.check('aws.secret'))).not.toContain('short-key');
  });

  it('warns about keys the gateway ignores (a typo)', async () => {
    world.secrets.put(SECRET_ARN, { ...world.secretValues, TWILIO_AUTHTOKEN: 'x' });

    const report = await doctor();

    expect(report.code).toBe(0);
    expect(report.check('aws.secret')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('1 unknown key: TWILIO_AUTHTOKEN') });
    expect(JSON.stringify(report.check('aws.secret'))).not.toContain(world.twilio.authToken);
  });

  it('fails aws.alarms when an alarm fires, naming it', async () => {
    world.cloudWatch.alarms[1] = { name: ALARMS[1], state: 'ALARM', updated: 1_750_000_000 };

    const report = await doctor();

    expect(report.code).toBe(1);
    expect(report.check('aws.alarms')).toMatchObject({
      status: 'FAIL',
      detail: `1 alarm in ALARM: ${ALARMS[1]} since 2025-06-15T15:06:40.000Z`,
      fix: expect.stringContaining('docs/operations.md, section "Alarms"'),
    });
  });

  it('warns when the alarms are missing or cannot be read', async () => {
    world.cloudWatch.alarms = [];
    expect((await doctor()).check('aws.alarms')).toMatchObject({ status: 'WARN', detail: `no alarm named ${STACK}-*` });

    world.cloudWatch.failWith = { status: 400, type: 'AccessDenied', message: 'not authorized to perform: cloudwatch:DescribeAlarms' };
    expect((await doctor()).check('aws.alarms')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('not authorized'), fix: expect.stringContaining('cloudwatch:DescribeAlarms') });
  });
});

describe('Twilio faults', () => {
  it('fails the credentials Twilio refuses, and skips the checks that need them', async () => {
    world.twilio.revoke(world.twilio.accountSid, world.twilio.authToken);

    const report = await doctor();

    expect(report.code).toBe(1);
    expect(report.check('twilio.credentials')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('error 20003'), fix: expect.stringContaining('npx sms-gateway secrets set') });
    for (const id of ['twilio.messaging-service', 'twilio.phone-number', 'twilio.geo-permissions']) {
      expect(report.check(id)).toMatchObject({ status: 'SKIP', detail: 'not checked: the Twilio credentials did not work (see twilio.credentials)' });
    }
  });

  it('warns about a trial account and fails a suspended one', async () => {
    world.twilio.account.type = 'Trial';
    expect((await doctor()).check('twilio.credentials')).toMatchObject({ status: 'WARN', fix: expect.stringContaining('21608') });

    world.twilio.account.status = 'suspended';
    expect((await doctor()).check('twilio.credentials').status).toBe('FAIL');
  });

  it('checks the API key when there is one', async () => {
    const keySid = 'SK00112233445566778899aabbccddeeff';
    world.secrets.put(SECRET_ARN, { ...world.secretValues, TWILIO_API_KEY_SID: keySid, TWILIO_API_KEY_SECRET: 'key-secret' });
    expect((await doctor()).check('twilio.api-key')).toMatchObject({ status: 'FAIL', fix: expect.stringContaining('--api-key-sid') });

    world.twilio.allow(keySid, 'key-secret');
    expect((await doctor()).check('twilio.api-key')).toMatchObject({ status: 'PASS', detail: `API key ${keySid} authenticates with the account` });
  });

  it('fails a Messaging Service that does not exist, or has no sender', async () => {
    world.twilio.account.services.set(MESSAGING_SERVICE, { friendlyName: 'Empty' });
    expect((await doctor()).check('twilio.messaging-service')).toMatchObject({ status: 'FAIL', detail: 'Messaging Service "Empty" (MG…cdef) has no sender', fix: expect.stringContaining('Sender Pool') });

    world.twilio.account.services.clear();
    expect((await doctor()).check('twilio.messaging-service')).toMatchObject({ status: 'FAIL', detail: 'the account has no Messaging Service MG…cdef' });
  });

  it('fails a sender number that is not the account\'s, or cannot send SMS', async () => {
    world.secrets.put(SECRET_ARN, { ...world.secretValues, TWILIO_MESSAGING_SERVICE_SID: '' });
    world.twilio.account.numbers.clear();
    expect((await doctor()).check('twilio.phone-number')).toMatchObject({ status: 'FAIL', detail: '+1501***2661 is not a phone number of this Twilio account, so it cannot send SMS' });

    world.twilio.account.numbers.set(SENDER, { sms: false });
    expect((await doctor()).check('twilio.phone-number')).toMatchObject({ status: 'FAIL', detail: '+1501***2661 cannot send SMS (no SMS capability)' });
  });

  it('only warns about a voice number when a Messaging Service sends the SMS', async () => {
    world.twilio.account.numbers.clear();
    expect((await doctor()).check('twilio.phone-number').status).toBe('WARN');

    world.twilio.account.numbers.set(SENDER, { voice: false });
    expect((await doctor()).check('twilio.phone-number')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('cannot place calls') });
  });

  it('fails when SMS geo permissions are off for an allowed country', async () => {
    world.twilio.account.geoPermissions = { US: true, CA: false };

    const report = await doctor();

    expect(report.code).toBe(1);
    expect(report.check('twilio.geo-permissions')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('off for CA'), fix: expect.stringContaining('Geo permissions') });
  });

  it('points to the console when the geo permissions API cannot be read, or every country is allowed', async () => {
    world.twilio.account.geoPermissions = 'unsupported';
    expect((await doctor()).check('twilio.geo-permissions')).toMatchObject({ status: 'WARN', fix: expect.stringContaining('https://console.twilio.com/us1/develop/sms/settings/geo-permissions') });

    world.setAllowedCountries(undefined);
    expect((await doctor()).check('twilio.geo-permissions')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('the gateway allows every country'), fix: expect.stringContaining('allowedCountries') });
  });
});

describe('gateway faults', () => {
  it('fails the gateway checks when nothing answers at the URL', async () => {
    world.setStack(`${await refusedUrl()}/messages`);

    const report = await doctor();

    expect(report.code).toBe(1);
    expect(report.check('gateway.unsigned')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('ECONNREFUSED') });
    expect(report.check('gateway.status-callback').status).toBe('FAIL');
    expect(report.check('gateway.signature').status).toBe('SKIP');
  });

  it.each([
    ['answers 500 configuration_error', 500, { error: { code: 'configuration_error', message: 'The gateway secret is not usable: TWILIO_AUTH_TOKEN is missing' } }, /500 configuration_error: The gateway secret is not usable/],
    ['accepts unsigned requests', 200, { id: 'x', sid: 'SM1', status: 'queued', channel: 'sms' }, /accepted an unsigned request/],
    ['is not the gateway', 404, { message: 'Not Found' }, /answers HTTP 404 \(Not Found\), not the gateway's JSON error/],
  ])('fails gateway.unsigned when the URL %s', async (_name, status, body, detail) => {
    const server = await AnsweringServer.start(status, body);
    try {
      world.setStack(`${server.url}/messages`);
      expect((await doctor()).check('gateway.unsigned')).toMatchObject({ status: 'FAIL', detail: expect.stringMatching(detail) });
    } finally {
      await server.close();
    }
  });

  it('fails when the gateway refuses the signing secret of AWS, and Auth0 holds another one', async () => {
    world.secrets.put(SECRET_ARN, { ...world.secretValues, SMS_GATEWAY_SIGNING_SECRET: newSigningSecret() });

    const report = await doctor();

    expect(report.code).toBe(1);
    expect(report.check('gateway.signature')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('refuses requests signed with SMS_GATEWAY_SIGNING_SECRET'), fix: expect.stringContaining('5 minutes') });
    expect(report.check('auth0.signing-secret')).toMatchObject({ status: 'FAIL', fix: expect.stringContaining('npx sms-gateway auth0 deploy') });
  });

  it('follows a rotation: both keys valid, the gateway not yet on the new key, Auth0 on the old one', async () => {
    world.secrets.put(SECRET_ARN, { ...world.secretValues, SMS_GATEWAY_SIGNING_SECRET: `${newSigningSecret()} ${world.signingSecret}` });

    const report = await doctor();

    expect(report.code).toBe(0);
    expect(report.check('aws.secret')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('rotation is under way (2 keys accepted)') });
    expect(report.check('gateway.signature')).toMatchObject({ status: 'WARN', detail: 'the gateway accepts the old signing key but not yet the new one' });
    expect(report.check('auth0.signing-secret')).toMatchObject({ status: 'WARN', fix: expect.stringContaining('before `npx sms-gateway secrets rotate-signing-key --finish`') });
  });
});

describe('Auth0 faults', () => {
  function ourAction() {
    return [...world.tenant.actions.values()].find((action) => action.name === 'mfa-sms-gateway')!;
  }

  it('fails auth0.access with the reason when Auth0 refuses the credentials, and skips the rest', async () => {
    const report = await doctor([], { AUTH0_CLIENT_SECRET: 'wrong' });

    expect(report.code).toBe(1);
    expect(report.check('auth0.access')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('Auth0 refused the credentials'), fix: expect.stringContaining('read:tenant_settings, read:actions, read:phone_providers, read:guardian_factors') });
    for (const id of ['auth0.experience', 'auth0.action', 'auth0.binding', 'auth0.provider', 'auth0.factor', 'auth0.signing-secret']) expect(report.statuses[id]).toBe('SKIP');
  });

  it('fails auth0.access when AUTH0_DOMAIN is not a domain', async () => {
    expect((await doctor([], { AUTH0_DOMAIN: 'not a domain' })).check('auth0.access')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('AUTH0_DOMAIN "not a domain" is not a domain') });
  });

  it('fails auth0.action when there is no Action, and skips what needs it', async () => {
    world.tenant.actions.clear();
    world.tenant.bindings['send-phone-message'] = [];

    const report = await doctor();

    expect(report.check('auth0.action')).toMatchObject({ status: 'FAIL', detail: 'no Action "mfa-sms-gateway" on the send-phone-message trigger', fix: 'run `npx sms-gateway auth0 deploy`' });
    expect(report.statuses['auth0.binding']).toBe('SKIP');
    expect(report.statuses['auth0.signing-secret']).toBe('SKIP');
  });

  it('fails an Action never deployed, warns about undeployed changes', async () => {
    ourAction().all_changes_deployed = false;
    expect((await doctor()).check('auth0.action')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('not deployed: the previous version runs') });

    ourAction().deployed_code = undefined;
    expect((await doctor()).check('auth0.action')).toMatchObject({ status: 'FAIL', detail: 'the Action "mfa-sms-gateway" exists but was never deployed' });
  });

  it('fails an Action that is not bound, warns about another phone Action bound', async () => {
    const other = world.tenant.addAction({ name: 'legacy-sms-sender' });
    world.tenant.bindings['send-phone-message'] = [];
    world.tenant.bind('send-phone-message', other, 'Legacy SMS');

    const report = await doctor();

    expect(report.check('auth0.binding')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('is not bound'), fix: expect.stringContaining('Actions > Triggers') });
    expect(report.check('auth0.other-actions')).toMatchObject({ status: 'WARN', detail: 'other Actions also run for every phone message: Legacy SMS', fix: expect.stringContaining('two codes') });
  });

  it('fails a phone provider that is not the custom one, and a factor that is off', async () => {
    world.tenant.phoneProvider = 'twilio';
    world.tenant.factors.sms = false;

    const report = await doctor();

    expect(report.check('auth0.provider')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('is twilio, not phone-message-hook') });
    expect(report.check('auth0.factor')).toMatchObject({ status: 'FAIL', detail: 'the Phone Message MFA factor is off: users cannot enroll a phone' });
  });

  it('warns when voice is offered but the gateway has no sender number for calls', async () => {
    world.tenant.messageTypes = ['sms', 'voice'];
    world.secrets.put(SECRET_ARN, { ...world.secretValues, TWILIO_PHONE_NUMBER: '' });

    expect((await doctor()).check('auth0.factor')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('501 channel_unavailable') });
  });

  it('cannot compare the secret of an Action deployed by hand, and says so', async () => {
    ourAction().code = 'exports.onExecuteSendPhoneMessage = async () => {};';

    expect((await doctor()).check('auth0.signing-secret')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('not deployed by `auth0 deploy`') });
  });
});

describe('a tenant of the Unified Phone Experience', () => {
  beforeEach(async () => {
    world.reset();
    world.tenant.experience = 'unified';
    expect((await world.run(['auth0', 'deploy'])).code).toBe(0);
  });

  it('passes every Auth0 check and names the experience found', async () => {
    const report = await doctor();

    expect(report.code).toBe(0);
    expect(report.check('auth0.experience')).toMatchObject({
      status: 'PASS',
      detail: "the tenant runs the Unified Phone Experience (tenant phone provider and custom-phone-provider Action): the tenant's phone_consolidated_experience setting is on",
    });
    expect(report.check('auth0.action')).toMatchObject({ status: 'PASS', detail: expect.stringContaining('the Action "mfa-sms-gateway-phone-provider" is deployed') });
    expect(report.check('auth0.binding')).toMatchObject({ status: 'PASS', detail: 'the Action runs on the custom-phone-provider trigger' });
    expect(report.check('auth0.provider')).toMatchObject({ status: 'PASS', detail: 'the tenant phone provider is custom, enabled (delivery methods: text): messages go to the Action' });
    expect(report.check('auth0.signing-secret')).toMatchObject({ status: 'PASS' });
    // The legacy endpoint is never asked on a unified tenant.
    expect(world.tenant.calls.some((call) => call.path.includes('selected-provider'))).toBe(false);
  });

  it('fails a tenant phone provider that is not custom, or disabled', async () => {
    world.tenant.tenantPhoneProvider!.name = 'twilio';
    expect((await doctor()).check('auth0.provider')).toMatchObject({ status: 'FAIL', detail: 'the tenant phone provider is twilio, not custom: Auth0 sends phone messages itself, not through the gateway' });

    world.tenant.tenantPhoneProvider!.name = 'custom';
    world.tenant.tenantPhoneProvider!.disabled = true;
    expect((await doctor()).check('auth0.provider')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('is disabled') });

    world.tenant.tenantPhoneProvider = undefined;
    expect((await doctor()).check('auth0.provider')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('the tenant has no phone provider') });
  });

  it('warns when the provider delivers by voice but the gateway cannot call, and fails MFA message types it does not deliver', async () => {
    world.tenant.tenantPhoneProvider!.delivery_methods = ['text', 'voice'];
    world.secrets.put(SECRET_ARN, { ...world.secretValues, TWILIO_PHONE_NUMBER: '' });
    expect((await doctor()).check('auth0.provider')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('501 channel_unavailable') });

    world.tenant.tenantPhoneProvider!.delivery_methods = ['text'];
    world.tenant.messageTypes = ['sms', 'voice'];
    expect((await doctor()).check('auth0.factor')).toMatchObject({ status: 'FAIL', detail: 'the Phone Message factor offers voice, which the tenant phone provider does not deliver' });
  });

  it('warns about another Action on the custom-phone-provider trigger, deployed or not', async () => {
    world.tenant.addAction({ name: 'Dashboard provider', supported_triggers: [{ id: 'custom-phone-provider', version: 'v1' }] });

    expect((await doctor()).check('auth0.other-actions')).toMatchObject({
      status: 'WARN',
      detail: expect.stringContaining('Dashboard provider; Auth0 allows one there'),
      fix: expect.stringContaining('--replace-action'),
    });
  });
});
