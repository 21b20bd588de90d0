import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { COMMANDS } from '../../cli/main';
import { runCli } from './support/run';

/** `--help` on every command, and the bin shim. */

const ROOT = join(__dirname, '..', '..');

const OPTIONS: Record<string, string[]> = {
  'secrets set': ['--account-sid', '--auth-token', '--api-key-sid', '--api-key-secret', '--messaging-service-sid', '--phone-number', '--aws-origination-identity', '--aws', '--secret-arn', '--stack', '--region', '--json'],
  'secrets rotate-signing-key': ['--finish', '--force', '--show', '--secret-arn', '--stack', '--region', '--json'],
  'send-test': ['--to', '--voice', '--url', '--signing-secret', '--language', '--provider', '--no-follow', '--timeout', '--stack', '--region', '--json'],
  doctor: ['--stack', '--region', '--url', '--domain', '--client-id', '--client-secret', '--json'],
};

it('lists every command in the overview', async () => {
  const run = await runCli(['--help'], {});

  expect(run.code).toBe(0);
  for (const command of ['secrets set', 'secrets rotate-signing-key', 'auth0 deploy', 'send-test', 'doctor']) {
    expect(run.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
  }
});

it.each(Object.entries(OPTIONS))('prints the options of %s with --help', async (command, options) => {
  const run = await runCli([...command.split(' '), '--help'], {});

  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`Usage: sms-gateway ${command} [options]`);
  for (const option of options) expect(run.stdout).toContain(option);
});

it('exits 2 with the help for an unknown option', async () => {
  const run = await runCli(['send-test', '--to', '+14155550123', '--sms'], {});

  expect(run.code).toBe(2);
  expect(run.stderr).toContain("Unknown option '--sms'");
  expect(run.stderr).toContain('Usage: sms-gateway send-test [options]');
});

it('runs the new commands from the bin shim', () => {
  const run = spawnSync(process.execPath, [join(ROOT, 'cli', 'bin.js'), 'doctor', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });

  expect(run.status).toBe(0);
  expect(run.stdout).toContain('Usage: sms-gateway doctor [options]');
});

it("keeps each command's summary in the overview equal to the command's own", () => {
  for (const entry of COMMANDS) {
    const command = entry.load();
    expect(command.path).toEqual(entry.path);
    expect(command.summary).toBe(entry.summary);
  }
});

it('answers --help without loading any command, nor the AWS SDK, Auth0 or Twilio', () => {
  // Speed itself is measured by hand (hyperfine), never in a test: what is loaded is checked here.
  const script = [
    "require('tsx/cjs');",
    "require('./cli/main.ts').main(['--help'], { stdout() {}, stderr() {}, env: {} }).then(() => {",
    "  const loaded = Object.keys(require.cache).filter((file) => /cli[\\/]commands[\\/]|node_modules[\\/](auth0|twilio|@aws-sdk)[\\/]/.test(file));",
    '  process.stdout.write(JSON.stringify(loaded));',
    '});',
  ].join('\n');
  const run = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });

  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual([]);
});
