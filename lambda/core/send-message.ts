import { GatewayError, isGatewayError } from './errors';
import { maskPhone } from './e164';
import type { Log, MessageProvider, SecretsSource, SendTelemetry } from './ports';
import { parseJsonBody, validateSendRequest, type Channel, type SendRequest } from './send-request';
import { verifySignature } from './signature';
import type { MessageCatalog } from './templates';

/**
 * The send use case, from a signed body to a receipt: verify, validate, render, send, and
 * account for the outcome in logs and metrics. It knows nothing of API Gateway or Twilio.
 */

export interface SendDependencies {
  secrets: SecretsSource;
  catalog: MessageCatalog;
  provider: MessageProvider;
  telemetry: SendTelemetry;
  log: Log;
}

export interface SignedRequest {
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** The raw body exactly as signed. */
  body: string;
}

/** The contract's 200 body. */
export interface SendResult {
  id: string;
  sid: string;
  status: string;
  channel: Channel;
}

// The id becomes an idempotency key and a log field: keep it short and printable.
const WEBHOOK_ID = /^[\x21-\x7e]{1,256}$/;

function toGatewayError(err: unknown): GatewayError {
  if (isGatewayError(err)) return err;
  return new GatewayError('internal_error', 'The gateway failed unexpectedly; the message was not sent.', { cause: err });
}

export async function sendMessage(request: SignedRequest, deps: SendDependencies): Promise<SendResult> {
  let id: string;
  let message: SendRequest;
  try {
    const secrets = await deps.secrets.get();
    verifySignature(secrets.signingSecrets, request.body, request.headers);
    id = request.headers['webhook-id'] ?? '';
    if (!WEBHOOK_ID.test(id)) throw new GatewayError('invalid_request', 'The webhook-id header must be 1 to 256 printable characters.');
    message = validateSendRequest(parseJsonBody(request.body));
  } catch (err) {
    // Refused before anything was attempted: no metric (SendFailed counts attempts), one log line.
    const error = toGatewayError(err);
    const attributes = { outcome: 'refused', reason: error.code, detail: error.message };
    if (error.status >= 500) deps.log.error('request refused', { ...attributes, error: error.details.cause ?? error });
    else deps.log.warn('request refused', attributes);
    throw error;
  }
  return deliver(id, message, deps);
}

async function deliver(id: string, message: SendRequest, deps: SendDependencies): Promise<SendResult> {
  const context = {
    recipient: maskPhone(message.recipient.e164),
    country: message.recipient.country ?? `+${message.recipient.callingCode}`,
    channel: message.channel,
    action: message.action,
    language: message.language,
    clientId: message.clientId,
  };
  try {
    const rendered = deps.catalog.render(message);
    const receipt = await deps.provider.send({
      channel: message.channel,
      to: message.recipient.e164,
      body: rendered.body,
      language: rendered.language,
    });
    deps.telemetry.messageSent(message.channel, receipt.latencyMs);
    deps.log.info('message sent', {
      ...context,
      outcome: 'sent',
      sid: receipt.sid,
      status: receipt.status,
      template: rendered.source,
      latencyMs: receipt.latencyMs,
    });
    return { id, sid: receipt.sid, status: receipt.status, channel: message.channel };
  } catch (err) {
    const error = toGatewayError(err);
    deps.telemetry.sendFailed(message.channel, error.code, error.details.latencyMs);
    const attributes = {
      ...context,
      outcome: 'failed',
      reason: error.code,
      providerCode: error.details.providerCode,
      detail: error.message,
      latencyMs: error.details.latencyMs,
    };
    if (error.status >= 500) deps.log.error('message not sent', { ...attributes, error: error.details.cause ?? error });
    else deps.log.warn('message not sent', attributes);
    throw error;
  }
}
