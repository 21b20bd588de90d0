import { PassThrough } from 'node:stream';
import { terminalPrompt } from '../../cli/prompt';

/** The terminal prompt (node:readline): a hidden answer never reaches the screen. */

function terminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = '';
  output.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
  });
  const ask = terminalPrompt(input as unknown as NodeJS.ReadStream, output as unknown as NodeJS.WriteStream);
  return { input, ask, screen: () => screen };
}

it('shows the question and echoes a visible answer', async () => {
  const { input, ask, screen } = terminal();

  const answer = ask('Twilio Account SID (AC...): ');
  input.write('AC123\r');

  expect(await answer).toBe('AC123');
  expect(screen()).toContain('Twilio Account SID (AC...): ');
  expect(screen()).toContain('AC123');
});

it('reads a hidden answer without echoing it', async () => {
  const { input, ask, screen } = terminal();

  const answer = ask('Twilio auth token: ', { hidden: true });
  input.write('s3cr3t-token\r');

  expect(await answer).toBe('s3cr3t-token');
  expect(screen()).toContain('Twilio auth token: ');
  expect(screen()).not.toContain('s3cr3t');
});
