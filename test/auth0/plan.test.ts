import { planSetup } from '../../auth0/provision/plan';
import { desiredSetup, type Experience } from '../../auth0/provision/setup';
import type { LegacyTenantState, UnifiedTenantState } from '../../auth0/provision/state';

/** The planner alone: what each difference between tenant and desired setup turns into. */

const desire = (experience: Experience, voice = false) =>
  desiredSetup({ experience, bundle: 'exports.x = 1;', gatewayUrl: 'https://gw.example.com/messages', signingSecret: 'whsec_AAAA', voice });
const desired = desire('legacy');
const SECRET_NAMES = ['SMS_GATEWAY_URL', 'SMS_GATEWAY_SIGNING_SECRET'];

function configured(overrides: Partial<LegacyTenantState> = {}): LegacyTenantState {
  return {
    experience: 'legacy',
    found: { experience: 'legacy', reason: 'test', detected: true },
    triggerVersion: 'v2',
    action: { id: 'a1', code: desired.code, runtime: 'node22', secretNames: SECRET_NAMES, allChangesDeployed: true },
    bindings: [{ bindingId: 'b1', actionId: 'a1', actionName: 'mfa-sms-gateway' }],
    phoneProvider: 'phone-message-hook',
    messageTypes: ['sms'],
    phoneFactorEnabled: true,
    ...overrides,
  };
}

const kinds = (state: LegacyTenantState | UnifiedTenantState, wanted = desired) => planSetup(state, wanted).steps.map((step) => step.kind);

describe('the legacy experience', () => {
  it('plans nothing for a tenant that is already set up', () => {
    expect(planSetup(configured(), desired)).toEqual({ steps: [], manual: [] });
  });

  it('treats message types as a set', () => {
    const voice = desire('legacy', true);
    expect(planSetup(configured({ messageTypes: ['voice', 'sms'], action: { ...configured().action!, code: voice.code } }), voice).steps).toEqual([]);
    expect(kinds(configured({ messageTypes: ['sms', 'voice'] }))).toEqual(['set-message-types']);
  });

  it('recognizes the binding by action name when the ids differ', () => {
    expect(planSetup(configured({ bindings: [{ actionName: 'mfa-sms-gateway' }] }), desired).steps).toEqual([]);
  });

  it('keeps every other binding, in order, when binding', () => {
    const others = [{ bindingId: 'x', actionId: 'o1', displayName: 'First' }, { bindingId: 'y', actionId: 'o2', displayName: 'Second' }];
    const [step] = planSetup(configured({ bindings: others }), desired).steps;
    expect(step).toMatchObject({ kind: 'bind-action', keep: others });
    expect(step.summary).toBe('bind the Action to the send-phone-message trigger after the 2 existing ones (First, Second), which stay');
  });

  it('never puts a secret value in a summary', () => {
    const { steps } = planSetup(configured({ action: undefined, bindings: [], phoneProvider: undefined, messageTypes: [], phoneFactorEnabled: false }), desired);
    expect(steps.map((step) => step.kind)).toEqual(['create-action', 'deploy-action', 'bind-action', 'select-provider', 'set-message-types', 'enable-factor']);
    expect(JSON.stringify(steps)).not.toContain('whsec_AAAA');
  });
});

describe('the unified experience', () => {
  const unified = desire('unified');

  function tenant(overrides: Partial<UnifiedTenantState> = {}): UnifiedTenantState {
    return {
      experience: 'unified',
      found: { experience: 'unified', reason: 'test', detected: true },
      triggerVersion: 'v1',
      action: { id: 'u1', code: unified.code, runtime: 'node22', secretNames: SECRET_NAMES, allChangesDeployed: true },
      bindings: [{ bindingId: 'b1', actionId: 'u1', actionName: 'mfa-sms-gateway-phone-provider' }],
      provider: { id: 'pro_1', name: 'custom', disabled: false, deliveryMethods: ['text'] },
      otherProviderActions: [],
      messageTypes: ['sms'],
      phoneFactorEnabled: true,
      ...overrides,
    };
  }

  it('plans nothing, and no Dashboard step, for a tenant already set up', () => {
    expect(planSetup(tenant(), unified)).toEqual({ steps: [], manual: [] });
  });

  it('sets up a new tenant: the Action on custom-phone-provider, then the provider, then the factor', () => {
    const { steps } = planSetup(tenant({ action: undefined, bindings: [], provider: undefined, messageTypes: [], phoneFactorEnabled: false }), unified);
    expect(steps.map((step) => step.kind)).toEqual(['create-action', 'deploy-action', 'bind-action', 'create-phone-provider', 'set-message-types', 'enable-factor']);
    expect(steps[0].summary).toBe(
      'create the Action "mfa-sms-gateway-phone-provider" (trigger custom-phone-provider v1, runtime node22) with the secrets SMS_GATEWAY_URL, SMS_GATEWAY_SIGNING_SECRET',
    );
    expect(steps[3].summary).toBe('create the tenant phone provider "custom" (Branding > Phone Provider > Custom), enabled, delivery methods text');
  });

  it('turns a Twilio provider into the custom one, enables it and sets the delivery methods, in one update', () => {
    const steps = planSetup(tenant({ provider: { id: 'pro_1', name: 'twilio', disabled: true, deliveryMethods: ['text'] } }), desire('unified', true)).steps;
    expect(steps.find((step) => step.kind === 'update-phone-provider')).toEqual({
      kind: 'update-phone-provider',
      providerId: 'pro_1',
      summary: 'update the tenant phone provider: twilio -> custom; enable it; delivery methods text -> text and voice',
    });
  });

  it('keeps the MFA message types within the delivery methods at every step: widen after, narrow before', () => {
    const widening = tenant();
    expect(kinds(widening, desire('unified', true))).toEqual(['update-phone-provider', 'set-message-types']);
    const narrowing = tenant({ provider: { id: 'pro_1', name: 'custom', disabled: false, deliveryMethods: ['text', 'voice'] }, messageTypes: ['sms', 'voice'] });
    expect(kinds(narrowing, unified)).toEqual(['set-message-types', 'update-phone-provider']);
  });

  it('binds in place of another Action on the trigger, which would be a second sender', () => {
    const [step] = planSetup(tenant({ bindings: [{ bindingId: 'x', actionId: 'o1', displayName: 'Twilio Verify' }] }), unified).steps;
    expect(step).toEqual({ kind: 'bind-action', keep: [], summary: 'bind the Action to the custom-phone-provider trigger, in place of Twilio Verify (the phone provider runs one Action)' });
  });

  it('prints the Dashboard steps the Management API cannot make', () => {
    const forced = planSetup(tenant({ found: { experience: 'unified', reason: 'chosen with --experience', detected: false } }), unified);
    expect(forced.manual).toEqual([expect.stringContaining('Security > Multi-factor Auth > Phone Message: if it shows "Use Tenant-level Messaging Provider", select it and Save')]);
  });

  describe('another Action on custom-phone-provider, where Auth0 allows one', () => {
    const other = { id: 'act_old', name: 'Old Provider', deployed: true };

    it('changes nothing and says both ways out', () => {
      const plan = planSetup(tenant({ action: undefined, bindings: [], otherProviderActions: [other] }), unified);
      expect(plan.steps).toEqual([]);
      expect(plan.blocked).toContain('The tenant already has the Action "Old Provider" on the custom-phone-provider trigger, where Auth0 allows one Action');
      expect(plan.blocked).toContain('run again with --replace-action');
      expect(plan.blocked).toContain('DELETE /api/v2/actions/actions/act_old?force=true');
    });

    it('with --replace-action, takes that Action over: its code replaced, renamed, deployed; a binding to it is kept', () => {
      const plan = planSetup(tenant({ action: undefined, otherProviderActions: [other], bindings: [{ bindingId: 'b1', actionId: 'act_old', displayName: 'Old Provider' }] }), unified, { replaceAction: true });
      expect(plan.blocked).toBeUndefined();
      expect(plan.steps.slice(0, 2)).toEqual([
        { kind: 'update-action', actionId: 'act_old', summary: expect.stringContaining('replace the code, runtime and secrets of the Action "Old Provider" with the gateway\'s') },
        { kind: 'deploy-action', summary: 'deploy the Action "mfa-sms-gateway-phone-provider"' },
      ]);
      expect(plan.steps.map((step) => step.kind)).not.toContain('bind-action');
      expect(plan.manual).toEqual([]);
    });

    it('does not offer --replace-action for more than one', () => {
      const plan = planSetup(tenant({ action: undefined, bindings: [], otherProviderActions: [other, { id: 'act_two', name: 'Two', deployed: false }] }), unified, { replaceAction: true });
      expect(plan.steps).toEqual([]);
      expect(plan.blocked).toContain('Delete all but one');
    });

    it('still asks to delete the others when the gateway\'s Action exists beside them', () => {
      const plan = planSetup(tenant({ action: { id: 'act_ours', code: 'x', runtime: 'node22', secretNames: [], allChangesDeployed: true }, otherProviderActions: [other] }), unified);
      expect(plan.manual).toEqual([expect.stringContaining('Other Actions are on the custom-phone-provider trigger ("Old Provider": DELETE /api/v2/actions/actions/act_old?force=true)')]);
    });
  });
});
