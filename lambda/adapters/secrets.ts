import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError, GatewayError } from '../core/errors';
import { parseGatewaySecrets, type GatewaySecrets } from '../core/gateway-secrets';
import type { SecretsSource } from '../core/ports';
import type { RuntimeConfig } from '../config';

/** Secrets are re-read after 5 minutes, so a rotation reaches every warm container quickly. */
export const SECRET_MAX_AGE_SECONDS = 300;
/** A forced re-read (after Twilio error 20003) happens at most this often per container. */
const MIN_REFRESH_INTERVAL_MS = 10_000;

function configurationError(err: ConfigurationError): GatewayError {
  return new GatewayError('configuration_error', `The gateway secret is not usable: ${err.message}`, { cause: err });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Maps a failed Secrets Manager read to the contract: an outage is 503 (retry helps), a
 * missing secret or a missing permission is a configuration error (it does not).
 */
export function secretsReadError(err: unknown): GatewayError {
  const cause = (err as { cause?: unknown }).cause ?? err;
  const sdk = cause as { name?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  const outage =
    sdk.$fault === 'server' ||
    sdk.name === 'ThrottlingException' ||
    sdk.name === 'TimeoutError' ||
    sdk.$metadata?.httpStatusCode === undefined;
  if (outage) {
    return new GatewayError('provider_unavailable', 'Secrets Manager did not answer; try again later.', { cause: err });
  }
  return new GatewayError('configuration_error', `The gateway cannot read its secret (${sdk.name ?? 'unknown error'}).`, { cause: err });
}

/**
 * In Lambda: the JSON secret named by SECRET_ARN, read with Powertools Parameters (which
 * caches it per container) and parsed once per fetched value.
 */
export class SecretsManagerSource implements SecretsSource {
  private readonly provider: SecretsProvider;
  /** The last value fetched, and what parsing it gave: parsed once per fetched value. */
  private parsedFrom: unknown;
  private parsed: GatewaySecrets | GatewayError | undefined;
  private lastForcedRefresh = 0;

  constructor(
    private readonly secretArn: string,
    client: SecretsManagerClient = new SecretsManagerClient({
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
    }),
  ) {
    this.provider = new SecretsProvider({ awsSdkV3Client: client });
  }

  async get(options: { refresh?: boolean } = {}): Promise<GatewaySecrets> {
    const now = Date.now();
    // An unusable secret is read again (at most every 10 s) so that the fix reaches this
    // container without waiting out the 5-minute cache.
    const wanted = options.refresh === true || this.parsed instanceof GatewayError;
    const forceFetch = wanted && now - this.lastForcedRefresh >= MIN_REFRESH_INTERVAL_MS;
    if (forceFetch) this.lastForcedRefresh = now;

    let raw: unknown;
    try {
      raw = await this.provider.get(this.secretArn, { transform: 'json', maxAge: SECRET_MAX_AGE_SECONDS, forceFetch });
    } catch (err) {
      if ((err as Error).name === 'TransformParameterError') {
        throw new GatewayError('configuration_error', 'The gateway secret is not a JSON object.', { cause: err });
      }
      throw secretsReadError(err);
    }
    if (raw !== this.parsedFrom || this.parsed === undefined) {
      this.parsedFrom = raw;
      this.parsed = parse(raw);
    }
    if (this.parsed instanceof GatewayError) throw this.parsed;
    return this.parsed;
  }
}

function parse(raw: unknown): GatewaySecrets | GatewayError {
  if (!isRecord(raw)) return new GatewayError('configuration_error', 'The gateway secret is not a JSON object.');
  try {
    return parseGatewaySecrets(raw, { allowConsoleMode: false });
  } catch (err) {
    if (err instanceof ConfigurationError) return configurationError(err);
    throw err;
  }
}

/**
 * Locally: the same keys from environment variables, parsed once at start so that a bad value
 * stops `npm start` with the key's name. No Twilio keys at all means console mode.
 */
export class EnvironmentSource implements SecretsSource {
  private readonly secrets: GatewaySecrets;

  constructor(env: Record<string, string | undefined> = process.env) {
    this.secrets = parseGatewaySecrets(env, { allowConsoleMode: true });
  }

  async get(): Promise<GatewaySecrets> {
    return this.secrets;
  }
}

/** Secrets Manager when SECRET_ARN is set (always, in Lambda), the environment otherwise. */
export function secretsSourceFor(config: Pick<RuntimeConfig, 'secretArn'>): SecretsSource {
  return config.secretArn ? new SecretsManagerSource(config.secretArn) : new EnvironmentSource();
}
