/** The Management API scopes `auth0 deploy` needs, each with the reason, for error messages and docs/auth0.md. */
export const REQUIRED_SCOPES: readonly { scope: string; why: string }[] = [
  { scope: 'read:actions', why: 'find the Action, the trigger and its bindings' },
  { scope: 'create:actions', why: 'create and deploy the Action' },
  { scope: 'update:actions', why: 'update the Action and bind it to the trigger' },
  { scope: 'read:guardian_factors', why: 'read the MFA phone factor settings' },
  { scope: 'update:guardian_factors', why: 'select the phone provider, set the message types and enable the factor' },
];

export const SCOPE_LIST = REQUIRED_SCOPES.map((entry) => entry.scope).join(' ');
