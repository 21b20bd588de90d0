import { ENV } from '../shared/names';
import { ConfigurationError } from './core/errors';
import { parseAllowedCountries, parseRateLimits, type RateLimit } from './core/limits-config';
import { checkOriginationIdentity } from './providers/aws-sms/settings';
import { parseProviderRoutes, type ProviderRoutes } from './providers/routes';

/**
 * Every environment variable the Lambdas and the local server read, read and checked here and
 * nowhere else (docs/configuration.md). A bad value fails at start with the variable's name.
 * The secret's keys are parsed by core/gateway-secrets.ts and lambda/providers/secret.ts.
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

export interface AwsSmsConfig {
  /** AWS_SMS_ORIGINATION_IDENTITY: the sender, unless the secret names one. */
  originationIdentity?: string;
  /** AWS_SMS_CONFIGURATION_SET: the configuration set every send names. */
  configurationSet?: string;
  /** AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: replaces https://sms-voice.<region>.amazonaws.com. */
  endpointUrl?: string;
}

/** What both Lambdas need on top: the state table. */
interface StateConfig extends RuntimeConfig {
  /** DynamoDB table for idempotency records, rate-limit counters and counted delivery statuses. */
  stateTable: string;
}

/** What the status Lambda needs: the state table, where it remembers the statuses it counted, and the topic of AWS's events. */
export interface StatusConfig extends StateConfig {
  /** AWS_SMS_EVENTS_TOPIC_ARN: the only SNS topic whose delivery events are read. */
  awsSmsEventsTopicArn?: string;
}

/** What the send Lambda needs on top: the state table, the fraud-protection settings, the providers. */
export interface SendConfig extends StateConfig {
  rateLimits: RateLimit[];
  /** ISO 3166 alpha-2; empty allows every country. */
  allowedCountries: string[];
  /** Answering-machine detection on calls (docs/voice.md): off unless VOICE_MACHINE_DETECTION=on, as Twilio charges for it. */
  voiceMachineDetection: boolean;
  /** Which providers send, by destination country (PROVIDERS, PROVIDER_ROUTES): whose keys are required. */
  providerRoutes: ProviderRoutes;
  /** AWS End User Messaging's settings of the environment (AWS_SMS_*). */
  awsSms: AwsSmsConfig;
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

/** `on` or `off` (any case), unset is off. Also checks the stack's context value, named by `key`. */
export function parseMachineDetection(raw: string | undefined, key: string = ENV.voiceMachineDetection): boolean {
  const setting = raw?.trim().toLowerCase() || 'off';
  if (setting !== 'on' && setting !== 'off') throw new ConfigurationError(key, `must be "on" or "off" (got "${raw}").`);
  return setting === 'on';
}

export function readPort(env: Env = process.env): number {
  const raw = value(env, ENV.port);
  if (raw === undefined) return DEFAULT_PORT;
  const port = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || port > 65535) throw new ConfigurationError(ENV.port, 'must be a port number (0-65535).');
  return port;
}

/** `npm start` listens on loopback only, unless HOST names another address (0.0.0.0: every interface). */
export const DEFAULT_HOST = '127.0.0.1';

export function readHost(env: Env = process.env): string {
  return value(env, ENV.host) ?? DEFAULT_HOST;
}

export function isLambda(env: Env = process.env): boolean {
  return value(env, 'AWS_LAMBDA_FUNCTION_NAME') !== undefined;
}

// The API reference's constraints on ConfigurationSetName (a name or an ARN) and SNS topic ARNs.
const CONFIGURATION_SET = /^[A-Za-z0-9_:/-]{1,256}$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

function readAwsSmsConfig(env: Env): AwsSmsConfig {
  const configurationSet = value(env, ENV.awsSmsConfigurationSet);
  if (configurationSet !== undefined && !CONFIGURATION_SET.test(configurationSet)) {
    throw new ConfigurationError(ENV.awsSmsConfigurationSet, "must be a configuration set's name or ARN.");
  }
  const endpoint = value(env, ENV.awsSmsEndpointUrl);
  return {
    originationIdentity: checkOriginationIdentity(ENV.awsSmsOriginationIdentity, value(env, ENV.awsSmsOriginationIdentity)),
    configurationSet,
    endpointUrl: endpoint === undefined ? undefined : httpUrl(ENV.awsSmsEndpointUrl, endpoint).href,
  };
}

export function readRuntimeConfig(env: Env = process.env): RuntimeConfig {
  const secretArn = value(env, ENV.secretArn);
  if (isLambda(env) && !secretArn) {
    throw new ConfigurationError(ENV.secretArn, 'is missing: in Lambda the keys are read from that Secrets Manager secret.');
  }

  const callbackRaw = value(env, ENV.statusCallbackUrl);
  if (isLambda(env) && !callbackRaw) {
    throw new ConfigurationError(ENV.statusCallbackUrl, 'is missing: Twilio needs the public URL of /twilio/status.');
  }
  const statusCallbackUrl = httpUrl(ENV.statusCallbackUrl, callbackRaw ?? `http://localhost:${readPort(env)}/twilio/status`).href;

  const baseUrl = httpUrl(ENV.twilioApiBaseUrl, value(env, ENV.twilioApiBaseUrl) ?? DEFAULT_TWILIO_API_BASE_URL);
  if (baseUrl.pathname !== '/' || baseUrl.search) {
    throw new ConfigurationError(ENV.twilioApiBaseUrl, 'must be an origin only, like https://api.twilio.com (no path).');
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
    metricsNamespace: value(env, ENV.metricsNamespace) ?? DEFAULT_METRICS_NAMESPACE,
    serviceName: value(env, ENV.serviceName) ?? 'sms-gateway',
  };
}

function readStateConfig(env: Env): StateConfig {
  const stateTable = value(env, ENV.stateTable);
  if (!stateTable) {
    throw new ConfigurationError(
      ENV.stateTable,
      'is missing: the DynamoDB table for idempotency, rate limits and delivery statuses (`npm start` starts a local one).',
    );
  }
  return { ...readRuntimeConfig(env), stateTable };
}

export function readStatusConfig(env: Env = process.env): StatusConfig {
  const topicArn = value(env, ENV.awsSmsEventsTopicArn);
  if (topicArn !== undefined && !SNS_TOPIC_ARN.test(topicArn)) {
    throw new ConfigurationError(ENV.awsSmsEventsTopicArn, 'must be an SNS topic ARN, like arn:aws:sns:us-east-1:123456789012:sms-events.');
  }
  return { ...readStateConfig(env), awsSmsEventsTopicArn: topicArn };
}

export function readSendConfig(env: Env = process.env): SendConfig {
  return {
    ...readStateConfig(env),
    rateLimits: parseRateLimits(value(env, ENV.rateLimits)),
    allowedCountries: parseAllowedCountries(value(env, ENV.allowedCountries)),
    voiceMachineDetection: parseMachineDetection(value(env, ENV.voiceMachineDetection)),
    providerRoutes: parseProviderRoutes(value(env, ENV.providers), value(env, ENV.providerRoutes)),
    awsSms: readAwsSmsConfig(env),
  };
}
