import { CODE_READINGS, REPEAT_PAUSE_MS, voiceScript, type ScriptPart } from '../../lambda/core/voice-script';

/** The script of a call: what the template says, the code digit by digit, and the code again. */

const readings = (script: ScriptPart[]) => script.filter((part) => 'digits' in part).length;

describe('voiceScript', () => {
  it('starts with a short silence, says the sentence once with the digits in place, then the code twice more', () => {
    expect(voiceScript('Hello. Your verification code is: 4 8 2 9 1 3.', '482913')).toEqual([
      { pauseMs: 1000 },
      { say: 'Hello. Your verification code is: ' },
      { digits: '482913' },
      { say: '.' },
      { pauseMs: REPEAT_PAUSE_MS },
      { digits: '482913' },
      { pauseMs: REPEAT_PAUSE_MS },
      { digits: '482913' },
    ]);
  });

  it('finds the code written plainly too ({{ code }} in a voice template)', () => {
    const script = voiceScript('Code 4829, do not share it.', '4829');
    expect(script.slice(1, 4)).toEqual([{ say: 'Code ' }, { digits: '4829' }, { say: ', do not share it.' }]);
    expect(readings(script)).toBe(CODE_READINGS);
  });

  it('reads the code at least three times, and no more than the template does when it says it more often', () => {
    expect(readings(voiceScript('1 2 3 4', '1234'))).toBe(3);
    expect(readings(voiceScript('1 2 3 4. Again: 1 2 3 4.', '1234'))).toBe(3);
    expect(readings(voiceScript('1 2 3 4, 1 2 3 4, 1 2 3 4, 1 2 3 4', '1234'))).toBe(4);
  });

  it('still reads the code three times when a sentence does not carry it', () => {
    const script = voiceScript('Hello.', '123456');
    expect(script[1]).toEqual({ say: 'Hello.' });
    expect(readings(script)).toBe(3);
  });

  it('leaves out empty pieces of text', () => {
    expect(voiceScript('9 8 7 6', '9876').filter((part) => 'say' in part)).toEqual([]);
  });
});

test('a notification without a code is its sentence, read once after the lead silence', () => {
  expect(voiceScript('Your account was blocked after too many attempts.', undefined)).toEqual([
    { pauseMs: 1000 },
    { say: 'Your account was blocked after too many attempts.' },
  ]);
});
