import { ACTION_NAME, PHONE_PROVIDER, SECRET_NAMES, TRIGGER_ID } from '../../auth0/provision/setup';
import type { TenantState } from '../../auth0/provision/state';
import { compareActionSettings } from '../action-settings';
import { fail, pass, skipFor, warn, type Check, type Outcome } from './check';
import type { DoctorContext } from './context';

/**
 * The Auth0 side, read the way `auth0 deploy` reads it (auth0/provision/read-state.ts): the
 * Action, its binding, the phone provider and factor, and whether the Action holds the stack's
 * signing secret. Reading needs only read:actions and read:guardian_factors.
 */

const DEPLOY = 'run `npx sms-gateway auth0 deploy`';

/** Runs `inspect` on the tenant state, or SKIPs when the tenant could not be read. */
function withTenant(id: string, inspect: (state: TenantState, context: DoctorContext) => Promise<Outcome> | Outcome): Check {
  return {
    id,
    async run(context) {
      const tenant = await context.tenant();
      if (!tenant.ok) return skipFor(tenant.unavailable ? tenant : { why: 'the tenant could not be read (see auth0.access)' });
      return inspect(tenant.value.state, context);
    },
  };
}

export const accessCheck: Check = {
  id: 'auth0.access',
  async run(context) {
    const tenant = await context.tenant();
    if (!tenant.ok) {
      if (tenant.unavailable) return skipFor(tenant);
      return fail(tenant.why, 'the doctor needs a Machine to Machine application with read:actions and read:guardian_factors on the Auth0 Management API');
    }
    return pass(`read the tenant ${tenant.value.domain}`);
  },
};

export const actionCheck = withTenant('auth0.action', ({ action }) => {
  if (!action) return fail(`no Action "${ACTION_NAME}" on the ${TRIGGER_ID} trigger`, DEPLOY);
  const missing = SECRET_NAMES.filter((name) => !action.secretNames.includes(name));
  if (missing.length > 0) return fail(`the Action "${ACTION_NAME}" lacks the secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, DEPLOY);
  if (action.deployed === false) return fail(`the Action "${ACTION_NAME}" exists but was never deployed`, DEPLOY);
  if (!action.allChangesDeployed) return warn(`the Action "${ACTION_NAME}" has changes that are not deployed: the previous version runs`, `${DEPLOY}, or deploy it in Actions > Library`);
  return pass(`the Action "${ACTION_NAME}" is deployed (runtime ${action.runtime ?? 'unknown'}) with ${SECRET_NAMES.join(' and ')}`);
});

function isOurs(state: TenantState, binding: TenantState['bindings'][number]): boolean {
  return (state.action !== undefined && binding.actionId === state.action.id) || binding.actionName === ACTION_NAME;
}

export const bindingCheck = withTenant('auth0.binding', (state) => {
  if (!state.action) return skipFor({ why: `no Action "${ACTION_NAME}" (see auth0.action)` });
  if (!state.bindings.some((binding) => isOurs(state, binding))) {
    return fail(`the Action "${ACTION_NAME}" is not bound to the ${TRIGGER_ID} trigger, so Auth0 never runs it`, `${DEPLOY}, or drag it into Actions > Triggers > ${TRIGGER_ID}`);
  }
  return pass(`the Action runs on the ${TRIGGER_ID} trigger`);
});

export const otherActionsCheck = withTenant('auth0.other-actions', (state) => {
  const others = state.bindings.filter((binding) => !isOurs(state, binding)).map((binding) => binding.displayName ?? binding.actionName ?? binding.actionId ?? 'unnamed');
  if (others.length > 0) {
    return warn(
      `other Actions also run for every phone message: ${others.join(', ')}`,
      `if one of them sends messages too, users get two codes (or the first one fails the login): remove it from Actions > Triggers > ${TRIGGER_ID} unless it only records or enriches`,
    );
  }
  return pass(`no other Action is bound to ${TRIGGER_ID}`);
});

export const providerCheck = withTenant('auth0.provider', (state) => {
  if (state.phoneProvider !== PHONE_PROVIDER) {
    return fail(
      `the MFA phone provider is ${state.phoneProvider ?? 'unset'}, not ${PHONE_PROVIDER} (the Dashboard's Custom): Auth0 sends codes itself`,
      `${DEPLOY}, or choose Custom under Security > Multi-factor Auth > Phone Message`,
    );
  }
  return pass(`the MFA phone provider is ${PHONE_PROVIDER} (Custom): codes go to the Action`);
});

export const factorCheck = withTenant('auth0.factor', async (state, context) => {
  if (!state.phoneFactorEnabled) return fail('the Phone Message MFA factor is off: users cannot enroll a phone', `${DEPLOY}, or turn it on under Security > Multi-factor Auth > Phone Message`);
  const types = state.messageTypes.length > 0 ? state.messageTypes.join(' and ') : 'none';
  if (state.messageTypes.includes('voice')) {
    const secret = await context.secret();
    const number = secret.ok ? secret.value.values.TWILIO_PHONE_NUMBER : undefined;
    if (secret.ok && (typeof number !== 'string' || !number.trim())) {
      return warn(`the Phone Message factor offers voice, but the gateway has no TWILIO_PHONE_NUMBER: calls fail with 501 channel_unavailable`, 'add a voice-capable number with `npx sms-gateway secrets set --phone-number +...`, or run `npx sms-gateway auth0 deploy` without --voice');
    }
  }
  return pass(`the Phone Message factor is on (message types: ${types})`);
});

export const signingSecretCheck = withTenant('auth0.signing-secret', async (state, context) => {
  if (!state.action) return skipFor({ why: `no Action "${ACTION_NAME}" (see auth0.action)` });
  const url = await context.messagesUrl();
  if (!url.ok) return skipFor(url);
  const secret = await context.signingSecret();
  if (!secret.ok) return skipFor(secret);
  let match;
  try {
    match = compareActionSettings(state.action.code, url.value, secret.value);
  } catch (err) {
    return skipFor({ why: (err as Error).message });
  }
  switch (match) {
    case 'same':
      return pass("the Action holds the gateway's URL and signing secret (fingerprints match)");
    case 'newest-key':
      return pass('the Action holds the newest signing key of the rotation under way');
    case 'stale-keys':
      return warn(
        'the Action signs with the current key and with a key the gateway no longer holds (a finished rotation)',
        `${DEPLOY}, so the Action stops signing with the removed key`,
      );
    case 'older-key':
      return warn(
        'the Action signs with an older key, which the gateway accepts only until the rotation is finished',
        'run `npx sms-gateway auth0 deploy` before `npx sms-gateway secrets rotate-signing-key --finish`',
      );
    case 'unknown':
      return warn(
        'the Action was not deployed by `auth0 deploy`, so its secrets cannot be compared (Auth0 never returns secret values)',
        `${DEPLOY}; or compare SMS_GATEWAY_URL and SMS_GATEWAY_SIGNING_SECRET in the Action's secrets with the stack by hand`,
      );
    default:
      return fail(
        "the Action's SMS_GATEWAY_URL or SMS_GATEWAY_SIGNING_SECRET differs from the gateway's: the gateway refuses its requests (401 invalid_signature) or they go elsewhere",
        `${DEPLOY}: it copies both from the stack`,
      );
  }
});
