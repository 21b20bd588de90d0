import { SECRET_KEY } from '../../shared/names';
import { ConfigurationError, GatewayError } from './errors';

/**
 * The gateway's one secret (docs/configuration.md, "The secret"): the keys every deployment has
 * (the signing secrets and the rate-limit key), parsed and checked here, and each provider's
 * keys, which its module in lambda/providers/ parses: the domain hands them on unread. The same
 * parsers serve the Secrets Manager JSON in Lambda and environment variables locally, so a key
 * means the same thing everywhere.
 */

/** The keys the gateway itself holds. */
export interface GatewayKeys {
  /**
   * Every accepted signing secret. The key may hold several space-separated `whsec_` secrets:
   * during a rotation the gateway accepts both the old and the new one.
   */
  signingSecrets: string[];
  /**
   * Keys the HMAC that turns phone numbers and IP addresses into rate-limit counter keys. Its
   * own key, so that a signing-key rotation does not reset every limit. Until a secret has it
   * (a deployment made before it existed), the first signing secret, which keyed the counters
   * then: the stack's Custom::SigningKey and `secrets rotate-signing-key` copy exactly that
   * value into it, so the counters carry over.
   */
  rateLimitKey: string;
}

/**
 * One provider's keys in the secret: its `credentials` when they are usable; the `problem` when
 * they are there but not usable (kept apart from the gateway's keys, so that only signed
 * requests learn of it: the send fails after the signature check); neither when the secret has
 * none of them.
 */
export interface ProviderKeys<Credentials> {
  credentials?: Credentials;
  problem?: ConfigurationError;
}

/** Every provider's keys, by provider: lambda/providers/secret.ts says which. */
export type ProviderKeySet = { readonly [provider: string]: ProviderKeys<unknown> };

export interface GatewaySecrets<Providers extends ProviderKeySet = ProviderKeySet> extends GatewayKeys {
  providers: Providers;
}

const SIGNING_SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;
// Standard Webhooks asks for keys of 24 to 64 random bytes.
const MIN_SIGNING_KEY_BYTES = 24;
const MAX_SIGNING_KEY_BYTES = 64;
// Base64 of random bytes (`openssl rand -base64 32`), or a signing secret copied over (see GatewayKeys).
const RATE_LIMIT_KEY_SHAPE = /^(whsec_)?[A-Za-z0-9+/]+={0,2}$/;

/** A key's value, trimmed; undefined when absent or blank. Throws when it is not a string. */
export function readKey(values: Record<string, unknown>, key: string): string | undefined {
  const value = values[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ConfigurationError(key, 'must be a string.');
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A key that must be there; `why` says what it is for. */
export function requireKey(values: Record<string, unknown>, key: string, why: string): string {
  const value = readKey(values, key);
  if (value === undefined) throw new ConfigurationError(key, `is missing: ${why}.`);
  return value;
}

/** The value, when it is absent or has the `shape`; `expected` says the shape in words. */
export function keyMatching(key: string, value: string | undefined, shape: RegExp, expected: string): string | undefined {
  if (value !== undefined && !shape.test(value)) throw new ConfigurationError(key, `must look like ${expected}.`);
  return value;
}

export function parseSigningSecrets(key: string, value: string): string[] {
  const secrets = value.split(/\s+/).filter(Boolean);
  for (const secret of secrets) {
    if (!SIGNING_SECRET.test(secret)) {
      throw new ConfigurationError(key, 'must be "whsec_" followed by base64 (several may be separated by spaces during a key rotation).');
    }
    const bytes = Buffer.from(secret.slice('whsec_'.length), 'base64').length;
    if (bytes < MIN_SIGNING_KEY_BYTES || bytes > MAX_SIGNING_KEY_BYTES) {
      throw new ConfigurationError(key, `must encode ${MIN_SIGNING_KEY_BYTES} to ${MAX_SIGNING_KEY_BYTES} random bytes (it encodes ${bytes}).`);
    }
  }
  return secrets;
}

function parseRateLimitKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const bytes = Buffer.from(value.replace(/^whsec_/, ''), 'base64').length;
  if (!RATE_LIMIT_KEY_SHAPE.test(value) || bytes < MIN_SIGNING_KEY_BYTES) {
    throw new ConfigurationError(SECRET_KEY.rateLimitKey, `must be the base64 of ${MIN_SIGNING_KEY_BYTES} or more random bytes, as \`openssl rand -base64 32\` prints.`);
  }
  return value;
}

/** The signing secrets and the rate-limit key, checked; throws ConfigurationError naming the key. */
export function parseGatewayKeys(values: Record<string, unknown>): GatewayKeys {
  const signingSecrets = parseSigningSecrets(
    SECRET_KEY.signingSecret,
    requireKey(values, SECRET_KEY.signingSecret, 'the Auth0 forwarder signs every request with it'),
  );
  return { signingSecrets, rateLimitKey: parseRateLimitKey(readKey(values, SECRET_KEY.rateLimitKey)) ?? signingSecrets[0] };
}

/** A provider's keys as parsed by `parse`, with a ConfigurationError kept as the problem instead of thrown. */
export function parsedKeys<Credentials>(parse: () => Credentials | undefined): ProviderKeys<Credentials> {
  try {
    const credentials = parse();
    return credentials === undefined ? {} : { credentials };
  } catch (err) {
    if (err instanceof ConfigurationError) return { problem: err };
    throw err;
  }
}

/** The refusal when a key of the secret is not usable (500 configuration_error, naming the key). */
export function secretKeyError(problem: ConfigurationError): GatewayError {
  return new GatewayError('configuration_error', `The gateway secret is not usable: ${problem.message}`, { cause: problem });
}

/** The provider's credentials; throws configuration_error when its keys are unusable or absent. `provider` names it in the message. */
export function usableCredentials<Credentials>(keys: ProviderKeys<Credentials>, provider: string): Credentials {
  if (keys.credentials !== undefined) return keys.credentials;
  if (keys.problem) throw secretKeyError(keys.problem);
  throw new GatewayError('configuration_error', `The ${provider} keys are not configured.`);
}

/** The first provider key that is there but not usable, if any. */
export function firstKeyProblem(providers: ProviderKeySet): ConfigurationError | undefined {
  return Object.values(providers).find((keys) => keys.problem)?.problem;
}

/**
 * The whole secret, checked: throws ConfigurationError naming the first key that is missing or
 * malformed, the gateway's own keys first, then the providers' as `parseProviderKeys` reads them.
 */
export function parseGatewaySecrets<Providers extends ProviderKeySet>(
  values: Record<string, unknown>,
  parseProviderKeys: (values: Record<string, unknown>) => Providers,
): GatewaySecrets<Providers> {
  const keys = parseGatewayKeys(values);
  const providers = parseProviderKeys(values);
  const problem = firstKeyProblem(providers);
  if (problem) throw problem;
  return { ...keys, providers };
}
