// Types only: the list below is checked against twilio's own, and nothing of twilio is loaded.
import type VoiceResponse from 'twilio/lib/twiml/VoiceResponse';

export type SayLanguage = NonNullable<VoiceResponse.SayAttributes['language']>;

// Every locale <Say> accepts, as twilio's own types list them; the compiler checks each entry.
const SAY_LANGUAGES: readonly SayLanguage[] = [
  'af-ZA', 'am-ET', 'ar-AE', 'ar-XA', 'arb', 'bg-BG', 'bn-IN', 'ca-ES', 'cmn-CN', 'cmn-TW', 'cs-CZ', 'cy-GB',
  'da-DK', 'de-AT', 'de-DE', 'el-GR', 'en-AU', 'en-CA', 'en-GB', 'en-GB-WLS', 'en-IE', 'en-IN', 'en-NZ', 'en-US',
  'en-ZA', 'es-ES', 'es-MX', 'es-US', 'fi-FI', 'fil-PH', 'fr-CA', 'fr-FR', 'fr-BE', 'gu-IN', 'he-IL', 'hi-IN',
  'hu-HU', 'id-ID', 'is-IS', 'it-IT', 'ja-JP', 'kn-IN', 'ko-KR', 'lv-LV', 'ml-IN', 'mr-IN', 'ms-MY', 'nb-NO',
  'nl-BE', 'nl-NL', 'pa-IN', 'pl-PL', 'pt-BR', 'pt-PT', 'ro-RO', 'ru-RU', 'sk-SK', 'sr-RS', 'sv-SE', 'ta-IN',
  'te-IN', 'th-TH', 'tr-TR', 'uk-UA', 'vi-VN', 'yue-HK', 'zh-CN', 'zh-HK', 'zh-TW',
];

const BY_TAG = new Map(SAY_LANGUAGES.map((tag) => [tag.toLowerCase(), tag]));

// A bare language picks the locale most of its speakers expect; the rest take the first listed.
const PREFERRED: Record<string, SayLanguage> = { en: 'en-US', es: 'es-ES', fr: 'fr-FR', de: 'de-DE', pt: 'pt-BR', zh: 'zh-CN', nl: 'nl-NL', no: 'nb-NO' };

/**
 * The <Say> locale for a BCP 47 tag: exact match, else language and region without the script
 * (`zh-Hant-TW` -> `zh-TW`), else the language's usual locale, else en-US.
 */
export function sayLanguage(tag: string): SayLanguage {
  const subtags = tag.toLowerCase().split('-');
  const base = subtags[0];
  const exact = BY_TAG.get(subtags.join('-')) ?? (subtags.length > 2 ? BY_TAG.get(`${base}-${subtags.at(-1)}`) : undefined);
  if (exact) return exact;
  return PREFERRED[base] ?? SAY_LANGUAGES.find((candidate) => candidate.toLowerCase().startsWith(`${base}-`)) ?? 'en-US';
}

