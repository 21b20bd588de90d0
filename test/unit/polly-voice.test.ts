import { VoiceId } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import messages from '../../config/messages.json';
import voices from '../../config/voices.json';
import { findPollyVoice, pollyVoice } from '../../lambda/providers/aws-sms/polly-voice';
import { voiceSsml, MAX_SSML_LENGTH } from '../../lambda/providers/aws-sms/ssml';
import { voiceScript } from '../../lambda/core/voice-script';

/**
 * The voices of calls through AWS End User Messaging (config/voices.json, `aws`) against AWS's
 * own list of SendVoiceMessage's VoiceId (the enum of @aws-sdk/client-pinpoint-sms-voice-v2,
 * generated from the service model), against Twilio's table of the same locales, and against
 * every voice template of config/messages.json; and the SSML a call's script becomes.
 */

const table = Object.entries(voices.aws);

describe('config/voices.json, aws', () => {
  it("names only voices AWS End User Messaging offers", () => {
    expect(table.filter(([, voice]) => !(Object.values(VoiceId) as string[]).includes(voice))).toEqual([]);
  });

  it("spells its locales as Twilio's table does, and covers every bare language's usual locale", () => {
    expect(table.filter(([locale]) => !(locale in voices.twilio))).toEqual([]);
    expect(Object.values(voices.locales).filter((locale) => !(locale in voices.aws))).toEqual([]);
  });

  it("uses the same Polly speaker as Twilio's table wherever AWS offers that speaker", () => {
    const offered = new Set(Object.values(VoiceId) as string[]);
    const differing = table.filter(([locale, voice]) => {
      const twilio = /^Polly\.(\w+)-Neural$/.exec(voices.twilio[locale as keyof typeof voices.twilio])?.[1]?.toUpperCase();
      return twilio !== undefined && offered.has(twilio) && twilio !== voice;
    });
    expect(differing).toEqual([]);
  });

  it('says where it comes from', () => {
    expect(voices.aws_source).toMatch(/apireference_smsvoicev2\/API_SendVoiceMessage\.html/);
  });

  it('has a voice for every language of a voice template in config/messages.json', () => {
    type Catalog = { applications: Record<string, { templates?: Record<string, { voice?: Record<string, unknown> }> }> };
    const languages = Object.values((messages as Catalog).applications).flatMap(({ templates = {} }) => Object.values(templates).flatMap((channels) => Object.keys(channels.voice ?? {})));
    expect(languages.length).toBeGreaterThan(0);
    expect(languages.filter((language) => findPollyVoice(language) === undefined)).toEqual([]);
  });
});

describe('findPollyVoice', () => {
  it.each([
    ['en', 'JOANNA'],
    ['en-GB', 'AMY'],
    ['es-MX', 'MIA'],
    ['pt-br', 'CAMILA'],
    ['fr-CA', 'CHANTAL'],
    // No AWS voice for the region: the language's usual locale.
    ['en-IE', 'JOANNA'],
    ['de-AT', 'VICKI'],
    ['es-AR', 'LUCIA'],
  ])('%s: %s', (tag, voice) => {
    expect(findPollyVoice(tag)).toBe(voice);
  });

  it('finds nothing for a language the table does not speak; the call then speaks English', () => {
    expect(findPollyVoice('tlh')).toBeUndefined();
    expect(pollyVoice('tlh')).toBe('JOANNA');
  });
});

describe('voiceSsml', () => {
  it('reads the script: a pause, the sentence, the digits one by one, twice more', () => {
    expect(voiceSsml(voiceScript('Your code is 4 8 2.', '482'))).toBe(
      '<speak><break time="1000ms"/>Your code is 4<break time="500ms"/>8<break time="500ms"/>2.' +
        '<break time="1500ms"/>4<break time="500ms"/>8<break time="500ms"/>2' +
        '<break time="1500ms"/>4<break time="500ms"/>8<break time="500ms"/>2</speak>',
    );
  });

  it('escapes the text, so that a template cannot inject SSML', () => {
    expect(voiceSsml([{ say: `<break time="10s"/> & "Acme's"` }])).toBe(`<speak>&lt;break time="10s"/&gt; &amp; "Acme's"</speak>`);
  });

  it('keeps the digits and drops the sentence when the SSML would exceed what SendVoiceMessage takes', () => {
    const ssml = voiceSsml(voiceScript(`${'Hello from a very long application name. '.repeat(200)}Your code is 4 8 2.`, '482'));
    expect(ssml.length).toBeLessThanOrEqual(MAX_SSML_LENGTH);
    expect(ssml).toBe(
      '<speak><break time="1000ms"/>4<break time="500ms"/>8<break time="500ms"/>2<break time="1500ms"/>4<break time="500ms"/>8<break time="500ms"/>2<break time="1500ms"/>4<break time="500ms"/>8<break time="500ms"/>2</speak>',
    );
  });
});
