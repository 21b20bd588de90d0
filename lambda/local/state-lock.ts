import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One `npm start` per state directory. The embedded DynamoDB (LevelDB) cannot be opened twice,
 * and a second server would fail later with "Database is closed"; this lock says so at start,
 * with the process that holds it. A lock left by a process that is gone is taken over.
 */

const LOCK_FILE = 'npm-start.pid';

export class StateLocked extends Error {
  constructor(
    readonly directory: string,
    readonly pid: number,
  ) {
    super(`Another npm start (process ${pid}) is using the state directory ${directory}: stop it, or give this one another directory with --state.`);
    this.name = 'StateLocked';
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock; returns its release. Throws StateLocked when a running process holds it. */
export function lockStateDirectory(directory: string): () => void {
  const path = join(directory, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) throw new StateLocked(directory, holder);
      unlinkSync(path);
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return () => {
      try {
        if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
      } catch {
        // Already gone: nothing to release.
      }
    };
  }
  throw new Error(`Could not take the lock ${path}.`);
}
