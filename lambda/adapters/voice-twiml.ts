// Deep import: only the TwiML builder (and xmlbuilder), not the 3.8 MB REST client.
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse';
import { sayLanguage } from './say-language';

/**
 * The call's script: the sentence, a pause, the sentence again, so that a user who picked up
 * late or mis-heard a digit still gets the code.
 */
export function voiceTwiml(sentence: string, language: string): string {
  const response = new VoiceResponse();
  const say = { language: sayLanguage(language) };
  response.say(say, sentence);
  response.pause({ length: 1 });
  response.say(say, sentence);
  return response.toString();
}
