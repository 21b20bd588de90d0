import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from './support/run-cli';

/** The `sms-gateway` command router: help on every level, usage errors, --json errors, the bin shim. */

const ROOT = join(__dirname, '..', '..');

it('lists the commands for --help and for no arguments', async () => {
  for (const argv of [['--help'], []]) {
    const run = await runCli(argv, {});
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: sms-gateway <command> [options]');
    expect(run.stdout).toMatch(/auth0 deploy\s+Create or update the Auth0 Action/);
  }
});

it('prints a command\'s options for <command> --help', async () => {
  const run = await runCli(['auth0', 'deploy', '--help'], {});

  expect(run.code).toBe(0);
  for (const option of ['--domain', '--client-id', '--client-secret', '--gateway-url', '--signing-secret', '--stack', '--region', '--voice', '--dry-run', '--json']) {
    expect(run.stdout).toContain(option);
  }
});

it('exits 2 with the help for an unknown command or option', async () => {
  const command = await runCli(['auth0', 'destroy'], {});
  expect(command.code).toBe(2);
  expect(command.stderr).toContain('Unknown command: sms-gateway auth0 destroy');

  const option = await runCli(['auth0', 'deploy', '--force'], {});
  expect(option.code).toBe(2);
  expect(option.stderr).toContain("Unknown option '--force'");
  expect(option.stderr).toContain('Usage: sms-gateway auth0 deploy [options]');
});

it('reports errors as JSON on stdout with --json', async () => {
  const run = await runCli(['auth0', 'deploy', '--json'], {});

  expect(run.code).toBe(2);
  expect(JSON.parse(run.stdout)).toEqual({ ok: false, error: expect.stringContaining('Missing AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET') });
});

it('runs from the bin shim (cli/bin.js, through tsx)', () => {
  const run = spawnSync(process.execPath, [join(ROOT, 'cli', 'bin.js'), 'auth0', 'deploy', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });

  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('Usage: sms-gateway auth0 deploy [options]');
});
