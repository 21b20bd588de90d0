import type { DoctorContext } from './context';

/** One line of the doctor's report, and what makes a check. */

export type Status = 'PASS' | 'WARN' | 'FAIL' | 'SKIP';

export interface CheckResult {
  id: string;
  status: Status;
  detail: string;
  /** What to do: always given for WARN and FAIL. */
  fix?: string;
}

export type Outcome = Omit<CheckResult, 'id'>;

export interface Check {
  id: string;
  run(context: DoctorContext): Promise<Outcome>;
}

export const pass = (detail: string): Outcome => ({ status: 'PASS', detail });
export const warn = (detail: string, fix: string): Outcome => ({ status: 'WARN', detail, fix });
export const fail = (detail: string, fix: string): Outcome => ({ status: 'FAIL', detail, fix });
export const skip = (detail: string): Outcome => ({ status: 'SKIP', detail });

/**
 * Something checks need, got once per run: the value, or why it is not there. `unavailable`
 * means it could not be looked at at all (no credentials): the check that owns it SKIPs instead
 * of failing. Checks that merely depend on it always SKIP, naming the reason, so that one cause
 * is reported once, by its own check.
 */
export type Needed<T> = { ok: true; value: T } | { ok: false; why: string; unavailable: boolean; fix?: string };

export const have = <T>(value: T): Needed<T> => ({ ok: true, value });
/** `fix`, when known, is what the check that owns the missing thing advises. */
export const lack = (why: string, unavailable = false, fix?: string): Needed<never> => ({ ok: false, why, unavailable, ...(fix ? { fix } : {}) });

/** SKIP for a check whose input is missing. */
export function skipFor(needed: { why: string }): Outcome {
  return skip(`not checked: ${needed.why}`);
}

/**
 * What to do when a URL did not answer, by the network error's code: a name that does not
 * resolve, nothing listening, or a path that drops or delays the connection.
 */
export function unreachableFix(code: string | undefined, url: string): string {
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name of ${url} does not resolve, so check the URL for a typo and this machine's DNS`;
    case 'ECONNREFUSED':
      return 'nothing listens there, so start a local gateway with `npm start`, or check the URL';
    default:
      return "check the network path to the URL and the proxy settings, then the gateway's own logs";
  }
}
