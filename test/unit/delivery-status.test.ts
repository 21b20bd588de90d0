import { classifyStatusCallback, recordDeliveryStatus, type StatusDependencies } from '../../lambda/core/delivery-status';
import { GatewayError } from '../../lambda/core/errors';
import type { GatewaySecrets } from '../../lambda/core/gateway-secrets';
import type { DeliveryLedger } from '../../lambda/core/ports';

const AUTH_TOKEN = 'twilio-auth-token';
const SIGNING_SECRETS = ['whsec_AAAA'];

describe('classifyStatusCallback', () => {
  it.each([
    ['delivered', 'delivered'],
    ['undelivered', 'undelivered'],
    ['failed', 'failed'],
  ])('counts the message status %s as %s', (status, outcome) => {
    expect(classifyStatusCallback({ MessageSid: 'SM1', MessageStatus: status })).toEqual({ channel: 'sms', sid: 'SM1', status, outcome, errorCode: 'none' });
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
    expect(classifyStatusCallback({ CallSid: 'CA1', CallStatus: status })).toEqual({ channel: 'voice', sid: 'CA1', status, outcome, errorCode: 'none' });
  });

  it.each(['machine_start', 'machine_end_beep', 'machine_end_silence', 'machine_end_other', 'fax'])(
    'counts a completed call a machine answered (AnsweredBy %s) as undelivered, with the reason machine',
    (answeredBy) => {
      expect(classifyStatusCallback({ CallSid: 'CA1', CallStatus: 'completed', AnsweredBy: answeredBy })).toEqual({
        channel: 'voice',
        sid: 'CA1',
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
    expect(classifyStatusCallback({ MessageSid: 'SM1', MessageStatus: 'delivered', CallSid: 'CA1' })).toMatchObject({ channel: 'sms', sid: 'SM1' });
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

describe('recordDeliveryStatus', () => {
  interface Recorded {
    verified: { authToken: string; signature: string; params: Record<string, string> }[];
    delivery: [string, string, string][];
    info: [string, Record<string, unknown>][];
    warn: [string, Record<string, unknown>][];
    reported: string[];
  }

  function deps(options: { secrets?: GatewaySecrets; signatureValid?: boolean; ledger?: DeliveryLedger } = {}): StatusDependencies & { recorded: Recorded } {
    const recorded: Recorded = { verified: [], delivery: [], info: [], warn: [], reported: [] };
    const secrets = options.secrets ?? {
      signingSecrets: SIGNING_SECRETS,
      rateLimitKey: SIGNING_SECRETS[0],
      twilio: { accountSid: `AC${'0'.repeat(32)}`, authToken: AUTH_TOKEN, phoneNumber: '+15017122661' },
    };
    return {
      recorded,
      secrets: { get: async () => secrets },
      verifyTwilioSignature(authToken, signature, params) {
        recorded.verified.push({ authToken, signature, params });
        return options.signatureValid ?? true;
      },
      telemetry: { delivery: (channel, outcome, errorCode) => void recorded.delivery.push([channel, outcome, errorCode]) },
      // An in-memory ledger: the DynamoDB one is tested in test/integration/status.test.ts.
      ledger: options.ledger ?? {
        async firstReport(messageId, status) {
          const pair = `${messageId} ${status}`;
          if (recorded.reported.includes(pair)) return false;
          recorded.reported.push(pair);
          return true;
        },
      },
      log: {
        info: (message, attributes) => void recorded.info.push([message, attributes]),
        warn: (message, attributes) => void recorded.warn.push([message, attributes]),
        error: () => undefined,
      },
    };
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

  const DELIVERED = { MessageSid: 'SM1', MessageStatus: 'delivered', To: '+14155550123', AccountSid: 'AC1' };

  it('verifies the signature with the auth token and all the form parameters, then counts a final state', async () => {
    const d = deps();
    const result = await recordDeliveryStatus({ signature: 'sig', params: DELIVERED }, d);
    expect(result).toEqual({ channel: 'sms', sid: 'SM1', status: 'delivered', outcome: 'delivered', errorCode: 'none' });
    expect(d.recorded.verified).toEqual([{ authToken: AUTH_TOKEN, signature: 'sig', params: DELIVERED }]);
    expect(d.recorded.delivery).toEqual([['sms', 'delivered', 'none']]);
  });

  it('counts undelivered and failed states with their error code', async () => {
    const d = deps();
    await recordDeliveryStatus({ signature: 'sig', params: { MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '30003' } }, d);
    await recordDeliveryStatus({ signature: 'sig', params: { CallSid: 'CA1', CallStatus: 'no-answer' } }, d);
    await recordDeliveryStatus({ signature: 'sig', params: { CallSid: 'CA2', CallStatus: 'canceled' } }, d);
    expect(d.recorded.delivery).toEqual([
      ['sms', 'undelivered', '30003'],
      ['voice', 'undelivered', 'none'],
      ['voice', 'failed', 'none'],
    ]);
  });

  it('counts each status of a message once, however often it is reported', async () => {
    const d = deps();
    for (let i = 0; i < 3; i++) {
      await recordDeliveryStatus({ signature: 'sig', params: { MessageSid: 'SM1', MessageStatus: 'failed', ErrorCode: '30008' } }, d);
      await recordDeliveryStatus({ signature: 'sig', params: { MessageSid: 'SM1', MessageStatus: 'delivered' } }, d);
      await recordDeliveryStatus({ signature: 'sig', params: { CallSid: 'CA1', CallStatus: 'busy' } }, d);
    }
    expect(d.recorded.delivery).toEqual([
      ['sms', 'failed', '30008'],
      ['sms', 'delivered', 'none'],
      ['voice', 'undelivered', 'none'],
    ]);
    expect(d.recorded.reported).toEqual(['SM1 failed', 'SM1 delivered', 'CA1 busy']);
    expect(d.recorded.info.map(([, attributes]) => attributes.outcome)).toEqual(['failed', 'delivered', 'undelivered', ...Array(6).fill('repeated')]);
  });

  it('asks the ledger about final states only', async () => {
    const d = deps();
    await recordDeliveryStatus({ signature: 'sig', params: { MessageSid: 'SM1', MessageStatus: 'sent' } }, d);
    await recordDeliveryStatus({ signature: 'sig', params: { CallSid: 'CA1', CallStatus: 'ringing' } }, d);
    expect(d.recorded.reported).toEqual([]);
  });

  it('counts the status, with a warning, when the ledger cannot tell whether it was counted', async () => {
    const d = deps({ ledger: { firstReport: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9')) } });
    await expect(recordDeliveryStatus({ signature: 'sig', params: { MessageSid: 'SM1', MessageStatus: 'failed' } }, d)).resolves.toMatchObject({ outcome: 'failed' });
    expect(d.recorded.delivery).toEqual([['sms', 'failed', 'none']]);
    expect(d.recorded.warn).toEqual([
      ['delivery status counted without deduplication', { sid: 'SM1', status: 'failed', error: 'connect ECONNREFUSED 127.0.0.1:9' }],
    ]);
  });

  it('counts nothing for states in between, but still accepts them', async () => {
    const d = deps();
    for (const status of ['queued', 'sent']) {
      await expect(recordDeliveryStatus({ signature: 'sig', params: { MessageSid: 'SM1', MessageStatus: status } }, d)).resolves.toMatchObject({ outcome: undefined });
    }
    await recordDeliveryStatus({ signature: 'sig', params: { CallSid: 'CA1', CallStatus: 'ringing' } }, d);
    expect(d.recorded.delivery).toEqual([]);
  });

  it('logs the state with the recipient masked', async () => {
    const d = deps();
    await recordDeliveryStatus({ signature: 'sig', params: { ...DELIVERED, MessageStatus: 'sent' } }, d);
    expect(d.recorded.info).toEqual([
      ['delivery status', { channel: 'sms', sid: 'SM1', status: 'sent', outcome: 'in-progress', errorCode: 'none', recipient: '+1415***0123' }],
    ]);
  });

  it('refuses every callback with invalid_signature when no auth token is configured (console mode)', async () => {
    const d = deps({ secrets: { signingSecrets: SIGNING_SECRETS, rateLimitKey: SIGNING_SECRETS[0] } });
    const error = await refusal(recordDeliveryStatus({ signature: 'sig', params: DELIVERED }, d));
    expect(error.code).toBe('invalid_signature');
    expect(error.message).toContain('TWILIO_AUTH_TOKEN');
    expect(d.recorded.verified).toEqual([]);
    expect(d.recorded.delivery).toEqual([]);
  });

  it('refuses a signature that does not verify, and counts nothing', async () => {
    const d = deps({ signatureValid: false });
    const error = await refusal(recordDeliveryStatus({ signature: 'forged', params: DELIVERED }, d));
    expect(error.code).toBe('invalid_signature');
    expect(error.message).toBe('The X-Twilio-Signature header is missing or does not match.');
    expect(d.recorded.delivery).toEqual([]);
    expect(d.recorded.info).toEqual([]);
  });

  it('refuses a missing or empty signature without trying to verify it', async () => {
    const d = deps();
    for (const signature of [undefined, '']) {
      expect((await refusal(recordDeliveryStatus({ signature, params: DELIVERED }, d))).code).toBe('invalid_signature');
    }
    expect(d.recorded.verified).toEqual([]);
  });

  it('checks the signature before the fields: an unsigned incomplete callback is a signature error', async () => {
    const error = await refusal(recordDeliveryStatus({ signature: undefined, params: { MessageSid: 'SM1' } }, deps()));
    expect(error.code).toBe('invalid_signature');
  });

  it('refuses a signed callback without its status with invalid_request', async () => {
    const d = deps();
    const error = await refusal(recordDeliveryStatus({ signature: 'sig', params: { MessageSid: 'SM1' } }, d));
    expect(error.code).toBe('invalid_request');
    expect(d.recorded.delivery).toEqual([]);
  });
});
