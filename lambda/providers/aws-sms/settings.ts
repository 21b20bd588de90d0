import { ENV, SECRET_KEY } from '../../../shared/names';
import { ConfigurationError } from '../../core/errors';
import { keyMatching, parsedKeys, readKey, type ProviderKeys } from '../../core/gateway-secrets';

/**
 * AWS End User Messaging's settings of a send. Its credentials are the Lambda's own (its role,
 * through AWS_ACCESS_KEY_ID and the rest, as every AWS client reads them): what the gateway
 * chooses is only the sender, the origination identity.
 */
export interface AwsSmsSettings {
  /** SendTextMessage's OriginationIdentity: a phone number, a pool or a sender ID, or the ARN of one. */
  originationIdentity: string;
}

/** OriginationIdentity as the API reference constrains it (1 to 256 of these characters). */
export const ORIGINATION_IDENTITY = /^[A-Za-z0-9_:/+-]{1,256}$/;
const IDENTITY_SHAPE = 'a phone number, a pool or sender ID, or an ARN';

/** Checks AWS_SMS_ORIGINATION_IDENTITY as the environment or the secret holds it; `key` names it. */
export function checkOriginationIdentity(key: string, value: string | undefined): string | undefined {
  return keyMatching(key, value, ORIGINATION_IDENTITY, IDENTITY_SHAPE);
}

/**
 * The sender of the secret, else the environment's (the stack's deploy-time choice): the secret
 * wins, so that `sms-gateway secrets set` moves the sender without a deploy, as it does
 * Twilio's. Undefined when neither has one and it is not `required` (no route names `aws`).
 */
export function parseAwsSmsSettings(
  values: Record<string, unknown>,
  options: { required: boolean; defaultIdentity?: string },
): AwsSmsSettings | undefined {
  const identity = checkOriginationIdentity(SECRET_KEY.awsSmsOriginationIdentity, readKey(values, SECRET_KEY.awsSmsOriginationIdentity)) ?? options.defaultIdentity;
  if (identity !== undefined) return { originationIdentity: identity };
  if (!options.required) return undefined;
  throw new ConfigurationError(ENV.awsSmsOriginationIdentity, `is missing: ${IDENTITY_SHAPE} to send the messages routed to aws.`);
}

/** The AWS settings as the secret and the environment hold them: usable, unusable (and why), or absent. */
export function awsSmsKeys(values: Record<string, unknown>, options: { required: boolean; defaultIdentity?: string }): ProviderKeys<AwsSmsSettings> {
  return parsedKeys(() => parseAwsSmsSettings(values, options));
}
