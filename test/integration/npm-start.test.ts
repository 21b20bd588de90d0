import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FakeAwsSms } from '../support/fake-aws-sms';
import { freshDirectory, replayCurl, start, waitFor, type Started } from '../support/npm-start';
import { newSigningSecret } from '../support/signing';

/**
 * `npm start` as a new user runs it: a separate process. With no configuration it must print a
 * signing secret and a signed example, answer that example in console mode, and stop cleanly;
 * with --state it keeps its keys across restarts; every failure to start is one line.
 */

it('starts in console mode with no configuration and answers its own signed example', async () => {
  const started = start({});
  try {
    const [, base] = await waitFor(started, /listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
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

it('sends through AWS End User Messaging with PROVIDERS=aws, against a loopback endpoint, without Twilio keys', async () => {
  const aws = await FakeAwsSms.start();
  const started = start({ PROVIDERS: 'aws', ...aws.gatewayEnv() });
  try {
    await waitFor(started, /-d '(.+)'\n/);
    const output = started.output();
    expect(output).toContain(`providers: aws\n`);
    expect(output).toContain(`mode: AWS End User Messaging at ${aws.url}/, from ${aws.account.defaultIdentity}`);
    expect(output).not.toMatch(/mode: console/);
    const response = await replayCurl(output);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ provider: 'aws', sid: aws.sent[0].messageId, status: 'accepted' });
    expect(aws.sent).toHaveLength(1);
    expect(aws.requests[0].signed).toBe(true);
  } finally {
    started.child.kill('SIGTERM');
    await started.exited;
    await aws.close();
  }
});

it('stops at start, naming the variable, with PROVIDERS=aws and no origination identity', async () => {
  const started = start({ PROVIDERS: 'aws' });
  expect(await started.exited).toBe(1);
  expect(started.errors()).toMatch(/^Configuration error: AWS_SMS_ORIGINATION_IDENTITY is missing/m);
});

it('stops at start with the name of a malformed key', async () => {
  const started = start({ SMS_GATEWAY_SIGNING_SECRET: 'whsec_c2hvcnQ=', TWILIO_ACCOUNT_SID: 'AC123' });
  expect(await started.exited).toBe(1);
  expect(started.errors()).toMatch(/^Configuration error: SMS_GATEWAY_SIGNING_SECRET must encode 24 to 64 random bytes/m);

  const twilio = start({ TWILIO_ACCOUNT_SID: 'AC123', TWILIO_AUTH_TOKEN: 'x', TWILIO_PHONE_NUMBER: '+15017122661' });
  expect(await twilio.exited).toBe(1);
  expect(twilio.errors()).toMatch(/^Configuration error: TWILIO_ACCOUNT_SID must look like AC followed by 32 hex characters/m);
});

async function stop(started: Started): Promise<void> {
  started.child.kill('SIGTERM');
  expect(await started.exited).toBe(0);
}

describe('with --state DIR', () => {
  it('keeps the signing secret and the rate-limit key, so the old curl and the limits survive a restart', async () => {
    const state = join(freshDirectory(), 'state');
    const first = start({ RATE_LIMITS: 'recipient:1/1h' }, { args: ['--state', state] });
    let firstOutput: string;
    try {
      await waitFor(first, /-d '(.+)'\n/);
      firstOutput = first.output();
      expect(firstOutput).toMatch(/keys: signing secret new, kept in .*keys\.env; rate-limit key new, kept in .*keys\.env/);
      expect((await replayCurl(firstOutput)).status).toBe(200);
    } finally {
      await stop(first);
    }

    const kept = readFileSync(join(state, 'keys.env'), 'utf8');
    expect(kept).toMatch(/^SMS_GATEWAY_SIGNING_SECRET=whsec_[A-Za-z0-9+/]{43}=$/m);
    expect(kept).toMatch(/^SMS_GATEWAY_RATE_LIMIT_KEY=[A-Za-z0-9+/]{43}=$/m);
    expect(statSync(join(state, 'keys.env')).mode & 0o777).toBe(0o600);

    const second = start({ RATE_LIMITS: 'recipient:1/1h' }, { args: ['--state', state] });
    try {
      await waitFor(second, /-d '(.+)'\n/);
      expect(second.output()).toMatch(/keys: signing secret kept in .*keys\.env; rate-limit key kept in .*keys\.env/);
      const secret = (output: string) => output.match(/^ {2}SMS_GATEWAY_SIGNING_SECRET=(\S+)$/m)![1];
      expect(secret(second.output())).toBe(secret(firstOutput));
      // The first run's request is answered from its record; a new one counts against the kept limit.
      expect(await (await replayCurl(firstOutput, second.output())).json()).toMatchObject({ status: 'printed' });
      const refused = await replayCurl(second.output());
      expect(refused.status).toBe(429);
      expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited' } });
    } finally {
      await stop(second);
    }
  });

  it('refuses a second server on the same directory in one line, naming the first', async () => {
    const state = join(freshDirectory(), 'state');
    const first = start({}, { args: ['--state', state] });
    try {
      await waitFor(first, /listening on/);
      const second = start({}, { args: ['--state', state] });
      expect(await second.exited).toBe(1);
      // The process is tsx's node child, not the tsx launcher this test spawned.
      expect(second.errors()).toMatch(
        new RegExp(`^Could not start: Another npm start \\(process \\d+\\) is using the state directory ${state}: stop it, or give this one another directory with --state\\.\n$`),
      );
    } finally {
      await stop(first);
    }
  });
});

it('prints a signed curl and the voice send-test line when the secret is configured, without printing it', async () => {
  const secret = newSigningSecret();
  const started = start({ SMS_GATEWAY_SIGNING_SECRET: secret });
  try {
    await waitFor(started, /--voice\n/);
    const output = started.output();
    expect(output).not.toContain(secret);
    expect(output).toContain('keys: signing secret from the environment; rate-limit key new for this run, --state DIR keeps it');
    expect(output).toMatch(/^ {2}npx sms-gateway send-test --url http:\/\/127\.0\.0\.1:\d+\/messages --to \+14155550123 --voice$/m);
    expect((await replayCurl(output)).status).toBe(200);
  } finally {
    await stop(started);
  }
});

it('reads .env, and stops on a malformed line with its number instead of dropping it', async () => {
  const cwd = freshDirectory();
  const secret = newSigningSecret();
  writeFileSync(join(cwd, '.env'), `# local settings\nSMS_GATEWAY_SIGNING_SECRET=${secret}\nRATE_LIMITS=recipient:3/1h\n`);
  const good = start({}, { cwd });
  try {
    await waitFor(good, /--voice\n/);
    expect(good.output()).toContain('limits: recipient:3/1h');
    expect(good.output()).toContain('keys: signing secret from the environment');
  } finally {
    await stop(good);
  }

  writeFileSync(join(cwd, '.env'), `SMS_GATEWAY_SIGNING_SECRET=${secret}\nTWILIO_AUTH_TOKEN 0123abcd\nRATE_LIMITS=recipient:3/1h\n`);
  const bad = start({}, { cwd });
  expect(await bad.exited).toBe(1);
  expect(bad.errors()).toBe('Could not start: .env line 2, starting "TWILIO_AUTH_TOKEN", is not NAME=value: write it as NAME=value, or start it with # to keep it as a comment.\n');
});

describe('startup errors are one line with the fix', () => {
  it('for a port in use', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const started = start({ PORT: String(port) });
      expect(await started.exited).toBe(1);
      expect(started.errors()).toBe(
        `Could not start: Port ${port} is already in use, perhaps by another npm start: stop that process, or choose another port, like \`PORT=${port + 1} npm start\`.\n`,
      );
    } finally {
      taken.close();
    }
  });

  it.each([
    [['--stat', 'x'], 'Could not start: Unknown option --stat: did you mean --state? Usage: npm start [-- --state DIR]\n'],
    [['--state'], 'Could not start: --state needs a directory, like `npm start -- --state .state`.\n'],
    [['.state'], "Could not start: Unexpected argument '.state': options need `--` after npm start, as in npm start [-- --state DIR].\n"],
  ])('for the arguments %p', async (args, message) => {
    const started = start({}, { args });
    expect(await started.exited).toBe(1);
    expect(started.errors()).toBe(message);
  });
});
