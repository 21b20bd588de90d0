import { READ_SCOPES } from '../../auth0/provision/scopes';
import type { Command, OptionValues, RunContext } from '../command';
import { CHECKS, runChecks } from '../doctor/checks';
import { DoctorContext } from '../doctor/context';
import { formatLine, formatSummary, jsonReport, summarize } from '../doctor/report';
import { DEFAULT_STACK } from '../stack';

/**
 * `sms-gateway doctor`: the troubleshooting checklist of the original Auth0 guide (hook active
 * and provider Custom, secrets set and equal to Twilio's, sender linked to the account, E.164
 * numbers), and more, each as a check that says PASS, WARN, FAIL or SKIP and how to fix it.
 */

async function run(values: OptionValues, { io, json }: RunContext): Promise<number> {
  const context = new DoctorContext(io, values);
  if (!json) io.stdout(`Checking the MFA SMS gateway (stack ${context.deployment.stackName}${context.deployment.region ? ` in ${context.deployment.region}` : ''}):\n\n`);
  let results;
  try {
    results = await runChecks(context, CHECKS, json ? undefined : (result) => io.stdout(`${formatLine(result)}\n`));
  } finally {
    context.close();
  }
  const summary = summarize(results);
  if (json) io.stdout(`${jsonReport(results)}\n`);
  else io.stdout(`\n${formatSummary(summary)}\n`);
  return summary.ok ? 0 : 1;
}

export const doctor: Command = {
  path: ['doctor'],
  summary: 'Check the whole path of a code: stack, secret, routes, Twilio, AWS SMS, gateway, Auth0',
  description: [
    'Runs every check of the troubleshooting list and prints one line per check: PASS, WARN, FAIL or',
    'SKIP, with the fix under each WARN and FAIL. Exit code 0 when something was checked and nothing FAILed.',
    '',
    'AWS (CloudFormation, Secrets Manager, CloudWatch) is read with your AWS credentials; without',
    'them, the secret\'s keys are taken from the environment as `npm start` reads them, and the AWS',
    'checks are skipped. AWS End User Messaging is read too (Describe* reads of sms-voice) when a route',
    'names aws or an origination identity is set. Auth0 is read with AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET',
    `(scopes ${READ_SCOPES.join(', ')} are enough), for the phone experience the tenant`,
    'runs; without them, the Auth0 checks are skipped. The gateway checks send requests that the',
    'gateway must refuse: nothing is ever sent.',
    '',
    `Checks: ${CHECKS.map((check) => check.id).join(', ')}.`,
  ].join('\n'),
  options: {
    stack: { type: 'string', value: '<name>', description: `CloudFormation stack (default: ${DEFAULT_STACK})` },
    region: { type: 'string', value: '<region>', description: 'AWS region of the stack (default: from the AWS configuration)' },
    url: { type: 'string', value: '<url>', description: "check this gateway's POST /messages instead of the stack's (default: $SMS_GATEWAY_URL)" },
    domain: { type: 'string', value: '<domain>', description: 'Auth0 tenant domain (default: $AUTH0_DOMAIN)' },
    'client-id': { type: 'string', value: '<id>', description: 'M2M application client ID (default: $AUTH0_CLIENT_ID)' },
    'client-secret': { type: 'string', value: '<secret>', description: 'M2M application client secret (default: $AUTH0_CLIENT_SECRET; prefer the variable)' },
  },
  run,
};
