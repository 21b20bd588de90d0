import { PROVIDER } from '../../../shared/names';
import type { HttpAnswer } from '../../adapters/http-request';
import { maskPhonesIn } from '../../core/e164';
import { GatewayError, type ErrorCode } from '../../core/errors';

/**
 * AWS End User Messaging's refusals of a send in the gateway's words (docs/api.md), and whether
 * another provider may take the message (`failover`, read by lambda/providers/selector.ts).
 *
 * Every error here is a client fault of the service model (HTTP 400, or 403 for the common
 * credential errors of the API reference's "Common Errors"): the request was refused and
 * nothing was sent, since a send either returns its MessageId or fails. Server faults (5xx,
 * InternalServerException) never get here: they are unknown outcomes (client.ts).
 *
 * The exceptions and their `Reason` values are the model's (pinpoint-sms-voice-v2 2022-03-31,
 * the errors SendTextMessage and SendVoiceMessage declare): ValidationException,
 * ConflictException, ServiceQuotaExceededException, AccessDeniedException (each with a
 * Reason), ResourceNotFoundException (ResourceType, ResourceId), ThrottlingException.
 */

export interface AwsError {
  /** The exception's name: `ConflictException`; undefined when the answer names none (not AWS's). */
  type?: string;
  message?: string;
  reason?: string;
  /** ValidationException's fields, by name. */
  fields: string[];
  resourceType?: string;
  resourceId?: string;
}

/**
 * The error of a non-2xx answer, as the AWS JSON 1.0 protocol spells it: the type in the body's
 * `__type` (maybe a full shape id, `com.amazonaws.pinpointsmsvoicev2#ConflictException`), its
 * `code`, or the `X-Amzn-Errortype` header, cut at the first `:` and after the `#` (Smithy's
 * awsJson1_0 "Operation error serialization").
 */
export function readAwsError(answer: Pick<HttpAnswer, 'headers' | 'status'>, body: Record<string, unknown> | undefined): AwsError {
  const raw = [body?.__type, body?.code, answer.headers['x-amzn-errortype']].find((value): value is string => typeof value === 'string' && value !== '');
  const type = raw ? raw.split(':')[0].replace(/^.*#/, '') : undefined;
  const text = (key: string) => (typeof body?.[key] === 'string' ? (body[key] as string) : undefined);
  const fields = Array.isArray(body?.Fields) ? body.Fields.flatMap((field) => (typeof field?.Name === 'string' ? [field.Name as string] : [])) : [];
  return { type, message: text('Message') ?? text('message'), reason: text('Reason'), fields, resourceType: text('ResourceType'), resourceId: text('ResourceId') };
}

/** The answer to a refusal: the gateway's code, and whether another provider may take the message. */
interface Refusal {
  code: ErrorCode;
  /** Unset: the default of the code (selector.ts, mayFailOver). */
  failover?: boolean;
  /** What the refusal means, for the operator. */
  means: string;
}

// The common errors of every AWS API that reject the request's credentials or signature (the API
// reference's "Common Errors": InvalidClientTokenId, MissingAuthenticationToken,
// IncompleteSignature, RequestExpired), and the names AWS JSON services give the same refusals.
const CREDENTIALS_REJECTED = new Set([
  'InvalidClientTokenId',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'IncompleteSignature',
  'IncompleteSignatureException',
  'RequestExpired',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
]);

/** The person chose not to get messages: like Twilio's 21610, no provider should override it. */
const OPTED_OUT = new Set(['DESTINATION_PHONE_NUMBER_OPTED_OUT', 'CANNOT_ADD_OPTED_OUT_NUMBER']);

/**
 * The account owner's own protect configuration (AWS's SMS-pumping protection) blocks the country
 * or the number: an explicit block of the owner, not a setting another provider lacks, so no
 * failover around it.
 */
const BLOCKED_BY_OWNER = new Set(['DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION', 'DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE']);

/**
 * This sender cannot reach that country (a country AWS or the account does not send to, an
 * identity of another country, a sender ID that needs registering there): the equivalent of
 * Twilio's geo permissions, which another provider may not share.
 */
const COUNTRY_UNREACHABLE = new Set([
  'DESTINATION_COUNTRY_BLOCKED',
  'COUNTRY_CODE_MISMATCH',
  'COUNTRY_NOT_ENABLED',
  'INVALID_IDENTITY_FOR_DESTINATION_COUNTRY',
  'INTERNATIONAL_SENDING_NOT_SUPPORTED',
  'SENDER_ID_NOT_REGISTERED',
  'SENDER_ID_REQUIRES_REGISTRATION',
  'SENDER_ID_NOT_SUPPORTED',
]);

/** The identity cannot place calls (a sender ID, a number without the VOICE capability). */
const NO_VOICE = new Set(['VOICE_CAPABILITY_NOT_AVAILABLE', 'NUMBER_CAPABILITIES_MISMATCH']);

function refusal(error: AwsError): Refusal {
  const reason = error.reason ?? '';
  if (CREDENTIALS_REJECTED.has(error.type ?? '')) return { code: 'provider_error', means: "rejected the Lambda's credentials or signature" };
  switch (error.type) {
    case 'ThrottlingException':
      return { code: 'provider_unavailable', means: 'is throttling the account' };
    case 'AccessDeniedException':
      return { code: 'provider_error', means: reason ? 'refused the account' : "refused the Lambda's role (IAM)" };
    case 'ResourceNotFoundException':
      return { code: 'configuration_error', means: `has no ${error.resourceType ?? 'resource'} ${error.resourceId ?? ''}`.trimEnd() + ' (check AWS_SMS_ORIGINATION_IDENTITY and AWS_SMS_CONFIGURATION_SET)' };
    case 'ServiceQuotaExceededException':
      // A cap on calls to this one number a day is a guard against abuse, not a quota of AWS's own.
      if (reason === 'DAILY_DESTINATION_CALL_LIMIT') return { code: 'rate_limited', failover: false, means: 'reached its daily limit of calls to this number' };
      return { code: 'provider_error', means: 'reached a quota of the account (a monthly spend limit?)' };
    case 'ConflictException':
    case 'ValidationException':
      if (OPTED_OUT.has(reason)) return { code: 'destination_not_allowed', means: 'has this number opted out (it replied STOP)' };
      if (BLOCKED_BY_OWNER.has(reason)) return { code: 'destination_not_allowed', means: "blocks this destination by the account's protect configuration" };
      if (COUNTRY_UNREACHABLE.has(reason)) return { code: 'destination_not_allowed', failover: true, means: 'cannot send to this country from the origination identity' };
      if (NO_VOICE.has(reason)) return { code: 'channel_unavailable', means: 'cannot place calls from the origination identity (it needs a phone number or pool with the VOICE capability)' };
      if (error.fields.includes('DestinationPhoneNumber')) return { code: 'invalid_recipient', means: 'cannot reach this number' };
      // The sandbox sends only to verified numbers, as a Twilio trial account does (21608).
      if (reason === 'DESTINATION_PHONE_NUMBER_NOT_VERIFIED') return { code: 'provider_error', means: 'is in the sandbox and this number is not verified' };
      return { code: 'provider_error', means: 'refused the request' };
    default:
      return { code: 'provider_error', means: 'refused the request' };
  }
}

/**
 * A non-2xx, non-5xx answer (after any retry) as the contract's error. Its text quotes AWS's
 * message with numbers masked; the gateway scrubs the code out (core/send-message.ts).
 * `provider_code` is the exception, and its reason when there is one.
 */
export function mapAwsSmsError(httpStatus: number, error: AwsError | undefined, latencyMs: number): GatewayError {
  const found: AwsError = error ?? { fields: [] };
  const { code, failover, means } = refusal(found);
  const type = found.type ?? `HTTP ${httpStatus}`;
  const providerCode = found.reason ? `${type}:${found.reason}` : type;
  const said = found.message ? `: ${maskPhonesIn(found.message)}` : '';
  return new GatewayError(code, `AWS End User Messaging ${means} (${providerCode}, HTTP ${httpStatus})${said}`, {
    provider: PROVIDER.aws,
    providerCode,
    latencyMs,
    ...(failover !== undefined && { failover }),
  });
}
