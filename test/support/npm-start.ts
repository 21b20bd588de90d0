import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** `npm start` in its own process, as a new user runs it: what it prints, and its example request. */

const ROOT = resolve(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const START = join(ROOT, 'lambda/local/start.ts');

export interface Started {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  errors: () => string;
  exited: Promise<number | null>;
}

export interface StartOptions {
  args?: string[];
  /** The working directory; a fresh one by default, so that no developer .env file is read. */
  cwd?: string;
}

export function freshDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'sms-gateway-start-'));
}

export function start(env: Record<string, string>, options: StartOptions = {}): Started {
  const cwd = options.cwd ?? freshDirectory();
  const child = spawn(TSX, [START, ...(options.args ?? [])], { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, PORT: '0', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output: () => stdout, errors: () => stderr, exited };
}

export async function waitFor(started: Started, pattern: RegExp): Promise<RegExpMatchArray> {
  for (let i = 0; i < 200; i++) {
    const match = started.output().match(pattern);
    if (match) return match;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never printed ${pattern}: ${started.output()} ${started.errors()}`);
}

/** The printed curl command, replayed with fetch; to the server that printed `at`, when given. */
export function replayCurl(output: string, at?: string): Promise<Response> {
  const printed = new URL(output.match(/curl -sS -i '([^']+)'/)![1]);
  const url = at ? new URL(printed.pathname, at.match(/listening on (\S+)/)![1]) : printed;
  const headers = Object.fromEntries([...output.matchAll(/-H '([a-z-]+): ([^']+)'/g)].map(([, name, value]) => [name, value]));
  const body = output.match(/-d '(.+)'\n/)![1];
  return fetch(url, { method: 'POST', headers, body });
}
