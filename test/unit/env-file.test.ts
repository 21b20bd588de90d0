import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvFileError, loadEnvFile, parseEnvFile } from '../../lambda/local/env-file';

/** The one `.env` reader of `npm start` and the CLI: Node's parser, with every line checked first. */

function refusal(text: string): string {
  try {
    parseEnvFile(text, '.env');
  } catch (err) {
    expect(err).toBeInstanceOf(EnvFileError);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('parseEnvFile', () => {
  it('reads NAME=value lines, comments, blank lines, export and quoted values over several lines', () => {
    const text = ['# Twilio', '', 'TWILIO_ACCOUNT_SID=AC123', 'export PORT=3001', "RATE_LIMITS='ip:5/1h' # tight", 'MULTI="one', 'two"', 'EMPTY=', ''].join('\n');
    expect(parseEnvFile(text, '.env')).toEqual({ TWILIO_ACCOUNT_SID: 'AC123', PORT: '3001', RATE_LIMITS: 'ip:5/1h', MULTI: 'one\ntwo', EMPTY: '' });
  });

  it('reads Windows line endings', () => {
    expect(parseEnvFile('A=1\r\nB=2\r\n', '.env')).toEqual({ A: '1', B: '2' });
  });

  it('refuses a line that is not NAME=value, naming its number and name but never its value', () => {
    const message = refusal('A=1\nTWILIO_AUTH_TOKEN 0123abcd\nB=2\n');
    expect(message).toBe('.env line 2, starting "TWILIO_AUTH_TOKEN", is not NAME=value: write it as NAME=value, or start it with # to keep it as a comment.');
    expect(message).not.toContain('0123abcd');
    expect(refusal('A=1\n: nonsense\n')).toBe('.env line 2 is not NAME=value: write it as NAME=value, or start it with # to keep it as a comment.');
    expect(refusal('TWILIO_AUTH_TOKEN: abc\n')).toMatch(/^\.env line 1, starting "TWILIO_AUTH_TOKEN", is not NAME=value/);
  });

  it('refuses a quoted value that never closes', () => {
    expect(refusal('A="one\nB=2\n')).toBe('.env line 1 opens a " quote that is never closed: close it, or remove the quote.');
  });
});

describe('loadEnvFile', () => {
  it('sets what the environment does not have, and nothing when there is no file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'sms-gateway-env-'));
    writeFileSync(join(directory, '.env'), 'A=file\nB=file\n');
    const env: Record<string, string | undefined> = { A: 'environment' };

    expect(loadEnvFile(env, join(directory, '.env'))).toEqual(['B']);
    expect(env).toEqual({ A: 'environment', B: 'file' });
    expect(loadEnvFile(env, join(directory, 'missing.env'))).toEqual([]);
  });
});
