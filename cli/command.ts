/**
 * What every `sms-gateway` command is made of: its words, its options (parsed with node:util
 * parseArgs), and a run function that writes through `Io` so tests can run commands in-process.
 */

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  /** Replaces global fetch for the Auth0 SDK (tests point it at a loopback server). */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch; tests pair it with `sleep` to make waits virtual. */
  now?: () => number;
  /** How long one AWS End User Messaging read waits for an answer (the doctor's); tests shorten it. */
  awsTimeoutMs?: number;
  /** True when stderr is a terminal: progress indicators are drawn only then. */
  isTTY?: boolean;
  /**
   * Asks the user a question on the terminal; undefined when input is not interactive.
   * `hidden` does not echo what is typed (tokens).
   */
  prompt?: (question: string, options?: { hidden?: boolean }) => Promise<string>;
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in --help, after the option. */
  description: string;
  /** Placeholder for a string option's value in --help, e.g. `<url>`. */
  value?: string;
}

export type OptionValues = Record<string, string | boolean | undefined>;

export interface RunContext {
  io: Io;
  /** --json: print one JSON document on stdout instead of text. */
  json: boolean;
}

export interface Command {
  /** The words that select the command, e.g. ['auth0', 'deploy']. */
  path: readonly string[];
  summary: string;
  /** Paragraphs printed by --help between the usage line and the options. */
  description: string;
  options: Record<string, OptionSpec>;
  /** Returns the exit code. Throws UsageError (exit 2) or CommandError (exit 1) for expected failures. */
  run(values: OptionValues, context: RunContext): Promise<number>;
}

/** The command line was wrong: the message says how to fix it. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The command could not do its job for a reason the user can fix; no stack trace is shown. */
export class CommandError extends Error {
  override name = 'CommandError';
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function envValue(env: Io['env'], name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}
