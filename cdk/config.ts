import { DEFAULT_METRICS_NAMESPACE, parseMachineDetection } from '../lambda/config';
import { closestName } from '../lambda/core/closest-name';
import { ConfigurationError } from '../lambda/core/errors';
import { parseAllowedCountries, parseCountryCode, parseRateLimits } from '../lambda/core/limits-config';
import { parseProviderRoutes } from '../lambda/providers/routes';
import { CONTEXT_KEYS, ENV, PROVIDER, type ContextKey } from '../shared/names';

export { CONTEXT_KEYS };

/**
 * Every CDK context value the stack reads (`-c key=value` or cdk.json "context"), read and
 * checked here and nowhere else. A bad value fails `cdk synth` with a message naming the key,
 * before anything reaches CloudFormation.
 */
export interface GatewayConfig {
  /** Subscribed to the alarm topic when set (the address must confirm the subscription). */
  alarmEmail?: string;
  /** The complete ARN of a secret to use instead of creating one. */
  existingSecretArn?: string;
  /** Percent of attempted messages that failed, above which the failure-rate alarm fires. */
  failureRateThreshold: number;
  /** MessageSent in 5 minutes above which the burst alarm fires. */
  burstCeiling: number;
  /** API Gateway stage throttling: steady requests per second, and the burst bucket. */
  throttleRate: number;
  throttleBurst: number;
  metricsNamespace: string;
  /** As given (validated); unset lets the Lambda apply its defaults. */
  rateLimits?: string;
  /** Normalized ISO codes, comma-separated; unset or empty allows every country. */
  allowedCountries?: string;
  /** Answering-machine detection on calls; unset lets the Lambda apply its default (off). */
  voiceMachineDetection?: boolean;
  /** PROVIDERS and PROVIDER_ROUTES as given (validated); unset lets the Lambda apply its defaults. */
  providers?: string;
  providerRoutes?: string;
  /** AWS End User Messaging; unset is off, the default: the stack then creates nothing for it. */
  awsSms?: AwsSmsConfig;
}

/** An origination identity's resource type in IAM: `arn:<partition>:sms-voice:<region>:<account>:<type>/<name>`. */
export type OriginationIdentityType = 'phone-number' | 'pool' | 'sender-id';

export interface OriginationIdentity {
  type: OriginationIdentityType;
  /** The ARN's resource name: `phone-…` (a phone number's ID), `pool-…`, or `<SenderId>/<country>`. */
  name: string;
  /** The complete ARN, when one was given (a shared identity of another account); else the stack's account and region. */
  arn?: string;
}

export interface AwsSmsConfig {
  originationIdentity: OriginationIdentity;
  /** The name of the configuration set the stack creates; unset, the stack's name. */
  configurationSet?: string;
}

export const DEFAULTS = {
  failureRateThreshold: 10,
  // About three times the traffic of a busy small tenant; SMS pumping shows up as a jump far above it.
  burstCeiling: 100,
  // One MFA message costs one send request and two or three Twilio callbacks: 20 requests/s is
  // ~18,000 messages an hour, far above the default global rate limit (1,000/h), while capping
  // what a flood of unsigned requests can cost in Lambda time.
  throttleRate: 20,
  throttleBurst: 50,
  metricsNamespace: DEFAULT_METRICS_NAMESPACE,
} as const;

export class ContextError extends Error {
  constructor(
    readonly key: string,
    problem: string,
    kind = 'Invalid',
  ) {
    super(`${kind} CDK context "${key}": ${problem}`);
    this.name = 'ContextError';
  }
}

// The gateway's keys are plain camelCase words. The CDK's own (feature flags `@aws-cdk/...`,
// `aws:cdk:...`, lookups cached in cdk.context.json, `acknowledged-issue-numbers`) all carry an
// `@`, `:`, `/` or `-`, so a plain word the gateway does not know is a typo of one it does.
const LOOKS_LIKE_OURS = /^[a-z][A-Za-z0-9]*$/;

/**
 * Refuses a context key that looks like one of the gateway's but is not: `-c allowedCountry=US`
 * would otherwise be ignored silently and every country allowed.
 */
export function checkContextKeys(keys: Iterable<string>): void {
  for (const key of keys) {
    if (!LOOKS_LIKE_OURS.test(key) || (CONTEXT_KEYS as readonly string[]).includes(key)) continue;
    const closest = closestName(key, CONTEXT_KEYS);
    throw new ContextError(key, closest ? `did you mean ${closest}?` : `the gateway's settings are ${CONTEXT_KEYS.join(', ')}.`, 'Unknown');
  }
}

type ReadContext = (key: string) => unknown;

// A bare address is enough here: SNS sends a confirmation mail, which is the real check.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// Complete ARN only: the 6-character suffix lets IAM name the secret exactly, with no wildcard.
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
// CloudWatch namespaces: up to 255 of these characters, and never the reserved AWS/ prefix.
const NAMESPACE = /^[A-Za-z0-9 ._\-/#:]{1,255}$/;

/** Context from `-c` is always a string; from cdk.json it may already be a number or boolean. */
function text(read: ReadContext, key: ContextKey): string | undefined {
  const raw = read(key);
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' && typeof raw !== 'number') throw new ContextError(key, `must be a string or a number; got ${JSON.stringify(raw)}.`);
  const value = String(raw).trim();
  return value === '' ? undefined : value;
}

function number(read: ReadContext, key: ContextKey, fallback: number, check: { min: number; max: number; integer: boolean; unit?: string }): number {
  const raw = text(read, key);
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/%$/, ''));
  const unit = check.unit ? ` (${check.unit})` : '';
  if (!Number.isFinite(value) || (check.integer && !Number.isInteger(value))) {
    throw new ContextError(key, `must be ${check.integer ? 'a whole number' : 'a number'}${unit}; got "${raw}".`);
  }
  if (value < check.min || value > check.max) {
    throw new ContextError(key, `must be between ${check.min} and ${check.max}${unit}; got "${raw}".`);
  }
  return value;
}

/**
 * The Lambda's own parsers name the setting in ConfigurationError; synth reports it as a context
 * error, under `key` or, for a parser that names environment variables, the key of `variables`.
 */
function lambdaParsed<T>(key: ContextKey, parse: () => T, variables: Partial<Record<string, ContextKey>> = {}): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ConfigurationError) throw new ContextError(variables[err.key] ?? key, err.message.slice(err.key.length + 1));
    throw err;
  }
}

// Origination identities as IAM can name them (docs/configuration.md, "AWS End User Messaging"):
// the IDs AWS gives phone numbers and pools, a sender ID with its country, or the ARN of any.
const PHONE_NUMBER_ID = /^phone-[A-Za-z0-9]+$/;
const POOL_ID = /^pool-[A-Za-z0-9]+$/;
const SENDER_ID = /^([A-Za-z0-9_-]{1,64})\/([A-Za-z]{2})$/;
const ORIGINATION_ARN = /^arn:aws[a-z-]*:sms-voice:[a-z0-9-]+:\d{12}:(phone-number|pool|sender-id)\/(.+)$/;
const E164_LIKE = /^\+?[0-9 ().-]{7,}$/;
// CreateConfigurationSet's ConfigurationSetName.
const CONFIGURATION_SET_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const AWS_SMS_FIELDS = ['originationIdentity', 'configurationSet'] as const;
const AWS_SMS_FORMS =
  'must be off, an origination identity (phone-…, pool-…, SENDERID/CC or its ARN), or ' +
  'originationIdentity=<identity>,configurationSet=<name>';

/** An identity by its resource name (`phone-…`, `pool-…`, `SENDERID/CC`), of `type` when an ARN gave one. */
function identityNamed(name: string, type?: string): Omit<OriginationIdentity, 'arn'> | undefined {
  if ((type ?? 'phone-number') === 'phone-number' && PHONE_NUMBER_ID.test(name)) return { type: 'phone-number', name };
  if ((type ?? 'pool') === 'pool' && POOL_ID.test(name)) return { type: 'pool', name };
  const sender = (type ?? 'sender-id') === 'sender-id' ? SENDER_ID.exec(name) : null;
  if (!sender) return undefined;
  return { type: 'sender-id', name: `${sender[1]}/${lambdaParsed('awsSms', () => parseCountryCode(sender[2], 'awsSms'))}` };
}

function originationIdentity(value: string): OriginationIdentity {
  const arn = ORIGINATION_ARN.exec(value);
  const identity = arn ? identityNamed(arn[2], arn[1]) : identityNamed(value);
  if (identity) return arn ? { ...identity, arn: `${value.slice(0, -arn[2].length)}${identity.name}` } : identity;
  if (!arn && E164_LIKE.test(value)) {
    throw new ContextError(
      'awsSms',
      'names a phone number, which IAM cannot name: give its phone number ID (phone-…) or its ARN, as ' +
        '`aws pinpoint-sms-voice-v2 describe-phone-numbers` lists them, so that the send Lambda may send from that number alone.',
    );
  }
  if (!arn && /^[A-Za-z0-9_-]{1,64}$/.test(value) && !/^(phone|pool)-/.test(value)) {
    throw new ContextError('awsSms', `has "${value}": a sender ID is given with its country, like ${value}/GB, since IAM names it by both.`);
  }
  throw new ContextError('awsSms', `has the origination identity "${value}": ${AWS_SMS_FORMS}.`);
}

/**
 * `awsSms`: `off` (the default), an origination identity alone, or
 * `originationIdentity=…,configurationSet=…`; in cdk.json also `false` or an object with those
 * two fields.
 */
function readAwsSms(read: ReadContext): AwsSmsConfig | undefined {
  const raw = read('awsSms');
  if (raw === undefined || raw === null || raw === false) return undefined;
  let fields: Record<string, unknown>;
  if (typeof raw === 'string') {
    const value = raw.trim();
    // `-c awsSms=false` reaches here as a string, like `off`.
    if (value === '' || ['off', 'false'].includes(value.toLowerCase())) return undefined;
    fields = value.includes('=') ? keyValues(value) : { originationIdentity: value };
  } else if (typeof raw === 'object' && !Array.isArray(raw)) {
    fields = raw as Record<string, unknown>;
  } else {
    throw new ContextError('awsSms', `${AWS_SMS_FORMS}; got ${JSON.stringify(raw)}.`);
  }
  const unknown = Object.keys(fields).find((field) => !(AWS_SMS_FIELDS as readonly string[]).includes(field));
  if (unknown !== undefined) {
    const closest = closestName(unknown, AWS_SMS_FIELDS);
    throw new ContextError('awsSms', `has "${unknown}"${closest ? `: did you mean ${closest}?` : `; its fields are ${AWS_SMS_FIELDS.join(' and ')}.`}`);
  }
  const { originationIdentity: identity, configurationSet } = fields;
  if (typeof identity !== 'string' || identity.trim() === '') throw new ContextError('awsSms', `names no originationIdentity: ${AWS_SMS_FORMS}.`);
  if (configurationSet !== undefined && (typeof configurationSet !== 'string' || !CONFIGURATION_SET_NAME.test(configurationSet.trim()))) {
    throw new ContextError('awsSms', `has the configurationSet ${JSON.stringify(configurationSet)}: a name is 1 to 64 letters, digits, _ or -.`);
  }
  return {
    originationIdentity: originationIdentity(identity.trim()),
    configurationSet: typeof configurationSet === 'string' ? configurationSet.trim() : undefined,
  };
}

/** `a=1,b=2` into its fields; each once. */
function keyValues(value: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of value.split(',')) {
    const match = /^\s*([^=\s]+)\s*=\s*(.*?)\s*$/.exec(part);
    if (!match) throw new ContextError('awsSms', `has "${part.trim()}": ${AWS_SMS_FORMS}.`);
    if (Object.hasOwn(fields, match[1])) throw new ContextError('awsSms', `names ${match[1]} twice.`);
    fields[match[1]] = match[2];
  }
  return fields;
}

/**
 * The provider names a PROVIDERS or PROVIDER_ROUTES value lists (`IN=aws;*=twilio,aws`), read
 * before routes.ts parses it, so that naming aws while awsSms is off is told as what to do.
 */
function namedProviders(value: string): string[] {
  return value.split(/[;,]/).map((part) => part.slice(part.indexOf('=') + 1).trim().toLowerCase());
}

export function readGatewayConfig(read: ReadContext): GatewayConfig {
  const alarmEmail = text(read, 'alarmEmail');
  if (alarmEmail !== undefined && !EMAIL.test(alarmEmail)) {
    throw new ContextError('alarmEmail', `must be an email address; got "${alarmEmail}".`);
  }

  const existingSecretArn = text(read, 'existingSecretArn');
  if (existingSecretArn !== undefined && !SECRET_ARN.test(existingSecretArn)) {
    throw new ContextError(
      'existingSecretArn',
      'must be the complete ARN of a Secrets Manager secret, including the 6-character suffix Secrets Manager adds ' +
        '(arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbCdEf); `aws secretsmanager describe-secret` shows it.',
    );
  }

  const throttleRate = number(read, 'throttleRate', DEFAULTS.throttleRate, { min: 1, max: 10_000, integer: false, unit: 'requests per second' });
  const throttleBurst = number(read, 'throttleBurst', DEFAULTS.throttleBurst, { min: 1, max: 5_000, integer: true, unit: 'requests' });
  if (throttleBurst < throttleRate) {
    throw new ContextError('throttleBurst', `must be at least throttleRate (${throttleRate}): the burst bucket has to hold one second of steady traffic.`);
  }

  const metricsNamespace = text(read, 'metricsNamespace') ?? DEFAULTS.metricsNamespace;
  if (!NAMESPACE.test(metricsNamespace) || /^AWS\//i.test(metricsNamespace)) {
    throw new ContextError(
      'metricsNamespace',
      `must be 1 to 255 letters, digits or . _ - / # : and space, and must not start with "AWS/"; got "${metricsNamespace}".`,
    );
  }

  const rateLimits = text(read, 'rateLimits');
  lambdaParsed('rateLimits', () => parseRateLimits(rateLimits, 'rateLimits'));
  const countries = lambdaParsed('allowedCountries', () => parseAllowedCountries(text(read, 'allowedCountries'), 'allowedCountries'));

  // `on`/`off` from -c; cdk.json may hold a boolean.
  const detection = read('voiceMachineDetection');
  const voiceMachineDetection =
    typeof detection === 'boolean'
      ? detection
      : lambdaParsed('voiceMachineDetection', () => {
          const raw = text(read, 'voiceMachineDetection');
          return raw === undefined ? undefined : parseMachineDetection(raw, 'voiceMachineDetection');
        });

  const awsSms = readAwsSms(read);
  const routes = { providers: text(read, 'providers'), providerRoutes: text(read, 'providerRoutes') };
  for (const [key, value] of Object.entries(routes) as [ContextKey, string | undefined][]) {
    if (!awsSms && value !== undefined && namedProviders(value).includes(PROVIDER.aws)) {
      throw new ContextError(key, `names ${PROVIDER.aws}, but AWS End User Messaging is off: set awsSms to its origination identity (docs/configuration.md), or leave ${PROVIDER.aws} out.`);
    }
  }
  lambdaParsed('providers', () => parseProviderRoutes(routes.providers, routes.providerRoutes), {
    [ENV.providers]: 'providers',
    [ENV.providerRoutes]: 'providerRoutes',
  });

  return {
    alarmEmail,
    existingSecretArn,
    failureRateThreshold: number(read, 'failureRateThreshold', DEFAULTS.failureRateThreshold, { min: 0.1, max: 100, integer: false, unit: 'percent' }),
    burstCeiling: number(read, 'burstCeiling', DEFAULTS.burstCeiling, { min: 1, max: 1_000_000, integer: true, unit: 'messages per 5 minutes' }),
    throttleRate,
    throttleBurst,
    metricsNamespace,
    rateLimits,
    allowedCountries: countries.length > 0 ? countries.join(',') : undefined,
    voiceMachineDetection,
    ...routes,
    awsSms,
  };
}
