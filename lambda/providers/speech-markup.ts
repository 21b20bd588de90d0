import { DIGIT_PAUSE_MS, type ScriptPart } from '../core/voice-script';

/**
 * A call's script (core/voice-script.ts) as the SSML inside a provider's voice document: the text
 * escaped, the pauses as <break>s, the digits one by one with a pause between them. Twilio's
 * <Say> (twilio/voice-twiml.ts) and AWS's SSML body (aws-sms/ssml.ts) both wrap it.
 *
 * Written by hand, not with twilio's TwiML builder: that builder and the xmlbuilder under it were
 * 77 KB of the send bundle's 400 KB budget for one element with its text and breaks. The escapes
 * are xmlbuilder's own (node_modules/xmlbuilder/lib/XMLStringifier.js), and test/unit/voice-twiml.test.ts checks the
 * TwiML against twilio's VoiceResponse character for character. The text is escaped, so a
 * template cannot inject markup.
 */

// Characters XML 1.0 does not allow (https://www.w3.org/TR/xml/#charsets): xmlbuilder throws on
// them; here they are dropped, since a stray control character in a client name must not cost
// the user the call.
const ILLEGAL = /[\0-\x08\x0B\f\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text between tags, escaped as xmlbuilder's textEscape does. */
export function escapeText(text: string): string {
  return text.replace(ILLEGAL, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

/** An attribute's value, escaped as xmlbuilder's attEscape does. */
export function escapeAttribute(value: string): string {
  return value
    .replace(ILLEGAL, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');
}

const pause = (ms: number) => `<break time="${ms}ms"/>`;

export function speechMarkup(script: readonly ScriptPart[]): string {
  return script
    .map((part) => {
      if ('say' in part) return escapeText(part.say);
      if ('pauseMs' in part) return pause(part.pauseMs);
      return part.digits.split('').join(pause(DIGIT_PAUSE_MS));
    })
    .join('');
}

/**
 * The document for a script, within a provider's length limit: only a custom template fed a long
 * `text` or `client_name` goes over, and then its sentences are dropped, never the digits.
 */
export function withinLimit(script: readonly ScriptPart[], maxLength: number, render: (script: readonly ScriptPart[]) => string): string {
  const document = render(script);
  return document.length <= maxLength ? document : render(script.filter((part) => !('say' in part)));
}
