import { bundleForwarder } from '../../auth0/build';
import { managementClient } from '../../auth0/provision/management';
import { settingsFingerprint } from '../../auth0/provision/setup';
import { FakeCloudFormation } from '../support/fake-cloudformation';
import { FaultProxy } from '../support/fault-proxy';
import { FakeSecretsManager } from '../support/fake-secrets-manager';
import { newSigningSecret } from '../support/signing';
import { ALL_SCOPES, FakeManagementApi, type FakeAction } from './support/fake-management-api';
import { runCli } from './support/run-cli';
import { closedPort } from '../support/fault-proxy';

/**
 * `sms-gateway auth0 deploy` against a loopback Auth0 tenant (token endpoint + Management API,
 * through the real `auth0` SDK): what it creates, what it keeps, what a second run does, and
 * what it says when the domain, the credentials or the scopes are wrong.
 */

const GATEWAY_URL = 'https://abc123.execute-api.us-east-1.amazonaws.com/messages';

let tenant: FakeManagementApi;
let signingSecret: string;

function env(overrides: Record<string, string | undefined> = {}) {
  return {
    AUTH0_DOMAIN: tenant.domain,
    AUTH0_CLIENT_ID: tenant.clientId,
    AUTH0_CLIENT_SECRET: tenant.clientSecret,
    SMS_GATEWAY_URL: GATEWAY_URL,
    SMS_GATEWAY_SIGNING_SECRET: signingSecret,
    ...overrides,
  };
}

function deploy(args: string[] = [], overrides: Record<string, string | undefined> = {}, fetchImpl = tenant.fetch) {
  return runCli(['auth0', 'deploy', ...args], env(overrides), fetchImpl);
}

function ourAction(): FakeAction | undefined {
  return [...tenant.actions.values()].find((action) => action.name === 'mfa-sms-gateway');
}

function writes(): string[] {
  return tenant.writes().map((call) => `${call.method} ${call.path.replace(/[0-9a-f-]{36}/, ':id')}`);
}

beforeEach(async () => {
  tenant = await FakeManagementApi.start();
  signingSecret = newSigningSecret();
});

afterEach(async () => {
  await tenant.close();
});

describe('a tenant set up from zero', () => {
  let audit: FakeAction;
  let login: FakeAction;

  beforeEach(() => {
    audit = tenant.addAction({ name: 'audit-phone-messages' });
    tenant.bind('send-phone-message', audit, 'Audit');
    login = tenant.addAction({ name: 'login-rules', supported_triggers: [{ id: 'post-login', version: 'v3' }] });
    tenant.bind('post-login', login);
  });

  it('creates, deploys and binds the Action, selects the provider and enables the factor', async () => {
    const run = await deploy();

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Phone experience: legacy (MFA phone provider, send-phone-message Action); the tenant's phone_consolidated_experience setting is off.");
    expect(writes()).toEqual([
      'POST /api/v2/actions/actions',
      'POST /api/v2/actions/actions/:id/deploy',
      'PATCH /api/v2/actions/triggers/send-phone-message/bindings',
      'PUT /api/v2/guardian/factors/phone/selected-provider',
      'PUT /api/v2/guardian/factors/sms',
    ]);

    const action = ourAction()!;
    expect(action).toMatchObject({
      supported_triggers: [{ id: 'send-phone-message', version: 'v2' }],
      runtime: 'node22',
      secrets: [
        { name: 'SMS_GATEWAY_URL', value: GATEWAY_URL },
        { name: 'SMS_GATEWAY_SIGNING_SECRET', value: signingSecret },
      ],
      all_changes_deployed: true,
    });
    expect(action.code.startsWith((await bundleForwarder('send-phone-message')).trimEnd())).toBe(true);
    expect(action.code).toContain(settingsFingerprint(GATEWAY_URL, signingSecret));
    expect(action.code).not.toContain(signingSecret);

    // The existing binding stays first, by its own id; the other trigger is untouched.
    expect(tenant.bindings['send-phone-message'].map((binding) => [binding.action_id, binding.display_name])).toEqual([
      [audit.id, 'Audit'],
      [action.id, 'mfa-sms-gateway'],
    ]);
    expect(tenant.bindings['post-login'].map((binding) => binding.action_id)).toEqual([login.id]);
    expect(tenant.phoneProvider).toBe('phone-message-hook');
    expect(tenant.messageTypes).toEqual(['sms']);
    expect(tenant.factors.sms).toBe(true);

    expect(run.stdout).toContain('after the 1 existing one (Audit), which stay');
    expect(run.stdout).toContain('Done: 5 changes applied.');
    expect(run.stdout).not.toContain(signingSecret);
    expect(run.stdout).not.toContain(tenant.clientSecret);
  });

  it('changes nothing on a second run, and says so', async () => {
    expect((await deploy()).code).toBe(0);
    const before = tenant.writes().length;

    const second = await deploy();

    expect(second.code).toBe(0);
    expect(tenant.writes()).toHaveLength(before);
    expect(second.stdout).toContain('Nothing to change: the tenant already sends MFA codes through the gateway.');
  });

  it('prints the plan and changes nothing with --dry-run', async () => {
    const run = await deploy(['--dry-run']);

    expect(run.code).toBe(0);
    expect(writes()).toEqual([]);
    expect(run.stdout).toContain('Plan (dry run, nothing will change):');
    expect(run.stdout).toMatch(/1\. create the Action "mfa-sms-gateway" \(trigger send-phone-message v2, runtime node22\) with the secrets SMS_GATEWAY_URL, SMS_GATEWAY_SIGNING_SECRET/);
    expect(run.stdout).toContain('2. deploy the Action "mfa-sms-gateway"');
    expect(run.stdout).toContain('Dry run: 5 changes planned, none made.');
  });

  it('reports the plan and the outcome as JSON with --json', async () => {
    const run = await deploy(['--json', '--voice']);

    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ ok: true, tenant: tenant.domain, gatewayUrl: GATEWAY_URL, source: 'options', dryRun: false, changed: true });
    expect(result.steps.map((step: { kind: string; applied: boolean }) => [step.kind, step.applied])).toEqual([
      ['create-action', true],
      ['deploy-action', true],
      ['bind-action', true],
      ['select-provider', true],
      ['set-message-types', true],
      ['enable-factor', true],
    ]);
    expect(tenant.messageTypes).toEqual(['sms', 'voice']);
  });
});

describe('an existing Action', () => {
  it('is updated, not duplicated, when the code, runtime or secrets differ, and stays bound', async () => {
    const old = tenant.addAction({
      name: 'mfa-sms-gateway',
      runtime: 'node18',
      code: 'exports.onExecuteSendPhoneMessage = async () => {}; // an older forwarder',
      secrets: [{ name: 'SMS_GATEWAY_URL', value: 'https://old.example.com/messages' }],
    });
    tenant.bind('send-phone-message', old);
    tenant.phoneProvider = 'phone-message-hook';
    tenant.factors.sms = true;

    const run = await deploy();

    expect(run.code).toBe(0);
    expect(writes()).toEqual(['PATCH /api/v2/actions/actions/:id', 'POST /api/v2/actions/actions/:id/deploy']);
    expect(tenant.actions.size).toBe(1);
    expect(tenant.actions.get(old.id)).toMatchObject({
      runtime: 'node22',
      secrets: [
        { name: 'SMS_GATEWAY_URL', value: GATEWAY_URL },
        { name: 'SMS_GATEWAY_SIGNING_SECRET', value: signingSecret },
      ],
      all_changes_deployed: true,
    });
    expect(run.stdout).toContain('update the Action "mfa-sms-gateway": new code or gateway settings; runtime node18 -> node22; add the secrets SMS_GATEWAY_SIGNING_SECRET');
  });

  it('is updated again when the signing secret is rotated, and only then', async () => {
    expect((await deploy()).code).toBe(0);
    const firstWrites = tenant.writes().length;
    const rotated = `${newSigningSecret()} ${signingSecret}`;

    const run = await deploy([], { SMS_GATEWAY_SIGNING_SECRET: rotated });

    expect(run.code).toBe(0);
    expect(writes().slice(firstWrites)).toEqual(['PATCH /api/v2/actions/actions/:id', 'POST /api/v2/actions/actions/:id/deploy']);
    expect(ourAction()!.secrets[1]).toEqual({ name: 'SMS_GATEWAY_SIGNING_SECRET', value: rotated });
    expect((await deploy([], { SMS_GATEWAY_SIGNING_SECRET: rotated })).stdout).toContain('Nothing to change');
  });

  it('is only deployed when it has undeployed changes', async () => {
    expect((await deploy()).code).toBe(0);
    ourAction()!.all_changes_deployed = false;
    const before = tenant.writes().length;

    expect((await deploy()).code).toBe(0);
    expect(writes().slice(before)).toEqual(['POST /api/v2/actions/actions/:id/deploy']);
  });
});

describe('errors', () => {
  it('names the variables that are missing, before calling Auth0', async () => {
    const run = await deploy([], { AUTH0_DOMAIN: undefined, AUTH0_CLIENT_SECRET: '' });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Missing AUTH0_DOMAIN, AUTH0_CLIENT_SECRET: set them in the environment');
    expect(tenant.calls).toHaveLength(0);
  });

  it('says to check the domain when the tenant cannot be reached', async () => {
    const port = await closedPort();
    const unreachable: typeof fetch = (input, init) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      return fetch(`http://127.0.0.1:${port}${url.pathname}`, init);
    };

    const run = await deploy([], { AUTH0_DOMAIN: 'https://wrong-tenant.eu.auth0.com/' }, unreachable);

    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'Error: Could not reach https://wrong-tenant.eu.auth0.com (ECONNREFUSED). Check AUTH0_DOMAIN: your tenant\'s domain, like your-tenant.us.auth0.com.\n',
    );
  });

  it('says the credentials are wrong on a 401 from the token endpoint', async () => {
    const run = await deploy([], { AUTH0_CLIENT_SECRET: 'not-the-secret' });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Auth0 refused the credentials of application ${tenant.clientId} at ${tenant.domain}: check AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET`);
    expect(run.stderr).not.toContain('not-the-secret');
    expect(tenant.writes()).toHaveLength(0);
  });

  it('names every scope needed when the application is not authorized for the Management API', async () => {
    tenant.clientGranted = false;

    const run = await deploy();

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Application ${tenant.clientId} may not call the Auth0 Management API (Client is not authorized`);
    expect(run.stderr).toContain(`grant the scopes: ${ALL_SCOPES.join(' ')}`);
  });

  it('names the missing scope on a 403 and changes nothing when it is needed first', async () => {
    tenant.scopes.delete('create:actions');

    const run = await deploy();

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Application ${tenant.clientId} lacks the scope create:actions on the Auth0 Management API`);
    expect(run.stderr).toContain(`Grant it these scopes: ${ALL_SCOPES.join(' ')}`);
    expect(tenant.actions.size).toBe(0);
  });

  it('says how far it got when a scope is missing half-way, and a rerun finishes', async () => {
    tenant.scopes.delete('update:guardian_factors');

    const run = await deploy();

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('lacks the scope update:guardian_factors');
    expect(run.stderr).toContain('(3 of 5 changes were applied; run the command again to finish)');

    tenant.scopes.add('update:guardian_factors');
    const rerun = await deploy();
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('Done: 2 changes applied.');
  });

  it('refuses a signing secret that is not whsec_ base64, without echoing it', async () => {
    const run = await deploy([], { SMS_GATEWAY_SIGNING_SECRET: 'whsec_short' });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('The signing secret is not usable: SMS_GATEWAY_SIGNING_SECRET must encode 24 to 64 random bytes');
    expect(tenant.calls).toHaveLength(0);
  });
});

describe('a tenant of the Unified Phone Experience', () => {
  const UNIFIED_ACTION = 'mfa-sms-gateway-phone-provider';
  const providerAction = () => [...tenant.actions.values()].find((action) => action.name === UNIFIED_ACTION);

  beforeEach(() => {
    tenant.experience = 'unified';
  });

  it('creates the custom-phone-provider Action and the custom phone provider, and never calls the legacy endpoint', async () => {
    const run = await deploy();

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(writes()).toEqual([
      'POST /api/v2/actions/actions',
      'POST /api/v2/actions/actions/:id/deploy',
      'PATCH /api/v2/actions/triggers/custom-phone-provider/bindings',
      'POST /api/v2/branding/phone/providers',
      'PUT /api/v2/guardian/factors/sms',
    ]);
    expect(tenant.calls.some((call) => call.path.includes('selected-provider'))).toBe(false);
    const action = providerAction()!;
    expect(action).toMatchObject({
      supported_triggers: [{ id: 'custom-phone-provider', version: 'v1' }],
      runtime: 'node22',
      secrets: [
        { name: 'SMS_GATEWAY_URL', value: GATEWAY_URL },
        { name: 'SMS_GATEWAY_SIGNING_SECRET', value: signingSecret },
      ],
      all_changes_deployed: true,
    });
    expect(action.code.startsWith((await bundleForwarder('custom-phone-provider')).trimEnd())).toBe(true);
    expect(tenant.bindings['custom-phone-provider'].map((binding) => binding.action_id)).toEqual([action.id]);
    expect(tenant.tenantPhoneProvider).toMatchObject({ name: 'custom', disabled: false, delivery_methods: ['text'] });
    expect(tenant.messageTypes).toEqual(['sms']);
    expect(tenant.factors.sms).toBe(true);

    expect(run.stdout).toContain("Phone experience: unified (Branding > Phone Provider, custom-phone-provider Action); the tenant's phone_consolidated_experience setting is on.");
    expect(run.stdout).toContain('Done: 5 changes applied. Auth0 now sends its phone messages (MFA, passwordless, phone verification, account notices) through the gateway.');
    expect(run.stdout).not.toContain('Do by hand');
  });

  it('changes nothing on a second run, and says so', async () => {
    expect((await deploy(['--voice'])).code).toBe(0);
    const before = tenant.writes().length;

    const second = await deploy(['--voice']);

    expect(second.code).toBe(0);
    expect(tenant.writes()).toHaveLength(before);
    expect(second.stdout).toContain('Nothing to change: the tenant already sends its phone messages');
  });

  it('offers voice with --voice, and keeps the message types within the delivery methods when it is taken away', async () => {
    expect((await deploy(['--voice'])).code).toBe(0);
    expect(tenant.tenantPhoneProvider!.delivery_methods).toEqual(['text', 'voice']);
    expect(tenant.messageTypes).toEqual(['sms', 'voice']);
    const before = tenant.writes().length;

    const run = await deploy();

    expect(run.stderr).toBe('');
    expect(writes().slice(before)).toEqual(['PUT /api/v2/guardian/factors/phone/message-types', `PATCH /api/v2/branding/phone/providers/${tenant.tenantPhoneProvider!.id}`]);
    expect(tenant.tenantPhoneProvider!.delivery_methods).toEqual(['text']);
    expect(tenant.messageTypes).toEqual(['sms']);
  });

  it('turns a Twilio phone provider into the custom one, enabled', async () => {
    tenant.tenantPhoneProvider = { id: 'pro_twilio1', name: 'twilio', disabled: true, delivery_methods: ['text'] };

    const run = await deploy();

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('update the tenant phone provider: twilio -> custom; enable it');
    expect(writes()).toContain('PATCH /api/v2/branding/phone/providers/pro_twilio1');
    expect(tenant.tenantPhoneProvider).toMatchObject({ id: 'pro_twilio1', name: 'custom', disabled: false });
  });

  describe('another Action on custom-phone-provider, where Auth0 allows one (the Dashboard\'s Custom provider makes one)', () => {
    let other: FakeAction;

    beforeEach(() => {
      other = tenant.addAction({ name: 'Custom Phone Provider', supported_triggers: [{ id: 'custom-phone-provider', version: 'v1' }], deployed_code: 'exports.onExecuteCustomPhoneProvider = async () => {};' });
      tenant.bind('custom-phone-provider', other);
    });

    it('changes nothing and names both ways out', async () => {
      const run = await deploy();

      expect(run.code).toBe(1);
      expect(run.stderr).toContain('The tenant already has the Action "Custom Phone Provider" on the custom-phone-provider trigger, where Auth0 allows one Action');
      expect(run.stderr).toContain(`--replace-action`);
      expect(run.stderr).toContain(`DELETE /api/v2/actions/actions/${other.id}?force=true`);
      expect(writes()).toEqual([]);
    });

    it('with --replace-action, puts the gateway\'s forwarder into that Action, keeps its binding, and a second run changes nothing', async () => {
      const run = await deploy(['--replace-action']);

      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('replace the code, runtime and secrets of the Action "Custom Phone Provider" with the gateway\'s');
      expect(providerAction()).toMatchObject({ id: other.id, name: 'mfa-sms-gateway-phone-provider', all_changes_deployed: true });
      expect(providerAction()!.deployed_code).toContain('SMS_GATEWAY_URL');
      expect(tenant.bindings['custom-phone-provider'].map((binding) => binding.action_id)).toEqual([other.id]);
      expect(tenant.tenantPhoneProvider).toMatchObject({ name: 'custom', disabled: false });

      const again = await deploy();
      expect(again.stdout).toContain('Nothing to change');
    });

    it('plays Auth0\'s limit: a second Action on the trigger is refused', async () => {
      const client = managementClient({ domain: tenant.domain, clientId: tenant.clientId, clientSecret: tenant.clientSecret }, tenant.fetch);
      const second = client.actions.create({ name: 'second', supported_triggers: [{ id: 'custom-phone-provider', version: 'v1' }], code: '', runtime: 'node22' });
      await expect(second).rejects.toMatchObject({ statusCode: 400 });
    });
  });

  it('finds the experience from the legacy endpoint when the tenant setting is not reported', async () => {
    tenant.reportsExperience = false;
    const unified = await deploy(['--dry-run']);
    expect(unified.stdout).toContain('Phone experience: unified (Branding > Phone Provider, custom-phone-provider Action); the tenant refuses the legacy MFA phone provider endpoint (legacy_mfa_phone_provider_not_allowed).');

    tenant.experience = 'legacy';
    const legacy = await deploy(['--dry-run']);
    expect(legacy.stdout).toContain('Phone experience: legacy (MFA phone provider, send-phone-message Action); the tenant answers the legacy MFA phone provider endpoint.');
  });

  it('says the tenant is unified, not that a scope is missing, when told --experience legacy', async () => {
    const run = await deploy(['--experience', 'legacy']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${tenant.domain} runs Auth0's Unified Phone Experience: Auth0 refuses its legacy MFA phone provider endpoint (legacy_mfa_phone_provider_not_allowed).`);
    expect(run.stderr).not.toContain('lacks');
  });

  it('sets up the unified path on a legacy tenant with --experience unified, and prints the Dashboard step MFA needs', async () => {
    tenant.experience = 'legacy';

    const run = await deploy(['--experience', 'unified', '--json']);

    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ ok: true, experience: 'unified', experienceReason: 'chosen with --experience', changed: true });
    expect(result.manualSteps).toEqual([expect.stringContaining('Security > Multi-factor Auth > Phone Message: if it shows "Use Tenant-level Messaging Provider", select it and Save')]);
    expect(tenant.calls.some((call) => call.path === '/api/v2/tenants/settings')).toBe(false);
    expect(tenant.tenantPhoneProvider?.name).toBe('custom');
  });

  it('names the missing phone provider scope', async () => {
    tenant.scopes.delete('create:phone_providers');

    const run = await deploy();

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Application ${tenant.clientId} lacks the scope create:phone_providers on the Auth0 Management API`);
    expect(run.stderr).toContain('(3 of 5 changes were applied; run the command again to finish)');
  });

  it('names read:tenant_settings when it cannot find the experience, and --experience does without it', async () => {
    tenant.scopes.delete('read:tenant_settings');

    const run = await deploy();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('lacks the scope read:tenant_settings');

    expect((await deploy(['--experience', 'unified'])).code).toBe(0);
  });

  it('refuses an unknown --experience', async () => {
    const run = await deploy(['--experience', 'new']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--experience must be unified or legacy.');
    expect(tenant.calls).toHaveLength(0);
  });
});

describe('network faults between the command and Auth0 (unified tenant)', () => {
  let proxy: FaultProxy;

  beforeEach(async () => {
    tenant.experience = 'unified';
    proxy = await FaultProxy.start(tenant.origin);
  });

  afterEach(async () => {
    await proxy.close();
  });

  const creatingProvider = (request: { method: string; path: string }) => request.method === 'POST' && request.path === '/api/v2/branding/phone/providers';

  it.each(['lose-answer', 'drop-after-read'] as const)(
    'says a change may have been made when its answer is lost (%s), and a rerun finishes without a second provider',
    async (kind) => {
      proxy.inject((request) => (creatingProvider(request) ? { kind } : undefined));

      const run = await deploy([], {}, tenant.fetchVia(proxy.url));

      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`The connection to https://${tenant.domain} failed (UND_ERR_SOCKET) while asking it to create the tenant phone provider "custom"`);
      expect(run.stderr).toContain('Auth0 may or may not have made that change (3 of 5 changes were applied before). Run the command again');
      expect(tenant.tenantPhoneProvider !== undefined).toBe(kind === 'lose-answer');

      const rerun = await deploy([], {}, tenant.fetchVia(proxy.url));
      expect(rerun.stderr).toBe('');
      expect(rerun.code).toBe(0);
      // One create reached Auth0 in all: the rerun saw the provider the lost answer had made.
      expect(tenant.calls.filter(creatingProvider)).toHaveLength(1);
      expect(tenant.tenantPhoneProvider).toMatchObject({ name: 'custom', disabled: false });
      expect((await deploy([], {}, tenant.fetchVia(proxy.url))).stdout).toContain('Nothing to change');
    },
  );

  it('rides out a slow answer', async () => {
    proxy.inject((request) => (creatingProvider(request) ? { kind: 'delay', ms: 300 } : undefined));

    const run = await deploy([], {}, tenant.fetchVia(proxy.url));

    expect(run.code).toBe(0);
    expect(tenant.tenantPhoneProvider?.name).toBe('custom');
  });

  it('lets the SDK retry a 503 (after its 1 s pause), for a read and for a write', async () => {
    const unavailable = { kind: 'answer' as const, status: 503, body: '{"statusCode":503,"error":"Service Unavailable","message":"try later"}' };
    proxy.inject(
      (request) => (request.path.startsWith('/api/v2/tenants/settings') ? unavailable : undefined),
      (request) => (creatingProvider(request) ? unavailable : undefined),
    );

    const run = await deploy([], {}, tenant.fetchVia(proxy.url));

    expect(run.code).toBe(0);
    expect(proxy.requests.filter((request) => request.path.startsWith('/api/v2/tenants/settings')).map((request) => request.fault)).toEqual(['answer', 'pass']);
    expect(proxy.requests.filter(creatingProvider).map((request) => request.fault)).toEqual(['answer', 'pass']);
    expect(tenant.tenantPhoneProvider?.name).toBe('custom');
  });
});

describe('gateway settings from the deployed stack', () => {
  let cloudFormation: FakeCloudFormation;
  let secretsManager: FakeSecretsManager;
  const saved = { ...process.env };

  beforeEach(async () => {
    cloudFormation = await FakeCloudFormation.start();
    secretsManager = await FakeSecretsManager.start();
    process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = cloudFormation.url;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secretsManager.url;
  });

  afterEach(async () => {
    process.env = { ...saved };
    await cloudFormation.close();
    await secretsManager.close();
  });

  it('reads the MessagesUrl and SecretArn outputs and the secret when no gateway is given', async () => {
    const arn = secretsManager.put('arn:aws:secretsmanager:us-east-1:123456789012:secret:SmsGateway-abc', {
      TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
      SMS_GATEWAY_SIGNING_SECRET: signingSecret,
    });
    cloudFormation.stacks.set('MfaSmsGateway', { MessagesUrl: GATEWAY_URL, SecretArn: arn, StatusCallbackUrl: 'https://x/twilio/status' });

    const run = await deploy([], { SMS_GATEWAY_URL: undefined, SMS_GATEWAY_SIGNING_SECRET: undefined });

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`gateway ${GATEWAY_URL} (from stack MfaSmsGateway)`);
    expect(ourAction()!.secrets).toEqual([
      { name: 'SMS_GATEWAY_URL', value: GATEWAY_URL },
      { name: 'SMS_GATEWAY_SIGNING_SECRET', value: signingSecret },
    ]);
    expect(secretsManager.count('GetSecretValue')).toBe(1);
  });

  it('explains how to pass the gateway when the stack does not exist', async () => {
    const run = await deploy(['--stack', 'Missing', '--region', 'eu-west-1'], { SMS_GATEWAY_URL: undefined, SMS_GATEWAY_SIGNING_SECRET: undefined });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Stack Missing was not found in eu-west-1: deploy it first, or pass --stack (and --region).');
    expect(run.stderr).toContain('Pass --gateway-url and --signing-secret (or set SMS_GATEWAY_URL and SMS_GATEWAY_SIGNING_SECRET)');
    expect(tenant.calls).toHaveLength(0);
  });
});
