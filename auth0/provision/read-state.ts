import type { ManagementClient } from 'auth0';
import { ACTION_NAME, PHONE_FACTOR, TRIGGER_ID } from './setup';
import type { ActionState, BindingState, TenantState } from './state';

const PAGE_SIZE = 50;

async function triggerVersion(client: ManagementClient): Promise<string> {
  const { triggers = [] } = await client.actions.triggers.list();
  const versions = triggers.filter((trigger) => trigger.id === TRIGGER_ID);
  const current = versions.find((trigger) => trigger.status?.toUpperCase() === 'CURRENT') ?? versions.at(-1);
  if (!current?.version) throw new Error(`This tenant offers no ${TRIGGER_ID} Actions trigger.`);
  return current.version;
}

async function findAction(client: ManagementClient): Promise<ActionState | undefined> {
  const page = await client.actions.list({ triggerId: TRIGGER_ID, actionName: ACTION_NAME, per_page: PAGE_SIZE });
  let id: string | undefined;
  for await (const action of page) {
    if (action.name === ACTION_NAME && action.id) {
      id = action.id;
      break;
    }
  }
  if (!id) return undefined;
  // The list may leave out the code and secrets; the action itself has them.
  const action = await client.actions.get(id);
  return {
    id,
    code: action.code,
    runtime: action.runtime,
    secretNames: (action.secrets ?? []).flatMap((secret) => (secret.name ? [secret.name] : [])),
    allChangesDeployed: action.all_changes_deployed === true,
    deployed: action.deployed_version != null || action.all_changes_deployed === true,
  };
}

async function bindings(client: ManagementClient): Promise<BindingState[]> {
  const page = await client.actions.triggers.bindings.list(TRIGGER_ID, { per_page: PAGE_SIZE });
  const found: BindingState[] = [];
  for await (const binding of page) {
    found.push({ bindingId: binding.id, actionId: binding.action?.id, actionName: binding.action?.name, displayName: binding.display_name });
  }
  return found;
}

export async function readTenantState(client: ManagementClient): Promise<TenantState> {
  const version = await triggerVersion(client);
  const action = await findAction(client);
  const bound = await bindings(client);
  const { provider } = await client.guardian.factors.phone.getSelectedProvider();
  const { message_types: messageTypes = [] } = await client.guardian.factors.phone.getMessageTypes();
  const factors = await client.guardian.factors.list();
  return {
    triggerVersion: version,
    action,
    bindings: bound,
    phoneProvider: provider,
    messageTypes,
    phoneFactorEnabled: factors.some((factor) => factor.name === PHONE_FACTOR && factor.enabled),
  };
}
