import { maskPhonesIn } from '../../core/e164';
import { GatewayError, isGatewayError } from '../../core/errors';

/**
 * Twilio's refusals in the gateway's words (docs/api.md; docs/operations.md lists the codes).
 * Invalid numbers: 21211 invalid 'To', 21614 not a mobile (SMS); 13223 invalid format, 13224
 * number Twilio cannot call or invalid, 21217 not a valid number, 21401 invalid phone number
 * (calls). Refused destinations: 21408 SMS geo permission, 21610 the user replied STOP; 21215
 * and 13227 voice geo permission, 21216 call blocked by Twilio.
 */
const INVALID_RECIPIENT = new Set([21211, 21614, 13223, 13224, 21217, 21401]);
const DESTINATION_NOT_ALLOWED = new Set([21408, 21610, 21215, 13227, 21216]);
/**
 * Of those, the ones another provider may not share (lambda/providers/selector.ts): the
 * account's geo permissions, which are Twilio's own setting. Not 21610 (the person opted out)
 * nor 21216 (Twilio's own block of a high-risk number: a fraud signal, not routed around).
 */
const GEO_PERMISSIONS = new Set([21408, 21215, 13227]);
/** The credentials were rejected: the secret was probably rotated under the running Lambda. */
export const TWILIO_AUTHENTICATION_FAILED = 20003;

interface TwilioErrorBody {
  code?: number;
  message?: string;
  more_info?: string;
}

/**
 * Maps a non-2xx Twilio answer to the contract's error (after any retry). Its text quotes
 * Twilio's message with numbers masked; the gateway scrubs the code out (core/send-message.ts).
 */
export function mapTwilioError(httpStatus: number, body: unknown, latencyMs: number, retryAfterSeconds?: number): GatewayError {
  const error = (typeof body === 'object' && body !== null ? body : {}) as TwilioErrorBody;
  const code = typeof error.code === 'number' ? error.code : undefined;
  const said = typeof error.message === 'string' ? maskPhonesIn(error.message) : undefined;
  const detail = [said, code !== undefined ? `(Twilio error ${code}${error.more_info ? `, ${error.more_info}` : ''})` : undefined]
    .filter(Boolean)
    .join(' ');

  // A 5xx never gets here: `create` answers it as an unknown outcome (rest.ts, provablyNothing).
  if (httpStatus === 429) {
    return new GatewayError('provider_unavailable', `Twilio is unavailable (HTTP ${httpStatus}); try again later.`, {
      providerCode: code,
      latencyMs,
      retryAfterSeconds,
    });
  }
  if (code !== undefined && INVALID_RECIPIENT.has(code)) {
    return new GatewayError('invalid_recipient', `Twilio cannot reach this number: ${detail}`, { providerCode: code, latencyMs });
  }
  if (code !== undefined && DESTINATION_NOT_ALLOWED.has(code)) {
    return new GatewayError('destination_not_allowed', `Twilio refused this destination: ${detail}`, {
      providerCode: code,
      latencyMs,
      ...(GEO_PERMISSIONS.has(code) && { failover: true }),
    });
  }
  return new GatewayError('provider_error', `Twilio refused the request (HTTP ${httpStatus}): ${detail || 'no details given'}`, {
    providerCode: code,
    latencyMs,
  });
}

/** Whether a refusal is Twilio rejecting the credentials (20003). */
export function isAuthenticationFailure(err: unknown): err is GatewayError {
  return isGatewayError(err) && err.details.providerCode === TWILIO_AUTHENTICATION_FAILED;
}
