import { GatewayError } from '../../lambda/core/errors';
import { parseJsonBody, validateSendRequest } from '../../lambda/core/send-request';

// Not the example number the error messages quote (+14155550123).
const RECIPIENT = '+16502530000';
const CODE = '482913';

function valid(extra: Record<string, unknown> = {}) {
  return validateSendRequest({ recipient: RECIPIENT, code: CODE, ...extra });
}

/** The GatewayError a body is refused with. */
function refusal(body: Record<string, unknown>): GatewayError {
  try {
    validateSendRequest(body);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error('the body was accepted');
}

describe('parseJsonBody', () => {
  it('returns the parsed object', () => {
    expect(parseJsonBody('{"recipient":"+16502530000","n":1}')).toEqual({ recipient: RECIPIENT, n: 1 });
  });

  it.each([
    ['empty', ''],
    ['truncated', '{"recipient": '],
    ['not JSON at all', 'recipient=+16502530000'],
  ])('refuses a body that is %s with invalid_request', (_case, raw) => {
    expect(() => parseJsonBody(raw)).toThrow(expect.objectContaining({ code: 'invalid_request', message: 'The request body is not valid JSON.' }));
  });

  it.each([
    ['an array', '[]'],
    ['null', 'null'],
    ['a string', '"+16502530000"'],
    ['a number', '42'],
  ])('refuses JSON that is %s with invalid_request', (_case, raw) => {
    expect(() => parseJsonBody(raw)).toThrow(expect.objectContaining({ code: 'invalid_request', message: 'The request body must be a JSON object.' }));
  });
});

describe('validateSendRequest', () => {
  describe('defaults', () => {
    it('applies the contract defaults to a minimal body', () => {
      expect(valid()).toEqual({
        recipient: { e164: RECIPIENT, country: 'US', callingCode: '1' },
        code: CODE,
        text: undefined,
        voiceText: undefined,
        channel: 'sms',
        action: 'authentication',
        language: 'en',
        factorType: undefined,
        clientId: undefined,
        clientName: undefined,
        userId: undefined,
        ip: undefined,
        userAgent: undefined,
        tenant: undefined,
        provider: undefined,
      });
    });

    it('treats null and empty strings in optional fields as absent, so defaults apply', () => {
      const request = valid({ message_type: '', language: null, action: '', text: '', client_id: null, tenant: '' });
      expect(request).toMatchObject({ channel: 'sms', language: 'en', action: 'authentication', text: undefined, clientId: undefined, tenant: undefined });
    });

    it('maps every field of a full body', () => {
      const request = valid({
        text: 'Your code is 482913',
        voice_text: 'Your code is 4 8 2 9 1 3',
        message_type: 'voice',
        action: 'enrollment',
        language: 'pt-BR',
        factor_type: 'second',
        client_id: 'abc123',
        client_name: 'Acme',
        user_id: 'auth0|42',
        ip: '203.0.113.7',
        user_agent: 'Mozilla/5.0',
        tenant: 'acme-prod',
        provider: 'aws',
      });
      expect(request).toEqual({
        recipient: { e164: RECIPIENT, country: 'US', callingCode: '1' },
        code: CODE,
        text: 'Your code is 482913',
        voiceText: 'Your code is 4 8 2 9 1 3',
        channel: 'voice',
        action: 'enrollment',
        language: 'pt-BR',
        factorType: 'second',
        clientId: 'abc123',
        clientName: 'Acme',
        userId: 'auth0|42',
        ip: '203.0.113.7',
        userAgent: 'Mozilla/5.0',
        tenant: 'acme-prod',
        provider: 'aws',
      });
    });

    it.each(['console', 'AWS', 'sns', 'twilio,aws'])('refuses a provider the body may not name (%s)', (provider) => {
      expect(() => valid({ provider })).toThrow(expect.objectContaining({ code: 'invalid_request', message: 'Field "provider" must be "twilio" or "aws".' }));
    });

    it('ignores unknown fields', () => {
      expect(valid({ extra: { nested: true }, locale: 'fr' })).toEqual(valid());
    });

    it('passes actions other than the notification types through, as code-bearing ones', () => {
      expect(valid({ action: 'password-reset' }).action).toBe('password-reset');
      expect(refusal({ recipient: RECIPIENT, action: 'password-reset' }).message).toBe('Field "code" is required.');
    });
  });

  describe('notification types', () => {
    it.each(['blocked_account', 'password_breach'])('accepts %s without a code, and ignores a code sent with it', (action) => {
      expect(validateSendRequest({ recipient: RECIPIENT, action })).toMatchObject({ action, code: undefined });
      expect(validateSendRequest({ recipient: RECIPIENT, action, code: CODE }).code).toBeUndefined();
      expect(validateSendRequest({ recipient: RECIPIENT, action, code: 'not digits' }).code).toBeUndefined();
    });

    it('accepts change_password with or without a code, and checks a code it carries', () => {
      expect(validateSendRequest({ recipient: RECIPIENT, action: 'change_password' }).code).toBeUndefined();
      expect(validateSendRequest({ recipient: RECIPIENT, action: 'change_password', code: '' }).code).toBeUndefined();
      expect(validateSendRequest({ recipient: RECIPIENT, action: 'change_password', code: CODE }).code).toBe(CODE);
      expect(refusal({ recipient: RECIPIENT, action: 'change_password', code: '12ab' }).message).toBe('Field "code" must be 4 to 10 digits.');
    });

    it.each(['authentication', 'enrollment'])('refuses %s without a code', (action) => {
      expect(refusal({ recipient: RECIPIENT, action }).message).toBe('Field "code" is required.');
    });
  });

  describe('recipient', () => {
    it.each([
      ['missing', {}],
      ['null', { recipient: null }],
      ['empty', { recipient: '' }],
    ])('is required (%s)', (_case, fields) => {
      const error = refusal({ code: CODE, ...fields });
      expect(error.code).toBe('invalid_request');
      expect(error.message).toBe('Field "recipient" is required.');
    });

    it('must be a string', () => {
      const error = refusal({ recipient: 14155550123, code: CODE });
      expect(error.code).toBe('invalid_request');
      expect(error.message).toBe('Field "recipient" must be a string.');
    });

    it.each(['+1 650 253 0000', '16502530000', '+99912345678', '+10005550123'])('refuses %s with invalid_recipient, without echoing it', (recipient) => {
      const error = refusal({ recipient, code: CODE });
      expect(error.code).toBe('invalid_recipient');
      expect(error.status).toBe(400);
      expect(error.message).toContain('"recipient"');
      expect(error.message).not.toContain(recipient);
      expect(error.message).not.toContain(recipient.replace(/\D/g, ''));
    });
  });

  describe('code', () => {
    it('is required', () => {
      expect(refusal({ recipient: RECIPIENT }).message).toBe('Field "code" is required.');
      expect(refusal({ recipient: RECIPIENT, code: '' }).message).toBe('Field "code" is required.');
    });

    it('must be a string, not a number', () => {
      const error = refusal({ recipient: RECIPIENT, code: 482913 });
      expect(error.code).toBe('invalid_request');
      expect(error.message).toBe('Field "code" must be a string.');
    });

    it.each(['4829', '0000', '1234567890'])('accepts %s (4 to 10 digits)', (code) => {
      expect(valid({ code }).code).toBe(code);
    });

    it.each([
      ['3 digits', '987'],
      ['11 digits', '98765432109'],
      ['letters', 'abcdef'],
      ['a space', '987 654'],
      ['a sign', '-98765'],
      ['a decimal point', '9876.5'],
      ['full-width digits', '９８７６５４'],
      ['a trailing newline', '987654\n'],
    ])('refuses %s without echoing the value', (_case, code) => {
      const error = refusal({ recipient: RECIPIENT, code });
      expect(error.code).toBe('invalid_request');
      expect(error.message).toBe('Field "code" must be 4 to 10 digits.');
      expect(error.message).not.toContain(code.trim());
    });
  });

  describe('message_type', () => {
    it.each(['sms', 'voice'] as const)('accepts %s as the channel', (type) => {
      expect(valid({ message_type: type }).channel).toBe(type);
    });

    it.each(['email', 'SMS', 'call'])('refuses %s', (type) => {
      const error = refusal({ recipient: RECIPIENT, code: CODE, message_type: type });
      expect(error.code).toBe('invalid_request');
      expect(error.message).toBe('Field "message_type" must be "sms" or "voice".');
    });
  });

  describe('language', () => {
    it.each(['en', 'pt-BR', 'zh-Hant-TW', 'es-419', 'fil'])('accepts the BCP 47 tag %s as given', (language) => {
      expect(valid({ language }).language).toBe(language);
    });

    it.each(['e', 'english', 'pt_BR', 'pt-', '../etc', 'en-a'])('refuses %s', (language) => {
      const error = refusal({ recipient: RECIPIENT, code: CODE, language });
      expect(error.code).toBe('invalid_request');
      expect(error.message).toBe('Field "language" must be a BCP 47 language tag, like "en" or "pt-BR".');
    });

    it('is at most 35 characters', () => {
      const language = `en-${'abcdefgh-'.repeat(3)}abcde`;
      expect(language).toHaveLength(35);
      expect(valid({ language }).language).toBe(language);
      expect(refusal({ recipient: RECIPIENT, code: CODE, language: `${language}e` }).message).toBe('Field "language" must be at most 35 characters.');
    });
  });

  describe('factor_type', () => {
    it.each(['first', 'second'] as const)('accepts %s', (factorType) => {
      expect(valid({ factor_type: factorType }).factorType).toBe(factorType);
    });

    it('refuses any other value', () => {
      expect(refusal({ recipient: RECIPIENT, code: CODE, factor_type: 'third' }).message).toBe('Field "factor_type" must be "first" or "second".');
    });
  });

  describe('optional strings', () => {
    const FIELDS = ['text', 'voice_text', 'message_type', 'action', 'language', 'factor_type', 'client_id', 'client_name', 'user_id', 'ip', 'user_agent', 'tenant'];

    it.each(FIELDS)('%s must be a string', (field) => {
      for (const value of [42, true, {}, ['x']]) {
        const error = refusal({ recipient: RECIPIENT, code: CODE, [field]: value });
        expect(error.code).toBe('invalid_request');
        expect(error.message).toBe(`Field "${field}" must be a string.`);
      }
    });

    it.each([
      ['text', 1600],
      ['voice_text', 1600],
      ['action', 64],
      ['ip', 64],
      ['client_id', 512],
      ['client_name', 512],
      ['user_id', 512],
      ['user_agent', 512],
      ['tenant', 512],
    ])('%s is at most %i characters', (field, max) => {
      expect(() => valid({ [field]: 'x'.repeat(max) })).not.toThrow();
      const error = refusal({ recipient: RECIPIENT, code: CODE, [field]: 'x'.repeat(max + 1) });
      expect(error.code).toBe('invalid_request');
      expect(error.message).toBe(`Field "${field}" must be at most ${max} characters.`);
    });
  });

  describe('error messages', () => {
    it('never contain the code or the recipient, whatever field is wrong', () => {
      const bodies = [
        { recipient: RECIPIENT, code: '98765', message_type: 'fax' },
        { recipient: RECIPIENT, code: '98765', language: 'x' },
        { recipient: RECIPIENT, code: '98765', text: 'y'.repeat(1601) },
        { recipient: RECIPIENT, code: '98765', client_id: 7 },
        { recipient: '+1650253', code: '98765' },
        { recipient: RECIPIENT, code: '98765x' },
      ];
      for (const body of bodies) {
        const { message } = refusal(body);
        expect(message).not.toContain('98765');
        expect(message).not.toContain('6502530000');
        expect(message).not.toContain('1650253');
      }
    });
  });
});
