import type { CheckResult, Status } from './check';

/** The doctor's output: one line per check (and a `fix:` line under WARN and FAIL), or one JSON document. */

export interface Summary {
  pass: number;
  warn: number;
  fail: number;
  skip: number;
  /** Something was checked and nothing failed: the exit code is 0. A run that skipped every check proves nothing. */
  ok: boolean;
}

export function summarize(results: readonly CheckResult[]): Summary {
  const count = (status: Status) => results.filter((result) => result.status === status).length;
  const checked = results.length - count('SKIP');
  return { pass: count('PASS'), warn: count('WARN'), fail: count('FAIL'), skip: count('SKIP'), ok: checked > 0 && count('FAIL') === 0 };
}

export function formatLine(result: CheckResult): string {
  const line = `${result.status.padEnd(4)}  ${result.id}: ${result.detail}`;
  return result.fix && (result.status === 'WARN' || result.status === 'FAIL') ? `${line}\n      fix: ${result.fix}` : line;
}

export function formatSummary(summary: Summary): string {
  const counts = `${summary.pass} passed, ${summary.warn} warned, ${summary.fail} failed, ${summary.skip} skipped`;
  if (summary.pass + summary.warn + summary.fail === 0) {
    return `${counts}: nothing was checked. Give the doctor AWS credentials and a region, or --url with the gateway's keys in the environment or .env, or the AUTH0_* variables.`;
  }
  return `${counts}.${summary.skip > 0 ? ' Each skipped check names what it needs.' : ''}`;
}

export function jsonReport(results: readonly CheckResult[]): string {
  return JSON.stringify({
    checks: results.map((result) => ({ id: result.id, status: result.status, detail: result.detail, fix: result.fix ?? null })),
    summary: summarize(results),
  });
}
