import type { ScriptPart } from '../../core/voice-script';
import { speechMarkup, withinLimit } from '../speech-markup';

/**
 * A call's script as the SSML SendVoiceMessage reads with `MessageBodyTextType: SSML`: one
 * <speak> around the script's markup (speech-markup.ts), whose <break>s Amazon Polly's SSML, and
 * so every Polly voice, supports.
 */

/** SendVoiceMessage's limit for an SSML body, tags included (API reference, MessageBody). */
export const MAX_SSML_LENGTH = 6000;

export function voiceSsml(script: readonly ScriptPart[]): string {
  return withinLimit(script, MAX_SSML_LENGTH, (parts) => `<speak>${speechMarkup(parts)}</speak>`);
}
