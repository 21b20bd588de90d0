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
export type Needed<T> = { ok: true; value: T } | { ok: false; why: string; unavailable: boolean };

export const have = <T>(value: T): Needed<T> => ({ ok: true, value });
export const lack = (why: string, unavailable = false): Needed<never> => ({ ok: false, why, unavailable });

/** SKIP for a check whose input is missing. */
export function skipFor(needed: { why: string }): Outcome {
  return skip(`not checked: ${needed.why}`);
}
