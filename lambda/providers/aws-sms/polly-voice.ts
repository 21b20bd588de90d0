import { aws } from '../../../config/voices.json';
import { localeFinder } from '../voice-locale';

/**
 * The Amazon Polly voice of a call through AWS End User Messaging: SendVoiceMessage's VoiceId,
 * one of the standard voices its API lists (config/voices.json, `aws`, checked against AWS's
 * own list by test/unit/polly-voice.test.ts). The voice alone picks the language it speaks.
 */

const VOICES: Record<string, string> = aws;
const pollyLocale = localeFinder(VOICES);

/** The voice for a language, following its chain as Twilio's does (say-voice.ts); undefined when no step of the chain has one. */
export function findPollyVoice(tag: string): string | undefined {
  const locale = pollyLocale(tag);
  return locale && VOICES[locale];
}

/** The voice for a rendered message: every template's language has one (the test checks), else English. */
export function pollyVoice(tag: string): string {
  return findPollyVoice(tag) ?? findPollyVoice('en')!;
}
