import { parseArgs, type ParseArgsConfig } from 'node:util';
import { auth0Deploy } from './commands/auth0-deploy';
import { doctor } from './commands/doctor';
import { secretsRotateSigningKey } from './commands/secrets-rotate';
import { secretsSet } from './commands/secrets-set';
import { sendTest } from './commands/send-test';
import { CommandError, UsageError, type Command, type Io, type OptionValues } from './command';
import { commandHelp, overviewHelp, PROGRAM } from './help';
import { isInteractive, terminalPrompt } from './prompt';

/** `sms-gateway <command words> [options]`: finds the command, parses its options, runs it. */

export const COMMANDS: readonly Command[] = [secretsSet, secretsRotateSigningKey, auth0Deploy, sendTest, doctor];

function processIo(): Io {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    isTTY: process.stderr.isTTY === true,
    prompt: isInteractive() ? terminalPrompt() : undefined,
  };
}

/** The command whose words start argv, the longest match winning. */
function findCommand(argv: readonly string[]): Command | undefined {
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

export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const command = findCommand(argv);
  if (!command) {
    const wantsHelp = argv.length === 0 || argv.includes('--help') || argv.includes('-h');
    if (wantsHelp) {
      io.stdout(overviewHelp(COMMANDS));
      return 0;
    }
    io.stderr(`Unknown command: ${PROGRAM} ${argv.filter((arg) => !arg.startsWith('-')).join(' ')}\n\n${overviewHelp(COMMANDS)}`);
    return 2;
  }

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
