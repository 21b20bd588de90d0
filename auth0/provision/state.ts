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

export interface BindingState {
  bindingId?: string;
  actionId?: string;
  actionName?: string;
  displayName?: string;
}

export interface TenantState {
  /** The current version of the send-phone-message trigger (e.g. `v2`). */
  triggerVersion: string;
  action?: ActionState;
  /** The trigger's bindings, in execution order. */
  bindings: BindingState[];
  phoneProvider?: string;
  messageTypes: string[];
  phoneFactorEnabled: boolean;
}
