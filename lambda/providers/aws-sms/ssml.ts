import { DIGIT_PAUSE_MS, type ScriptPart } from '../../core/voice-script';

/**
 * A call's script (core/voice-script.ts) as the SSML SendVoiceMessage reads with
 * `MessageBodyTextType: SSML`: one <speak>, the pauses as <break>s (Amazon Polly's SSML, which
 * every Polly voice supports), the digits one by one. Written by hand: four tags and an escape do
 * not need an XML library on the send path. The text is escaped, so a template cannot inject SSML.
 */

/** SendVoiceMessage's limit for an SSML body, tags included (API reference, MessageBody). */
export const MAX_SSML_LENGTH = 6000;

// Text between tags: only these three need escaping (no text goes into an attribute).
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const pause = (ms: number) => `<break time="${ms}ms"/>`;

export function voiceSsml(script: readonly ScriptPart[]): string {
  const ssml = render(script);
  // Only a custom template fed a long `text` or `client_name` gets here: the digits still go out.
  return ssml.length <= MAX_SSML_LENGTH ? ssml : render(script.filter((part) => !('say' in part)));
}

function render(script: readonly ScriptPart[]): string {
  const parts = script.map((part) => {
    if ('say' in part) return escape(part.say);
    if ('pauseMs' in part) return pause(part.pauseMs);
    return part.digits.split('').join(pause(DIGIT_PAUSE_MS));
  });
  return `<speak>${parts.join('')}</speak>`;
}
