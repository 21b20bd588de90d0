import { planSetup } from '../../auth0/provision/plan';
import { desiredSetup } from '../../auth0/provision/setup';
import type { TenantState } from '../../auth0/provision/state';

/** The planner alone: what each difference between tenant and desired setup turns into. */

const desired = desiredSetup({ bundle: 'exports.x = 1;', gatewayUrl: 'https://gw.example.com/messages', signingSecret: 'whsec_AAAA', voice: false });

function configured(overrides: Partial<TenantState> = {}): TenantState {
  return {
    triggerVersion: 'v2',
    action: { id: 'a1', code: desired.code, runtime: 'node22', secretNames: ['SMS_GATEWAY_URL', 'SMS_GATEWAY_SIGNING_SECRET'], allChangesDeployed: true },
    bindings: [{ bindingId: 'b1', actionId: 'a1', actionName: 'mfa-sms-gateway' }],
    phoneProvider: 'phone-message-hook',
    messageTypes: ['sms'],
    phoneFactorEnabled: true,
    ...overrides,
  };
}

it('plans nothing for a tenant that is already set up', () => {
  expect(planSetup(configured(), desired)).toEqual([]);
});

it('treats message types as a set', () => {
  const voice = { ...desired, messageTypes: ['sms', 'voice'] as ('sms' | 'voice')[] };
  expect(planSetup(configured({ messageTypes: ['voice', 'sms'] }), voice)).toEqual([]);
  expect(planSetup(configured({ messageTypes: ['sms', 'voice'] }), desired).map((step) => step.kind)).toEqual(['set-message-types']);
});

it('recognizes the binding by action name when the ids differ', () => {
  expect(planSetup(configured({ bindings: [{ actionName: 'mfa-sms-gateway' }] }), desired)).toEqual([]);
});

it('keeps every other binding, in order, when binding', () => {
  const others = [{ bindingId: 'x', actionId: 'o1', displayName: 'First' }, { bindingId: 'y', actionId: 'o2', displayName: 'Second' }];
  const [step] = planSetup(configured({ bindings: others }), desired);
  expect(step).toMatchObject({ kind: 'bind-action', keep: others });
  expect(step.summary).toBe('bind the Action to the send-phone-message trigger after the 2 existing ones (First, Second), which stay');
});

it('never puts a secret value in a summary', () => {
  const steps = planSetup({ triggerVersion: 'v2', bindings: [], messageTypes: [], phoneFactorEnabled: false }, desired);
  expect(steps.map((step) => step.kind)).toEqual(['create-action', 'deploy-action', 'bind-action', 'select-provider', 'set-message-types', 'enable-factor']);
  expect(JSON.stringify(steps)).not.toContain('whsec_AAAA');
});
