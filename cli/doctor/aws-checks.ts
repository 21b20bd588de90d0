import { ConfigurationError } from '../../lambda/core/errors';
import { parseSecret } from '../../lambda/providers/secret';
import { PROVIDER, SECRET_KEY, SECRET_KEYS, TWILIO_SECRET_KEYS } from '../../shared/names';
import { showIdentity } from '../aws-sms/identity';
import { awsProblem, AwsUnavailable } from '../stack';
import { maskPhone, plural, shortSid } from '../format';
import { signingSecrets } from '../signing-keys';
import { fail, pass, skip, skipFor, warn, type Check } from './check';
import { secretProblems, unknownKeys } from './secret-problems';

/** The AWS side: the stack, its secret, its alarms. */

export const stackCheck: Check = {
  id: 'aws.stack',
  async run(context) {
    const stack = await context.stack();
    if (!stack.ok) {
      if (stack.unavailable) return skip(`not checked: ${stack.why}${stack.fix ? `, so ${stack.fix}` : ''}`);
      return fail(stack.why, stack.fix ?? 'deploy the gateway with `npx cdk deploy`, or name its stack and region with --stack and --region');
    }
    const { name, status, region } = stack.value;
    const where = `stack ${name} is ${status} in ${region}`;
    if (status.endsWith('_IN_PROGRESS')) return warn(`${where}`, 'wait for the deployment to finish, then run the doctor again');
    if (status.endsWith('_FAILED') || status === 'ROLLBACK_COMPLETE') {
      return fail(where, 'see the stack\'s Events in the CloudFormation console for the failed resource, fix it and run `npx cdk deploy` again');
    }
    if (status === 'UPDATE_ROLLBACK_COMPLETE') return warn(`${where}: the last update was rolled back, the previous version runs`, 'see the stack\'s Events for why, then `npx cdk deploy` again');
    return pass(where);
  },
};

const SECRET_KEY_FIX: Record<string, string> = {
  [SECRET_KEY.signingSecret]: '`npx sms-gateway secrets rotate-signing-key` writes a new one (then `npx sms-gateway auth0 deploy`)',
  [SECRET_KEY.rateLimitKey]: `write \`openssl rand -base64 32\` into ${SECRET_KEY.rateLimitKey} (the rate-limit counters start again once)`,
  [SECRET_KEY.awsSmsOriginationIdentity]: '`npx sms-gateway secrets set --aws-origination-identity ...` with a phone number, pool or sender ID, or its ARN',
};

// Without it the gateway keys its counters with the signing secret (lambda/core/gateway-secrets.ts).
const RATE_LIMIT_KEY_MISSING = {
  detail: `${SECRET_KEY.rateLimitKey} is missing, so the rate limits are keyed by the signing secret and its next rotation restarts them`,
  fix:
    `\`npx cdk deploy\` adds it to a secret the stack created; for another secret, copy the first key of SMS_GATEWAY_SIGNING_SECRET into ${SECRET_KEY.rateLimitKey} ` +
    '(docs/deploy.md, "Rotating the signing secret"); `npx sms-gateway secrets rotate-signing-key` does that too before it rotates',
};

export const secretCheck: Check = {
  id: 'aws.secret',
  async run(context) {
    const secret = await context.secret();
    if (!secret.ok) {
      if (secret.unavailable) return skipFor(secret);
      return fail(secret.why, 'check that your AWS identity may call secretsmanager:GetSecretValue on the secret named by the SecretArn output');
    }
    const { values, source } = secret.value;
    const twilioKeys = TWILIO_SECRET_KEYS.filter((key) => typeof values[key] === 'string' && (values[key] as string).trim() !== '');
    // Console mode stands in for Twilio when a route names it (lambda/providers/selector.ts).
    const routing = await context.routing();
    const twilioRouted = !routing.ok || routing.value.routed.includes(PROVIDER.twilio);
    if (source === 'environment variables' && twilioKeys.length === 0 && twilioRouted) {
      try {
        parseSecret(values, { allowConsoleMode: true });
      } catch (err) {
        if (err instanceof ConfigurationError) return fail(`${source}: ${err.message}`, 'set SMS_GATEWAY_SIGNING_SECRET to a whsec_ value, as `npm start` prints it');
        throw err;
      }
      return warn(`${source}: no Twilio keys, so a local gateway runs in console mode (messages printed, not sent)`, 'set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and a sender to send for real');
    }

    // Whether each provider the routes name has its keys is providers.routes' to say: here, every key there is checked.
    const problems = secretProblems(values, { routed: [] });
    if (problems.length > 0) {
      const fixes = [...new Set(problems.map((problem) => SECRET_KEY_FIX[problem.key] ?? '`npx sms-gateway secrets set` with the values from the Twilio Console'))];
      return fail(`${source}: ${problems.map((problem) => problem.message.replace(/\.$/, '')).join('; ')}`, fixes.join('; '));
    }

    const strays = unknownKeys(values);
    const keys = signingSecrets(String(values[SECRET_KEY.signingSecret]));
    const parts: string[] = [];
    if (twilioKeys.length > 0) {
      const sender = values[SECRET_KEY.twilioMessagingServiceSid] ? `Messaging Service ${shortSid(String(values[SECRET_KEY.twilioMessagingServiceSid]))}` : `number ${maskPhone(String(values[SECRET_KEY.twilioPhoneNumber]))}`;
      const voice = values[SECRET_KEY.twilioPhoneNumber] ? `voice from ${maskPhone(String(values[SECRET_KEY.twilioPhoneNumber]))}` : 'no voice (no TWILIO_PHONE_NUMBER)';
      parts.push(`SMS from the ${sender}, ${voice}${values[SECRET_KEY.twilioApiKeySid] ? `, sends with API key ${shortSid(String(values[SECRET_KEY.twilioApiKeySid]))}` : ''}`);
    } else {
      parts.push('no Twilio keys');
    }
    const awsIdentity = values[SECRET_KEY.awsSmsOriginationIdentity];
    if (typeof awsIdentity === 'string' && awsIdentity.trim()) parts.push(`AWS End User Messaging from ${showIdentity(awsIdentity.trim())}`);
    const summary = `${source}: complete; ${parts.join(', ')}`;
    const warnings: { detail: string; fix: string }[] = [];
    if (keys.length > 1) {
      warnings.push({
        detail: `a signing-key rotation is under way (${keys.length} keys accepted)`,
        fix: 'once Auth0 has the newest key (`npx sms-gateway auth0 deploy`), finish with `npx sms-gateway secrets rotate-signing-key --finish`',
      });
    }
    // A local gateway (`npm start`) keeps its own key in its state directory, not in these variables.
    const rateLimitKey = values[SECRET_KEY.rateLimitKey];
    if (source !== 'environment variables' && !(typeof rateLimitKey === 'string' && rateLimitKey.trim())) warnings.push(RATE_LIMIT_KEY_MISSING);
    if (strays.length > 0) {
      warnings.push({ detail: `the gateway ignores ${plural(strays.length, 'unknown key')}: ${strays.join(', ')}`, fix: `rename or remove them; the keys are ${SECRET_KEYS.join(', ')}` });
    }
    if (warnings.length > 0) return warn([summary, ...warnings.map((w) => w.detail)].join('; '), warnings.map((w) => w.fix).join('; '));
    return pass(summary);
  },
};

interface Alarm {
  name: string;
  state: string;
  since?: Date;
  reason?: string;
}

async function stackAlarms(prefix: string, region: string | undefined): Promise<Alarm[]> {
  const { CloudWatchClient, paginateDescribeAlarms } = require('@aws-sdk/client-cloudwatch') as typeof import('@aws-sdk/client-cloudwatch');
  const client = new CloudWatchClient(region ? { region } : {});
  try {
    const alarms: Alarm[] = [];
    for await (const page of paginateDescribeAlarms({ client }, { AlarmNamePrefix: prefix, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] })) {
      for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        alarms.push({ name: alarm.AlarmName ?? '?', state: alarm.StateValue ?? 'UNKNOWN', since: alarm.StateUpdatedTimestamp, reason: alarm.StateReason });
      }
    }
    return alarms;
  } catch (err) {
    throw awsProblem(err, 'Could not read the alarms');
  } finally {
    client.destroy();
  }
}

export const alarmsCheck: Check = {
  id: 'aws.alarms',
  async run(context) {
    const stack = await context.stack();
    if (!stack.ok) return skipFor({ why: stack.unavailable ? stack.why : 'the stack could not be read (see aws.stack)' });
    // The stack names every alarm `<stack name>-...` (cdk/constructs/alarms.ts).
    const prefix = `${stack.value.name}-`;
    let alarms: Alarm[];
    try {
      alarms = await stackAlarms(prefix, context.deployment.region);
    } catch (err) {
      if (err instanceof AwsUnavailable) return skipFor({ why: err.reason });
      return warn((err as Error).message, 'allow your AWS identity cloudwatch:DescribeAlarms to see the alarms here, or look at the stack\'s dashboard (DashboardUrl output)');
    }
    if (alarms.length === 0) return warn(`no alarm named ${prefix}*`, 'deploy the current version of the stack (`npx cdk deploy`): it creates six alarms, seven with AWS End User Messaging');
    const firing = alarms.filter((alarm) => alarm.state === 'ALARM');
    if (firing.length > 0) {
      const list = firing.map((alarm) => `${alarm.name} since ${alarm.since ? alarm.since.toISOString() : '?'}`).join(', ');
      return fail(`${plural(firing.length, 'alarm')} in ALARM: ${list}`, 'follow the runbook of each alarm in docs/operations.md, section "Alarms"; the dashboard (DashboardUrl output) shows the series behind them');
    }
    const waiting = alarms.filter((alarm) => alarm.state === 'INSUFFICIENT_DATA').length;
    return pass(`${plural(alarms.length, 'alarm')}, none in ALARM${waiting > 0 ? ` (${waiting} without data yet, which is normal with little traffic)` : ''}`);
  },
};
