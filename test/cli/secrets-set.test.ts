import { randomBytes } from 'node:crypto';
import { SECRET_ARN, SENDER, World, withoutAwsCredentials } from './support/world';

/**
 * `sms-gateway secrets set` against a loopback Secrets Manager and CloudFormation: what it
 * writes, what it keeps, what it refuses, and what it never prints.
 */

const ACCOUNT = 'AC00112233445566778899aabbccddeeff';
const TOKEN = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const SERVICE = 'MGffeeddccbbaa99887766554433221100';
const KEY_SID = 'SK00112233445566778899aabbccddeeff';
const KEY_SECRET = 'key-secret-do-not-print';
const RATE_LIMIT_KEY = randomBytes(32).toString('base64');

let world: World;

beforeAll(async () => {
  world = await World.start({ gateway: false });
});

afterAll(async () => {
  await world.close();
});

beforeEach(() => {
  // As the stack creates it: empty Twilio keys, a generated signing secret and rate-limit key.
  world.secrets.put(SECRET_ARN, {
    TWILIO_ACCOUNT_SID: '',
    TWILIO_AUTH_TOKEN: '',
    TWILIO_API_KEY_SID: '',
    TWILIO_API_KEY_SECRET: '',
    TWILIO_MESSAGING_SERVICE_SID: '',
    TWILIO_PHONE_NUMBER: '',
    SMS_GATEWAY_SIGNING_SECRET: world.signingSecret,
    SMS_GATEWAY_RATE_LIMIT_KEY: RATE_LIMIT_KEY,
  });
  world.secrets.calls.length = 0;
});

function puts(): number {
  return world.secrets.count('PutSecretValue');
}

it('writes the given keys into the stack\'s secret and keeps the signing secret and the rate-limit key', async () => {
  const run = await world.run(['secrets', 'set', '--account-sid', ACCOUNT, '--messaging-service-sid', SERVICE, '--phone-number', SENDER], { TWILIO_AUTH_TOKEN: TOKEN });

  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(world.storedSecret()).toEqual({
    TWILIO_ACCOUNT_SID: ACCOUNT,
    TWILIO_AUTH_TOKEN: TOKEN,
    TWILIO_API_KEY_SID: '',
    TWILIO_API_KEY_SECRET: '',
    TWILIO_MESSAGING_SERVICE_SID: SERVICE,
    TWILIO_PHONE_NUMBER: SENDER,
    SMS_GATEWAY_SIGNING_SECRET: world.signingSecret,
    SMS_GATEWAY_RATE_LIMIT_KEY: RATE_LIMIT_KEY,
  });
  expect(world.secrets.calls.find((call) => call.operation === 'PutSecretValue')?.input.SecretId).toBe(SECRET_ARN);
  expect(run.stdout).toContain(`Secret ${SECRET_ARN} updated: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_MESSAGING_SERVICE_SID, TWILIO_PHONE_NUMBER written; 4 other keys kept (SMS_GATEWAY_SIGNING_SECRET and SMS_GATEWAY_RATE_LIMIT_KEY among them).`);
  expect(run.stdout).toContain('From the environment: TWILIO_AUTH_TOKEN.');
  expect(run.stdout).toContain('SMS are sent from the Messaging Service MG…1100; voice calls from +1501***2661.');
  expect(run.stdout).not.toContain(TOKEN);
  expect(run.stdout).not.toContain(world.signingSecret);
  expect(run.stdout).not.toContain(RATE_LIMIT_KEY);
  expect(run.stdout).not.toContain(SENDER);
});

it('changes one key later and keeps all the others', async () => {
  expect((await world.run(['secrets', 'set', '--account-sid', ACCOUNT, '--auth-token', TOKEN, '--phone-number', SENDER])).code).toBe(0);

  const run = await world.run(['secrets', 'set', '--api-key-sid', KEY_SID, '--api-key-secret', KEY_SECRET, '--json']);

  expect(run.code).toBe(0);
  expect(world.storedSecret()).toMatchObject({ TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_PHONE_NUMBER: SENDER, TWILIO_API_KEY_SID: KEY_SID, TWILIO_API_KEY_SECRET: KEY_SECRET, SMS_GATEWAY_SIGNING_SECRET: world.signingSecret, SMS_GATEWAY_RATE_LIMIT_KEY: RATE_LIMIT_KEY });
  expect(JSON.parse(run.stdout)).toEqual({
    ok: true,
    secretArn: SECRET_ARN,
    changed: true,
    written: ['TWILIO_API_KEY_SID', 'TWILIO_API_KEY_SECRET'],
    unchanged: [],
    kept: ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_MESSAGING_SERVICE_SID', 'TWILIO_PHONE_NUMBER', 'SMS_GATEWAY_SIGNING_SECRET', 'SMS_GATEWAY_RATE_LIMIT_KEY'],
    fromEnvironment: [],
  });
  expect(run.stdout).not.toContain(KEY_SECRET);
});

it('writes nothing when the values are already there', async () => {
  expect((await world.run(['secrets', 'set', '--account-sid', ACCOUNT, '--auth-token', TOKEN, '--phone-number', SENDER])).code).toBe(0);
  const before = puts();

  const run = await world.run(['secrets', 'set', '--auth-token', TOKEN]);

  expect(run.code).toBe(0);
  expect(puts()).toBe(before);
  expect(run.stdout).toContain('Nothing to change');
});

describe('validation before writing', () => {
  const cases: [string, string[], string][] = [
    ['an Account SID without AC', ['--account-sid', 'XX00112233445566778899aabbccddeeff', '--auth-token', TOKEN, '--phone-number', SENDER], 'TWILIO_ACCOUNT_SID must look like AC followed by 32 hex characters.'],
    ['an API key SID without SK', ['--account-sid', ACCOUNT, '--auth-token', TOKEN, '--phone-number', SENDER, '--api-key-sid', 'AK123', '--api-key-secret', KEY_SECRET], 'TWILIO_API_KEY_SID must look like SK followed by 32 hex characters.'],
    ['an API key without its secret', ['--account-sid', ACCOUNT, '--auth-token', TOKEN, '--phone-number', SENDER, '--api-key-sid', KEY_SID], 'TWILIO_API_KEY_SECRET is missing: it is required with TWILIO_API_KEY_SID.'],
    ['a Messaging Service SID without MG', ['--account-sid', ACCOUNT, '--auth-token', TOKEN, '--messaging-service-sid', 'MS123'], 'TWILIO_MESSAGING_SERVICE_SID must look like MG followed by 32 hex characters.'],
    ['a sender that is not E.164', ['--account-sid', ACCOUNT, '--auth-token', TOKEN, '--phone-number', '(415) 555-0123'], 'TWILIO_PHONE_NUMBER must be an E.164 number'],
    ['no sender at all', ['--account-sid', ACCOUNT, '--auth-token', TOKEN], 'TWILIO_MESSAGING_SERVICE_SID is missing: set it or TWILIO_PHONE_NUMBER'],
    ['no auth token', ['--account-sid', ACCOUNT, '--phone-number', SENDER], 'TWILIO_AUTH_TOKEN is missing'],
  ];

  it.each(cases)('refuses %s, naming the key, and writes nothing', async (_name, args, message) => {
    const run = await world.run(['secrets', 'set', ...args]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Error: Nothing was written: ${message}`);
    expect(run.stderr).not.toContain(TOKEN);
    expect(run.stderr).not.toContain(KEY_SECRET);
    expect(puts()).toBe(0);
  });

  it('says how to get a signing secret when the secret has none', async () => {
    world.secrets.put(SECRET_ARN, { SMS_GATEWAY_SIGNING_SECRET: '' });

    const run = await world.run(['secrets', 'set', '--account-sid', ACCOUNT, '--auth-token', TOKEN, '--phone-number', SENDER]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('SMS_GATEWAY_SIGNING_SECRET is missing');
    expect(run.stderr).toContain('`npx sms-gateway secrets rotate-signing-key` writes a new one.');
  });

  it('reports a refusal as JSON with --json', async () => {
    const run = await world.run(['secrets', 'set', '--account-sid', 'bad', '--json']);

    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({ ok: false, error: expect.stringContaining('TWILIO_ACCOUNT_SID must look like AC') });
  });
});

describe('where the values come from', () => {
  it('asks for the main keys in a terminal when none is given, without echoing the token', async () => {
    const asked: { question: string; hidden: boolean }[] = [];

    const run = await world.run(['secrets', 'set'], {}, { answers: [ACCOUNT, TOKEN, SERVICE, ''], asked });

    expect(run.code).toBe(0);
    expect(asked).toEqual([
      { question: 'Twilio Account SID (AC...): ', hidden: false },
      { question: 'Twilio auth token: ', hidden: true },
      { question: 'Messaging Service SID (MG..., preferred for SMS): ', hidden: false },
      { question: 'Sender number in E.164 (+1..., needed for voice): ', hidden: false },
    ]);
    expect(world.storedSecret()).toMatchObject({ TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_MESSAGING_SERVICE_SID: SERVICE, TWILIO_PHONE_NUMBER: '' });
  });

  it('shows the current values (masked) in the questions, and Enter keeps them', async () => {
    expect((await world.run(['secrets', 'set', '--account-sid', ACCOUNT, '--auth-token', TOKEN, '--phone-number', SENDER])).code).toBe(0);
    const asked: { question: string; hidden: boolean }[] = [];

    const run = await world.run(['secrets', 'set'], {}, { answers: ['', '', SERVICE, ''], asked });

    expect(run.code).toBe(0);
    expect(asked.map((entry) => entry.question)).toEqual([
      'Twilio Account SID (AC...) [AC…eeff]: ',
      'Twilio auth token [set]: ',
      'Messaging Service SID (MG..., preferred for SMS): ',
      'Sender number in E.164 (+1..., needed for voice) [+1501***2661]: ',
    ]);
    expect(world.storedSecret()).toMatchObject({ TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_MESSAGING_SERVICE_SID: SERVICE, TWILIO_PHONE_NUMBER: SENDER });
  });

  it('says how to give the keys when none is given and nobody can be asked', async () => {
    const run = await world.run(['secrets', 'set']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('No key given: pass them as options');
    expect(puts()).toBe(0);
  });

  it('writes the secret named by --secret-arn without reading the stack', async () => {
    const other = world.secrets.put('arn:aws:secretsmanager:us-east-1:123456789012:secret:other-AbCdEf', { SMS_GATEWAY_SIGNING_SECRET: world.signingSecret });
    const stackReads = world.cloudFormation.calls.length;

    const run = await world.run(['secrets', 'set', '--secret-arn', other, '--account-sid', ACCOUNT, '--auth-token', TOKEN, '--phone-number', SENDER]);

    expect(run.code).toBe(0);
    expect(world.secrets.get(other)).toMatchObject({ TWILIO_ACCOUNT_SID: ACCOUNT, SMS_GATEWAY_SIGNING_SECRET: world.signingSecret });
    expect(world.cloudFormation.calls.length).toBe(stackReads);
  });

  it('names the stack that does not exist', async () => {
    const run = await world.run(['secrets', 'set', '--stack', 'Elsewhere', '--region', 'eu-west-1', '--account-sid', ACCOUNT]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Stack Elsewhere was not found in eu-west-1');
  });

  it('says so when there are no AWS credentials', async () => {
    const restore = withoutAwsCredentials();
    try {
      const run = await world.run(['secrets', 'set', '--account-sid', ACCOUNT]);

      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Could not read the stack MfaSmsGateway: no AWS credentials were found');
    } finally {
      restore();
    }
  });
});

describe('AWS End User Messaging', () => {
  const POOL = 'pool-1234567890abcdef1234567890abcdef';
  const POOL_ARN = `arn:aws:sms-voice:us-east-1:111122223333:pool/${POOL}`;
  const TWILIO = ['--account-sid', ACCOUNT, '--auth-token', TOKEN, '--phone-number', SENDER];

  /** A stack deployed with awsSms on: its output names the pool; PROVIDERS as given. */
  function deployWithAws(providers: string): void {
    world.setStack(world.messagesUrl, { identity: POOL_ARN, configurationSet: 'sms-gateway' });
    world.setDeployed({ providers, awsSms: true });
  }

  afterEach(() => world.reset());

  it("writes the origination identity, checked for the stack's routes, and says where each provider sends from", async () => {
    deployWithAws('twilio,aws');

    const run = await world.run(['secrets', 'set', ...TWILIO, '--aws-origination-identity', POOL]);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(world.storedSecret()).toMatchObject({ TWILIO_ACCOUNT_SID: ACCOUNT, AWS_SMS_ORIGINATION_IDENTITY: POOL, SMS_GATEWAY_SIGNING_SECRET: world.signingSecret });
    expect(run.stdout).toContain('SMS are sent from the number +1501***2661; voice calls from +1501***2661.');
    expect(run.stdout).toContain(`AWS End User Messaging sends from ${POOL}.`);
    expect(run.stdout).toContain('Routes of the stack: twilio, then aws.');
    expect(run.stdout).not.toContain('Warning');
  });

  it('needs no Twilio key when the stack routes to aws alone (the gateway requires none then)', async () => {
    deployWithAws('aws');

    const run = await world.run(['secrets', 'set', '--aws-origination-identity', POOL_ARN]);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(world.storedSecret()).toMatchObject({ TWILIO_ACCOUNT_SID: '', AWS_SMS_ORIGINATION_IDENTITY: POOL_ARN });
    expect(run.stdout).toContain(`AWS End User Messaging sends from ${POOL_ARN}.`);
    expect(run.stdout).not.toContain('SMS are sent from the');
  });

  it("refuses Twilio keys missing when the stack's routes name twilio too, and names the routes", async () => {
    deployWithAws('aws,twilio');

    const run = await world.run(['secrets', 'set', '--aws-origination-identity', POOL]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Error: Nothing was written: TWILIO_ACCOUNT_SID is missing: messages are sent through Twilio. The stack's routes: aws, then twilio.");
    expect(puts()).toBe(0);
  });

  it('refuses an origination identity that is no phone number, pool, sender ID or ARN, with the parser\'s words', async () => {
    deployWithAws('twilio,aws');

    const run = await world.run(['secrets', 'set', ...TWILIO, '--aws-origination-identity', 'my pool']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Error: Nothing was written: AWS_SMS_ORIGINATION_IDENTITY must look like a phone number, a pool or sender ID, or an ARN.');
    expect(puts()).toBe(0);
  });

  it('takes the sender from the stack when the secret names none', async () => {
    deployWithAws('aws');

    const run = await world.run(['secrets', 'set', '--account-sid', ACCOUNT, '--auth-token', TOKEN, '--phone-number', SENDER]);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`AWS End User Messaging sends from ${POOL_ARN} (the stack's awsSms).`);
  });

  it('warns, and still writes, when the identity is not the one the stack lets its send Lambda send from', async () => {
    deployWithAws('twilio,aws');

    const run = await world.run(['secrets', 'set', ...TWILIO, '--aws-origination-identity', 'pool-00000000000000000000000000000000', '--json']);

    expect(run.code).toBe(0);
    expect(world.storedSecret()).toMatchObject({ AWS_SMS_ORIGINATION_IDENTITY: 'pool-00000000000000000000000000000000' });
    expect(JSON.parse(run.stdout).warnings).toEqual([
      `The stack lets its send Lambda send from ${POOL_ARN} only, so AWS refuses sends from pool-00000000000000000000000000000000 (AccessDeniedException): name it in the stack's awsSms and deploy again (docs/configuration.md), or set the identity back.`,
    ]);
  });

  it('warns when the stack has AWS End User Messaging off, and leaves whether a phone number is the stack\'s to the doctor', async () => {
    const off = await world.run(['secrets', 'set', ...TWILIO, '--aws-origination-identity', POOL]);
    expect(off.code).toBe(0);
    expect(off.stdout).toContain(`Warning: AWS End User Messaging is off in the stack MfaSmsGateway, so its send Lambda may not send from ${POOL}: name it in the stack's awsSms and deploy again (docs/configuration.md).`);

    deployWithAws('twilio,aws');
    const numberArn = 'arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-1234567890abcdef1234567890abcdef';
    world.setStack(world.messagesUrl, { identity: numberArn, configurationSet: 'sms-gateway' });
    const number = await world.run(['secrets', 'set', '--aws-origination-identity', '+12065550152']);
    expect(number.code).toBe(0);
    expect(number.stdout).toContain(`AWS End User Messaging sends from +1206***0152.`);
    expect(number.stdout).toContain(`Warning: Only AWS can tell whether +1206***0152 is the stack's ${numberArn}, the one identity its send Lambda may send from: \`npx sms-gateway doctor\` checks it.`);
    expect(number.stdout).not.toContain('+12065550152');
  });

  it('asks for the origination identity alone with --aws in a terminal, and Enter keeps it', async () => {
    deployWithAws('twilio,aws');
    expect((await world.run(['secrets', 'set', ...TWILIO])).code).toBe(0);
    const asked: { question: string; hidden: boolean }[] = [];

    const run = await world.run(['secrets', 'set', '--aws'], {}, { answers: [POOL], asked });

    expect(run.code).toBe(0);
    expect(asked).toEqual([{ question: 'AWS End User Messaging origination identity (+E.164 number, phone-..., pool-..., sender ID, or its ARN): ', hidden: false }]);
    expect(world.storedSecret()).toMatchObject({ AWS_SMS_ORIGINATION_IDENTITY: POOL, TWILIO_ACCOUNT_SID: ACCOUNT });

    const again: { question: string; hidden: boolean }[] = [];
    expect((await world.run(['secrets', 'set', '--aws'], {}, { answers: [''], asked: again })).stdout).toContain('Nothing to change');
    expect(again[0].question).toContain(`[${POOL}]`);
  });

  it('takes AWS_SMS_ORIGINATION_IDENTITY from the environment', async () => {
    deployWithAws('twilio,aws');

    const run = await world.run(['secrets', 'set', ...TWILIO], { AWS_SMS_ORIGINATION_IDENTITY: POOL });

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('From the environment: AWS_SMS_ORIGINATION_IDENTITY.');
    expect(world.storedSecret()).toMatchObject({ AWS_SMS_ORIGINATION_IDENTITY: POOL });
  });

  it('checks the keys the secret holds when --secret-arn leaves the stack unread', async () => {
    const other = world.secrets.put('arn:aws:secretsmanager:us-east-1:123456789012:secret:aws-only-AbCdEf', { SMS_GATEWAY_SIGNING_SECRET: world.signingSecret });
    const stackReads = world.cloudFormation.calls.length;

    const run = await world.run(['secrets', 'set', '--secret-arn', other, '--aws-origination-identity', POOL]);

    expect(run.code).toBe(0);
    expect(world.secrets.get(other)).toEqual({ SMS_GATEWAY_SIGNING_SECRET: world.signingSecret, AWS_SMS_ORIGINATION_IDENTITY: POOL });
    expect(world.cloudFormation.calls.length).toBe(stackReads);
  });
});
