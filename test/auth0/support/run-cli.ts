import { main } from '../../../cli/main';
import type { Io } from '../../../cli/command';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `sms-gateway <argv>` in-process with the given environment; waits are instant. */
export async function runCli(argv: string[], env: Io['env'], fetchImpl?: typeof fetch): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(argv, {
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
    env,
    fetch: fetchImpl,
    sleep: async () => undefined,
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}
