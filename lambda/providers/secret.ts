import { parseGatewaySecrets, type GatewaySecrets, type ProviderKeys } from '../core/gateway-secrets';
import { twilioKeys, type TwilioCredentials } from './twilio/credentials';

/**
 * The gateway's secret as a whole (docs/configuration.md, "The secret"): the gateway's own keys
 * (core/gateway-secrets.ts) and each provider's, parsed by its module. A new provider adds its
 * keys here.
 */

/** Every provider's keys of the secret, as the send use case hands them to the selector. */
export type ProviderSecrets = { twilio: ProviderKeys<TwilioCredentials> };

export type GatewaySecret = GatewaySecrets<ProviderSecrets>;

export interface SecretOptions {
  /** Console mode (no Twilio keys at all) is allowed locally, never in Lambda. */
  allowConsoleMode: boolean;
}

/**
 * Each provider's keys, with what is wrong with them kept as their `problem` rather than
 * thrown: the gateway's own keys stay usable, so that only signed requests learn of it.
 */
export function parseProviderKeys(values: Record<string, unknown>, options: SecretOptions): ProviderSecrets {
  return { twilio: twilioKeys(values, { required: !options.allowConsoleMode }) };
}

/**
 * Every key, checked: throws ConfigurationError naming the first key that is missing or
 * malformed, the gateway's own first. What `npm start` and the CLI check a secret with.
 */
export function parseSecret(values: Record<string, unknown>, options: SecretOptions): GatewaySecret {
  return parseGatewaySecrets(values, (raw) => parseProviderKeys(raw, options));
}
