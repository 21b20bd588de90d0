import { PROVIDER, TWILIO_SECRET_KEYS } from '../../shared/names';
import { showIdentity } from '../aws-sms/identity';
import { fail, pass, skip, skipFor, type Check } from './check';

/**
 * The routes (PROVIDERS, PROVIDER_ROUTES) as the send Lambda reads them, and whether each
 * provider they name has what it needs to send: Twilio its keys in the secret, AWS End User
 * Messaging an origination identity (from the secret or the stack). Malformed keys are
 * aws.secret's to report, the identity's existence aws-sms.identity's.
 */

const ROUTES_FIX_STACK = 'deploy with valid -c providers=... and -c providerRoutes=..., as docs/configuration.md describes them';
const ROUTES_FIX_LOCAL = 'fix PROVIDERS and PROVIDER_ROUTES as docs/configuration.md describes them';

export const routesCheck: Check = {
  id: 'providers.routes',
  async run(context) {
    const routing = await context.routing();
    if (!routing.ok) {
      if (routing.unavailable) return skipFor(routing);
      const stack = await context.stack();
      return fail(`the send Lambda would not start: ${routing.why.replace(/\.$/, '')}`, stack.ok ? ROUTES_FIX_STACK : ROUTES_FIX_LOCAL);
    }
    const { routed, text, source } = routing.value;
    const secret = await context.secret();
    if (!secret.ok) return skipFor(secret);

    const found: string[] = [];
    if (routed.includes(PROVIDER.twilio)) {
      const hasTwilio = TWILIO_SECRET_KEYS.some((key) => typeof secret.value.values[key] === 'string' && (secret.value.values[key] as string).trim() !== '');
      // A local gateway without Twilio keys runs in console mode: aws.secret says so.
      if (!hasTwilio && secret.value.source !== 'environment variables') {
        return fail(
          `the routes name twilio (${source}: ${text}), but the secret has no Twilio keys, so messages routed to twilio fail with 500 configuration_error`,
          'write them with `npx sms-gateway secrets set`, or route to aws alone with -c providers=aws',
        );
      }
      found.push(hasTwilio ? 'twilio has its keys' : 'twilio runs in console mode');
    }
    const aws = await context.awsSmsSetup();
    if (routed.includes(PROVIDER.aws)) {
      const identity = aws.ok ? aws.value.identity : undefined;
      if (!identity) {
        return fail(
          `the routes name aws (${source}: ${text}), but no origination identity is set, so messages routed to aws fail with 500 configuration_error`,
          'deploy with -c awsSms=<origination identity>, or write one with `npx sms-gateway secrets set --aws-origination-identity ...`',
        );
      }
      found.push(`aws sends from ${showIdentity(identity.value)} (${identity.source})`);
    } else if (aws.ok && aws.value.identity) {
      found.push(`aws is configured but no route names it, so it sends only for a request that names it (send-test --provider aws)`);
    }
    if (found.length === 0) return skip(`not checked: ${source} names no provider this doctor knows`);
    return pass(`${source}: ${text}; ${found.join(', ')}`);
  },
};
