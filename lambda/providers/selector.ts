import { PROVIDER, type ProviderName } from '../../shared/names';
import { usableCredentials } from '../core/gateway-secrets';
import type { MessageProvider, MessageSender, OutboundMessage, ProviderOutcome } from '../core/ports';
import { providersFor, type ProviderRoutes } from './routes';
import type { ProviderSecrets } from './secret';
import type { TwilioCredentials } from './twilio/credentials';

/** The providers the selector can send through. A new provider adds itself here and in `sendThrough`. */
export interface Providers {
  twilio: MessageProvider<TwilioCredentials>;
  /** Stands in for Twilio when the secret has no Twilio keys at all (console mode, `npm start` only). */
  console: MessageProvider<unknown>;
}

/**
 * The one place that decides which provider sends a message: the routes read once at start
 * (routes.ts, from PROVIDERS and PROVIDER_ROUTES), the destination's country, and the keys of
 * the secret the send use case read for this request.
 */
export class ProviderSelector implements MessageSender<ProviderSecrets> {
  constructor(
    private readonly routes: ProviderRoutes,
    private readonly providers: Providers,
  ) {}

  /** The providers that may send this message, in failover order. */
  candidates(message: OutboundMessage): readonly ProviderName[] {
    return providersFor(this.routes, message.country);
  }

  /**
   * Sends through the first candidate. Failover (issue 13) belongs here: the next candidate may
   * be tried only when `sendThrough` rejected, which a provider does only when the message
   * provably did not go out (core/ports.ts, ProviderOutcome); never after an `unknown` outcome.
   */
  async send(message: OutboundMessage, keys: ProviderSecrets): Promise<ProviderOutcome> {
    const [first] = this.candidates(message);
    return this.sendThrough(first, message, keys);
  }

  /** One provider's send, with its credentials from this request's secret. */
  private sendThrough(name: ProviderName, message: OutboundMessage, keys: ProviderSecrets): Promise<ProviderOutcome> {
    switch (name) {
      case PROVIDER.twilio:
        // No Twilio keys at all is console mode, which the secret allows locally only; keys that
        // are there but unusable never are (usableCredentials refuses them, naming the key).
        if (keys.twilio.credentials === undefined && keys.twilio.problem === undefined) return this.providers.console.send(message, undefined);
        return this.providers.twilio.send(message, usableCredentials(keys.twilio, 'Twilio'));
      default:
        // routes.ts accepts only the providers above.
        throw new Error(`No provider ${name} to send through.`);
    }
  }
}
