import type { Io } from '../command';

/**
 * One line on stderr that redraws itself while the delivery status is polled. Only on a
 * terminal, and never with --json: in a pipe or a log file, redraws are noise.
 */
export interface Progress {
  update(text: string): void;
  done(): void;
}

const FRAMES = ['|', '/', '-', '\\'];

export function progress(io: Io, enabled: boolean): Progress {
  if (!enabled || !io.isTTY) return { update: () => undefined, done: () => undefined };
  let frame = 0;
  let drawn = false;
  return {
    update(text) {
      io.stderr(`\r\x1b[K${FRAMES[frame++ % FRAMES.length]} ${text}`);
      drawn = true;
    },
    done() {
      if (drawn) io.stderr('\r\x1b[K');
      drawn = false;
    },
  };
}
