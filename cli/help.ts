import type { Command } from './command';

export const PROGRAM = 'sms-gateway';

const COMMON_OPTIONS = [
  ['--json', 'print the result as one JSON document'],
  ['-h, --help', 'show this help'],
];

function table(rows: string[][]): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n');
}

export function commandHelp(command: Command): string {
  const options = Object.entries(command.options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` ${spec.value ?? '<value>'}` : ''}`;
    return [flag, spec.description];
  });
  return [
    `Usage: ${PROGRAM} ${command.path.join(' ')} [options]`,
    '',
    command.summary,
    '',
    command.description,
    '',
    'Options:',
    table([...options, ...COMMON_OPTIONS]),
    '',
  ].join('\n');
}

export function overviewHelp(commands: readonly Pick<Command, 'path' | 'summary'>[]): string {
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    'Tools for mfa-sms-gateway, the custom SMS and voice provider for Auth0 MFA.',
    '',
    'Commands:',
    table(commands.map((command) => [command.path.join(' '), command.summary])),
    '',
    `Run \`${PROGRAM} <command> --help\` for a command's options. Every command accepts --json.`,
    '',
  ].join('\n');
}
