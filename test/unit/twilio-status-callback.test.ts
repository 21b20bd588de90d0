import { ConfigurationError, GatewayError } from '../../lambda/core/errors';
import type { GatewaySecrets } from '../../lambda/core/gateway-secrets';
import type { ProviderSecrets } from '../../lambda/providers/secret';
import { classifyStatusCallback, TwilioStatusCallbacks } from '../../lambda/providers/twilio/status-callback';

/**
 * Twilio's status callbacks read into the gateway's DeliveryReport: the fields of the form
 * (Twilio's status callback parameters for Messages and Calls), and the signature check before
 * anything is read. The real signature code runs in test/integration/status.test.ts.
 */

const AUTH_TOKEN = 'twilio-auth-token';
const SIGNING_SECRETS = ['whsec_AAAA'];

describe('classifyStatusCallback', () => {
  it.each([
    ['delivered', 'delivered'],
    ['undelivered', 'undelivered'],
    ['failed', 'failed'],
  ])('counts the message status %s as %s', (status, outcome) => {
    expect(classifyStatusCallback({ MessageSid: 'SM1', MessageStatus: status })).toEqual({ provider: 'twilio', channel: 'sms', messageId: 'SM1', status, outcome, errorCode: 'none' });
  });

  it.each(['accepted', 'scheduled', 'queued', 'sending', 'sent', 'receiving', 'received', 'read', 'canceled', 'partially_delivered'])(
    'counts nothing for the message status %s',
    (status) => {
      expect(classifyStatusCallback({ MessageSid: 'SM1', MessageStatus: status })).toMatchObject({ channel: 'sms', status, outcome: undefined });
    },
  );

  it.each([
    ['completed', 'delivered'],
    ['busy', 'undelivered'],
    ['no-answer', 'undelivered'],
    ['failed', 'failed'],
    ['canceled', 'failed'],
  ])('counts the call status %s as %s', (status, outcome) => {
    expect(classifyStatusCallback({ CallSid: 'CA1', CallStatus: status })).toEqual({ provider: 'twilio', channel: 'voice', messageId: 'CA1', status, outcome, errorCode: 'none' });
  });

  it.each(['machine_start', 'machine_end_beep', 'machine_end_silence', 'machine_end_other', 'fax'])(
    'counts a completed call a machine answered (AnsweredBy %s) as undelivered, with the reason machine',
    (answeredBy) => {
      expect(classifyStatusCallback({ CallSid: 'CA1', CallStatus: 'completed', AnsweredBy: answeredBy })).toEqual({
        provider: 'twilio',
        channel: 'voice',
        messageId: 'CA1',
        status: 'completed',
        outcome: 'undelivered',
        errorCode: 'machine',
      });
    },
  );

  it.each(['human', 'unknown', ''])('counts a completed call as delivered when detection says %j (or did not run)', (answeredBy) => {
    expect(classifyStatusCallback({ CallSid: 'CA1', CallStatus: 'completed', AnsweredBy: answeredBy })).toMatchObject({ outcome: 'delivered', errorCode: 'none' });
  });

  it('keeps the outcome of a call that did not complete, whatever AnsweredBy says', () => {
    expect(classifyStatusCallback({ CallSid: 'CA1', CallStatus: 'no-answer', AnsweredBy: 'machine_start' })).toMatchObject({ outcome: 'undelivered', errorCode: 'none' });
    expect(classifyStatusCallback({ CallSid: 'CA1', CallStatus: 'busy', AnsweredBy: 'fax' })).toMatchObject({ outcome: 'undelivered', errorCode: 'none' });
  });

  it('reads AnsweredBy only on calls', () => {
    expect(classifyStatusCallback({ MessageSid: 'SM1', MessageStatus: 'delivered', AnsweredBy: 'machine_start' })).toMatchObject({ outcome: 'delivered' });
  });

  it.each(['queued', 'initiated', 'ringing', 'in-progress'])('counts nothing for the call status %s', (status) => {
    expect(classifyStatusCallback({ CallSid: 'CA1', CallStatus: status })).toMatchObject({ channel: 'voice', status, outcome: undefined });
  });

  it('reads the status without regard to case', () => {
    expect(classifyStatusCallback({ MessageSid: 'SM1', MessageStatus: 'Delivered' })).toMatchObject({ status: 'delivered', outcome: 'delivered' });
  });

  it("keeps Twilio's ErrorCode, trimmed, and says none when there is none", () => {
    expect(classifyStatusCallback({ MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '30003' }).errorCode).toBe('30003');
    expect(classifyStatusCallback({ MessageSid: 'SM1', MessageStatus: 'failed', ErrorCode: ' 30008 ' }).errorCode).toBe('30008');
    expect(classifyStatusCallback({ MessageSid: 'SM1', MessageStatus: 'failed', ErrorCode: '' }).errorCode).toBe('none');
    expect(classifyStatusCallback({ CallSid: 'CA1', CallStatus: 'busy' }).errorCode).toBe('none');
  });

  it('treats a callback with MessageStatus as a message even if it also names a call', () => {
    expect(classifyStatusCallback({ MessageSid: 'SM1', MessageStatus: 'delivered', CallSid: 'CA1' })).toMatchObject({ channel: 'sms', messageId: 'SM1' });
  });

  it.each([
    ['MessageSid without MessageStatus', { MessageSid: 'SM1' }],
    ['MessageStatus without MessageSid', { MessageStatus: 'delivered' }],
    ['an empty MessageStatus', { MessageSid: 'SM1', MessageStatus: '' }],
    ['CallSid without CallStatus', { CallSid: 'CA1' }],
    ['CallStatus without CallSid', { CallStatus: 'completed' }],
    ['neither', { AccountSid: 'AC1', To: '+14155550123' }],
  ])('refuses %s with invalid_request', (_case, params: Record<string, string>) => {
    expect(() => classifyStatusCallback(params)).toThrow(expect.objectContaining({ code: 'invalid_request', status: 400 }));
    expect(() => classifyStatusCallback(params)).toThrow(/CallSid and CallStatus/);
  });
});

describe('TwilioStatusCallbacks', () => {
  const TWILIO = { credentials: { accountSid: `AC${'0'.repeat(32)}`, authToken: AUTH_TOKEN, phoneNumber: '+15017122661' } };
  const DELIVERED = { MessageSid: 'SM1', MessageStatus: 'delivered', To: '+14155550123', AccountSid: 'AC1' };

  function reader(options: { twilio?: ProviderSecrets['twilio']; signatureValid?: boolean } = {}) {
    const checked: { authToken: string; signature: string; params: Record<string, string> }[] = [];
    const secrets: GatewaySecrets<ProviderSecrets> = { signingSecrets: SIGNING_SECRETS, rateLimitKey: SIGNING_SECRETS[0], providers: { twilio: options.twilio ?? TWILIO, aws: {} } };
    const callbacks = new TwilioStatusCallbacks({ get: async () => secrets }, (authToken, signature, params) => {
      checked.push({ authToken, signature, params });
      return options.signatureValid ?? true;
    });
    const read = (signature: string | undefined, params: Record<string, string>) => callbacks.read({ headers: { 'x-twilio-signature': signature }, params });
    return { read, checked };
  }

  async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
    const error = await promise.then(
      () => {
        throw new Error('the callback was accepted');
      },
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }

  it('checks X-Twilio-Signature with the auth token and all the form parameters, then reads the report', async () => {
    const { read, checked } = reader();
    await expect(read('sig', DELIVERED)).resolves.toEqual({
      provider: 'twilio',
      channel: 'sms',
      messageId: 'SM1',
      status: 'delivered',
      outcome: 'delivered',
      errorCode: 'none',
      recipient: '+14155550123',
    });
    expect(checked).toEqual([{ authToken: AUTH_TOKEN, signature: 'sig', params: DELIVERED }]);
  });

  it('refuses every callback with invalid_signature when no auth token is configured (console mode)', async () => {
    const { read, checked } = reader({ twilio: {} });
    const error = await refusal(read('sig', DELIVERED));
    expect(error.code).toBe('invalid_signature');
    expect(error.message).toContain('TWILIO_AUTH_TOKEN');
    expect(checked).toEqual([]);
  });

  it('refuses every callback with invalid_signature, naming no key, while the Twilio keys are unusable', async () => {
    const { read, checked } = reader({ twilio: { problem: new ConfigurationError('TWILIO_ACCOUNT_SID', 'must look like AC followed by 32 hex characters.') } });
    const error = await refusal(read('sig', DELIVERED));
    expect(error.code).toBe('invalid_signature');
    expect(error.message).not.toContain('TWILIO_ACCOUNT_SID');
    expect(checked).toEqual([]);
  });

  it('refuses a signature that does not verify', async () => {
    const error = await refusal(reader({ signatureValid: false }).read('forged', DELIVERED));
    expect(error.code).toBe('invalid_signature');
    expect(error.message).toBe('The X-Twilio-Signature header is missing or does not match.');
  });

  it('refuses a missing or empty signature without trying to verify it', async () => {
    const { read, checked } = reader();
    for (const signature of [undefined, '']) {
      expect((await refusal(read(signature, DELIVERED))).code).toBe('invalid_signature');
    }
    expect(checked).toEqual([]);
  });

  it('checks the signature before the fields: an unsigned incomplete callback is a signature error', async () => {
    const error = await refusal(reader().read(undefined, { MessageSid: 'SM1' }));
    expect(error.code).toBe('invalid_signature');
  });

  it('refuses a signed callback without its status with invalid_request', async () => {
    const error = await refusal(reader().read('sig', { MessageSid: 'SM1' }));
    expect(error.code).toBe('invalid_request');
  });
});
