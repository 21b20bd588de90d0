import VoiceResponse from 'twilio/lib/twiml/VoiceResponse';
import messages from '../../config/messages.json';
import { MAX_TWIML_LENGTH, voiceTwiml } from '../../lambda/providers/twilio/voice-twiml';
import { validateSendRequest } from '../../lambda/core/send-request';
import { MessageCatalog } from '../../lambda/core/templates';
import { voiceScript, type ScriptPart } from '../../lambda/core/voice-script';

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>';
const SCRIPT: ScriptPart[] = [{ pauseMs: 1000 }, { say: 'Ihr Code lautet: ' }, { digits: '482' }, { say: '.' }, { pauseMs: 1500 }, { digits: '482' }];

describe('voiceTwiml', () => {
  it('says the script in one <Say> that names the voice and its locale, with SSML breaks for every pause', () => {
    const digits = '4<break time="500ms"/>8<break time="500ms"/>2';
    expect(voiceTwiml(SCRIPT, 'de')).toBe(
      `${HEAD}<Response><Say voice="Polly.Vicki-Neural" language="de-DE"><break time="1000ms"/>Ihr Code lautet: ${digits}.<break time="1500ms"/>${digits}</Say></Response>`,
    );
  });

  it('builds the same document as the twilio library itself', () => {
    const expected = new VoiceResponse();
    const say = expected.say({ voice: 'Polly.Mia-Neural', language: 'es-MX' }, 'Hola: ');
    say.addText('9');
    say.break({ time: '500ms' });
    say.addText('1');
    expect(voiceTwiml([{ say: 'Hola: ' }, { digits: '91' }], 'es-MX')).toBe(expected.toString());
  });

  it.each([
    ['quotes, apostrophes and a CDATA end', `Say "it" isn't ]]> done`],
    ['line breaks and tabs', 'one\r\ntwo\tthree\n'],
    ['markup and entities', '<Dial>&amp; &#x41; &lt;</Dial>'],
    ['non-Latin scripts and emoji', 'Код: 你好 🔐 مرحبا'],
  ])('escapes %s exactly as twilio\'s own builder does', (_case, text) => {
    const expected = new VoiceResponse();
    const say = expected.say({ voice: 'Polly.Joanna-Neural', language: 'en-US' }, text);
    say.break({ time: '500ms' });
    say.addText('7');
    expect(voiceTwiml([{ say: text }, { pauseMs: 500 }, { digits: '7' }], 'en')).toBe(expected.toString());
  });

  it('drops characters XML cannot carry, where twilio\'s builder would throw and the call would not go out', () => {
    const text = 'Acme\u0000\u0007 Bank\uFFFF \uD800';
    expect(() => new VoiceResponse().say({}, text).toString()).toThrow(/Invalid character/);
    expect(voiceTwiml([{ say: text }, { digits: '1' }], 'en')).toContain('>Acme Bank 1</Say>');
  });

  it('escapes XML in the text, so a template cannot inject TwiML', () => {
    const twiml = voiceTwiml([{ say: 'Tom & Jerry <Dial>+15005550006</Dial> ]]> ' }, { digits: '1' }], 'en');
    expect(twiml).toBe(
      `${HEAD}<Response><Say voice="Polly.Joanna-Neural" language="en-US">Tom &amp; Jerry &lt;Dial&gt;+15005550006&lt;/Dial&gt; ]]&gt; 1</Say></Response>`,
    );
    expect(twiml).not.toContain('<Dial>');
  });

  it('keeps non-ASCII text as is', () => {
    expect(voiceTwiml([{ say: 'Olá. O seu código é: ' }], 'pt-BR')).toContain('<Say voice="Polly.Camila-Neural" language="pt-BR">Olá. O seu código é: </Say>');
  });

  it('drops the sentences of a script Twilio would refuse as too long, never the digits', () => {
    const script = voiceScript(`${'&'.repeat(1000)} 9 8 7 6`, '9876');
    const twiml = voiceTwiml(script, 'en');
    expect(twiml.length).toBeLessThanOrEqual(MAX_TWIML_LENGTH);
    expect(twiml).not.toContain('&amp;');
    expect(twiml.match(/9<break time="500ms"\/>8<break time="500ms"\/>7<break time="500ms"\/>6/g)).toHaveLength(3);
  });
});

describe('every voice template of config/messages.json', () => {
  // The longest values a request can carry (core/send-request.ts), in the character XML escapes longest.
  const WORST = { code: '0123456789', client_name: '&'.repeat(512), tenant: '&'.repeat(512), text: 'a'.repeat(1600) };
  const catalog = MessageCatalog.load(messages);
  const templates = Object.entries(messages.applications).flatMap(([app, { templates }]) =>
    Object.entries(templates as Record<string, { voice?: Record<string, string> }>).flatMap(([action, channels]) =>
      Object.keys(channels.voice ?? {}).map((language) => ({ app, action, language })),
    ),
  );

  function worstTwiml({ app, action, language }: (typeof templates)[number]) {
    const request = validateSendRequest({ recipient: '+14155550123', message_type: 'voice', action, language, ...WORST, ...(app !== 'default' && { client_id: app }) });
    const rendered = catalog.render(request);
    expect(rendered.source).toBe(`${app}/${action}/voice/${language.toLowerCase()}`);
    const script = voiceScript(rendered.body, WORST.code);
    return { script, twiml: voiceTwiml(script, rendered.language) };
  }

  it('is found (the test covers them all)', () => {
    expect(templates.length).toBeGreaterThanOrEqual(10);
  });

  it.each(templates)('$app/$action/voice/$language stays within the 4,000 characters of Twiml, sentence and all, at its longest', (template) => {
    const { script, twiml } = worstTwiml(template);
    expect(twiml.length).toBeLessThanOrEqual(MAX_TWIML_LENGTH);
    // Every sentence survived: the fallback for oversized scripts did not kick in.
    for (const part of script) if ('say' in part) expect(twiml).toContain(part.say.replace(/&/g, '&amp;'));
    expect(twiml.match(/0<break time="500ms"\/>1<break/g)).toHaveLength(3);
  });
});
