import { ENV } from '../../../shared/names';
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
 * InternalServerException) never get here: they are unknown outcomes (provider.ts).
 *
 * The exceptions and their `Reason` values are the model's (pinpoint-sms-voice-v2 2022-03-31,
 * the errors SendTextMessage and SendVoiceMessage declare): ValidationException,
 * ConflictException, ServiceQuotaExceededException, AccessDeniedException (each with a
 * Reason), ResourceNotFoundException, ThrottlingException.
 */

/** The service's name in messages. */
export const AWS_SMS = 'AWS End User Messaging';

export interface AwsError {
  /** The exception's name: `ConflictException`; undefined when the answer names none (not AWS's). */
  type?: string;
  message?: string;
  reason?: string;
  /** Whether ValidationException's fields name the destination: AWS finds the number invalid. */
  badNumber?: boolean;
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
  const badNumber = Array.isArray(body?.Fields) && body.Fields.some((field) => field?.Name === 'DestinationPhoneNumber');
  return { type, message: text('Message') ?? text('message'), reason: text('Reason'), badNumber };
}

/** The gateway's code of a refusal, and whether another provider may take the message (unset: the code's default, selector.ts). */
type Refusal = [code: ErrorCode, failover?: boolean];

/**
 * The `Reason`s (of ValidationException, ConflictException, ServiceQuotaExceededException) the
 * gateway tells apart, matched by the words of the model's names, in this order (the test lists
 * every reason of the model with what it maps to: test/unit/aws-sms-provider.test.ts). Any other
 * is provider_error: this account's refusal (the sandbox's unverified numbers, as a Twilio
 * trial's 21608; spend limits; the rest), which another provider may not share.
 */
const BY_REASON: [RegExp, Refusal][] = [
  // The person opted out (like Twilio's 21610), or the owner's own protect configuration (AWS's
  // SMS-pumping protection) blocks the country or number: no provider should override either.
  [/OPTED_OUT|BLOCKED_BY_PROTECT/, ['destination_not_allowed']],
  // The identity cannot place calls (a sender ID, a number without the VOICE capability).
  [/CAPABILIT/, ['channel_unavailable']],
  // This sender cannot reach that country (one AWS or the account does not send to, an identity
  // of another country, a sender ID that needs registering there): the equivalent of Twilio's
  // geo permissions, which another provider may not share.
  [/COUNTRY|INTERNATIONAL|SENDER_ID_(NOT|REQ)/, ['destination_not_allowed', true]],
  // A cap on calls to one number a day guards against abuse: not to be routed around.
  [/CALL_LIMIT/, ['rate_limited', false]],
];

/**
 * The common errors of every AWS API that reject the request's credentials or signature (the API
 * reference's "Common Errors": InvalidClientTokenId, MissingAuthenticationToken,
 * IncompleteSignature, RequestExpired), and the names AWS JSON services give the same refusals
 * (UnrecognizedClientException, InvalidSignatureException, ExpiredTokenException): provider_error.
 */
const CREDENTIALS_REJECTED = /Token|Signature|UnrecognizedClient|RequestExpired/;

function refusal(error: AwsError): Refusal {
  if (CREDENTIALS_REJECTED.test(error.type ?? '')) return ['provider_error'];
  if (error.type === 'ThrottlingException') return ['provider_unavailable'];
  // The origination identity or the configuration set does not exist: the gateway's settings.
  if (error.type === 'ResourceNotFoundException') return ['configuration_error'];
  const byReason = BY_REASON.find(([words]) => words.test(error.reason ?? ''));
  if (byReason) return byReason[1];
  if (error.badNumber) return ['invalid_recipient'];
  return ['provider_error'];
}

/**
 * A non-2xx, non-5xx answer (after any retry) as the contract's error. Its text quotes AWS's
 * message with numbers masked; the gateway scrubs the code out (core/send-message.ts).
 * `provider_code` is the exception, and its reason when there is one.
 */
export function mapAwsSmsError(httpStatus: number, error: AwsError | undefined, latencyMs: number): GatewayError {
  const found: AwsError = error ?? {};
  const [code, failover] = refusal(found);
  const type = found.type ?? `HTTP ${httpStatus}`;
  const providerCode = found.reason ? `${type}:${found.reason}` : type;
  const said = found.message ? `: ${maskPhonesIn(found.message)}` : '';
  // The exception and its reason say what it means; a missing resource is one of the two settings.
  const means = code === 'configuration_error' ? `has no such ${ENV.awsSmsOriginationIdentity} or ${ENV.awsSmsConfigurationSet}` : 'refused the message';
  return new GatewayError(code, `${AWS_SMS} ${means} (${providerCode}, HTTP ${httpStatus})${said}`, {
    providerCode,
    latencyMs,
    ...(failover !== undefined && { failover }),
  });
}
