import { ACTION_NAME, PHONE_FACTOR, PHONE_PROVIDER, type DesiredSetup, type MessageType } from './setup';
import type { BindingState, TenantState } from './state';

/**
 * The changes that take a tenant from its state to the desired setup, in the order they must be
 * applied. Pure, so that a dry run, a real run and the tests all see the same plan. Summaries
 * name secrets, never their values.
 */
export type Step =
  | { kind: 'create-action'; summary: string }
  | { kind: 'update-action'; actionId: string; summary: string }
  | { kind: 'deploy-action'; summary: string }
  | { kind: 'bind-action'; keep: BindingState[]; summary: string }
  | { kind: 'select-provider'; summary: string }
  | { kind: 'set-message-types'; messageTypes: MessageType[]; summary: string }
  | { kind: 'enable-factor'; summary: string };

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');
}

function actionSteps(state: TenantState, desired: DesiredSetup): Step[] {
  const secretNames = desired.secrets.map((secret) => secret.name);
  const { action } = state;
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

function bindingStep(state: TenantState, desired: DesiredSetup): Step[] {
  const bound = state.bindings.some(
    (binding) => (state.action && binding.actionId === state.action.id) || binding.actionName === ACTION_NAME,
  );
  if (bound) return [];
  const others = state.bindings.map((binding) => binding.displayName ?? binding.actionName ?? binding.actionId ?? 'unnamed');
  const keeping = others.length === 0 ? '' : ` after the ${others.length} existing one${others.length === 1 ? '' : 's'} (${others.join(', ')}), which stay`;
  return [{ kind: 'bind-action', keep: state.bindings, summary: `bind the Action to the ${desired.triggerId} trigger${keeping}` }];
}

export function planSetup(state: TenantState, desired: DesiredSetup): Step[] {
  const steps: Step[] = [...actionSteps(state, desired), ...bindingStep(state, desired)];
  if (state.phoneProvider !== PHONE_PROVIDER) {
    steps.push({
      kind: 'select-provider',
      summary: `make the Action the MFA phone provider (${PHONE_PROVIDER}, now ${state.phoneProvider ?? 'unset'})`,
    });
  }
  if (!sameSet(state.messageTypes, desired.messageTypes)) {
    steps.push({
      kind: 'set-message-types',
      messageTypes: desired.messageTypes,
      summary: `set the phone factor's message types to ${desired.messageTypes.join(' and ')} (now ${state.messageTypes.join(' and ') || 'none'})`,
    });
  }
  if (!state.phoneFactorEnabled) {
    steps.push({ kind: 'enable-factor', summary: `enable the Phone Message MFA factor (${PHONE_FACTOR})` });
  }
  return steps;
}
