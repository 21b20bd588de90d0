import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/**
 * The `.env` reader of `npm start` and of the `sms-gateway` CLI (one reader, so both read a file
 * the same way). Node's own parser (`util.parseEnv`, the one behind `process.loadEnvFile`) reads
 * the values; it drops a malformed line without a word, and can even fold it into the next key,
 * so every line is checked first and a bad one stops the program with its number.
 */

export class EnvFileError extends Error {
  override name = 'EnvFileError';
}

// NAME=value, optionally after `export `, as Node's parser reads it.
const ASSIGNMENT = /^(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=(.*)$/;
const QUOTES = ['"', "'", '`'];

/**
 * Every line is blank, a `#` comment, `NAME=value`, or inside a quoted value that spans lines.
 * The error names the line and, when the line starts with one, its name; never its value,
 * which may be a secret.
 */
function checkLines(text: string, file: string): void {
  const lines = text.split(/\r?\n/);
  let open: { quote: string; line: number } | undefined;
  lines.forEach((line, index) => {
    if (open) {
      if (line.includes(open.quote)) open = undefined;
      return;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = ASSIGNMENT.exec(trimmed);
    if (!match) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(trimmed)?.[0];
      throw new EnvFileError(
        `${file} line ${index + 1}${name ? `, starting "${name}",` : ''} is not NAME=value: write it as NAME=value, or start it with # to keep it as a comment.`,
      );
    }
    const value = match[1].trim();
    if (QUOTES.includes(value[0]) && !value.slice(1).includes(value[0])) open = { quote: value[0], line: index + 1 };
  });
  if (open) throw new EnvFileError(`${file} line ${open.line} opens a ${open.quote} quote that is never closed: close it, or remove the quote.`);
}

/** The variables of an env file's text; throws EnvFileError naming the first malformed line. */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  checkLines(text, file);
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseEnv(text))) if (value !== undefined) values[name] = value;
  return values;
}

/** The variables of a file, or undefined when there is no such file. */
export function readEnvFile(path: string): Record<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EnvFileError(`${path} could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): check its permissions.`);
  }
  return parseEnvFile(text, path);
}

/**
 * Loads `.env` (or `path`) into `env` as `process.loadEnvFile` does: a variable already set in
 * the environment wins over the file. Returns the names it set; none when there is no file.
 */
export function loadEnvFile(env: Record<string, string | undefined> = process.env, path = '.env'): string[] {
  const values = readEnvFile(path) ?? {};
  const loaded = Object.keys(values).filter((name) => env[name] === undefined);
  for (const name of loaded) env[name] = values[name];
  return loaded;
}
