/**
 * The Management API scopes `auth0 deploy` needs, each with the reason, for error messages and
 * docs/auth0.md. The phone_providers scopes are for the unified experience, selecting the MFA
 * phone provider for the legacy one; the others for both.
 */
export const REQUIRED_SCOPES: readonly { scope: string; why: string }[] = [
  { scope: 'read:tenant_settings', why: 'find which phone experience the tenant runs (not needed with --experience)' },
  { scope: 'read:actions', why: 'find the Action, the trigger and its bindings' },
  { scope: 'create:actions', why: 'create and deploy the Action' },
  { scope: 'update:actions', why: 'update the Action and bind it to the trigger' },
  { scope: 'read:phone_providers', why: 'read the tenant phone provider (unified experience)' },
  { scope: 'create:phone_providers', why: 'create the tenant phone provider, and `send-test --via-auth0` (unified experience)' },
  { scope: 'update:phone_providers', why: 'set the tenant phone provider to custom, its delivery methods, and enable it (unified experience)' },
  { scope: 'read:guardian_factors', why: 'read the MFA phone factor settings' },
  { scope: 'update:guardian_factors', why: 'set the message types, enable the factor, and select the MFA phone provider (legacy experience)' },
];

export const SCOPE_LIST = REQUIRED_SCOPES.map((entry) => entry.scope).join(' ');

/** What the doctor reads with: the read scopes of the list. */
export const READ_SCOPES = REQUIRED_SCOPES.filter((entry) => entry.scope.startsWith('read:')).map((entry) => entry.scope);
