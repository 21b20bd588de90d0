import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError, GatewayError } from '../core/errors';
import { firstKeyProblem, parseGatewayKeys, parseGatewaySecrets, secretKeyError, type GatewaySecrets, type ProviderKeySet } from '../core/gateway-secrets';
import type { SecretsSource } from '../core/ports';
import type { RuntimeConfig } from '../config';
import { httpRequest, type HttpAnswer } from './http-request';

/** Secrets are re-read after 5 minutes, so a rotation reaches every warm container quickly. */
export const SECRET_MAX_AGE_SECONDS = 300;
/** A forced re-read (after Twilio error 20003) happens at most this often per container. */
const MIN_REFRESH_INTERVAL_MS = 10_000;

/**
 * Parses the providers' keys of a secret value (lambda/providers/secret.ts). Keys that are
 * there but unusable are kept as a provider's `problem`, not thrown: requests can still be
 * verified, and only signed ones are told.
 */
export type ProviderKeysParser<Providers extends ProviderKeySet> = (values: Record<string, unknown>, options: { allowConsoleMode: boolean }) => Providers;

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

/** Reads the secret's JSON value; `fresh` goes past every cache on the way. */
interface SecretReader {
  read(fresh: boolean): Promise<unknown>;
}

/**
 * Powertools Parameters over the AWS SDK, which caches the value per container. Both are
 * loaded on first use: in Lambda the extension below serves every read but the rare forced
 * one, so the SDK's ~50 ms of loading stays out of the cold start.
 */
class SdkSecretReader implements SecretReader {
  private provider: SecretsProvider | undefined;

  constructor(
    private readonly secretArn: string,
    private readonly client?: SecretsManagerClient,
  ) {}

  async read(fresh: boolean): Promise<unknown> {
    this.provider ??= this.createProvider();
    try {
      return await this.provider.get(this.secretArn, { transform: 'json', maxAge: SECRET_MAX_AGE_SECONDS, forceFetch: fresh });
    } catch (err) {
      if ((err as Error).name === 'TransformParameterError') {
        // Without the error as cause: JSON.parse's message, which Powertools repeats, quotes the
        // text around the fault, and that text is the secret's value.
        throw new GatewayError('configuration_error', 'The gateway secret is not a JSON object.');
      }
      throw secretsReadError(err);
    }
  }

  private createProvider(): SecretsProvider {
    const { SecretsProvider } = require('@aws-lambda-powertools/parameters/secrets') as typeof import('@aws-lambda-powertools/parameters/secrets');
    const { SecretsManagerClient } = require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
    const client = this.client ?? new SecretsManagerClient({ maxAttempts: 2, requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 } });
    return new SecretsProvider({ awsSdkV3Client: client });
  }
}

/**
 * The AWS Parameters and Secrets Lambda Extension's localhost interface, a plain GET: the
 * recommended way for Lambdas to read secrets, and no SDK to load. Powertools Parameters has
 * no provider for it, hence this reader. The extension cannot be told to skip its cache, so a
 * forced read goes to Secrets Manager through the SDK reader.
 */
class ExtensionSecretReader implements SecretReader {
  private cached: { value: unknown; at: number } | undefined;
  private sdk: SdkSecretReader | undefined;

  constructor(
    private readonly secretArn: string,
    private readonly port: number,
    private readonly sessionToken: string,
  ) {}

  async read(fresh: boolean): Promise<unknown> {
    if (fresh) {
      this.cached = undefined;
      return (this.sdk ??= new SdkSecretReader(this.secretArn)).read(true);
    }
    const now = Date.now();
    if (this.cached && now - this.cached.at < SECRET_MAX_AGE_SECONDS * 1000) return this.cached.value;
    const value = await this.fetch();
    this.cached = { value, at: now };
    return value;
  }

  private async fetch(): Promise<unknown> {
    let answer: HttpAnswer;
    try {
      answer = await httpRequest(`http://localhost:${this.port}/secretsmanager/get?secretId=${encodeURIComponent(this.secretArn)}`, {
        method: 'GET',
        headers: { 'x-aws-parameters-secrets-token': this.sessionToken },
        timeoutMs: 3_000,
      });
    } catch (err) {
      throw new GatewayError('provider_unavailable', 'Secrets Manager did not answer; try again later.', { cause: err });
    }
    if (answer.status >= 500) {
      throw new GatewayError('provider_unavailable', 'Secrets Manager did not answer; try again later.', { cause: new Error(answer.text) });
    }
    if (answer.status !== 200) {
      const name = /[A-Za-z]+Exception/.exec(answer.text)?.[0] ?? `HTTP ${answer.status}`;
      throw new GatewayError('configuration_error', `The gateway cannot read its secret (${name}).`, { cause: new Error(answer.text) });
    }
    try {
      const { SecretString } = JSON.parse(answer.text) as { SecretString?: string };
      return JSON.parse(SecretString ?? '');
    } catch {
      // Without the error as cause: JSON.parse's message quotes the text around the fault, the secret's value.
      throw new GatewayError('configuration_error', 'The gateway secret is not a JSON object.');
    }
  }
}

/**
 * In Lambda: the JSON secret named by SECRET_ARN, through the Lambda extension when the
 * function has it (the stack adds it), else Powertools Parameters, cached for 5 minutes and
 * parsed once per value read.
 */
export class SecretsManagerSource<Providers extends ProviderKeySet> implements SecretsSource<Providers> {
  private readonly reader: SecretReader;
  /** The last value read, and what parsing it gave. */
  private parsedFrom: unknown;
  private parsed: GatewaySecrets<Providers> | GatewayError | undefined;
  /** Whether that value is unusable, in whole or a provider's keys. */
  private unusable = false;
  private lastForcedRefresh = 0;

  constructor(
    secretArn: string,
    private readonly parseProviderKeys: ProviderKeysParser<Providers>,
    options: { client?: SecretsManagerClient; extension?: { port: number; sessionToken: string } } = {},
  ) {
    this.reader = options.extension
      ? new ExtensionSecretReader(secretArn, options.extension.port, options.extension.sessionToken)
      : new SdkSecretReader(secretArn, options.client);
  }

  async get(options: { refresh?: boolean } = {}): Promise<GatewaySecrets<Providers>> {
    const now = Date.now();
    // An unusable secret is read again (at most every 10 s) so that the fix reaches this
    // container without waiting out the 5-minute cache.
    const wanted = options.refresh === true || this.unusable;
    const fresh = wanted && now - this.lastForcedRefresh >= MIN_REFRESH_INTERVAL_MS;
    if (fresh) this.lastForcedRefresh = now;

    const raw = await this.reader.read(fresh);
    if (raw !== this.parsedFrom || this.parsed === undefined) {
      this.parsedFrom = raw;
      this.parsed = this.parse(raw);
      this.unusable = this.parsed instanceof GatewayError || firstKeyProblem(this.parsed.providers) !== undefined;
    }
    if (this.parsed instanceof GatewayError) throw this.parsed;
    return this.parsed;
  }

  private parse(raw: unknown): GatewaySecrets<Providers> | GatewayError {
    if (!isRecord(raw)) return new GatewayError('configuration_error', 'The gateway secret is not a JSON object.');
    try {
      return { ...parseGatewayKeys(raw), providers: this.parseProviderKeys(raw, { allowConsoleMode: false }) };
    } catch (err) {
      if (err instanceof ConfigurationError) return secretKeyError(err);
      throw err;
    }
  }
}

/**
 * Locally: the same keys from environment variables, parsed once at start so that a bad value
 * stops `npm start` with the key's name. No Twilio keys at all means console mode.
 */
export class EnvironmentSource<Providers extends ProviderKeySet> implements SecretsSource<Providers> {
  private readonly secrets: GatewaySecrets<Providers>;

  constructor(parseProviderKeys: ProviderKeysParser<Providers>, env: Record<string, string | undefined> = process.env) {
    this.secrets = parseGatewaySecrets(env, (values) => parseProviderKeys(values, { allowConsoleMode: true }));
  }

  async get(): Promise<GatewaySecrets<Providers>> {
    return this.secrets;
  }
}

/** Secrets Manager when SECRET_ARN is set (always, in Lambda), the environment otherwise. */
export function secretsSourceFor<Providers extends ProviderKeySet>(
  config: Pick<RuntimeConfig, 'secretArn' | 'secretsExtension'>,
  parseProviderKeys: ProviderKeysParser<Providers>,
): SecretsSource<Providers> {
  if (!config.secretArn) return new EnvironmentSource(parseProviderKeys);
  return new SecretsManagerSource(config.secretArn, parseProviderKeys, { extension: config.secretsExtension });
}
