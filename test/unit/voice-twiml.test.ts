import VoiceResponse from 'twilio/lib/twiml/VoiceResponse';
import { sayLanguage } from '../../lambda/adapters/say-language';
import { voiceTwiml } from '../../lambda/adapters/voice-twiml';

describe('sayLanguage', () => {
  it.each([
    ['en-GB', 'en-GB'],
    ['es-MX', 'es-MX'],
    ['pt-PT', 'pt-PT'],
    ['fr-CA', 'fr-CA'],
    ['cmn-TW', 'cmn-TW'],
  ])('uses the exact locale %s when <Say> has it', (tag, locale) => {
    expect(sayLanguage(tag)).toBe(locale);
  });

  it('matches without regard to case and returns Twilio\'s spelling', () => {
    expect(sayLanguage('EN-gb')).toBe('en-GB');
    expect(sayLanguage('pt-br')).toBe('pt-BR');
  });

  it.each([
    ['en', 'en-US'],
    ['es', 'es-ES'],
    ['fr', 'fr-FR'],
    ['de', 'de-DE'],
    ['pt', 'pt-BR'],
    ['zh', 'zh-CN'],
    ['nl', 'nl-NL'],
  ])('reads a bare %s in its usual locale %s', (tag, locale) => {
    expect(sayLanguage(tag)).toBe(locale);
  });

  it.each([
    ['zh-Hant-TW', 'zh-TW'],
    ['zh-Hans-CN', 'zh-CN'],
  ])('drops the script subtag of %s to find %s', (tag, locale) => {
    expect(sayLanguage(tag)).toBe(locale);
  });

  it.each([
    ['es-AR', 'es-ES'],
    ['en-SG', 'en-US'],
    ['de-CH', 'de-DE'],
  ])('reads a region <Say> lacks (%s) in the language\'s usual locale (%s)', (tag, locale) => {
    expect(sayLanguage(tag)).toBe(locale);
  });

  it.each([
    ['it', 'it-IT'],
    ['ja', 'ja-JP'],
    ['ar', 'ar-AE'],
    ['nb', 'nb-NO'],
    ['no', 'nb-NO'],
  ])('reads another language (%s) in its first listed locale (%s)', (tag, locale) => {
    expect(sayLanguage(tag)).toBe(locale);
  });

  it.each(['xx', 'tlh', 'e'])('falls back to en-US for a language <Say> does not speak (%s)', (tag) => {
    expect(sayLanguage(tag)).toBe('en-US');
  });
});

describe('voiceTwiml', () => {
  it('says the sentence, pauses, and says it again, in the <Say> locale of the language', () => {
    const say = '<Say language="de-DE">Ihr Code lautet: 1 2 3 4.</Say>';
    expect(voiceTwiml('Ihr Code lautet: 1 2 3 4.', 'de')).toBe(`<?xml version="1.0" encoding="UTF-8"?><Response>${say}<Pause length="1"/>${say}</Response>`);
  });

  it('builds the same document as the twilio library itself', () => {
    const expected = new VoiceResponse();
    expected.say({ language: 'es-MX' }, 'Hola: 4 8 2 9.');
    expected.pause({ length: 1 });
    expected.say({ language: 'es-MX' }, 'Hola: 4 8 2 9.');
    expect(voiceTwiml('Hola: 4 8 2 9.', 'es-MX')).toBe(expected.toString());
  });

  it('escapes XML in the sentence, so a template cannot inject TwiML', () => {
    const twiml = voiceTwiml('Tom & Jerry <Dial>+15005550006</Dial> ]]> 1 2 3', 'en');
    const escaped = 'Tom &amp; Jerry &lt;Dial&gt;+15005550006&lt;/Dial&gt; ]]&gt; 1 2 3';
    expect(twiml).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Say language="en-US">${escaped}</Say><Pause length="1"/><Say language="en-US">${escaped}</Say></Response>`,
    );
    expect(twiml).not.toContain('<Dial>');
  });

  it('keeps non-ASCII text as is', () => {
    expect(voiceTwiml('Olá. O seu código é: 1 2 3 4.', 'pt-BR')).toContain('<Say language="pt-BR">Olá. O seu código é: 1 2 3 4.</Say>');
  });
});
