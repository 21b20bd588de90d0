import { ConfigurationError } from '../lambda/core/errors';
import { parseSigningSecrets } from '../lambda/core/gateway-secrets';
import { ENV, SECRET_KEY } from '../shared/names';
import { CommandError, envValue, stringOption, type Io, type OptionValues } from './command';
import { Deployment } from './deployment';
import { AwsUnavailable, OUTPUT_KEYS } from './stack';

/**
 * Where the gateway is and the secret it verifies with: from --gateway-url / --signing-secret,
 * else SMS_GATEWAY_URL / SMS_GATEWAY_SIGNING_SECRET, else the deployed stack's outputs and secret.
 */
export interface GatewaySettings {
  url: string;
  signingSecret: string;
  /** Where the values came from, for the user ("options", "stack MfaSmsGateway"). */
  source: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function checkUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CommandError(`The gateway URL "${raw}" is not a URL: give the full URL of POST /messages.`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new CommandError('The gateway URL must start with https:// (the request carries the one-time code).');
  }
  if (!url.pathname.endsWith('/messages')) {
    throw new CommandError(`The gateway URL must be the full URL of POST /messages (it ends with ${url.pathname}).`);
  }
  return url.toString();
}

function checkSecret(value: string): string {
  try {
    parseSigningSecrets(SECRET_KEY.signingSecret, value);
  } catch (err) {
    if (err instanceof ConfigurationError) throw new CommandError(`The signing secret is not usable: ${err.message}`);
    throw err;
  }
  return value;
}

export interface ResolveOptions {
  /** The option that carries the URL: `gateway-url` (auth0 deploy) or `url` (send-test). */
  urlOption?: string;
  /** The stack to read when the URL or the secret is not given; shared with the caller's other reads. */
  deployment?: Deployment;
}

export async function resolveGatewaySettings(values: OptionValues, io: Io, options: ResolveOptions = {}): Promise<GatewaySettings> {
  const urlOption = options.urlOption ?? 'gateway-url';
  let url = stringOption(values, urlOption) ?? envValue(io.env, ENV.gatewayUrl);
  let signingSecret = stringOption(values, 'signing-secret') ?? envValue(io.env, SECRET_KEY.signingSecret);
  let source = 'options';

  if (!url || !signingSecret) {
    const deployment = options.deployment ?? Deployment.fromOptions(values);
    const hint = `Pass --${urlOption} and --signing-secret (or set SMS_GATEWAY_URL and SMS_GATEWAY_SIGNING_SECRET), or run with AWS credentials for the account where the stack is deployed.`;
    const withHint = async <T>(read: () => Promise<T>): Promise<T> => {
      try {
        return await read();
      } catch (err) {
        if (err instanceof AwsUnavailable) throw new AwsUnavailable(`${err.message}\n${hint}`, err.reason, err.fix);
        if (err instanceof CommandError) throw new CommandError(`${err.message}\n${hint}`);
        throw err;
      }
    };
    source = `stack ${deployment.stackName}`;
    if (!url) url = await withHint(() => deployment.output(OUTPUT_KEYS.messagesUrl));
    if (!signingSecret) {
      const { values: secret } = await withHint(() => deployment.secret());
      const value = secret[SECRET_KEY.signingSecret];
      if (typeof value !== 'string' || value.trim() === '') {
        throw new CommandError(`The stack's secret has no SMS_GATEWAY_SIGNING_SECRET yet: set it first (see docs/deploy.md).`);
      }
      signingSecret = value.trim();
    }
  }
  return { url: checkUrl(url), signingSecret: checkSecret(signingSecret), source };
}
