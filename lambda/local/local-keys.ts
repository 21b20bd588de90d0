import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECRET_KEY } from '../../shared/names';
import { readEnvFile } from './env-file';

/**
 * The keys `npm start` makes when the environment has none: the Standard Webhooks signing
 * secret, and the key that rate-limit counters are keyed with. With `--state DIR` they are kept
 * in DIR/keys.env and reused, so that a restart keeps the printed curl valid and the counters
 * of DIR counting (a new rate-limit key would start every limit from zero).
 */

const KEYS_FILE = 'keys.env';

/** A fresh Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** A fresh rate-limit key: base64 of 32 random bytes. */
function generateRateLimitKey(): string {
  return randomBytes(32).toString('base64');
}

const GENERATORS: Record<string, () => string> = {
  [SECRET_KEY.signingSecret]: generateSigningSecret,
  [SECRET_KEY.rateLimitKey]: generateRateLimitKey,
};

/** Where each key of this run comes from. */
export type KeyOrigin = 'environment' | 'kept' | 'new';

export interface LocalKeys {
  origins: Record<string, KeyOrigin>;
  /** DIR/keys.env when --state was given. */
  file?: string;
}

/**
 * Puts a value for each key into `env`: the environment's own, else the one kept in the state
 * directory, else a new one (written to the state directory when there is one). The file is
 * readable by its owner only.
 */
export function settleLocalKeys(env: Record<string, string | undefined>, stateDirectory?: string): LocalKeys {
  const file = stateDirectory ? join(stateDirectory, KEYS_FILE) : undefined;
  const kept = (file && readEnvFile(file)) || {};
  const origins: Record<string, KeyOrigin> = {};
  const made: Record<string, string> = {};
  for (const [name, generate] of Object.entries(GENERATORS)) {
    if (env[name]?.trim()) origins[name] = 'environment';
    else if (kept[name]?.trim()) {
      env[name] = kept[name];
      origins[name] = 'kept';
    } else {
      made[name] = env[name] = generate();
      origins[name] = 'new';
    }
  }
  if (file && Object.keys(made).length > 0) {
    const lines = Object.entries({ ...kept, ...made }).map(([name, value]) => `${name}=${value}`);
    const text = ['# Made by `npm start` for this state directory; delete a line to get a new key.', ...lines, ''].join('\n');
    // Written aside and renamed, so that a crash never leaves half a file.
    writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }
  return { origins, file };
}
