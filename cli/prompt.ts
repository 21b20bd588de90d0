import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';

/**
 * Questions on the terminal with node:readline. Prompts go to stderr so that stdout stays the
 * command's result. A hidden answer (a token) is read with the echo muted: readline still
 * handles editing keys, but nothing typed reaches the screen or the scrollback.
 */
export function terminalPrompt(input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr) {
  return async (question: string, options: { hidden?: boolean } = {}): Promise<string> => {
    let muted = false;
    const screen = new Writable({
      write(chunk, _encoding, done) {
        if (!muted) output.write(chunk);
        done();
      },
    });
    const readline = createInterface({ input, output: screen, terminal: true });
    try {
      const answer = readline.question(question);
      // The question is written synchronously above; from here on only the echo would be.
      muted = options.hidden === true;
      return (await answer).trim();
    } finally {
      readline.close();
      if (muted) output.write('\n');
    }
  };
}

/** Interactive only when a person is at both ends: input and the prompts' output are terminals. */
export function isInteractive(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}
