import { PROVIDER, type ProviderName } from '../../shared/names';
import { parseGatewaySecrets, type GatewaySecrets, type ProviderKeys } from '../core/gateway-secrets';
import { awsSmsKeys, type AwsSmsSettings } from './aws-sms/settings';
import { DEFAULT_PROVIDERS } from './routes';
import { twilioKeys, type TwilioCredentials } from './twilio/credentials';

/**
 * The gateway's secret as a whole (docs/configuration.md, "The secret"): the gateway's own keys
 * (core/gateway-secrets.ts) and each provider's, parsed by its module. A new provider adds its
 * keys here.
 */

/** Every provider's keys of the secret, as the send use case hands them to the selector. */
export type ProviderSecrets = { twilio: ProviderKeys<TwilioCredentials>; aws: ProviderKeys<AwsSmsSettings> };

export type GatewaySecret = GatewaySecrets<ProviderSecrets>;

export interface SecretOptions {
  /** Console mode (no Twilio keys at all) is allowed locally, never in Lambda. */
  allowConsoleMode: boolean;
  /**
   * The providers some route names (routes.ts, routedProviders): only their keys are required.
   * Default: Twilio, as PROVIDERS is by default.
   */
  routed?: readonly ProviderName[];
  /** AWS_SMS_ORIGINATION_IDENTITY of the environment: the sender when the secret names none. */
  awsSmsOriginationIdentity?: string;
}

/**
 * Each provider's keys, with what is wrong with them kept as their `problem` rather than
 * thrown: the gateway's own keys stay usable, so that only signed requests learn of it. A
 * provider no route names needs no keys, but the keys it has are checked all the same: a signed
 * request may still name it (the body's `provider`), and a broken key is worth knowing of.
 */
export function parseProviderKeys(values: Record<string, unknown>, options: SecretOptions): ProviderSecrets {
  const routed = options.routed ?? DEFAULT_PROVIDERS;
  return {
    twilio: twilioKeys(values, { required: routed.includes(PROVIDER.twilio) && !options.allowConsoleMode }),
    aws: awsSmsKeys(values, { required: routed.includes(PROVIDER.aws), defaultIdentity: options.awsSmsOriginationIdentity }),
  };
}

/** parseProviderKeys for one deployment's routes and environment, as the secret sources call it. */
export function providerKeysParser(settings: Omit<SecretOptions, 'allowConsoleMode'>) {
  return (values: Record<string, unknown>, options: Pick<SecretOptions, 'allowConsoleMode'>): ProviderSecrets => parseProviderKeys(values, { ...settings, ...options });
}

/**
 * Every key, checked: throws ConfigurationError naming the first key that is missing or
 * malformed, the gateway's own first. What `npm start` and the CLI check a secret with.
 */
export function parseSecret(values: Record<string, unknown>, options: SecretOptions): GatewaySecret {
  return parseGatewaySecrets(values, (raw) => parseProviderKeys(raw, options));
}
