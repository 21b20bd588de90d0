// Deep import: Twilio's own webhook validation (crypto, url, querystring), 5 KB, without the client.
import { validateRequest } from 'twilio/lib/webhooks/webhooks';
import { PROVIDER, SECRET_KEY } from '../../../shared/names';
import { GatewayError } from '../../core/errors';
import type { ProviderKeys } from '../../core/gateway-secrets';
import type { DeliveryOutcome, DeliveryReport, DeliveryReportReader, SecretsSource } from '../../core/ports';
import type { TwilioCredentials } from './credentials';

/**
 * Twilio's status callbacks on POST /twilio/status (docs/api.md): the X-Twilio-Signature check,
 * and the form's fields read into the gateway's DeliveryReport.
 */

/** A callback as the status handler receives it: lower-case headers, the form's parameters. */
export interface TwilioCallback {
  headers: Record<string, string | undefined>;
  params: Record<string, string>;
}

/** Checks X-Twilio-Signature against the auth token, the public URL and the form parameters. */
export type TwilioSignatureCheck = (authToken: string, signature: string, params: Record<string, string>) => boolean;

/**
 * Twilio's helper does it (HMAC-SHA1 of the URL and the sorted form parameters, constant-time
 * comparison), against the configured public URL: behind API Gateway the Lambda cannot see the
 * URL Twilio called.
 */
export function twilioSignatureCheck(publicUrl: string): TwilioSignatureCheck {
  return (authToken, signature, params) => validateRequest(authToken, signature, publicUrl, params);
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
export function classifyStatusCallback(params: Record<string, string>): DeliveryReport {
  const isMessage = params.MessageSid !== undefined || params.MessageStatus !== undefined;
  const [sidKey, statusKey] = isMessage ? ['MessageSid', 'MessageStatus'] : ['CallSid', 'CallStatus'];
  const messageId = params[sidKey];
  const status = params[statusKey]?.toLowerCase();
  if (!messageId || !status) {
    throw new GatewayError('invalid_request', `A status callback needs ${sidKey} and ${statusKey}${isMessage ? ' (or CallSid and CallStatus for calls)' : ' (or MessageSid and MessageStatus for messages)'}.`);
  }
  const outcomes = isMessage ? MESSAGE_OUTCOMES : CALL_OUTCOMES;
  const outcome = Object.hasOwn(outcomes, status) ? outcomes[status] : undefined;
  const byMachine = !isMessage && outcome === 'delivered' && answeredByMachine(params.AnsweredBy);
  return {
    provider: PROVIDER.twilio,
    messageId,
    channel: isMessage ? 'sms' : 'voice',
    status,
    outcome: byMachine ? 'undelivered' : outcome,
    errorCode: byMachine ? 'machine' : params.ErrorCode?.trim() || 'none',
    recipient: params.To,
  };
}

/** Verifies each callback with the auth token of the secret, then reads it. */
export class TwilioStatusCallbacks implements DeliveryReportReader<TwilioCallback> {
  constructor(
    private readonly secrets: SecretsSource<{ twilio: ProviderKeys<TwilioCredentials> }>,
    private readonly checkSignature: TwilioSignatureCheck,
  ) {}

  /** Throws GatewayError: invalid_signature (the route answers 403) or invalid_request (400). */
  async read(callback: TwilioCallback): Promise<DeliveryReport> {
    const { credentials } = (await this.secrets.get()).providers.twilio;
    if (!credentials) {
      // Anyone can post here: the response does not say which key is wrong (the send Lambda,
      // `sms-gateway doctor` and the logs do).
      throw new GatewayError('invalid_signature', `Status callbacks cannot be verified: the gateway has no usable ${SECRET_KEY.twilioAuthToken}.`);
    }
    const signature = callback.headers['x-twilio-signature'];
    if (!signature || !this.checkSignature(credentials.authToken, signature, callback.params)) {
      throw new GatewayError('invalid_signature', 'The X-Twilio-Signature header is missing or does not match.');
    }
    return classifyStatusCallback(callback.params);
  }
}
