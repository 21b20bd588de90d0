import { GatewayError } from './errors';
import { maskPhone } from './e164';
import type { DeliveryLedger, DeliveryOutcome, DeliveryTelemetry, Log, SecretsSource } from './ports';
import type { Channel } from './send-request';

/**
 * The status callback use case (docs/api.md, docs/operations.md): check Twilio's signature,
 * read which message or call changed state, count each final state of a message once.
 */

export interface StatusCallback {
  channel: Channel;
  sid: string;
  status: string;
  /** Undefined for states that count nothing (queued, sending, sent, ringing, ...). */
  outcome?: DeliveryOutcome;
  /** Twilio's error code, `machine` for a call answering-machine detection says a machine took, or `none`. */
  errorCode: string;
}

const MESSAGE_OUTCOMES: Record<string, DeliveryOutcome> = {
  delivered: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
};

const CALL_OUTCOMES: Record<string, DeliveryOutcome> = {
  completed: 'delivered',
  busy: 'undelivered',
  'no-answer': 'undelivered',
  failed: 'failed',
  canceled: 'failed',
};

/**
 * With answering-machine detection on, Twilio adds AnsweredBy (`human`, `machine_start`,
 * `machine_end_beep`, `machine_end_silence`, `machine_end_other`, `fax`, `unknown`) to a call's
 * status callbacks and resource: a call a machine took is not delivered (docs/voice.md).
 */
export function answeredByMachine(answeredBy: string | undefined): boolean {
  return /^(machine_|fax$)/.test(answeredBy ?? '');
}

/** Reads a callback's parameters. Throws GatewayError(invalid_request) when the sid or the status is missing. */
export function classifyStatusCallback(params: Record<string, string>): StatusCallback {
  const isMessage = params.MessageSid !== undefined || params.MessageStatus !== undefined;
  const [sidKey, statusKey] = isMessage ? ['MessageSid', 'MessageStatus'] : ['CallSid', 'CallStatus'];
  const sid = params[sidKey];
  const status = params[statusKey]?.toLowerCase();
  if (!sid || !status) {
    throw new GatewayError('invalid_request', `A status callback needs ${sidKey} and ${statusKey}${isMessage ? ' (or CallSid and CallStatus for calls)' : ' (or MessageSid and MessageStatus for messages)'}.`);
  }
  const outcomes = isMessage ? MESSAGE_OUTCOMES : CALL_OUTCOMES;
  const outcome = Object.hasOwn(outcomes, status) ? outcomes[status] : undefined;
  if (!isMessage && outcome === 'delivered' && answeredByMachine(params.AnsweredBy)) {
    return { channel: 'voice', sid, status, outcome: 'undelivered', errorCode: 'machine' };
  }
  return { channel: isMessage ? 'sms' : 'voice', sid, status, outcome, errorCode: params.ErrorCode?.trim() || 'none' };
}

export interface StatusDependencies {
  secrets: SecretsSource;
  /** Twilio's own check of X-Twilio-Signature against the public URL and the form parameters. */
  verifyTwilioSignature(authToken: string, signature: string, params: Record<string, string>): boolean;
  telemetry: DeliveryTelemetry;
  /** Which (message, status) pairs were counted: replays and the provider's duplicates are not counted again. */
  ledger: DeliveryLedger;
  log: Log;
}

export interface SignedCallback {
  signature: string | undefined;
  params: Record<string, string>;
}

/** Throws GatewayError: invalid_signature (the route answers 403) or invalid_request (400). */
export async function recordDeliveryStatus(callback: SignedCallback, deps: StatusDependencies): Promise<StatusCallback> {
  const { twilio } = await deps.secrets.get();
  if (!twilio) {
    // Anyone can post here: the response does not say which key is wrong (the send Lambda,
    // `sms-gateway doctor` and the logs do).
    throw new GatewayError('invalid_signature', 'Status callbacks cannot be verified: the gateway has no usable TWILIO_AUTH_TOKEN.');
  }
  if (!callback.signature || !deps.verifyTwilioSignature(twilio.authToken, callback.signature, callback.params)) {
    throw new GatewayError('invalid_signature', 'The X-Twilio-Signature header is missing or does not match.');
  }

  const status = classifyStatusCallback(callback.params);
  let counted = false;
  if (status.outcome) {
    counted = await firstReport(status, deps);
    if (counted) deps.telemetry.delivery(status.channel, status.outcome, status.errorCode);
  }
  deps.log.info('delivery status', {
    channel: status.channel,
    sid: status.sid,
    status: status.status,
    outcome: status.outcome === undefined ? 'in-progress' : counted ? status.outcome : 'repeated',
    errorCode: status.errorCode,
    recipient: maskPhone(callback.params.To),
  });
  return status;
}

/**
 * Whether this final status of this message is reported for the first time. When the ledger
 * cannot tell (a slow, lost or refused answer), the status is counted: Twilio does not retry a
 * callback answered with an error (it retries once, and only when it cannot connect: docs
 * "Webhooks Connection Overrides", rp defaults to ct), so refusing it would lose it for good,
 * while counting it can at worst count it twice, if it also arrives again while the write is
 * lost. The alarms read failure rates: one extra count is the smaller error.
 */
async function firstReport(status: StatusCallback, deps: StatusDependencies): Promise<boolean> {
  try {
    return await deps.ledger.firstReport(status.sid, status.status);
  } catch (err) {
    deps.log.warn('delivery status counted without deduplication', { sid: status.sid, status: status.status, error: (err as Error).message });
    return true;
  }
}
