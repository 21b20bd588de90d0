import type { ManagementClient } from 'auth0';
import type { Twilio } from 'twilio';
import { CUSTOM_PHONE_PROVIDER, DELIVERY_METHOD_OF } from '../../auth0/provision/setup';
import { CommandError } from '../command';
import { describeFailure, twilioFailure } from '../twilio/failure';
import type { Channel } from './follow';

/**
 * `send-test --via-auth0`: Auth0's own test of the tenant phone provider (the Management API's
 * POST /branding/phone/providers/{id}/try, the Dashboard's "Send Test Message"), so Auth0 runs
 * the deployed custom-phone-provider Action against the deployed gateway. Auth0 answers 202 and
 * says no more, so the message is found in Twilio: the newest one to the number that was not
 * there before the test.
 */

export interface TestedProvider {
  id: string;
}

/** The tenant phone provider, if it is the gateway's (custom, enabled, offering the channel). */
export async function gatewayProvider(client: ManagementClient, channel: Channel): Promise<TestedProvider> {
  const { providers = [] } = await client.branding.phone.providers.list();
  const provider = providers[0];
  const deploy = 'run `npx sms-gateway auth0 deploy`';
  if (!provider?.id) throw new CommandError(`The tenant has no phone provider (Branding > Phone Provider): ${deploy} first.`);
  if (provider.name !== CUSTOM_PHONE_PROVIDER) {
    throw new CommandError(`The tenant phone provider is ${provider.name}, not ${CUSTOM_PHONE_PROVIDER}, so Auth0 would send the test itself, not through the gateway: ${deploy}.`);
  }
  if (provider.disabled) throw new CommandError(`The tenant phone provider ${CUSTOM_PHONE_PROVIDER} is disabled: ${deploy}.`);
  const methods = (provider.configuration as { delivery_methods?: string[] } | undefined)?.delivery_methods ?? [];
  if (!methods.includes(DELIVERY_METHOD_OF[channel])) {
    throw new CommandError(`The tenant phone provider does not deliver by ${DELIVERY_METHOD_OF[channel]}: run \`npx sms-gateway auth0 deploy --voice\`.`);
  }
  return { id: provider.id };
}

/** The SIDs of the latest messages (or calls) Twilio has to this number. */
export async function recentSids(twilio: Twilio, channel: Channel, to: string): Promise<string[]> {
  try {
    const list = channel === 'voice' ? await twilio.calls.list({ to, limit: 20 }) : await twilio.messages.list({ to, limit: 20 });
    return list.map((item) => item.sid);
  } catch (err) {
    throw new CommandError(`Could not list the messages in Twilio to find the test: ${describeFailure(twilioFailure(err))}.`);
  }
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

/** Waits for a message (or call) to the number that is not among `before`; undefined when none came in time. */
export async function waitForNewSid(twilio: Twilio, channel: Channel, to: string, before: ReadonlySet<string>, options: WaitOptions): Promise<string | undefined> {
  const started = options.now();
  for (;;) {
    const fresh = (await recentSids(twilio, channel, to)).find((sid) => !before.has(sid));
    if (fresh) return fresh;
    if (options.now() - started + options.intervalMs > options.timeoutMs) return undefined;
    await options.sleep(options.intervalMs);
  }
}
