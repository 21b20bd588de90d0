import { PROVIDER } from '../../shared/names';
import { GatewayError, isGatewayError, type ErrorCode } from '../core/errors';
import { usableCredentials } from '../core/gateway-secrets';
import type { FailoverTelemetry, Log, MessageProvider, MessageSender, OutboundMessage, SenderOutcome, SendOptions } from '../core/ports';
import type { AwsSmsSettings } from './aws-sms/settings';
import { providersFor, type ProviderRoutes } from './routes';
import type { ProviderSecrets } from './secret';
import type { TwilioCredentials } from './twilio/credentials';

/** The providers the selector can send through. A new provider adds itself here and in `sendThrough`. */
export interface Providers {
  twilio: MessageProvider<TwilioCredentials>;
  aws: MessageProvider<AwsSmsSettings>;
  /**
   * Stands in for Twilio when the secret has no Twilio keys at all (console mode). Only where the
   * keys come from the environment (`npm start`); in Lambda there is none, and Twilio without
   * keys is a configuration error.
   */
  console?: MessageProvider<unknown>;
}

/** The providers that send (console mode only stands in for Twilio). */
type Sending = keyof ProviderSecrets;

export interface SelectorDependencies {
  telemetry: FailoverTelemetry;
  log: Pick<Log, 'warn'>;
  /** For tests: the whole send's budget, SEND_BUDGET_MS by default. */
  budgetMs?: number;
}

/**
 * What one send may take across providers, as Twilio's client allows itself (twilio/rest.ts):
 * the send Lambda has 10 s, and its state-table round trips come before and after.
 */
export const SEND_BUDGET_MS = 8_000;
/** Less than this left, the next provider is not tried: it would most likely time out. */
export const MIN_FAILOVER_MS = 2_000;

/**
 * The refusals another provider may not share, by the gateway's code, when the provider does not
 * say otherwise (GatewayErrorDetails.failover):
 * - provider_unavailable: this provider could not be reached, or throttled us;
 * - provider_error: it refused for a reason of its own: our credentials (Twilio 20003, AWS's
 *   credential and IAM errors), its account (a trial or sandbox account, a spend limit);
 * - configuration_error: its keys or settings are missing or malformed;
 * - channel_unavailable: it has no sender for calls (no TWILIO_PHONE_NUMBER, an AWS sender ID).
 * Never: invalid_recipient (the number is bad for everyone), destination_not_allowed (the
 * person opted out, or an owner's block; a provider marks the exceptions, such as Twilio's geo
 * permissions, `failover: true`), rate_limited, and the gateway's own refusals, which come
 * before any provider. docs/reliability.md lists each case with its test.
 */
const FAILOVER_CODES: ReadonlySet<ErrorCode> = new Set(['provider_unavailable', 'provider_error', 'configuration_error', 'channel_unavailable']);

/** Whether the next provider may be tried after this refusal. */
export function mayFailOver(refusal: GatewayError): boolean {
  return refusal.details.failover ?? FAILOVER_CODES.has(refusal.code);
}

/**
 * The one place that decides which provider sends a message: the routes read once at start
 * (routes.ts, from PROVIDERS and PROVIDER_ROUTES), the destination's country, and the keys of
 * the secret the send use case read for this request. It tries the providers in order, the next
 * one only when the previous one provably did not take the message (it refused, or was never
 * reached: core/ports.ts, ProviderOutcome) for a reason another provider may not share
 * (`mayFailOver`). Never after an unknown outcome: the message may be on its way. All of it
 * happens inside the one claim the use case marked "sending", so that a webhook-id still sends
 * at most once.
 */
export class ProviderSelector implements MessageSender<ProviderSecrets> {
  constructor(
    private readonly routes: ProviderRoutes,
    private readonly providers: Providers,
    private readonly deps: SelectorDependencies,
  ) {}

  /** The providers that may send this message, in failover order (routes.ts and the body's validation name only Twilio and AWS). */
  candidates(message: OutboundMessage): readonly Sending[] {
    return (message.provider ? [message.provider] : providersFor(this.routes, message.country)) as Sending[];
  }

  async send(message: OutboundMessage, keys: ProviderSecrets, options: SendOptions = {}): Promise<SenderOutcome> {
    if (message.provider && !this.configured(message.provider as Sending, keys)) {
      throw new GatewayError('invalid_request', `Field "provider" names ${message.provider}, which this gateway has no settings for.`);
    }
    // Its own, or what the invocation has left (send-message.ts), whichever is less.
    const budgetMs = Math.min(this.deps.budgetMs ?? SEND_BUDGET_MS, options.budgetMs ?? Infinity);
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    let refusal: GatewayError | undefined;
    /** Time spent in refusing providers' APIs, when they called one: SendLatency counts all of it. */
    let spentMs: number | undefined;
    for (const name of this.candidates(message)) {
      if (refusal) {
        const remainingMs = budgetMs - elapsed();
        if (!mayFailOver(refusal) || remainingMs < MIN_FAILOVER_MS) break;
        this.deps.telemetry.providerFailover(refusal.details.provider!, name);
        // Not the refusal's text: it may quote the message, and only the use case can scrub the code out.
        this.deps.log.warn('provider failover', { from: refusal.details.provider, to: name, reason: refusal.code, providerCode: refusal.details.providerCode });
      }
      try {
        const outcome = await this.sendThrough(name, message, keys, { budgetMs: Math.round(budgetMs - elapsed()) });
        return { ...outcome, latencyMs: outcome.latencyMs + (spentMs ?? 0) };
      } catch (err) {
        if (!isGatewayError(err)) {
          // A provider that throws anything but a refusal may have sent: an unknown outcome.
          return { outcome: 'unknown', detail: `The ${name} provider failed unexpectedly.`, latencyMs: Math.round(elapsed()), cause: err, provider: name };
        }
        err.details.provider ??= name;
        if (err.details.latencyMs !== undefined) spentMs = (spentMs ?? 0) + err.details.latencyMs;
        refusal = err;
      }
    }
    // Every candidate refused, or the last refusal is not one to fail over from.
    refusal!.details.latencyMs = spentMs;
    throw refusal!;
  }

  /** Whether a forced provider has settings: its keys, usable or not, or console mode for Twilio. */
  private configured(name: Sending, keys: ProviderSecrets): boolean {
    const { credentials, problem } = keys[name];
    return credentials !== undefined || problem !== undefined || (name === PROVIDER.twilio && this.providers.console !== undefined);
  }

  /** One provider's send, with its settings from this request's secret. */
  private async sendThrough(name: Sending, message: OutboundMessage, keys: ProviderSecrets, options: SendOptions): Promise<SenderOutcome> {
    // No Twilio keys at all is console mode, where there is a console (locally only); keys that
    // are there but unusable never are (usableCredentials refuses them, naming the key).
    const { console } = this.providers;
    if (name === PROVIDER.twilio && console && keys.twilio.credentials === undefined && keys.twilio.problem === undefined) {
      return { ...(await console.send(message, undefined)), provider: PROVIDER.console };
    }
    const provider = this.providers[name] as MessageProvider<unknown>;
    return { ...(await provider.send(message, usableCredentials<unknown>(keys[name], name), options)), provider: name };
  }
}
