import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EnvFileError, loadEnvFile } from '../lambda/local/env-file';
import { CommandError, UsageError, type Command, type Io, type OptionValues } from './command';
import { commandHelp, overviewHelp, PROGRAM } from './help';
import { isInteractive, terminalPrompt } from './prompt';

/** `sms-gateway <command words> [options]`: finds the command, parses its options, runs it. */

/**
 * A command as the overview lists it. Its module, which brings the AWS SDK, Auth0 or Twilio
 * with it, is loaded only when the command is asked for: `sms-gateway --help` loads none. The
 * summary repeats the module's own (test/cli/help.test.ts keeps them equal).
 */
export interface CommandEntry {
  path: readonly string[];
  summary: string;
  load(): Command;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    path: ['secrets', 'set'],
    summary: "Write the Twilio keys or the AWS SMS sender into the stack's secret (keeps the signing secret)",
    load: () => (require('./commands/secrets-set') as typeof import('./commands/secrets-set')).secretsSet,
  },
  {
    path: ['secrets', 'rotate-signing-key'],
    summary: 'Rotate the signing secret shared with Auth0, with both keys valid during the switch',
    load: () => (require('./commands/secrets-rotate') as typeof import('./commands/secrets-rotate')).secretsRotateSigningKey,
  },
  {
    path: ['auth0', 'deploy'],
    summary: 'Create or update the Auth0 Action and phone provider that send through the gateway',
    load: () => (require('./commands/auth0-deploy') as typeof import('./commands/auth0-deploy')).auth0Deploy,
  },
  {
    path: ['send-test'],
    summary: 'Send a test MFA code through the gateway and follow its delivery',
    load: () => (require('./commands/send-test') as typeof import('./commands/send-test')).sendTest,
  },
  {
    path: ['doctor'],
    summary: 'Check the whole path of a code: stack, secret, routes, Twilio, AWS SMS, gateway, Auth0',
    load: () => (require('./commands/doctor') as typeof import('./commands/doctor')).doctor,
  },
];

/** The real terminal and environment, with `.env` read as `npm start` reads it (the environment wins). */
function processIo(): Io {
  loadEnvFile(process.env);
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    isTTY: process.stderr.isTTY === true,
    prompt: isInteractive() ? terminalPrompt() : undefined,
  };
}

/** The command whose words start argv, the longest match winning. */
function findCommand(argv: readonly string[]): CommandEntry | undefined {
  const words: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith('-')) break;
    words.push(arg);
  }
  return [...COMMANDS]
    .sort((a, b) => b.path.length - a.path.length)
    .find((command) => command.path.length <= words.length && command.path.every((word, index) => words[index] === word));
}

function parseOptions(command: Command, args: string[]): OptionValues {
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
    json: { type: 'boolean' },
  };
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
  }
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as OptionValues;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function fail(io: Io, json: boolean, message: string): void {
  if (json) io.stdout(`${JSON.stringify({ ok: false, error: message })}\n`);
  else io.stderr(`Error: ${message}\n`);
}

export async function main(argv: readonly string[], given?: Io): Promise<number> {
  let io: Io;
  try {
    io = given ?? processIo();
  } catch (err) {
    if (!(err instanceof EnvFileError)) throw err;
    process.stderr.write(`Error: ${err.message}\n`);
    return 1;
  }
  const entry = findCommand(argv);
  if (!entry) {
    const wantsHelp = argv.length === 0 || argv.includes('--help') || argv.includes('-h');
    if (wantsHelp) {
      io.stdout(overviewHelp(COMMANDS));
      return 0;
    }
    io.stderr(`Unknown command: ${PROGRAM} ${argv.filter((arg) => !arg.startsWith('-')).join(' ')}\n\n${overviewHelp(COMMANDS)}`);
    return 2;
  }

  const command = entry.load();
  const json = argv.includes('--json');
  let values: OptionValues;
  try {
    values = parseOptions(command, argv.slice(command.path.length));
  } catch (err) {
    io.stderr(`${(err as Error).message}\n\n${commandHelp(command)}`);
    return 2;
  }
  if (values.help) {
    io.stdout(commandHelp(command));
    return 0;
  }

  try {
    return await command.run(values, { io, json });
  } catch (err) {
    if (err instanceof UsageError) {
      fail(io, json, `${err.message}\nRun \`${PROGRAM} ${command.path.join(' ')} --help\` for the options.`);
      return 2;
    }
    if (err instanceof CommandError) {
      fail(io, json, err.message);
      return 1;
    }
    fail(io, json, `unexpected failure: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}
