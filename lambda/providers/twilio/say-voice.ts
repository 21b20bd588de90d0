// Types only: nothing of twilio is loaded here.
import type VoiceResponse from 'twilio/lib/twiml/VoiceResponse';
import { twilio } from '../../../config/voices.json';
import { localeFinder } from '../voice-locale';

type Attributes = Required<Pick<VoiceResponse.SayAttributes, 'voice' | 'language'>>;

/** The two <Say> attributes that pick who speaks: a voice, and the locale it speaks. */
export interface SayVoice {
  voice: Attributes['voice'];
  language: Attributes['language'];
}

const VOICES = twilio as Record<string, SayVoice['voice']>;
const sayLocale = localeFinder(VOICES) as (tag: string) => SayVoice['language'] | undefined;

/**
 * The voice of config/voices.json for a language, following its chain (`es-MX`, then `es`, whose
 * locale is `es-ES`); undefined when no step of the chain has one.
 */
export function findSayVoice(tag: string): SayVoice | undefined {
  const language = sayLocale(tag);
  return language && { voice: VOICES[language], language };
}

/**
 * The voice for a rendered message. Every voice template's language has one (checked by
 * test/unit/say-voice.test.ts and at synth); only the built-in English text or a language no
 * template offers falls back, to English.
 */
export function sayVoice(tag: string): SayVoice {
  return findSayVoice(tag) ?? findSayVoice('en')!;
}

type RawCatalog = { applications?: Record<string, { templates?: Record<string, { voice?: Record<string, unknown> }> }> };

/**
 * The voice templates of a catalog (config/messages.json, already validated by MessageCatalog)
 * whose language no voice speaks, by path: `cdk synth` refuses them, so that a new language
 * gets its voice in config/voices.json before it reaches a phone.
 */
export function voicelessTemplates(catalog: unknown): string[] {
  const missing: string[] = [];
  for (const [app, { templates = {} }] of Object.entries((catalog as RawCatalog).applications ?? {})) {
    for (const [action, channels] of Object.entries(templates)) {
      for (const language of Object.keys(channels.voice ?? {})) {
        if (!findSayVoice(language)) missing.push(`applications.${app}.templates.${action}.voice.${language}`);
      }
    }
  }
  return missing;
}
