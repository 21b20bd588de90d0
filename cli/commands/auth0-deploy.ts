import { bundleForwarder } from '../../auth0/build';
import { applyPlan } from '../../auth0/provision/apply';
import { explainAuth0Error, isNetworkFailure, networkErrorCode } from '../../auth0/provision/errors';
import { managementClient } from '../../auth0/provision/management';
import { planSetup, type Plan, type Step } from '../../auth0/provision/plan';
import { readTenantState } from '../../auth0/provision/read-state';
import { SCOPE_LIST } from '../../auth0/provision/scopes';
import { desiredSetup, EXPERIENCE_SPECS, EXPERIENCES, type Experience } from '../../auth0/provision/setup';
import type { TenantState } from '../../auth0/provision/state';
import { requireAuth0Credentials } from '../auth0-credentials';
import { CommandError, stringOption, UsageError, type Command, type Io, type OptionValues } from '../command';
import { resolveGatewaySettings } from '../gateway-settings';
import { DEFAULT_STACK, OUTPUT_KEYS } from '../stack';

/**
 * `sms-gateway auth0 deploy`: makes the Auth0 tenant send its phone messages through the gateway,
 * with a machine-to-machine application's credentials, for the phone experience the tenant runs
 * (auth0/provision/setup.ts). Idempotent: it reads the tenant, plans only the differences
 * (auth0/provision/plan.ts), and applies them unless --dry-run; what only the Dashboard can do,
 * it prints.
 */

function report(io: Io, lines: string[]): void {
  io.stdout(`${lines.join('\n')}\n`);
}

function experienceOption(values: OptionValues): Experience | undefined {
  const value = stringOption(values, 'experience');
  if (value === undefined) return undefined;
  if (!(EXPERIENCES as readonly string[]).includes(value)) throw new UsageError(`--experience must be ${EXPERIENCES.join(' or ')}.`);
  return value as Experience;
}

const EXPERIENCE_NAMES: Record<Experience, string> = {
  unified: 'unified (Branding > Phone Provider, custom-phone-provider Action)',
  legacy: 'legacy (MFA phone provider, send-phone-message Action)',
};

function outcomeLines(state: TenantState, plan: Plan, applied: Step[], dryRun: boolean): string[] {
  const { steps } = plan;
  const what = state.experience === 'unified' ? 'its phone messages (MFA, passwordless, phone verification, account notices)' : 'MFA codes';
  if (steps.length === 0) return [`Nothing to change: the tenant already sends ${what} through the gateway.`];
  if (dryRun) return [`Dry run: ${steps.length} change${steps.length === 1 ? '' : 's'} planned, none made. Run without --dry-run to apply.`];
  const check =
    state.experience === 'unified'
      ? 'Check it in the Dashboard (Branding > Phone Provider: Custom), or with `npx sms-gateway send-test --via-auth0 --to +...`.'
      : 'Check it in the Dashboard: Security > Multi-factor Auth > Phone Message (provider: Custom), and Actions > Library > mfa-sms-gateway.';
  return [`Done: ${applied.length} change${applied.length === 1 ? '' : 's'} applied. Auth0 now sends ${what} through the gateway.`, check];
}

async function run(values: OptionValues, { io, json }: { io: Io; json: boolean }): Promise<number> {
  const chosen = experienceOption(values);
  const creds = requireAuth0Credentials(values, io);
  const gateway = await resolveGatewaySettings(values, io);
  const dryRun = values['dry-run'] === true;

  const client = managementClient(creds, io.fetch);
  const applied: Step[] = [];
  let plan: Plan = { steps: [], manual: [] };
  let state: TenantState | undefined;
  try {
    state = await readTenantState(client, chosen);
    const desired = desiredSetup({
      experience: state.experience,
      bundle: await bundleForwarder(EXPERIENCE_SPECS[state.experience].triggerId),
      gatewayUrl: gateway.url,
      signingSecret: gateway.signingSecret,
      voice: values.voice === true,
    });
    plan = planSetup(state, desired, { replaceAction: values['replace-action'] === true });
    if (plan.blocked) throw new CommandError(plan.blocked);
    if (!json) {
      report(io, [
        `Auth0 tenant ${creds.domain}; gateway ${gateway.url} (from ${gateway.source}).`,
        `Phone experience: ${EXPERIENCE_NAMES[state.experience]}; ${state.found.reason}.`,
        ...(plan.steps.length === 0 ? [] : [dryRun ? 'Plan (dry run, nothing will change):' : 'Changes:', ...plan.steps.map((step, index) => `  ${index + 1}. ${step.summary}`)]),
      ]);
    }
    if (!dryRun && plan.steps.length > 0) {
      await applyPlan(client, plan.steps, desired, state, {
        sleep: io.sleep,
        onApplied: (step) => {
          applied.push(step);
          if (!json) report(io, [`  done: ${step.summary}`]);
        },
      });
    }
  } catch (err) {
    const progress = `${applied.length} of ${plan.steps.length} changes were applied`;
    const current = plan.steps[applied.length];
    if (state && current && isNetworkFailure(err)) {
      // Auth0 answered before, so the domain is right: this request got no answer, and may have been applied.
      throw new CommandError(
        `The connection to https://${creds.domain} failed (${networkErrorCode(err) ?? 'network error'}) while asking it to ${current.summary}: Auth0 may or may not have made that change (${progress} before). Run the command again: it reads the tenant and makes only what is still missing.`,
      );
    }
    const done = applied.length > 0 ? ` (${progress}; run the command again to finish)` : '';
    throw new CommandError(`${explainAuth0Error(err, creds.domain, creds.clientId)}${done}`);
  }

  if (json) {
    io.stdout(
      `${JSON.stringify({
        ok: true,
        tenant: creds.domain,
        gatewayUrl: gateway.url,
        source: gateway.source,
        experience: state.experience,
        experienceReason: state.found.reason,
        dryRun,
        changed: !dryRun && applied.length > 0,
        steps: plan.steps.map((step) => ({ kind: step.kind, summary: step.summary, applied: applied.includes(step) })),
        manualSteps: plan.manual,
      })}\n`,
    );
    return 0;
  }
  report(io, outcomeLines(state, plan, applied, dryRun));
  if (plan.manual.length > 0) report(io, ['Do by hand, in the Auth0 Dashboard (the Management API cannot):', ...plan.manual.map((step) => `  - ${step}`)]);
  return 0;
}

export const auth0Deploy: Command = {
  path: ['auth0', 'deploy'],
  summary: 'Create or update the Auth0 Action and phone provider that send through the gateway',
  description: [
    "Finds which phone experience the tenant runs (or takes --experience) and sets it up:",
    '- unified (Branding > Phone Provider): the Action "mfa-sms-gateway-phone-provider" on the',
    '  custom-phone-provider trigger with the secrets SMS_GATEWAY_URL and SMS_GATEWAY_SIGNING_SECRET,',
    '  deployed and bound, and the tenant phone provider "custom" with its delivery methods, enabled;',
    '- legacy: the Action "mfa-sms-gateway" on the send-phone-message trigger, deployed and bound',
    '  (other bindings stay), selected as the MFA phone provider;',
    'and in both the Phone Message factor with its message types, enabled. A second run changes',
    'nothing. What only the Dashboard can do is printed as a step to do by hand.',
    '',
    'Auth0 allows one Action on custom-phone-provider: when the tenant has another (the Dashboard\'s',
    'Custom phone provider makes one), nothing is changed unless --replace-action says to take it over.',
    '',
    'Auth0 credentials: AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET of a Machine to Machine',
    'application authorized for the Auth0 Management API with the scopes:',
    `  ${SCOPE_LIST}`,
    '',
    'Gateway: --gateway-url/--signing-secret, else SMS_GATEWAY_URL/SMS_GATEWAY_SIGNING_SECRET,',
    `else the deployed stack's ${OUTPUT_KEYS.messagesUrl} and ${OUTPUT_KEYS.secretArn} outputs (needs AWS credentials).`,
  ].join('\n'),
  options: {
    domain: { type: 'string', value: '<domain>', description: 'Auth0 tenant domain (default: $AUTH0_DOMAIN)' },
    'client-id': { type: 'string', value: '<id>', description: 'M2M application client ID (default: $AUTH0_CLIENT_ID)' },
    'client-secret': { type: 'string', value: '<secret>', description: 'M2M application client secret (default: $AUTH0_CLIENT_SECRET; prefer the variable)' },
    'gateway-url': { type: 'string', value: '<url>', description: 'full URL of POST /messages (default: $SMS_GATEWAY_URL, else the stack output)' },
    'signing-secret': { type: 'string', value: '<whsec_...>', description: 'signing secret (default: $SMS_GATEWAY_SIGNING_SECRET, else the stack\'s secret)' },
    stack: { type: 'string', value: '<name>', description: `CloudFormation stack to read when the gateway is not given (default: ${DEFAULT_STACK})` },
    region: { type: 'string', value: '<region>', description: 'AWS region of the stack (default: from the AWS configuration)' },
    experience: { type: 'string', value: '<unified|legacy>', description: "the tenant's phone experience (default: found from the tenant)" },
    voice: { type: 'boolean', description: 'also offer voice calls (the gateway needs TWILIO_PHONE_NUMBER)' },
    'replace-action': { type: 'boolean', description: "unified: put the gateway's code into the tenant's one other custom-phone-provider Action (Auth0 allows one)" },
    'dry-run': { type: 'boolean', description: 'print the plan and change nothing' },
  },
  run,
};
