import { maskPhone } from '../format';

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

function networkCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

// A number as Twilio may quote it in a message; error codes (5 digits) stay readable.
const PHONE_LIKE = /\+\d[\d ()-]{5,}\d|\b\d{8,15}\b/g;

/** Twilio's messages may quote a phone number: only its masked form is shown. */
function scrub(message: string): string {
  return message.replace(PHONE_LIKE, (match) => maskPhone(match.replace(/[^\d+]/g, '')));
}

export function twilioFailure(err: unknown): TwilioFailure {
  const error = err as { name?: string; status?: unknown; code?: unknown; message?: unknown };
  if (typeof error.status === 'number') {
    return {
      status: error.status,
      code: typeof error.code === 'number' ? error.code : undefined,
      message: typeof error.message === 'string' && error.message ? scrub(error.message) : `HTTP ${error.status}`,
    };
  }
  const network = networkCode(err);
  return { message: network ? `Twilio could not be reached (${network})` : `Twilio could not be reached (${String(error.message ?? err)})` };
}

export function describeFailure(failure: TwilioFailure): string {
  if (failure.status === undefined) return failure.message;
  return `Twilio answered HTTP ${failure.status}${failure.code !== undefined ? `, error ${failure.code}` : ''}: ${failure.message}`;
}
