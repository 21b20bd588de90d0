import { ConfigurationError } from './core/errors';
import { parseAllowedCountries, parseRateLimits, type RateLimit } from './core/limits-config';

/**
 * Every environment variable the Lambdas and the local server read, read and checked here and
 * nowhere else (docs/configuration.md). A bad value fails at start with the variable's name.
 * The secret's keys are parsed by core/gateway-secrets.ts.
 */
export interface RuntimeConfig {
  /** Set in Lambda: the secret holding the keys. Unset locally: the keys come from the environment. */
  secretArn?: string;
  /** The Parameters and Secrets Lambda Extension, when the function has it. */
  secretsExtension?: { port: number; sessionToken: string };
  /** The public URL of POST /twilio/status: Twilio's StatusCallback, and what it signs. */
  statusCallbackUrl: string;
  /** Origin of Twilio's REST API, without a trailing slash. */
  twilioApiBaseUrl: string;
  metricsNamespace: string;
  serviceName: string;
}

/** What the status Lambda needs on top: the state table, where it remembers the statuses it counted. */
export interface StatusConfig extends RuntimeConfig {
  /** DynamoDB table for idempotency records, rate-limit counters and counted delivery statuses. */
  stateTable: string;
}

/** What the send Lambda needs on top: the state table and the fraud-protection settings. */
export interface SendConfig extends StatusConfig {
  rateLimits: RateLimit[];
  /** ISO 3166 alpha-2; empty allows every country. */
  allowedCountries: string[];
  /** Answering-machine detection on calls (docs/voice.md): off unless VOICE_MACHINE_DETECTION=on, as Twilio charges for it. */
  voiceMachineDetection: boolean;
}

type Env = Record<string, string | undefined>;

export const DEFAULT_PORT = 3000;
export const DEFAULT_TWILIO_API_BASE_URL = 'https://api.twilio.com';
export const DEFAULT_METRICS_NAMESPACE = 'SmsGateway';

function value(env: Env, key: string): string | undefined {
  const raw = env[key]?.trim();
  return raw === '' ? undefined : raw;
}

function httpUrl(key: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError(key, `must be an absolute http(s) URL (got "${raw}").`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigurationError(key, 'must be an http(s) URL.');
  return url;
}

export const VOICE_MACHINE_DETECTION = 'VOICE_MACHINE_DETECTION';

/** `on` or `off` (any case), unset is off. Also checks the stack's context value, named by `key`. */
export function parseMachineDetection(raw: string | undefined, key = VOICE_MACHINE_DETECTION): boolean {
  const setting = raw?.trim().toLowerCase() || 'off';
  if (setting !== 'on' && setting !== 'off') throw new ConfigurationError(key, `must be "on" or "off" (got "${raw}").`);
  return setting === 'on';
}

export function readPort(env: Env = process.env): number {
  const raw = value(env, 'PORT');
  if (raw === undefined) return DEFAULT_PORT;
  const port = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || port > 65535) throw new ConfigurationError('PORT', 'must be a port number (0-65535).');
  return port;
}

/** `npm start` listens on loopback only, unless HOST names another address (0.0.0.0: every interface). */
export const DEFAULT_HOST = '127.0.0.1';

export function readHost(env: Env = process.env): string {
  return value(env, 'HOST') ?? DEFAULT_HOST;
}

export function isLambda(env: Env = process.env): boolean {
  return value(env, 'AWS_LAMBDA_FUNCTION_NAME') !== undefined;
}

export function readRuntimeConfig(env: Env = process.env): RuntimeConfig {
  const secretArn = value(env, 'SECRET_ARN');
  if (isLambda(env) && !secretArn) {
    throw new ConfigurationError('SECRET_ARN', 'is missing: in Lambda the keys are read from that Secrets Manager secret.');
  }

  const callbackRaw = value(env, 'STATUS_CALLBACK_URL');
  if (isLambda(env) && !callbackRaw) {
    throw new ConfigurationError('STATUS_CALLBACK_URL', 'is missing: Twilio needs the public URL of /twilio/status.');
  }
  const statusCallbackUrl = httpUrl('STATUS_CALLBACK_URL', callbackRaw ?? `http://localhost:${readPort(env)}/twilio/status`).href;

  const baseUrl = httpUrl('TWILIO_API_BASE_URL', value(env, 'TWILIO_API_BASE_URL') ?? DEFAULT_TWILIO_API_BASE_URL);
  if (baseUrl.pathname !== '/' || baseUrl.search) {
    throw new ConfigurationError('TWILIO_API_BASE_URL', 'must be an origin only, like https://api.twilio.com (no path).');
  }

  // The extension's own setting; the stack sets it with the layer. It answers only to the
  // function's session token.
  const extensionPort = value(env, 'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT');
  const sessionToken = value(env, 'AWS_SESSION_TOKEN');
  if (extensionPort !== undefined && !/^\d{1,5}$/.test(extensionPort)) {
    throw new ConfigurationError('PARAMETERS_SECRETS_EXTENSION_HTTP_PORT', 'must be a port number.');
  }

  return {
    secretArn,
    secretsExtension: extensionPort && sessionToken ? { port: Number(extensionPort), sessionToken } : undefined,
    statusCallbackUrl,
    twilioApiBaseUrl: baseUrl.origin,
    metricsNamespace: value(env, 'POWERTOOLS_METRICS_NAMESPACE') ?? DEFAULT_METRICS_NAMESPACE,
    serviceName: value(env, 'POWERTOOLS_SERVICE_NAME') ?? 'sms-gateway',
  };
}

export function readStatusConfig(env: Env = process.env): StatusConfig {
  const stateTable = value(env, 'STATE_TABLE');
  if (!stateTable) {
    throw new ConfigurationError(
      'STATE_TABLE',
      'is missing: the DynamoDB table for idempotency, rate limits and delivery statuses (`npm start` starts a local one).',
    );
  }
  return { ...readRuntimeConfig(env), stateTable };
}

export function readSendConfig(env: Env = process.env): SendConfig {
  return {
    ...readStatusConfig(env),
    rateLimits: parseRateLimits(value(env, 'RATE_LIMITS')),
    allowedCountries: parseAllowedCountries(value(env, 'ALLOWED_COUNTRIES')),
    voiceMachineDetection: parseMachineDetection(value(env, VOICE_MACHINE_DETECTION)),
  };
}
