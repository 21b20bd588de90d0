import { networkErrorCode } from '../../auth0/provision/errors';
import { maskPhonesIn } from '../../lambda/core/e164';

/**
 * What went wrong in a call through the `twilio` client, in one shape: Twilio answered with an
 * error (RestException: HTTP status and Twilio code), or Twilio could not be reached at all.
 */
export interface TwilioFailure {
  /** HTTP status of Twilio's answer; undefined when there was no answer. */
  status?: number;
  /** Twilio's error code, e.g. 20003. */
  code?: number;
  /** A sentence safe to show: Twilio's message, or the network error's code. */
  message: string;
}

export function twilioFailure(err: unknown): TwilioFailure {
  const error = err as { name?: string; status?: unknown; code?: unknown; message?: unknown };
  if (typeof error.status === 'number') {
    return {
      status: error.status,
      code: typeof error.code === 'number' ? error.code : undefined,
      message: typeof error.message === 'string' && error.message ? maskPhonesIn(error.message) : `HTTP ${error.status}`,
    };
  }
  const network = networkErrorCode(err);
  return { message: network ? `Twilio could not be reached (${network})` : `Twilio could not be reached (${String(error.message ?? err)})` };
}

export function describeFailure(failure: TwilioFailure): string {
  if (failure.status === undefined) return failure.message;
  return `Twilio answered HTTP ${failure.status}${failure.code !== undefined ? `, error ${failure.code}` : ''}: ${failure.message}`;
}
