import type { ScriptPart } from '../../core/voice-script';
import { escapeAttribute, speechMarkup, withinLimit } from '../speech-markup';
import { sayVoice } from './say-voice';

/** Twilio refuses a longer `Twiml` parameter (Calls API, API spec v2010). */
export const MAX_TWIML_LENGTH = 4000;

// What twilio's VoiceResponse puts first (it renders with xmlbuilder's default declaration).
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/**
 * A call's script as TwiML: one <Say> naming the voice and its locale (config/voices.json),
 * around the script's SSML (speech-markup.ts says why it is not twilio's builder), whose
 * <break>s the Polly neural and Google voices of the table support.
 */
export function voiceTwiml(script: readonly ScriptPart[], language: string): string {
  const { voice, language: locale } = sayVoice(language);
  const open = `${XML_DECLARATION}<Response><Say voice="${escapeAttribute(voice)}" language="${escapeAttribute(locale)}">`;
  return withinLimit(script, MAX_TWIML_LENGTH, (parts) => `${open}${speechMarkup(parts)}</Say></Response>`);
}
