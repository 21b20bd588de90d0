import { Webhook } from 'standardwebhooks';
import { SECRET_ARN, World } from './support/world';

/**
 * `sms-gateway secrets rotate-signing-key`: "new old" while Auth0 catches up, then only "new",
 * never a moment when the Action's signature is refused, and never a key on the screen unless
 * asked for.
 */

let world: World;
let original: string;

beforeAll(async () => {
  world = await World.start({ gateway: false });
});

afterAll(async () => {
  await world.close();
});

beforeEach(() => {
  original = world.signingSecret;
  world.secrets.put(SECRET_ARN, { ...world.secretValues, SMS_GATEWAY_SIGNING_SECRET: original });
  world.secrets.calls.length = 0;
  for (const action of world.tenant.actions.values()) world.tenant.actions.delete(action.id);
  world.tenant.bindings['send-phone-message'] = [];
});

function storedKeys(): string[] {
  return String(world.storedSecret().SMS_GATEWAY_SIGNING_SECRET).split(' ');
}

it('puts a new key before the old one, keeps the other keys, and prints the steps but no key', async () => {
  const run = await world.run(['secrets', 'rotate-signing-key']);

  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const [fresh, old] = storedKeys();
  expect(old).toBe(original);
  expect(fresh).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  expect(Buffer.from(fresh.slice(6), 'base64')).toHaveLength(32);
  // A usable Standard Webhooks key.
  expect(() => new Webhook(fresh).sign('msg_1', new Date(), '{}')).not.toThrow();
  const { SMS_GATEWAY_SIGNING_SECRET: _ignored, ...others } = world.storedSecret();
  const { SMS_GATEWAY_SIGNING_SECRET: _original, ...expected } = world.secretValues;
  expect(others).toEqual(expected);

  expect(run.stdout).toContain('New signing key written');
  expect(run.stdout).toContain('`npx sms-gateway auth0 deploy`');
  expect(run.stdout).toContain('`npx sms-gateway secrets rotate-signing-key --finish`');
  expect(run.stdout).not.toContain(fresh);
  expect(run.stdout).not.toContain(original);
});

it('prints the value only with --show, and reports JSON with --json', async () => {
  const run = await world.run(['secrets', 'rotate-signing-key', '--json', '--show']);

  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual({ ok: true, secretArn: SECRET_ARN, phase: 'started', keys: 2, rateLimitKey: 'kept', value: storedKeys().join(' ') });
});

// Issue 10, fault 4: the rate-limit counters must not restart with a rotation.
it('keeps SMS_GATEWAY_RATE_LIMIT_KEY as it is, from start to finish', async () => {
  const rateLimitKey = world.secretValues.SMS_GATEWAY_RATE_LIMIT_KEY;
  expect((await world.run(['secrets', 'rotate-signing-key'])).code).toBe(0);
  expect(world.storedSecret().SMS_GATEWAY_RATE_LIMIT_KEY).toBe(rateLimitKey);
  expect((await world.run(['secrets', 'rotate-signing-key', '--finish', '--force'])).code).toBe(0);
  expect(world.storedSecret().SMS_GATEWAY_RATE_LIMIT_KEY).toBe(rateLimitKey);
});

it('gives a secret without SMS_GATEWAY_RATE_LIMIT_KEY the old signing key in it, which keyed its counters, so no limit restarts', async () => {
  const { SMS_GATEWAY_RATE_LIMIT_KEY: _none, ...before } = world.secretValues;
  world.secrets.put(SECRET_ARN, before);

  const run = await world.run(['secrets', 'rotate-signing-key']);

  expect(run.code).toBe(0);
  expect(storedKeys()).toEqual([expect.stringMatching(/^whsec_/), original]);
  expect(world.storedSecret().SMS_GATEWAY_RATE_LIMIT_KEY).toBe(original);
  expect(run.stdout).toContain('SMS_GATEWAY_RATE_LIMIT_KEY was missing: it now holds the old signing key');
  expect(run.stdout).not.toContain(original);
});

it('refuses to start a second rotation before the first is finished', async () => {
  expect((await world.run(['secrets', 'rotate-signing-key'])).code).toBe(0);
  const value = world.storedSecret().SMS_GATEWAY_SIGNING_SECRET;

  const run = await world.run(['secrets', 'rotate-signing-key']);

  expect(run.code).toBe(1);
  expect(run.stderr).toContain('A rotation is already under way: SMS_GATEWAY_SIGNING_SECRET holds 2 keys.');
  expect(world.storedSecret().SMS_GATEWAY_SIGNING_SECRET).toBe(value);
});

it('creates a key when the secret has none (an existing secret brought with existingSecretArn)', async () => {
  world.secrets.put(SECRET_ARN, { ...world.secretValues, SMS_GATEWAY_SIGNING_SECRET: '' });

  const run = await world.run(['secrets', 'rotate-signing-key']);

  expect(run.code).toBe(0);
  expect(storedKeys()).toHaveLength(1);
  expect(run.stdout).toContain('SMS_GATEWAY_SIGNING_SECRET was missing');
});

it('replaces a malformed key instead of keeping it next to the new one', async () => {
  world.secrets.put(SECRET_ARN, { ...world.secretValues, SMS_GATEWAY_SIGNING_SECRET: 'not-a-whsec-key' });

  const run = await world.run(['secrets', 'rotate-signing-key']);

  expect(run.code).toBe(0);
  expect(storedKeys()).toEqual([expect.stringMatching(/^whsec_/)]);
  expect(run.stdout).toContain('SMS_GATEWAY_SIGNING_SECRET was malformed');
  expect(run.stdout).not.toContain('not-a-whsec-key');
});

describe('--finish', () => {
  it('goes through a whole rotation with Auth0, refusing to finish before the Action has the new key', async () => {
    expect((await world.run(['auth0', 'deploy'])).code).toBe(0);
    expect((await world.run(['secrets', 'rotate-signing-key'])).code).toBe(0);
    const [fresh] = storedKeys();

    const early = await world.run(['secrets', 'rotate-signing-key', '--finish']);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('Not finished: the Auth0 Action does not have the new key yet. Run `npx sms-gateway auth0 deploy` first');
    expect(storedKeys()).toEqual([fresh, original]);

    expect((await world.run(['auth0', 'deploy'])).code).toBe(0);
    const action = [...world.tenant.actions.values()][0];
    expect(action.secrets[1]).toEqual({ name: 'SMS_GATEWAY_SIGNING_SECRET', value: `${fresh} ${original}` });

    const done = await world.run(['secrets', 'rotate-signing-key', '--finish']);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('Rotation finished');
    expect(storedKeys()).toEqual([fresh]);

    expect((await world.run(['auth0', 'deploy'])).code).toBe(0);
    expect([...world.tenant.actions.values()][0].secrets[1]).toEqual({ name: 'SMS_GATEWAY_SIGNING_SECRET', value: fresh });
  });

  it('finishes with --force without asking Auth0', async () => {
    expect((await world.run(['secrets', 'rotate-signing-key'])).code).toBe(0);
    const [fresh] = storedKeys();
    const auth0Calls = world.tenant.calls.length;

    const run = await world.run(['secrets', 'rotate-signing-key', '--finish', '--force']);

    expect(run.code).toBe(0);
    expect(storedKeys()).toEqual([fresh]);
    expect(world.tenant.calls.length).toBe(auth0Calls);
  });

  it('finishes with a caution when there are no Auth0 credentials to check with', async () => {
    expect((await world.run(['secrets', 'rotate-signing-key'])).code).toBe(0);

    const run = await world.run(['secrets', 'rotate-signing-key', '--finish', '--json'], { AUTH0_DOMAIN: undefined, AUTH0_CLIENT_ID: undefined, AUTH0_CLIENT_SECRET: undefined });

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      ok: true,
      secretArn: SECRET_ARN,
      phase: 'finished',
      keys: 1,
      removed: 1,
      caution: expect.stringContaining('Could not check that Auth0 has the new key (no Auth0 credentials (AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET))'),
    });
  });

  it('has nothing to finish when the secret holds one key', async () => {
    const run = await world.run(['secrets', 'rotate-signing-key', '--finish']);

    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Nothing to finish: SMS_GATEWAY_SIGNING_SECRET holds one key.\n');
    expect(world.secrets.count('PutSecretValue')).toBe(0);
  });
});
