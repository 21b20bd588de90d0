import { bundleForwarder } from '../../auth0/build';
import { applyPlan } from '../../auth0/provision/apply';
import { explainAuth0Error } from '../../auth0/provision/errors';
import { managementClient } from '../../auth0/provision/management';
import { planSetup, type Step } from '../../auth0/provision/plan';
import { readTenantState } from '../../auth0/provision/read-state';
import { SCOPE_LIST } from '../../auth0/provision/scopes';
import { desiredSetup } from '../../auth0/provision/setup';
import { requireAuth0Credentials } from '../auth0-credentials';
import { CommandError, type Command, type Io, type OptionValues } from '../command';
import { resolveGatewaySettings } from '../gateway-settings';
import { DEFAULT_STACK, OUTPUT_KEYS } from '../stack';

/**
 * `sms-gateway auth0 deploy`: makes the Auth0 tenant send MFA codes through the gateway, with a
 * machine-to-machine application's credentials. Idempotent: it reads the tenant, plans only the
 * differences (auth0/provision/plan.ts), and applies them unless --dry-run.
 */

function report(io: Io, lines: string[]): void {
  io.stdout(`${lines.join('\n')}\n`);
}

async function run(values: OptionValues, { io, json }: { io: Io; json: boolean }): Promise<number> {
  const creds = requireAuth0Credentials(values, io);
  const gateway = await resolveGatewaySettings(values, io);
  const dryRun = values['dry-run'] === true;
  const desired = desiredSetup({
    bundle: await bundleForwarder('send-phone-message'),
    gatewayUrl: gateway.url,
    signingSecret: gateway.signingSecret,
    voice: values.voice === true,
  });

  const client = managementClient(creds, io.fetch);
  const applied: Step[] = [];
  let plan: Step[] = [];
  try {
    const state = await readTenantState(client);
    plan = planSetup(state, desired);
    if (!json) {
      report(io, [
        `Auth0 tenant ${creds.domain}; gateway ${gateway.url} (from ${gateway.source}).`,
        ...(plan.length === 0 ? [] : [dryRun ? 'Plan (dry run, nothing will change):' : 'Changes:', ...plan.map((step, index) => `  ${index + 1}. ${step.summary}`)]),
      ]);
    }
    if (!dryRun && plan.length > 0) {
      await applyPlan(client, plan, desired, state, {
        sleep: io.sleep,
        onApplied: (step) => {
          applied.push(step);
          if (!json) report(io, [`  done: ${step.summary}`]);
        },
      });
    }
  } catch (err) {
    const done = applied.length > 0 ? ` (${applied.length} of ${plan.length} changes were applied; run the command again to finish)` : '';
    throw new CommandError(`${explainAuth0Error(err, creds.domain, creds.clientId)}${done}`);
  }

  if (json) {
    io.stdout(
      `${JSON.stringify({
        ok: true,
        tenant: creds.domain,
        gatewayUrl: gateway.url,
        source: gateway.source,
        dryRun,
        changed: !dryRun && applied.length > 0,
        steps: plan.map((step) => ({ kind: step.kind, summary: step.summary, applied: applied.includes(step) })),
      })}\n`,
    );
  } else if (plan.length === 0) {
    report(io, ['Nothing to change: the tenant already sends MFA codes through the gateway.']);
  } else if (dryRun) {
    report(io, [`Dry run: ${plan.length} change${plan.length === 1 ? '' : 's'} planned, none made. Run without --dry-run to apply.`]);
  } else {
    report(io, [
      `Done: ${applied.length} change${applied.length === 1 ? '' : 's'} applied. Users who enroll in MFA with Phone Message now get their codes through the gateway.`,
      'Check it in the Dashboard: Security > Multi-factor Auth > Phone Message (provider: Custom), and Actions > Library > mfa-sms-gateway.',
    ]);
  }
  return 0;
}

export const auth0Deploy: Command = {
  path: ['auth0', 'deploy'],
  summary: 'Create or update the Auth0 Action and turn on MFA by SMS through the gateway',
  description: [
    'Creates (or updates) the Action "mfa-sms-gateway" on the send-phone-message trigger with the',
    'secrets SMS_GATEWAY_URL and SMS_GATEWAY_SIGNING_SECRET, deploys it, binds it to the trigger',
    '(other bindings stay), selects it as the MFA phone provider, sets the message types and',
    'enables the Phone Message factor. A second run changes nothing.',
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
    voice: { type: 'boolean', description: 'also offer voice calls (the gateway needs TWILIO_PHONE_NUMBER)' },
    'dry-run': { type: 'boolean', description: 'print the plan and change nothing' },
  },
  run,
};
