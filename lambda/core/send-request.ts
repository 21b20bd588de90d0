import { PROVIDER, type ProviderName } from '../../shared/names';
import { GatewayError } from './errors';
import { parseE164, type PhoneNumber } from './phone';

export type Channel = 'sms' | 'voice';

/**
 * Whether a notification type (the body's `action`, docs/api.md) carries a one-time code.
 * Auth0's custom phone provider sends these five (its otp_verify and otp_enroll become
 * authentication and enrollment); a change_password notification carries the reset code when
 * Auth0 sends one. Any other action is one the contract knew before notification types: it
 * carries a code, as every message did then.
 */
export type CodePresence = 'required' | 'optional' | 'none';

const CODE_PRESENCE: ReadonlyMap<string, CodePresence> = new Map([
  ['authentication', 'required'],
  ['enrollment', 'required'],
  ['change_password', 'optional'],
  ['blocked_account', 'none'],
  ['password_breach', 'none'],
]);

export function codePresence(action: string): CodePresence {
  return CODE_PRESENCE.get(action) ?? 'required';
}

/** A validated POST /messages body (docs/api.md), with defaults applied. */
export interface SendRequest {
  recipient: PhoneNumber;
  /** Absent for notifications that carry none (codePresence). */
  code?: string;
  /** Auth0's own text for an SMS. */
  text?: string;
  /** Auth0's own text for a call. */
  voiceText?: string;
  channel: Channel;
  action: string;
  language: string;
  factorType?: 'first' | 'second';
  clientId?: string;
  clientName?: string;
  userId?: string;
  ip?: string;
  userAgent?: string;
  tenant?: string;
  /** Send through this provider only, without failover (`sms-gateway send-test --provider`). */
  provider?: ProviderName;
}

export const MAX_BODY_BYTES = 16 * 1024;

const CODE_SHAPE = /^\d{4,10}$/;
// BCP 47 in the shape login flows send it (`en`, `pt-BR`, `zh-Hant-TW`); not a full grammar.
const LANGUAGE_SHAPE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
// Optional free-text fields are bounded so that a 16 KiB body cannot smuggle oversized strings
// into templates or logs.
const MAX_TEXT_LENGTH = 1600;
const MAX_FIELD_LENGTH = 512;

function invalid(message: string): GatewayError {
  return new GatewayError('invalid_request', message);
}

function optionalString(body: Record<string, unknown>, field: string, maxLength = MAX_FIELD_LENGTH): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`Field "${field}" must be a string.`);
  if (value.length > maxLength) throw invalid(`Field "${field}" must be at most ${maxLength} characters.`);
  return value === '' ? undefined : value;
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (value === undefined || value === null || value === '') throw invalid(`Field "${field}" is required.`);
  if (typeof value !== 'string') throw invalid(`Field "${field}" must be a string.`);
  return value;
}

/** Parses the raw JSON text of a send request. Throws GatewayError(invalid_request). */
export function parseJsonBody(raw: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw invalid('The request body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

/**
 * Validates a parsed body field by field. Error messages name the field and never echo its
 * value: the value may be the code or a phone number.
 */
export function validateSendRequest(body: Record<string, unknown>): SendRequest {
  const recipientText = requiredString(body, 'recipient');
  const recipient = parseE164(recipientText);
  if (!recipient) {
    throw new GatewayError(
      'invalid_recipient',
      'Field "recipient" must be a valid phone number in E.164 format, like +14155550123 (a "+", the country code, the number, no spaces).',
    );
  }

  const action = optionalString(body, 'action', 64) ?? 'authentication';
  const presence = codePresence(action);
  // A code sent with a type that carries none is ignored, so that no template can print it.
  const code = presence === 'required' ? requiredString(body, 'code') : presence === 'optional' ? optionalString(body, 'code') : undefined;
  if (code !== undefined && !CODE_SHAPE.test(code)) throw invalid('Field "code" must be 4 to 10 digits.');

  const messageType = optionalString(body, 'message_type') ?? 'sms';
  if (messageType !== 'sms' && messageType !== 'voice') {
    throw invalid('Field "message_type" must be "sms" or "voice".');
  }

  const language = optionalString(body, 'language', 35) ?? 'en';
  if (!LANGUAGE_SHAPE.test(language)) throw invalid('Field "language" must be a BCP 47 language tag, like "en" or "pt-BR".');

  const factorType = optionalString(body, 'factor_type');
  if (factorType !== undefined && factorType !== 'first' && factorType !== 'second') {
    throw invalid('Field "factor_type" must be "first" or "second".');
  }

  // The providers that send: console mode is no choice.
  const provider = optionalString(body, 'provider');
  if (provider !== undefined && provider !== PROVIDER.twilio && provider !== PROVIDER.aws) throw invalid('Field "provider" must be "twilio" or "aws".');

  return {
    recipient,
    code,
    text: optionalString(body, 'text', MAX_TEXT_LENGTH),
    voiceText: optionalString(body, 'voice_text', MAX_TEXT_LENGTH),
    channel: messageType,
    action,
    language,
    factorType,
    clientId: optionalString(body, 'client_id'),
    clientName: optionalString(body, 'client_name'),
    userId: optionalString(body, 'user_id'),
    ip: optionalString(body, 'ip', 64),
    userAgent: optionalString(body, 'user_agent'),
    tenant: optionalString(body, 'tenant'),
    provider,
  };
}
