import { CUSTOM_PHONE_PROVIDER, DELIVERY_METHOD_OF, PHONE_FACTOR, PHONE_PROVIDER, type DesiredSetup, type MessageType } from './setup';
import type { BindingState, LegacyTenantState, OtherAction, PhoneProviderState, TenantState, UnifiedTenantState } from './state';

/**
 * The changes that take a tenant from its state to the desired setup, in the order they must be
 * applied, and the steps only the Dashboard can make. Pure, so that a dry run, a real run and the
 * tests all see the same plan. Summaries name secrets, never their values.
 */
export type Step =
  | { kind: 'create-action'; summary: string }
  | { kind: 'update-action'; actionId: string; summary: string }
  | { kind: 'deploy-action'; summary: string }
  | { kind: 'bind-action'; keep: BindingState[]; summary: string }
  | { kind: 'select-provider'; summary: string }
  | { kind: 'create-phone-provider'; summary: string }
  | { kind: 'update-phone-provider'; providerId: string; summary: string }
  | { kind: 'set-message-types'; messageTypes: MessageType[]; summary: string }
  | { kind: 'enable-factor'; summary: string };

export interface Plan {
  steps: Step[];
  /** What the Management API cannot do: the exact Dashboard steps, printed rather than pretended. */
  manual: string[];
  /** Why nothing can be done until the user acts (then `steps` is empty): the command fails with it. */
  blocked?: string;
}

export interface PlanOptions {
  /**
   * `auth0 deploy --replace-action`: on a unified tenant whose one custom-phone-provider Action
   * is somebody else's, put the gateway's forwarder into that Action instead of creating one.
   */
  replaceAction?: boolean;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');
}

function both(items: readonly string[]): string {
  return items.join(' and ') || 'none';
}

function actionSteps(state: TenantState, desired: DesiredSetup, adopted?: OtherAction): Step[] {
  const secretNames = desired.secrets.map((secret) => secret.name);
  const { action } = state;
  if (adopted) {
    return [
      {
        kind: 'update-action',
        actionId: adopted.id,
        summary: `replace the code, runtime and secrets of the Action "${adopted.name}" with the gateway's (secrets ${secretNames.join(', ')}) and rename it "${desired.actionName}"`,
      },
      { kind: 'deploy-action', summary: `deploy the Action "${desired.actionName}"` },
    ];
  }
  if (!action) {
    return [
      {
        kind: 'create-action',
        summary: `create the Action "${desired.actionName}" (trigger ${desired.triggerId} ${state.triggerVersion}, runtime ${desired.runtime}) with the secrets ${secretNames.join(', ')}`,
      },
      { kind: 'deploy-action', summary: `deploy the Action "${desired.actionName}"` },
    ];
  }

  const changes: string[] = [];
  if (action.code !== desired.code) changes.push('new code or gateway settings');
  if (action.runtime !== desired.runtime) changes.push(`runtime ${action.runtime ?? 'unset'} -> ${desired.runtime}`);
  const missing = secretNames.filter((name) => !action.secretNames.includes(name));
  if (missing.length > 0) changes.push(`add the secrets ${missing.join(', ')}`);
  if (changes.length > 0) {
    return [
      { kind: 'update-action', actionId: action.id, summary: `update the Action "${desired.actionName}": ${changes.join('; ')}` },
      { kind: 'deploy-action', summary: `deploy the Action "${desired.actionName}"` },
    ];
  }
  if (!action.allChangesDeployed) {
    return [{ kind: 'deploy-action', summary: `deploy the Action "${desired.actionName}" (it has undeployed changes)` }];
  }
  return [];
}

function named(bindings: readonly BindingState[]): string[] {
  return bindings.map((binding) => binding.displayName ?? binding.actionName ?? binding.actionId ?? 'unnamed');
}

/** Whether a binding runs our Action. */
export function isOurBinding(state: TenantState, binding: BindingState, actionName: string): boolean {
  return (state.action !== undefined && binding.actionId === state.action.id) || binding.actionName === actionName;
}

function bindingStep(state: TenantState, desired: DesiredSetup): Step[] {
  if (state.bindings.some((binding) => isOurBinding(state, binding, desired.actionName))) return [];
  if (desired.experience === 'unified') {
    // The phone provider runs one Action: any other bound there would be a second sender.
    const replaced = named(state.bindings);
    const replacing = replaced.length === 0 ? '' : `, in place of ${replaced.join(', ')} (the phone provider runs one Action)`;
    return [{ kind: 'bind-action', keep: [], summary: `bind the Action to the ${desired.triggerId} trigger${replacing}` }];
  }
  const others = named(state.bindings);
  const keeping = others.length === 0 ? '' : ` after the ${others.length} existing one${others.length === 1 ? '' : 's'} (${others.join(', ')}), which stay`;
  return [{ kind: 'bind-action', keep: state.bindings, summary: `bind the Action to the ${desired.triggerId} trigger${keeping}` }];
}

function factorSteps(state: TenantState, desired: DesiredSetup): Step[] {
  const steps: Step[] = [];
  if (!sameSet(state.messageTypes, desired.messageTypes)) {
    steps.push({
      kind: 'set-message-types',
      messageTypes: desired.messageTypes,
      summary: `set the phone factor's message types to ${both(desired.messageTypes)} (now ${both(state.messageTypes)})`,
    });
  }
  if (!state.phoneFactorEnabled) {
    steps.push({ kind: 'enable-factor', summary: `enable the Phone Message MFA factor (${PHONE_FACTOR})` });
  }
  return steps;
}

function legacySteps(state: LegacyTenantState, desired: DesiredSetup): Step[] {
  const steps: Step[] = [];
  if (state.phoneProvider !== PHONE_PROVIDER) {
    steps.push({
      kind: 'select-provider',
      summary: `make the Action the MFA phone provider (${PHONE_PROVIDER}, now ${state.phoneProvider ?? 'unset'})`,
    });
  }
  return [...steps, ...factorSteps(state, desired)];
}

function providerStep(provider: PhoneProviderState | undefined, desired: DesiredSetup): Step[] {
  const methods = both(desired.deliveryMethods);
  if (!provider) {
    return [{ kind: 'create-phone-provider', summary: `create the tenant phone provider "${CUSTOM_PHONE_PROVIDER}" (Branding > Phone Provider > Custom), enabled, delivery methods ${methods}` }];
  }
  const changes: string[] = [];
  if (provider.name !== CUSTOM_PHONE_PROVIDER) changes.push(`${provider.name} -> ${CUSTOM_PHONE_PROVIDER}`);
  if (provider.disabled) changes.push('enable it');
  if (!sameSet(provider.deliveryMethods, desired.deliveryMethods)) changes.push(`delivery methods ${both(provider.deliveryMethods)} -> ${methods}`);
  if (changes.length === 0) return [];
  return [{ kind: 'update-phone-provider', providerId: provider.id, summary: `update the tenant phone provider: ${changes.join('; ')}` }];
}

function unifiedSteps(state: UnifiedTenantState, desired: DesiredSetup): Step[] {
  const provider = providerStep(state.provider, desired);
  const factor = factorSteps(state, desired);
  // Auth0 wants the MFA message types to be a subset of the provider's delivery methods: when an
  // existing provider loses a method, the message types shrink first; otherwise it comes first.
  const narrowing = state.provider !== undefined && state.messageTypes.some((type) => !desired.deliveryMethods.includes(DELIVERY_METHOD_OF[type as MessageType]));
  return narrowing ? [...factor, ...provider] : [...provider, ...factor];
}

function unifiedManualSteps(state: UnifiedTenantState): string[] {
  const manual: string[] = [];
  if (!state.found.detected) {
    manual.push(
      'In the Auth0 Dashboard, open Security > Multi-factor Auth > Phone Message: if it shows "Use Tenant-level Messaging Provider", select it and Save, so that MFA uses the tenant phone provider (the Management API cannot set it).',
    );
  }
  if (state.otherProviderActions.length > 0) {
    manual.push(
      `Other Actions are on the custom-phone-provider trigger (${deletable(state.otherProviderActions)}), where Auth0 allows one: delete them, then run this command again.`,
    );
  }
  return manual;
}

function deletable(actions: readonly OtherAction[]): string {
  // `force` detaches its bindings: Auth0 refuses to delete a bound Action without it.
  return actions.map((action) => `"${action.name}": DELETE /api/v2/actions/actions/${action.id}?force=true`).join('; ');
}

/**
 * Auth0 allows one Action on the custom-phone-provider trigger ("Configure a custom phone
 * provider with Terraform"; the Dashboard's Custom phone provider makes one): while another is
 * there, the gateway's cannot be created. Nothing is changed then, unless --replace-action
 * names the way out: taking that one Action over.
 */
function takenTrigger(state: UnifiedTenantState, desired: DesiredSetup, options: PlanOptions): { blocked: string } | { adopted: OtherAction } | undefined {
  const others = state.otherProviderActions;
  if (state.action || others.length === 0) return undefined;
  if (options.replaceAction && others.length === 1) return { adopted: others[0] };
  const names = others.map((action) => `"${action.name}"`).join(', ');
  const replace =
    others.length === 1
      ? ` Either run again with --replace-action to put the gateway's forwarder into ${names} (its code, runtime and secrets are replaced, and it is renamed "${desired.actionName}"), or delete it first (${deletable(others)}).`
      : ` Delete all but one (${deletable(others)}), then run again, with --replace-action to take over the one left.`;
  return {
    blocked: `The tenant already has the Action${others.length === 1 ? '' : 's'} ${names} on the ${desired.triggerId} trigger, where Auth0 allows one Action, so the gateway's cannot be created beside it.${replace} Nothing was changed.`,
  };
}

export function planSetup(state: TenantState, desired: DesiredSetup, options: PlanOptions = {}): Plan {
  if (state.experience === 'unified') {
    const taken = takenTrigger(state, desired, options);
    if (taken && 'blocked' in taken) return { steps: [], manual: [], blocked: taken.blocked };
    // The Action taken over counts as the gateway's from here on: a binding to it is ours.
    const adopted = taken?.adopted;
    const current: UnifiedTenantState = adopted
      ? { ...state, action: { id: adopted.id, secretNames: [], allChangesDeployed: false, deployed: adopted.deployed }, otherProviderActions: [] }
      : state;
    const steps = [...actionSteps(current, desired, adopted), ...bindingStep(current, desired), ...unifiedSteps(current, desired)];
    return { steps, manual: unifiedManualSteps(current) };
  }
  return { steps: [...actionSteps(state, desired), ...bindingStep(state, desired), ...legacySteps(state, desired)], manual: [] };
}
