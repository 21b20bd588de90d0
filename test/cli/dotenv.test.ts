import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newSigningSecret } from '../support/signing';

/**
 * The `sms-gateway` bin reads `.env` in its working directory as `npm start` does, through the
 * same reader: keys written there reach the doctor, and a malformed line stops it.
 */

const BIN = join(__dirname, '..', '..', 'cli', 'bin.js');

function runBin(cwd: string, args: string[]) {
  // No AWS region and an empty home: the AWS checks skip at once, without a network call.
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, AWS_EC2_METADATA_DISABLED: 'true' },
  });
}

it("gives the doctor the keys of .env, as npm start reads them", () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sms-gateway-dotenv-'));
  writeFileSync(join(cwd, '.env'), `# local gateway\nSMS_GATEWAY_SIGNING_SECRET=${newSigningSecret()}\n`);

  const run = runBin(cwd, ['doctor', '--json']);

  const secret = JSON.parse(run.stdout).checks.find((check: { id: string }) => check.id === 'aws.secret');
  expect(secret).toMatchObject({ status: 'WARN', detail: expect.stringMatching(/^environment variables: no Twilio keys/) });
});

it('stops on a malformed .env line in one line, naming it', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sms-gateway-dotenv-'));
  writeFileSync(join(cwd, '.env'), 'TWILIO_ACCOUNT_SID=AC123\nTWILIO_AUTH_TOKEN secret-value\n');

  const run = runBin(cwd, ['doctor']);

  expect(run.status).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toBe('Error: .env line 2, starting "TWILIO_AUTH_TOKEN", is not NAME=value: write it as NAME=value, or start it with # to keep it as a comment.\n');
});
