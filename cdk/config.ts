import { DEFAULT_METRICS_NAMESPACE, parseMachineDetection } from '../lambda/config';
import { closestName } from '../lambda/core/closest-name';
import { ConfigurationError } from '../lambda/core/errors';
import { parseAllowedCountries, parseRateLimits } from '../lambda/core/limits-config';
import { CONTEXT_KEYS, type ContextKey } from '../shared/names';

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

/** The limits parsers name the key in ConfigurationError; synth reports it as a context error. */
function limits<T>(key: ContextKey, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ConfigurationError) throw new ContextError(key, err.message.slice(key.length + 1));
    throw err;
  }
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
  limits('rateLimits', () => parseRateLimits(rateLimits, 'rateLimits'));
  const countries = limits('allowedCountries', () => parseAllowedCountries(text(read, 'allowedCountries'), 'allowedCountries'));

  // `on`/`off` from -c; cdk.json may hold a boolean.
  const detection = read('voiceMachineDetection');
  const voiceMachineDetection =
    typeof detection === 'boolean'
      ? detection
      : limits('voiceMachineDetection', () => {
          const raw = text(read, 'voiceMachineDetection');
          return raw === undefined ? undefined : parseMachineDetection(raw, 'voiceMachineDetection');
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
  };
}
