import type { Io } from '../../../cli/command';
import { main } from '../../../cli/main';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Virtual milliseconds the command waited (sleep). */
  waitedMs: number;
}

export interface RunOptions {
  fetch?: typeof fetch;
  /** Answers to interactive prompts, in order; the questions are recorded in `asked`. */
  answers?: string[];
  asked?: { question: string; hidden: boolean }[];
  isTTY?: boolean;
  /** How long one AWS End User Messaging read may wait (the doctor's); short for the fault tests. */
  awsTimeoutMs?: number;
}

/**
 * Runs `sms-gateway <argv>` in-process. Time is virtual: `sleep` advances the clock that `now`
 * reads, so polling and timeouts run instantly and deterministically.
 */
export async function runCli(argv: string[], env: Io['env'], options: RunOptions = {}): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const started = 1_750_000_000_000;
  let clock = started;
  const answers = [...(options.answers ?? [])];
  const code = await main(argv, {
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
    env,
    fetch: options.fetch,
    sleep: async (ms) => {
      clock += ms;
    },
    now: () => clock,
    isTTY: options.isTTY ?? false,
    awsTimeoutMs: options.awsTimeoutMs,
    prompt: options.answers
      ? async (question, promptOptions) => {
          options.asked?.push({ question, hidden: promptOptions?.hidden === true });
          return answers.shift() ?? '';
        }
      : undefined,
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join(''), waitedMs: clock - started };
}
