import { aws, locales } from '../../../config/voices.json';
import { languageChain } from '../../core/templates';

/**
 * The Amazon Polly voice of a call through AWS End User Messaging: SendVoiceMessage's VoiceId,
 * one of the standard voices its API lists (config/voices.json, `aws`, checked against AWS's
 * own list by test/unit/polly-voice.test.ts). The voice alone picks the language it speaks.
 */

const VOICES: Record<string, string> = aws;
const LOCALES: Record<string, string | undefined> = locales;
const BY_TAG = new Map(Object.keys(VOICES).map((locale) => [locale.toLowerCase(), locale]));

/**
 * The voice for a language, following its chain as Twilio's does (say-voice.ts): `es-MX`, then
 * `es`, whose usual locale is `es-ES`. Undefined when no step of the chain has one.
 */
export function findPollyVoice(tag: string): string | undefined {
  for (const step of languageChain(tag)) {
    const locale = BY_TAG.get(step) ?? BY_TAG.get(LOCALES[step]?.toLowerCase() ?? '');
    if (locale) return VOICES[locale];
  }
  return undefined;
}

/** The voice for a rendered message: every template's language has one (the test checks), else English. */
export function pollyVoice(tag: string): string {
  return findPollyVoice(tag) ?? findPollyVoice('en')!;
}
