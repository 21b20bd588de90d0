import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ENV, SECRET_KEYS } from '../../shared/names';

/**
 * shared/names.ts is the one place the shared names are written: it must stay importable from
 * anywhere (the send bundle, the CLI's `--help`, the Auth0 forwarders), and the names that prose
 * mentions (messages, help texts, comments, docs) must be names it declares, so that a typo in a
 * message or a page is caught like a typo in code.
 */

const ROOT = join(__dirname, '..', '..');
const SOURCES = ['shared', 'lambda', 'cdk', 'cli', 'auth0', 'bench', 'scripts', 'docs', 'README.md'];

/** The files below `path`, without build output (`.out`, bench's bundles) and other hidden folders. */
function files(path: string): string[] {
  const full = join(ROOT, path);
  if (statSync(full).isFile()) return [path];
  return readdirSync(full)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => files(join(path, name)));
}

const TEXT_FILES = SOURCES.flatMap(files).filter((file) => /\.(ts|js|md|ya?ml)$/.test(file));

it('imports nothing', () => {
  const source = readFileSync(join(ROOT, 'shared/names.ts'), 'utf8');
  expect(source).not.toMatch(/^\s*import\b|\brequire\(/m);
});

it('declares every variable and secret key the code, the messages and the docs mention', () => {
  const declared = new Set<string>([...Object.values(ENV), ...SECRET_KEYS]);
  const mentioned = new Map<string, string>();
  const identifiers = new Set<string>();
  for (const file of TEXT_FILES) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    // Constants of the code that share a prefix (TWILIO_SECRET_KEYS) are not names of settings.
    for (const [, name] of text.matchAll(/\b(?:const|let|function|class|type|interface)\s+([A-Z][A-Z0-9_]+)\b/g)) identifiers.add(name);
    for (const [name] of text.matchAll(/\b(?:TWILIO|SMS_GATEWAY|AWS_SMS|PROVIDER)_[A-Z0-9_]+\b/g)) if (!mentioned.has(name)) mentioned.set(name, file);
  }
  const unknown = [...mentioned].filter(([name]) => !declared.has(name) && !identifiers.has(name)).map(([name, file]) => `${name} (${file})`);
  expect(unknown).toEqual([]);
});

it('leaves no citation of CONTRACT.md, which no clone has: the docs pages hold the contract', () => {
  const citing = [...TEXT_FILES, ...files('test'), ...files('config')].filter((file) => readFileSync(join(ROOT, file), 'utf8').includes('CONTRACT.md'));
  expect(citing).toEqual(['test/unit/names.test.ts']);
});
