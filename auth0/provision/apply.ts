import type { ManagementClient } from 'auth0';
import type { Step } from './plan';
import { CUSTOM_PHONE_PROVIDER, PHONE_FACTOR, PHONE_PROVIDER, type DesiredSetup } from './setup';
import type { TenantState } from './state';

export interface ApplyOptions {
  /** Called after each step succeeds. */
  onApplied?: (step: Step) => void;
  sleep?: (ms: number) => Promise<void>;
}

// Auth0 builds an Action asynchronously after a create or update; it can only be deployed once built.
const BUILD_POLLS = 60;
const BUILD_POLL_MS = 1000;

async function waitUntilBuilt(client: ManagementClient, actionId: string, name: string, sleep: (ms: number) => Promise<void>): Promise<void> {
  for (let poll = 0; poll < BUILD_POLLS; poll++) {
    const { status } = await client.actions.get(actionId);
    if (status === 'built') return;
    if (status === 'failed') throw new Error(`Auth0 could not build the Action "${name}" (status failed); see it in Actions > Library.`);
    await sleep(BUILD_POLL_MS);
  }
  throw new Error(`The Action "${name}" was still not built after ${BUILD_POLLS} s; run the command again.`);
}

export async function applyPlan(client: ManagementClient, plan: readonly Step[], desired: DesiredSetup, state: TenantState, options: ApplyOptions = {}): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let actionId = state.action?.id;
  const content = { code: desired.code, runtime: desired.runtime, secrets: desired.secrets };
  // The custom provider's configuration (Auth0's "Configure a custom phone provider" page): no credentials.
  const provider = { name: CUSTOM_PHONE_PROVIDER, disabled: false, configuration: { delivery_methods: desired.deliveryMethods }, credentials: {} };

  for (const step of plan) {
    switch (step.kind) {
      case 'create-action': {
        const created = await client.actions.create({
          name: desired.actionName,
          supported_triggers: [{ id: desired.triggerId, version: state.triggerVersion }],
          ...content,
        });
        actionId = created.id;
        break;
      }
      case 'update-action':
        // The name too: an Action taken over with --replace-action becomes the gateway's by name.
        await client.actions.update(step.actionId, { name: desired.actionName, ...content });
        actionId = step.actionId;
        break;
      case 'deploy-action':
        if (!actionId) throw new Error('internal: deploy planned before the Action exists');
        await waitUntilBuilt(client, actionId, desired.actionName, sleep);
        await client.actions.deploy(actionId);
        break;
      case 'bind-action':
        // PATCH replaces the whole list: every existing binding is sent back, in order, by its
        // own id so that it is kept as it is (integration bindings carry their own secrets).
        await client.actions.triggers.bindings.updateMany(desired.triggerId, {
          bindings: [
            ...step.keep.map((binding) => ({
              ref: binding.bindingId
                ? { type: 'binding_id' as const, value: binding.bindingId }
                : binding.actionId
                  ? { type: 'action_id' as const, value: binding.actionId }
                  : { type: 'action_name' as const, value: binding.actionName },
              ...(binding.displayName ? { display_name: binding.displayName } : {}),
            })),
            { ref: { type: 'action_name', value: desired.actionName }, display_name: desired.actionName },
          ],
        });
        break;
      case 'select-provider':
        await client.guardian.factors.phone.setProvider({ provider: PHONE_PROVIDER });
        break;
      case 'create-phone-provider':
        await client.branding.phone.providers.create(provider);
        break;
      case 'update-phone-provider':
        await client.branding.phone.providers.update(step.providerId, provider);
        break;
      case 'set-message-types':
        await client.guardian.factors.phone.setMessageTypes({ message_types: step.messageTypes });
        break;
      case 'enable-factor':
        await client.guardian.factors.set(PHONE_FACTOR, { enabled: true });
        break;
    }
    options.onApplied?.(step);
  }
}
