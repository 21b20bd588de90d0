import { spaceDigits } from './templates';

/**
 * What a call says, in order, for any voice provider to render (docs/voice.md): the template
 * gives the sentence, the script makes it followable. The code is read digit by digit with a
 * pause after each, and twice more after the sentence, so a user who picked up late or missed
 * a digit still gets it; a short silence first, because the start of a call is often lost
 * while the phone reaches the ear.
 */
export type ScriptPart = { say: string } | { digits: string } | { pauseMs: number };

export const DIGIT_PAUSE_MS = 500;
export const REPEAT_PAUSE_MS = 1500;
const LEAD_PAUSE_MS = 1000;
/** Times the code is read, counting the template's own. */
export const CODE_READINGS = 3;

/**
 * The script for a rendered voice template. The template outputs `{{ voice_code }}` (or
 * `{{ code }}`) once; wherever it does, the digits are read one by one. A notification without
 * a code (a blocked account, a breached password) is its sentence, read once.
 */
export function voiceScript(sentence: string, code: string | undefined): ScriptPart[] {
  if (code === undefined) return [{ pauseMs: LEAD_PAUSE_MS }, { say: sentence }];
  const spaced = spaceDigits(code);
  const pieces = sentence.split(sentence.includes(spaced) ? spaced : code);
  const script: ScriptPart[] = [{ pauseMs: LEAD_PAUSE_MS }];
  pieces.forEach((text, i) => {
    if (i > 0) script.push({ digits: code });
    if (text.trim()) script.push({ say: text });
  });
  for (let i = pieces.length - 1; i < CODE_READINGS; i++) script.push({ pauseMs: REPEAT_PAUSE_MS }, { digits: code });
  return script;
}
