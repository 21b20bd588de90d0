import type { Experience } from './setup';

/** What the tenant looks like now, as far as `auth0 deploy` cares. Read by read-state.ts. */

export interface ActionState {
  id: string;
  code?: string;
  runtime?: string;
  secretNames: string[];
  allChangesDeployed: boolean;
  /** A version of the Action is deployed (it runs), whether or not later changes are. */
  deployed?: boolean;
}

/** Another Action on the experience's trigger, not the gateway's. */
export interface OtherAction {
  id: string;
  name: string;
  /** A version of it is deployed (it can run). */
  deployed: boolean;
}

export interface BindingState {
  bindingId?: string;
  actionId?: string;
  actionName?: string;
  displayName?: string;
}

/** The phone experience the state was read for, and how it was chosen. */
export interface ExperienceFinding {
  experience: Experience;
  /** For the output: `the tenant's phone_consolidated_experience setting is on`, `chosen with --experience`, ... */
  reason: string;
  /** Whether Auth0 itself said so (tenant setting, legacy endpoint), not the command line. */
  detected: boolean;
}

/** The tenant-level phone provider (Branding > Phone Provider) of the unified experience. */
export interface PhoneProviderState {
  id: string;
  name: string;
  disabled: boolean;
  deliveryMethods: string[];
}

interface CommonState {
  found: ExperienceFinding;
  /** The current version of the experience's trigger (e.g. `v2`). */
  triggerVersion: string;
  action?: ActionState;
  /** The trigger's bindings, in execution order. */
  bindings: BindingState[];
  messageTypes: string[];
  phoneFactorEnabled: boolean;
}

export interface LegacyTenantState extends CommonState {
  experience: 'legacy';
  /** The MFA phone provider (guardian/factors/phone/selected-provider). */
  phoneProvider?: string;
}

export interface UnifiedTenantState extends CommonState {
  experience: 'unified';
  provider?: PhoneProviderState;
  /**
   * Other Actions on the custom-phone-provider trigger, deployed or not. Auth0 allows one Action
   * on that trigger ("Configure a custom phone provider with Terraform"), so while one exists the
   * gateway's cannot be created beside it.
   */
  otherProviderActions: OtherAction[];
}

export type TenantState = LegacyTenantState | UnifiedTenantState;
