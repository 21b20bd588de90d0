import type { CheckResult, Status } from './check';

/** The doctor's output: one line per check (and a `fix:` line under WARN and FAIL), or one JSON document. */

export interface Summary {
  pass: number;
  warn: number;
  fail: number;
  skip: number;
  /** Nothing failed: the exit code is 0. */
  ok: boolean;
}

export function summarize(results: readonly CheckResult[]): Summary {
  const count = (status: Status) => results.filter((result) => result.status === status).length;
  return { pass: count('PASS'), warn: count('WARN'), fail: count('FAIL'), skip: count('SKIP'), ok: count('FAIL') === 0 };
}

export function formatLine(result: CheckResult): string {
  const line = `${result.status.padEnd(4)}  ${result.id}: ${result.detail}`;
  return result.fix && (result.status === 'WARN' || result.status === 'FAIL') ? `${line}\n      fix: ${result.fix}` : line;
}

export function formatSummary(summary: Summary): string {
  return `${summary.pass} passed, ${summary.warn} warned, ${summary.fail} failed, ${summary.skip} skipped.`;
}

export function jsonReport(results: readonly CheckResult[]): string {
  return JSON.stringify({
    checks: results.map((result) => ({ id: result.id, status: result.status, detail: result.detail, fix: result.fix ?? null })),
    summary: summarize(results),
  });
}
