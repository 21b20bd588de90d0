import { readFileSync } from 'node:fs';
import messages from '../../config/messages.json';
import voices from '../../config/voices.json';
import { findSayVoice, sayVoice, voicelessTemplates } from '../../lambda/providers/twilio/say-voice';

/**
 * config/voices.json against twilio's own lists of <Say> voices and locales (the package's
 * TwiML types, generated from Twilio's API definitions), and against every voice template of
 * config/messages.json, whatever languages and notification types it holds.
 */

function twilioUnion(name: string): Set<string> {
  const types = readFileSync(require.resolve('twilio/lib/twiml/VoiceResponse.d.ts'), 'utf8');
  const union = new RegExp(`type ${name} = ([^;]+);`).exec(types);
  if (!union) throw new Error(`twilio's VoiceResponse.d.ts has no type ${name}`);
  return new Set([...union[1].matchAll(/"([^"]+)"/g)].map((match) => match[1]));
}

const table = Object.entries(voices.twilio);

describe('config/voices.json', () => {
  it('names only voices and locales twilio knows', () => {
    const sayVoices = twilioUnion('SayVoice');
    const sayLanguages = twilioUnion('SayLanguage');
    expect(sayVoices.size).toBeGreaterThan(100);
    expect(table.filter(([, voice]) => !sayVoices.has(voice))).toEqual([]);
    expect(table.filter(([locale]) => !sayLanguages.has(locale))).toEqual([]);
  });

  it('uses neural voices, which support the SSML <break> of the script (no Chirp3-HD or Generative voice)', () => {
    expect(table.filter(([, voice]) => !/^Polly\.\w+-Neural$|^Google\.[\w-]+-(Neural2|Wavenet)-[A-Z]$/.test(voice))).toEqual([]);
  });

  it('gives a Google voice only to the locale in its name', () => {
    const google = table.filter(([, voice]) => voice.startsWith('Google.'));
    expect(google.filter(([locale, voice]) => !voice.toLowerCase().startsWith(`google.${locale.toLowerCase()}-`))).toEqual([]);
  });

  it('points every bare language at a locale of the table', () => {
    expect(Object.entries(voices.locales).filter(([, locale]) => !(locale in voices.twilio))).toEqual([]);
  });

  it('says where it comes from and when it was checked', () => {
    expect(voices.source).toMatch(/https:\/\/www\.twilio\.com\/docs\/voice\/twiml\/say/);
    expect(voices.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('every voice template has a voice', () => {
  it('in config/messages.json, in its own language', () => {
    expect(voicelessTemplates(messages)).toEqual([]);
  });

  it('and a template in a language without one is named by its path', () => {
    const catalog = {
      applications: {
        default: { templates: { authentication: { sms: { xx: '{{ code }}' }, voice: { en: '{{ voice_code }}', 'es-AR': '{{ voice_code }}' } } } },
        abc: { templates: { enrollment: { voice: { tlh: '{{ voice_code }}' } } } },
      },
    };
    expect(voicelessTemplates(catalog)).toEqual(['applications.abc.templates.enrollment.voice.tlh']);
  });
});

describe('findSayVoice', () => {
  it.each([
    ['en-GB', 'Polly.Amy-Neural', 'en-GB'],
    ['EN-gb', 'Polly.Amy-Neural', 'en-GB'],
    ['es-MX', 'Polly.Mia-Neural', 'es-MX'],
    ['pt-br', 'Polly.Camila-Neural', 'pt-BR'],
    ['fr-CA', 'Polly.Gabrielle-Neural', 'fr-CA'],
  ])('uses the voice of the locale itself (%s)', (tag, voice, language) => {
    expect(findSayVoice(tag)).toEqual({ voice, language });
  });

  it.each([
    ['en', 'en-US'],
    ['es', 'es-ES'],
    ['fr', 'fr-FR'],
    ['de', 'de-DE'],
    ['pt', 'pt-PT'],
  ])('reads a bare %s in its usual locale %s', (tag, language) => {
    expect(findSayVoice(tag)?.language).toBe(language);
  });

  it.each([
    ['es-AR', 'es-ES'],
    ['de-CH', 'de-DE'],
    ['en-SG', 'en-US'],
    ['fr-Latn-BE', 'fr-FR'],
  ])("falls back along the language chain when a region has no voice (%s: %s)", (tag, language) => {
    expect(findSayVoice(tag)?.language).toBe(language);
  });

  it.each(['xx', 'tlh', 'ja-JP'])('finds nothing for a language the table does not speak (%s)', (tag) => {
    expect(findSayVoice(tag)).toBeUndefined();
  });
});

describe('sayVoice', () => {
  it("falls back to English for a language no voice speaks: only the built-in English text gets there", () => {
    expect(sayVoice('xx')).toEqual({ voice: 'Polly.Joanna-Neural', language: 'en-US' });
    expect(sayVoice('es-MX')).toEqual({ voice: 'Polly.Mia-Neural', language: 'es-MX' });
  });
});
