import { ManagementError, type ManagementClient } from 'auth0';
import { CUSTOM_PHONE_PROVIDER, EXPERIENCE_SPECS, PHONE_FACTOR, type Experience, type ExperienceSpec, type PhoneTrigger } from './setup';
import type { ActionState, BindingState, ExperienceFinding, OtherAction, PhoneProviderState, TenantState } from './state';

const PAGE_SIZE = 50;

/**
 * Auth0's answer to the legacy MFA phone provider endpoints on a tenant that runs the Unified
 * Phone Experience: 403 "Insufficient privileges to use this deprecated feature. To handle Phone
 * Provider/Templates refer to Tenant Phone Settings", errorCode
 * legacy_mfa_phone_provider_not_allowed (as auth0-deploy-cli and terraform-provider-auth0 meet it).
 */
export const LEGACY_REFUSED = 'legacy_mfa_phone_provider_not_allowed';

export function isLegacyEndpointRefusal(err: unknown): boolean {
  if (!(err instanceof ManagementError) || err.statusCode !== 403) return false;
  const body = (typeof err.body === 'object' && err.body !== null ? err.body : {}) as Record<string, unknown>;
  return body.errorCode === LEGACY_REFUSED || /deprecated feature/i.test(String(body.message ?? ''));
}

/**
 * Which phone experience the tenant runs: its `phone_consolidated_experience` setting
 * (GET /tenants/settings) when Auth0 reports it; else the legacy MFA phone provider endpoint,
 * which Auth0 answers on legacy tenants and refuses on unified ones.
 */
export async function detectExperience(client: ManagementClient): Promise<ExperienceFinding> {
  const settings = await client.tenants.settings.get({ fields: 'phone_consolidated_experience', include_fields: true });
  if (typeof settings.phone_consolidated_experience === 'boolean') {
    return settings.phone_consolidated_experience
      ? { experience: 'unified', reason: "the tenant's phone_consolidated_experience setting is on", detected: true }
      : { experience: 'legacy', reason: "the tenant's phone_consolidated_experience setting is off", detected: true };
  }
  try {
    await client.guardian.factors.phone.getSelectedProvider();
    return { experience: 'legacy', reason: 'the tenant answers the legacy MFA phone provider endpoint', detected: true };
  } catch (err) {
    if (isLegacyEndpointRefusal(err)) return { experience: 'unified', reason: `the tenant refuses the legacy MFA phone provider endpoint (${LEGACY_REFUSED})`, detected: true };
    throw err;
  }
}

async function triggerVersion(client: ManagementClient, triggerId: PhoneTrigger): Promise<string> {
  const { triggers = [] } = await client.actions.triggers.list();
  const versions = triggers.filter((trigger) => trigger.id === triggerId);
  const current = versions.find((trigger) => trigger.status?.toUpperCase() === 'CURRENT') ?? versions.at(-1);
  if (!current?.version) throw new Error(`This tenant offers no ${triggerId} Actions trigger.`);
  return current.version;
}

/** The Actions on a trigger, by name: ours in full, and the others, deployed or not. */
async function findActions(client: ManagementClient, spec: ExperienceSpec): Promise<{ action?: ActionState; others: OtherAction[] }> {
  const page = await client.actions.list({ triggerId: spec.triggerId, per_page: PAGE_SIZE });
  let id: string | undefined;
  const others: OtherAction[] = [];
  for await (const action of page) {
    if (!action.id) continue;
    if (action.name === spec.actionName) id = action.id;
    else others.push({ id: action.id, name: action.name ?? action.id, deployed: action.deployed_version != null || action.all_changes_deployed === true });
  }
  if (!id) return { others };
  // The list may leave out the code and secrets; the action itself has them.
  const action = await client.actions.get(id);
  return {
    others,
    action: {
      id,
      code: action.code,
      runtime: action.runtime,
      secretNames: (action.secrets ?? []).flatMap((secret) => (secret.name ? [secret.name] : [])),
      allChangesDeployed: action.all_changes_deployed === true,
      deployed: action.deployed_version != null || action.all_changes_deployed === true,
    },
  };
}

async function bindings(client: ManagementClient, triggerId: PhoneTrigger): Promise<BindingState[]> {
  const page = await client.actions.triggers.bindings.list(triggerId, { per_page: PAGE_SIZE });
  const found: BindingState[] = [];
  for await (const binding of page) {
    found.push({ bindingId: binding.id, actionId: binding.action?.id, actionName: binding.action?.name, displayName: binding.display_name });
  }
  return found;
}

/** The tenant's phone provider: Auth0 keeps at most one per tenant. */
async function phoneProvider(client: ManagementClient): Promise<PhoneProviderState | undefined> {
  const { providers = [] } = await client.branding.phone.providers.list();
  const provider = providers.find((candidate) => candidate.name === CUSTOM_PHONE_PROVIDER) ?? providers[0];
  if (!provider?.id) return undefined;
  const configuration = (provider.configuration ?? {}) as { delivery_methods?: string[] };
  return { id: provider.id, name: provider.name, disabled: provider.disabled === true, deliveryMethods: configuration.delivery_methods ?? [] };
}

/**
 * Reads the tenant for one experience: the one given (`--experience`), else the one detected.
 * Both read the MFA phone factor's message types and state, which Auth0 serves in both.
 */
export async function readTenantState(client: ManagementClient, experience?: Experience): Promise<TenantState> {
  const found: ExperienceFinding = experience ? { experience, reason: 'chosen with --experience', detected: false } : await detectExperience(client);
  const spec = EXPERIENCE_SPECS[found.experience];
  const version = await triggerVersion(client, spec.triggerId);
  const { action, others } = await findActions(client, spec);
  const bound = await bindings(client, spec.triggerId);
  const common = { found, triggerVersion: version, action, bindings: bound };
  if (found.experience === 'unified') {
    const provider = await phoneProvider(client);
    return { ...common, experience: 'unified', provider, otherProviderActions: others, ...(await phoneFactor(client)) };
  }
  const { provider } = await client.guardian.factors.phone.getSelectedProvider();
  return { ...common, experience: 'legacy', phoneProvider: provider, ...(await phoneFactor(client)) };
}

async function phoneFactor(client: ManagementClient): Promise<{ messageTypes: string[]; phoneFactorEnabled: boolean }> {
  const { message_types: messageTypes = [] } = await client.guardian.factors.phone.getMessageTypes();
  const factors = await client.guardian.factors.list();
  return { messageTypes, phoneFactorEnabled: factors.some((factor) => factor.name === PHONE_FACTOR && factor.enabled) };
}
