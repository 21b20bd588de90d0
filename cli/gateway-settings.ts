import { ConfigurationError } from '../lambda/core/errors';
import { parseSigningSecrets } from '../lambda/core/gateway-secrets';
import { CommandError, envValue, stringOption, type Io, type OptionValues } from './command';
import { DEFAULT_STACK, gatewaySecret, OUTPUT_KEYS, stackOutputs } from './stack';

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

function checkUrl(raw: string): string {
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
    parseSigningSecrets('SMS_GATEWAY_SIGNING_SECRET', value);
  } catch (err) {
    if (err instanceof ConfigurationError) throw new CommandError(`The signing secret is not usable: ${err.message}`);
    throw err;
  }
  return value;
}

export async function resolveGatewaySettings(values: OptionValues, io: Io): Promise<GatewaySettings> {
  let url = stringOption(values, 'gateway-url') ?? envValue(io.env, 'SMS_GATEWAY_URL');
  let signingSecret = stringOption(values, 'signing-secret') ?? envValue(io.env, 'SMS_GATEWAY_SIGNING_SECRET');
  let source = 'options';

  if (!url || !signingSecret) {
    const stack = stringOption(values, 'stack') ?? DEFAULT_STACK;
    const region = stringOption(values, 'region');
    const hint = 'Pass --gateway-url and --signing-secret (or set SMS_GATEWAY_URL and SMS_GATEWAY_SIGNING_SECRET), or run with AWS credentials for the account where the stack is deployed.';
    let outputs: Record<string, string>;
    try {
      outputs = await stackOutputs(stack, region);
    } catch (err) {
      throw new CommandError(`${(err as Error).message}\n${hint}`);
    }
    source = `stack ${stack}`;
    if (!url) {
      url = outputs[OUTPUT_KEYS.messagesUrl];
      if (!url) throw new CommandError(`Stack ${stack} has no ${OUTPUT_KEYS.messagesUrl} output. ${hint}`);
    }
    if (!signingSecret) {
      const arn = outputs[OUTPUT_KEYS.secretArn];
      if (!arn) throw new CommandError(`Stack ${stack} has no ${OUTPUT_KEYS.secretArn} output. ${hint}`);
      const value = (await gatewaySecret(arn, region)).SMS_GATEWAY_SIGNING_SECRET;
      if (typeof value !== 'string' || value.trim() === '') {
        throw new CommandError(`The stack's secret has no SMS_GATEWAY_SIGNING_SECRET yet: set it first (see the README's Deploy section).`);
      }
      signingSecret = value.trim();
    }
  }
  return { url: checkUrl(url), signingSecret: checkSecret(signingSecret), source };
}
