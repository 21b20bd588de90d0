import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * `npm start` as a new user runs it: a separate process with no configuration. It must print a
 * signing secret and a signed example, answer that example in console mode, and stop cleanly.
 */

const ROOT = resolve(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const START = join(ROOT, 'lambda/local/start.ts');

interface Started {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  errors: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Started {
  // A fresh directory: no developer .env file can change what the test sees.
  const cwd = mkdtempSync(join(tmpdir(), 'sms-gateway-start-'));
  const child = spawn(TSX, [START], { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, PORT: '0', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output: () => stdout, errors: () => stderr, exited };
}

async function waitFor(started: Started, pattern: RegExp): Promise<RegExpMatchArray> {
  for (let i = 0; i < 200; i++) {
    const match = started.output().match(pattern);
    if (match) return match;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never printed ${pattern}: ${started.output()} ${started.errors()}`);
}

it('starts in console mode with no configuration and answers its own signed example', async () => {
  const started = start({});
  try {
    const [, base] = await waitFor(started, /listening on (http:\/\/localhost:\d+)/);
    await waitFor(started, /-d '(.+)'\n/);
    const output = started.output();
    expect(output).toMatch(/mode: console/);
    expect(output).toMatch(/SMS_GATEWAY_SIGNING_SECRET=whsec_[A-Za-z0-9+/]{43}=/);

    // Replay the printed curl command with fetch.
    const headers = Object.fromEntries([...output.matchAll(/-H '([a-z-]+): ([^']+)'/g)].map(([, name, value]) => [name, value]));
    const body = output.match(/-d '(.+)'\n/)![1];
    const response = await fetch(`${base}/messages`, { method: 'POST', headers, body });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ sid: expect.stringMatching(/^console-/), status: 'printed', channel: 'sms' });

    const printed = await waitFor(started, /\[console mode\] SMS to (\S+) .*\n\s+(.+)\n/);
    expect(printed[1]).toBe('+1415***0123');
    expect(printed[2]).toContain('123456');

    expect((await fetch(`${base}/health`)).status).toBe(200);
  } finally {
    started.child.kill('SIGTERM');
  }
  expect(await started.exited).toBe(0);
  expect(started.output()).toContain('SIGTERM: stopping');
});

it('stops at start with the name of a malformed key', async () => {
  const started = start({ SMS_GATEWAY_SIGNING_SECRET: 'whsec_c2hvcnQ=', TWILIO_ACCOUNT_SID: 'AC123' });
  expect(await started.exited).toBe(1);
  expect(started.errors()).toMatch(/^Configuration error: SMS_GATEWAY_SIGNING_SECRET must encode 24 to 64 random bytes/m);

  const twilio = start({ TWILIO_ACCOUNT_SID: 'AC123', TWILIO_AUTH_TOKEN: 'x', TWILIO_PHONE_NUMBER: '+15017122661' });
  expect(await twilio.exited).toBe(1);
  expect(twilio.errors()).toMatch(/^Configuration error: TWILIO_ACCOUNT_SID must look like AC followed by 32 hex characters/m);
});
