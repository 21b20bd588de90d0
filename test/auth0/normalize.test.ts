import { compact, languageTag } from '../../auth0/forwarder/body';
import { fromCustomPhoneProviderEvent, fromHookArguments, fromSendPhoneMessageEvent } from '../../auth0/forwarder/normalize';

/** The mapping rules at their edges: absent fields, Auth0's action names, languages, oversized context. */

describe('absent fields', () => {
  it('are left out, never sent as null, and factor_type only comes from the Hook', () => {
    const body = fromSendPhoneMessageEvent({ message_options: { recipient: '+14155550123', code: '1234', text: null }, request: {}, user: {} });
    expect(body).toEqual({ recipient: '+14155550123', code: '1234' });
    expect(JSON.stringify(body)).not.toContain('null');

    expect(fromSendPhoneMessageEvent(undefined)).toEqual({});
    expect(fromHookArguments('+14155550123', undefined, { code: '1234', factor_type: 'first' })).toEqual({
      recipient: '+14155550123',
      code: '1234',
      factor_type: 'first',
    });
  });
});

describe('action', () => {
  it.each([
    ['second-factor-authentication', 'authentication'],
    ['enrollment', 'enrollment'],
    ['authentication', 'authentication'],
  ])('maps the Action and Hook value %s to %s', (auth0, contract) => {
    expect(fromSendPhoneMessageEvent({ message_options: { action: auth0 } }).action).toBe(contract);
    expect(fromHookArguments(undefined, undefined, { action: auth0 }).action).toBe(contract);
  });

  it.each([
    ['otp_verify', 'authentication'],
    ['otp_enroll', 'enrollment'],
    ['change_password', 'change_password'],
    ['blocked_account', 'blocked_account'],
    ['password_breach', 'password_breach'],
  ])('maps the custom-phone-provider message_type %s to %s', (auth0, contract) => {
    expect(fromCustomPhoneProviderEvent({ notification: { message_type: auth0 } }).action).toBe(contract);
  });

  it("carries Auth0's as_voice as voice_text, and no code for a notification without one", () => {
    expect(fromCustomPhoneProviderEvent({ notification: { recipient: '+14155550123', message_type: 'blocked_account', as_text: 'Blocked', as_voice: 'Your account is blocked', delivery_method: 'voice' } })).toEqual({
      recipient: '+14155550123',
      action: 'blocked_account',
      text: 'Blocked',
      voice_text: 'Your account is blocked',
      message_type: 'voice',
    });
  });

  it('maps delivery_method text to sms and voice to voice', () => {
    expect(fromCustomPhoneProviderEvent({ notification: { delivery_method: 'text' } }).message_type).toBe('sms');
    expect(fromCustomPhoneProviderEvent({ notification: { delivery_method: 'voice' } }).message_type).toBe('voice');
  });
});

describe('languageTag', () => {
  it.each([
    ['pt-BR', 'pt-BR'],
    ['en_US', 'en-US'],
    ['es-AR,es;q=0.8,en;q=0.5', 'es-AR'],
    ['fr;q=0.9', 'fr'],
    ['*', undefined],
    ['not a language', undefined],
    ['', undefined],
  ])('turns %j into %j', (input, expected) => {
    expect(languageTag(input)).toBe(expected);
  });
});

describe('compact', () => {
  it('drops oversized optional context rather than have the gateway refuse the message', () => {
    const body = compact({ recipient: '+14155550123', code: '1234', text: 'x'.repeat(1601), user_agent: 'u'.repeat(513), ip: '203.0.113.7', client_name: 'Acme' });
    expect(body).toEqual({ recipient: '+14155550123', code: '1234', ip: '203.0.113.7', client_name: 'Acme' });
  });

  it('reads the older Hook context shape (context.ip, context.client_id, context.name)', () => {
    expect(fromHookArguments('+14155550123', 'hi', { ip: '198.51.100.4', client_id: 'c1', name: 'App' })).toMatchObject({
      ip: '198.51.100.4',
      client_id: 'c1',
      client_name: 'App',
    });
  });
});
