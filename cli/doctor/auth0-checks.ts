import { isOurBinding } from '../../auth0/provision/plan';
import { READ_SCOPES } from '../../auth0/provision/scopes';
import { CUSTOM_PHONE_PROVIDER, DELIVERY_METHOD_OF, EXPERIENCE_SPECS, PHONE_PROVIDER, SECRET_NAMES, type MessageType } from '../../auth0/provision/setup';
import type { TenantState } from '../../auth0/provision/state';
import { PROVIDER, SECRET_KEY } from '../../shared/names';
import { compareActionSettings } from '../action-settings';
import { fail, pass, skipFor, warn, type Check, type Outcome } from './check';
import type { DoctorContext } from './context';

/**
 * The Auth0 side, read the way `auth0 deploy` reads it (auth0/provision/read-state.ts), for the
 * phone experience the tenant runs: the Action, its binding, the phone provider (the tenant
 * phone provider `custom` in the unified experience, `phone-message-hook` in the legacy one)
 * and the MFA factor, and whether the Action holds the stack's signing secret. Reading needs only
 * the read scopes of auth0/provision/scopes.ts.
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

const spec = (state: TenantState) => EXPERIENCE_SPECS[state.experience];

/**
 * Whether the gateway can place calls through Twilio (it has TWILIO_PHONE_NUMBER); undefined when
 * its secret could not be read, or when a route names aws, whose calls aws-sms.voice checks.
 */
async function gatewayPlacesCalls(context: DoctorContext): Promise<boolean | undefined> {
  const secret = await context.secret();
  if (!secret.ok) return undefined;
  const number = secret.value.values[SECRET_KEY.twilioPhoneNumber];
  if (typeof number === 'string' && number.trim() !== '') return true;
  const routing = await context.routing();
  return routing.ok && routing.value.routed.includes(PROVIDER.aws) ? undefined : false;
}

const NO_VOICE_FIX = 'add a voice-capable number with `npx sms-gateway secrets set --phone-number +...`, or run `npx sms-gateway auth0 deploy` without --voice';

export const accessCheck: Check = {
  id: 'auth0.access',
  async run(context) {
    const tenant = await context.tenant();
    if (!tenant.ok) {
      if (tenant.unavailable) return skipFor(tenant);
      return fail(tenant.why, `the doctor needs a Machine to Machine application with ${READ_SCOPES.join(', ')} on the Auth0 Management API`);
    }
    return pass(`read the tenant ${tenant.value.domain}`);
  },
};

export const experienceCheck = withTenant('auth0.experience', ({ experience, found }) =>
  pass(
    experience === 'unified'
      ? `the tenant runs the Unified Phone Experience (tenant phone provider and custom-phone-provider Action): ${found.reason}`
      : `the tenant runs the legacy MFA phone experience (send-phone-message Action): ${found.reason}`,
  ),
);

export const actionCheck = withTenant('auth0.action', (state) => {
  const { actionName, triggerId } = spec(state);
  const { action } = state;
  if (!action) return fail(`no Action "${actionName}" on the ${triggerId} trigger`, DEPLOY);
  const missing = SECRET_NAMES.filter((name) => !action.secretNames.includes(name));
  if (missing.length > 0) return fail(`the Action "${actionName}" lacks the secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, DEPLOY);
  if (action.deployed === false) return fail(`the Action "${actionName}" exists but was never deployed`, DEPLOY);
  if (!action.allChangesDeployed) return warn(`the Action "${actionName}" has changes that are not deployed: the previous version runs`, `${DEPLOY}, or deploy it in Actions > Library`);
  return pass(`the Action "${actionName}" is deployed (runtime ${action.runtime ?? 'unknown'}) with ${SECRET_NAMES.join(' and ')}`);
});

export const bindingCheck = withTenant('auth0.binding', (state) => {
  const { actionName, triggerId } = spec(state);
  if (!state.action) return skipFor({ why: `no Action "${actionName}" (see auth0.action)` });
  if (!state.bindings.some((binding) => isOurBinding(state, binding, actionName))) {
    const where = state.experience === 'legacy' ? `, or drag it into Actions > Triggers > ${triggerId}` : '';
    return fail(`the Action "${actionName}" is not bound to the ${triggerId} trigger, so Auth0 never runs it`, `${DEPLOY}${where}`);
  }
  return pass(`the Action runs on the ${triggerId} trigger`);
});

export const otherActionsCheck = withTenant('auth0.other-actions', (state) => {
  const { actionName, triggerId } = spec(state);
  const bound = state.bindings.filter((binding) => !isOurBinding(state, binding, actionName)).map((binding) => binding.displayName ?? binding.actionName ?? binding.actionId ?? 'unnamed');
  if (state.experience === 'unified') {
    const others = [...new Set([...bound, ...state.otherProviderActions.map((action) => action.name)])];
    if (others.length > 0) {
      return warn(
        `other Actions are on the ${triggerId} trigger: ${others.join(', ')}; Auth0 allows one there, maybe not the gateway's`,
        "delete them (Management API DELETE /api/v2/actions/actions/{id}?force=true), or take the one over with `npx sms-gateway auth0 deploy --replace-action`",
      );
    }
    return pass(`no other Action is on ${triggerId}`);
  }
  if (bound.length > 0) {
    return warn(
      `other Actions also run for every phone message: ${bound.join(', ')}`,
      `if one of them sends messages too, users get two codes (or the first one fails the login): remove it from Actions > Triggers > ${triggerId} unless it only records or enriches`,
    );
  }
  return pass(`no other Action is bound to ${triggerId}`);
});

export const providerCheck = withTenant('auth0.provider', async (state, context) => {
  if (state.experience === 'legacy') {
    if (state.phoneProvider !== PHONE_PROVIDER) {
      return fail(
        `the MFA phone provider is ${state.phoneProvider ?? 'unset'}, not ${PHONE_PROVIDER} (the Dashboard's Custom): Auth0 sends codes itself`,
        `${DEPLOY}, or choose Custom under Security > Multi-factor Auth > Phone Message`,
      );
    }
    return pass(`the MFA phone provider is ${PHONE_PROVIDER} (Custom): codes go to the Action`);
  }
  const { provider } = state;
  if (!provider) return fail('the tenant has no phone provider: Auth0 sends no phone message through the Action', `${DEPLOY}, or choose Custom under Branding > Phone Provider`);
  if (provider.name !== CUSTOM_PHONE_PROVIDER) {
    return fail(`the tenant phone provider is ${provider.name}, not ${CUSTOM_PHONE_PROVIDER}: Auth0 sends phone messages itself, not through the gateway`, `${DEPLOY}, or choose Custom under Branding > Phone Provider`);
  }
  if (provider.disabled) return fail(`the tenant phone provider ${CUSTOM_PHONE_PROVIDER} is disabled: no phone message is sent`, `${DEPLOY}, or enable it under Branding > Phone Provider`);
  const methods = provider.deliveryMethods.join(' and ') || 'none';
  if (provider.deliveryMethods.includes('voice') && (await gatewayPlacesCalls(context)) === false) {
    return warn(`the tenant phone provider offers voice, but the gateway has no TWILIO_PHONE_NUMBER: calls fail with 501 channel_unavailable`, NO_VOICE_FIX);
  }
  return pass(`the tenant phone provider is ${CUSTOM_PHONE_PROVIDER}, enabled (delivery methods: ${methods}): messages go to the Action`);
});

export const factorCheck = withTenant('auth0.factor', async (state, context) => {
  if (!state.phoneFactorEnabled) return fail('the Phone Message MFA factor is off: users cannot enroll a phone', `${DEPLOY}, or turn it on under Security > Multi-factor Auth > Phone Message`);
  const types = state.messageTypes.length > 0 ? state.messageTypes.join(' and ') : 'none';
  if (state.experience === 'unified' && state.provider) {
    const offered = state.provider.deliveryMethods;
    const missing = state.messageTypes.filter((type) => !offered.includes(DELIVERY_METHOD_OF[type as MessageType] ?? type));
    if (missing.length > 0) {
      return fail(`the Phone Message factor offers ${missing.join(' and ')}, which the tenant phone provider does not deliver`, `${DEPLOY} (with --voice to deliver calls too)`);
    }
  }
  if (state.experience === 'legacy' && state.messageTypes.includes('voice') && (await gatewayPlacesCalls(context)) === false) {
    return warn(`the Phone Message factor offers voice, but the gateway has no TWILIO_PHONE_NUMBER: calls fail with 501 channel_unavailable`, NO_VOICE_FIX);
  }
  return pass(`the Phone Message factor is on (message types: ${types})`);
});

export const signingSecretCheck = withTenant('auth0.signing-secret', async (state, context) => {
  if (!state.action) return skipFor({ why: `no Action "${spec(state).actionName}" (see auth0.action)` });
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
