import { providersFor, type ProviderRoutes } from '../../lambda/providers/routes';
import { PROVIDER } from '../../shared/names';
import { AwsSmsReadError, type FoundIdentity } from '../aws-sms/account';
import { sameIdentity, showIdentity } from '../aws-sms/identity';
import { AwsUnavailable, AwsUnreachable } from '../stack';
import { fail, pass, skip, skipFor, warn, type Check, type Outcome } from './check';
import type { AwsSmsSetup, DoctorContext } from './context';

/**
 * AWS End User Messaging (issue 13), read with the user's AWS credentials (cli/aws-sms/account.ts):
 * the account is out of the sandbox, the origination identity exists, is active, may be used by
 * the send Lambda and reaches the countries the gateway routes to it, calls when voice is
 * offered, the spend limit leaves room, and the configuration set reports delivery. Every check
 * SKIPs when no route names aws and no origination identity is set.
 */

const KIND: Record<FoundIdentity['kind'], string> = { 'phone-number': 'phone number', pool: 'pool', 'sender-id': 'sender ID' };
const PERMISSIONS = 'docs/operations.md lists what the doctor reads';

/** What a failed read means for the check: no credentials SKIP, no answer FAIL, AWS's refusal WARN (or FAIL for refused credentials). */
function readFailure(err: unknown): Outcome {
  if (err instanceof AwsUnavailable) return skipFor({ why: err.reason });
  if (err instanceof AwsUnreachable) return fail(err.problem, err.fix);
  if (err instanceof AwsSmsReadError) {
    const detail = err.message.replace(/\.$/, '');
    if (err.awsError === 'AccessDeniedException') return warn(`not checked, since your AWS identity may not call sms-voice:${err.action}`, `allow it sms-voice:${err.action} on * (${PERMISSIONS})`);
    if (err.credentialsRefused) return fail(detail, 'AWS refuses your credentials: configure them as for the AWS CLI, until `aws sts get-caller-identity` answers');
    return warn(detail, 'run the doctor again; if it persists, see the AWS Health Dashboard for AWS End User Messaging in this region');
  }
  throw err;
}

/** Whether some route sends through aws first: its users then depend on it, not only a failover. */
function awsFirst(routes: ProviderRoutes): boolean {
  return [routes.fallback, ...routes.byCountry.values()].some((list) => list[0] === PROVIDER.aws);
}

/** Whether some route sends through aws alone: nothing takes over when it refuses. */
function awsAlone(routes: ProviderRoutes): boolean {
  return [routes.fallback, ...routes.byCountry.values()].some((list) => list.length === 1 && list[0] === PROVIDER.aws);
}

function canCall(found: FoundIdentity): boolean {
  if (found.kind === 'phone-number') return found.capabilities.includes('VOICE');
  if (found.kind === 'pool') return found.members.some((member) => member.capabilities.includes('VOICE'));
  return false;
}

/** The countries the identity has a number or sender ID of, and whether it may send beyond them. */
function coverage(found: FoundIdentity): { countries: Set<string>; beyond?: string } {
  if (found.kind === 'phone-number') return { countries: new Set([found.country]), beyond: found.internationalSending ? 'international sending' : undefined };
  if (found.kind === 'pool') return { countries: new Set(found.members.map((member) => member.country)), beyond: found.sharedRoutes ? 'shared routes' : undefined };
  return { countries: new Set(found.entries.map((entry) => entry.country)) };
}

/** The identity as the account describes it, or the SKIP of a check that needs it (aws-sms.identity reports why). */
async function foundIdentity(context: DoctorContext): Promise<{ found: FoundIdentity; shown: string; setup: AwsSmsSetup } | Outcome> {
  const setup = await context.awsSmsReachable();
  if (!setup.ok) return skipFor(setup);
  const { identity } = setup.value;
  if (!identity) return skipFor({ why: 'no origination identity is set (see providers.routes)' });
  try {
    const found = await context.awsSmsIdentity(identity.ref);
    return found ? { found, shown: showIdentity(identity.value), setup: setup.value } : skipFor({ why: 'the origination identity was not found (see aws-sms.identity)' });
  } catch {
    return skipFor({ why: 'the origination identity could not be read (see aws-sms.identity)' });
  }
}

const SANDBOX_FIX = 'ask AWS for production access with a support case in this region (docs/deploy.md, "AWS End User Messaging"), and until then verify the numbers you test with';

export const accountCheck: Check = {
  id: 'aws-sms.account',
  async run(context) {
    const setup = await context.awsSmsSetup();
    if (!setup.ok) return skipFor(setup);
    let tier: string | undefined;
    try {
      tier = (await context.awsSmsAttributes()).tier;
    } catch (err) {
      return readFailure(err);
    }
    const region = await (await context.awsSms()).region();
    // AWS documents ACCOUNT_TIER as telling "whether your account is in the sandbox or production
    // environment", not its literal values: both words are looked for, anything else is told as unknown.
    if (tier && /sandbox/i.test(tier)) {
      const detail = `the account is in the SMS sandbox in ${region} (ACCOUNT_TIER ${tier}), so AWS sends only to its verified destination numbers`;
      return awsFirst(setup.value.routing.routes) ? fail(`${detail}, and codes routed to aws first reach nobody else`, SANDBOX_FIX) : warn(`${detail}, and a failover to aws reaches nobody else`, SANDBOX_FIX);
    }
    if (tier && /production/i.test(tier)) return pass(`the account is out of the SMS sandbox in ${region} (ACCOUNT_TIER ${tier})`);
    return warn(`AWS End User Messaging did not say whether the account is in the sandbox in ${region} (ACCOUNT_TIER ${tier ?? 'missing'})`, 'look in the AWS End User Messaging console whether the account is in the sandbox, and ask for production access if it is');
  },
};

const IDENTITY_FIX = 'request one in this region (docs/deploy.md, "Getting an origination identity"), or name the right one with -c awsSms=... (or `npx sms-gateway secrets set --aws-origination-identity ...`)';

export const identityCheck: Check = {
  id: 'aws-sms.identity',
  async run(context) {
    const setup = await context.awsSmsReachable();
    if (!setup.ok) return skipFor(setup);
    const { identity, granted, routed } = setup.value;
    if (!identity) return skipFor({ why: 'no origination identity is set (see providers.routes)' });
    let found: FoundIdentity | undefined;
    try {
      found = await context.awsSmsIdentity(identity.ref);
    } catch (err) {
      return readFailure(err);
    }
    const shown = showIdentity(identity.value);
    const region = await (await context.awsSms()).region();
    if (!found) return fail(`${shown} from ${identity.source} is no ${KIND[identity.ref.kind]} of the account in ${region}, so AWS refuses every send from it (ResourceNotFoundException)`, IDENTITY_FIX);
    const what = `${KIND[found.kind]} ${shown}`;
    if (found.kind !== 'sender-id' && found.status !== 'ACTIVE') {
      return fail(`the ${what} is ${found.status}, and sends nothing until it is ACTIVE`, 'finish its registration or wait for it in the AWS End User Messaging console, or send from an ACTIVE identity');
    }
    if (found.kind === 'pool' && found.members.length === 0) return fail(`the ${what} has no phone number or sender ID, so it sends nothing`, 'add a number of each country your users live in to the pool in the AWS End User Messaging console');
    const capabilities = found.kind === 'phone-number' ? found.capabilities : found.kind === 'pool' ? [...new Set(found.members.flatMap((member) => member.capabilities))] : ['SMS'];
    if (!capabilities.includes('SMS')) return fail(`the ${what} cannot send SMS (its capabilities: ${capabilities.join(', ') || 'none'})`, 'send from an SMS-capable number, pool or sender ID');

    // The stack grants sms-voice:SendTextMessage and SendVoiceMessage on its awsSms identity alone (cdk/constructs/aws-sms.ts).
    const deploy = 'name it in the stack\'s awsSms and deploy again (docs/configuration.md), or write the stack\'s into the secret with `npx sms-gateway secrets set --aws-origination-identity ...`';
    if (granted === null) {
      const detail = `the stack has AWS End User Messaging off, so its send Lambda may not send from the ${what} and AWS refuses it (AccessDeniedException)`;
      return routed ? fail(detail, deploy) : warn(detail, deploy);
    }
    if (granted !== undefined && !found.arns.includes(granted) && sameIdentity(identity.value, granted) !== true) {
      return fail(`the stack lets its send Lambda send from ${granted} only, so AWS refuses sends from the ${what} from ${identity.source} (AccessDeniedException)`, deploy);
    }
    const unregistered = found.kind === 'sender-id' ? found.entries.filter((entry) => !entry.registered).map((entry) => entry.country) : [];
    if (unregistered.length > 0) {
      return warn(
        `the ${what} is not registered in ${unregistered.join(', ')}, and countries that require registration refuse it (SENDER_ID_NOT_REGISTERED)`,
        'register it in the AWS End User Messaging console (Registrations), or send from a phone number there',
      );
    }
    return pass(`the ${what} from ${identity.source} is ${found.kind === 'sender-id' ? 'in the account' : 'ACTIVE'} in ${region} and sends ${canCall(found) ? 'SMS and calls' : 'SMS'}`);
  },
};

export const countriesCheck: Check = {
  id: 'aws-sms.countries',
  async run(context) {
    const identity = await foundIdentity(context);
    if ('status' in identity) return identity;
    const { found, shown, setup } = identity;
    const allowed = await context.allowedCountries();
    if (!allowed.ok) return skipFor(allowed);
    const { routes } = setup.routing;
    const { routed } = setup;
    const reach = coverage(found);
    const reached = [...reach.countries].sort().join(', ') || 'no country';
    if (allowed.value.countries.length === 0) {
      return warn(
        `the gateway allows every country (${allowed.value.source} is empty), and ${shown} reaches ${reached}${reach.beyond ? `, more through ${reach.beyond} where each country allows it` : ''}`,
        'deploy with -c allowedCountries=US,CA,... for the countries your users live in (docs/security.md)',
      );
    }
    // The countries the gateway allows and routes to aws (all of them when aws sends only when named).
    const toAws = allowed.value.countries.filter((country) => !routed || providersFor(routes, country).includes(PROVIDER.aws));
    if (toAws.length === 0) return skip(`not checked: the routes send none of the allowed countries through aws (${setup.routing.text})`);
    const first = (country: string) => routed && providersFor(routes, country)[0] === PROVIDER.aws;

    // The protect configuration in force: the configuration set's, else the account's default
    // (user guide, "Using protect configurations": the request names none). When the
    // configuration set or the account attributes could not be read, their checks say so, and
    // the rules stay unchecked here; reading the rules themselves is this check's.
    let rules: Record<string, string> = {};
    const notes: string[] = [];
    const set = setup.configurationSet ? await context.awsSmsConfigurationSet(setup.configurationSet.value).catch(() => null) : undefined;
    const attributes = set === null ? null : await context.awsSmsAttributes().catch(() => null);
    const protect = set?.protectConfigurationId ?? attributes?.defaultProtectConfigurationId;
    const unknown = !protect && (set === null || attributes === null);
    if (protect) {
      try {
        rules = await (await context.awsSms()).countryRules(protect, 'SMS');
      } catch (err) {
        notes.push(`the country rules of the protect configuration ${protect} could not be read (${(err as Error).message.replace(/\.$/, '')})`);
      }
    }
    const blocked = toAws.filter((country) => rules[country] === 'BLOCK');
    const unreached = toAws.filter((country) => !reach.countries.has(country) && !blocked.includes(country));
    const failing: string[] = [];
    const warnings: string[] = [];
    if (blocked.length > 0) (blocked.some(first) ? failing : warnings).push(`the protect configuration ${protect} blocks SMS to ${blocked.join(', ')}`);
    if (unreached.length > 0) {
      const sentence = reach.beyond
        ? `${shown} has no number or sender ID of ${unreached.join(', ')} and reaches them only through ${reach.beyond}, where each country allows it`
        : `${shown} has no number or sender ID of ${unreached.join(', ')}, so AWS cannot send there`;
      (unreached.some(first) && !reach.beyond ? failing : warnings).push(sentence);
    }
    const routing = routed ? ` (routed to aws: ${setup.routing.text})` : '';
    const fix = `send from a pool with a number or sender ID of each of these countries, and allow them in the protect configuration, or route them elsewhere with -c providerRoutes=...`;
    if (failing.length > 0) return fail(`${[...failing, ...warnings].join('; ')}${routing}`, fix);
    if (warnings.length > 0 || notes.length > 0) return warn(`${[...warnings, ...notes].join('; ')}${routing}`, warnings.length > 0 ? fix : `allow your AWS identity sms-voice:DescribeConfigurationSets and GetProtectConfigurationCountryRuleSet (${PERMISSIONS})`);
    const allows = protect ? `, which the protect configuration ${protect} allows` : unknown ? ', and the protect configuration in force is unknown (see aws-sms.account and aws-sms.configuration-set)' : '';
    return pass(`${shown} reaches ${toAws.join(', ')} of ${allowed.value.source}${allows}`);
  },
};

export const voiceCheck: Check = {
  id: 'aws-sms.voice',
  async run(context) {
    const identity = await foundIdentity(context);
    if ('status' in identity) return identity;
    const { found, shown, setup } = identity;
    if (canCall(found)) return pass(`${shown} can place calls`);
    const tenant = await context.tenant();
    const offered = tenant.ok
      ? tenant.value.state.messageTypes.includes('voice') || (tenant.value.state.experience === 'unified' && tenant.value.state.provider?.deliveryMethods.includes('voice') === true)
      : undefined;
    if (offered === false) return skip('not checked: the tenant offers no voice codes, and the origination identity cannot place calls');
    const alone = setup.routed && awsAlone(setup.routing.routes);
    const detail = `${shown} cannot place calls${found.kind === 'sender-id' ? ' (a sender ID never can)' : ''}, so ${offered ? 'the voice codes the tenant offers' : 'voice codes'} routed to aws fail with 501 channel_unavailable${alone ? '' : ' and go to the next provider'}`;
    const fix = 'send from a voice-capable phone number or pool (-c awsSms=...), or offer SMS only (`npx sms-gateway auth0 deploy` without --voice)';
    return offered && alone ? fail(detail, fix) : warn(detail, fix);
  },
};

const SPEND_FIX = 'ask AWS for a higher monthly spend limit with a support case (docs/costs.md); an own lower limit is set in the AWS End User Messaging console';

export const spendLimitCheck: Check = {
  id: 'aws-sms.spend-limit',
  async run(context) {
    const setup = await context.awsSmsReachable();
    if (!setup.ok) return skipFor(setup);
    let limits;
    try {
      limits = await (await context.awsSms()).spendLimits();
    } catch (err) {
      return readFailure(err);
    }
    const text = limits.find((limit) => limit.name === 'TEXT_MESSAGE_MONTHLY_SPEND_LIMIT');
    const voice = limits.find((limit) => limit.name === 'VOICE_MESSAGE_MONTHLY_SPEND_LIMIT');
    if (!text) return warn('AWS End User Messaging reported no monthly SMS spend limit', 'look at the spend limits in the AWS End User Messaging console');
    // "When you reach your account limit, AWS End User Messaging SMS stops sending your messages" (user guide, spend limits).
    if (text.inForce <= 0) return fail('the monthly SMS spend limit is $0, so AWS sends no SMS (MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT)', SPEND_FIX);
    const own = text.overridden && text.inForce < text.max ? `, your own below the account's $${text.max}` : '';
    if (text.inForce <= 1) return warn(`the monthly SMS spend limit is $${text.inForce}${own || ', a new account\'s'}, and AWS stops sending SMS for the rest of the month once this month's cost reaches it`, SPEND_FIX);
    return pass(`monthly spend limits: SMS $${text.inForce}${own}${voice ? `; voice $${voice.inForce}` : ''}; AWS refuses every send past them until the month ends`);
  },
};

export const configurationSetCheck: Check = {
  id: 'aws-sms.configuration-set',
  async run(context) {
    const setup = await context.awsSmsReachable();
    if (!setup.ok) return skipFor(setup);
    const named = setup.value.configurationSet;
    if (!named) {
      return setup.value.routed
        ? warn('no configuration set is named, so AWS reports no delivery to the gateway and the delivery metrics of aws stay empty', 'deploy with awsSms on: the stack creates the configuration set and its event destination (docs/deploy.md)')
        : skip('not checked: no configuration set is named');
    }
    let set;
    try {
      set = await context.awsSmsConfigurationSet(named.value);
    } catch (err) {
      return readFailure(err);
    }
    const region = await (await context.awsSms()).region();
    const redeploy = 'deploy the stack again (`npx cdk deploy`): it creates the configuration set with its event destination to the status Lambda';
    if (!set) return fail(`the configuration set ${named.value} from ${named.source} does not exist in ${region}, so AWS refuses every send naming it (ResourceNotFoundException)`, redeploy);
    const sns = set.destinations.filter((destination) => destination.snsTopicArn);
    const enabled = sns.filter((destination) => destination.enabled);
    if (enabled.length === 0) {
      return fail(
        sns.length > 0
          ? `the SNS event destination ${sns.map((destination) => destination.name).join(', ')} of the configuration set ${set.name} is disabled, so no delivery event reaches the status Lambda`
          : `the configuration set ${set.name} has no SNS event destination, so no delivery event reaches the status Lambda`,
        redeploy,
      );
    }
    const [destination] = enabled;
    return pass(`the configuration set ${set.name} sends ${destination.eventTypes.length} event types to the SNS topic ${destination.snsTopicArn} (event destination ${destination.name})`);
  },
};
