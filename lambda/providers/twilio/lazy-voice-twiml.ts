import type * as VoiceTwiml from './voice-twiml';

/**
 * The TwiML builder (twilio's VoiceResponse and xmlbuilder), loaded with the first call: most
 * cold starts send an SMS and need not evaluate it.
 */
export function voiceTwiml(...args: Parameters<typeof VoiceTwiml.voiceTwiml>): string {
  return (require('./voice-twiml') as typeof VoiceTwiml).voiceTwiml(...args);
}
