// Deep import: only the TwiML builder (and xmlbuilder), not the 3.8 MB REST client.
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse';
import { DIGIT_PAUSE_MS, type ScriptPart } from '../../core/voice-script';
import { sayVoice } from './say-voice';

/** Twilio refuses a longer `Twiml` parameter (Calls API, API spec v2010). */
export const MAX_TWIML_LENGTH = 4000;

/**
 * A call's script as TwiML: one <Say> naming the voice and its locale (config/voices.json), with
 * SSML <break>s for the pauses, which the Polly neural and Google voices of the table support.
 * The builder escapes the text, so a template cannot inject TwiML.
 */
export function voiceTwiml(script: readonly ScriptPart[], language: string): string {
  const twiml = render(script, language);
  // Only a custom template fed a long `text` or `client_name` gets here: the digits still go out.
  return twiml.length <= MAX_TWIML_LENGTH ? twiml : render(script.filter((part) => !('say' in part)), language);
}

function render(script: readonly ScriptPart[], language: string): string {
  const response = new VoiceResponse();
  const say = response.say(sayVoice(language), '');
  const pause = (ms: number) => say.break({ time: `${ms}ms` });
  for (const part of script) {
    if ('say' in part) say.addText(part.say);
    else if ('pauseMs' in part) pause(part.pauseMs);
    else {
      part.digits.split('').forEach((digit, i) => {
        if (i > 0) pause(DIGIT_PAUSE_MS);
        say.addText(digit);
      });
    }
  }
  return response.toString();
}
