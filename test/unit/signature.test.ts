import { Webhook } from 'standardwebhooks';
import { GatewayError } from '../../lambda/core/errors';
import { verifySignature } from '../../lambda/core/signature';
import { newSigningSecret, signedHeaders } from '../support/signing';

/**
 * Standard Webhooks verification with the real `standardwebhooks` package on both sides: the
 * test signs with it, the gateway verifies with it.
 */

const BODY = JSON.stringify({ recipient: '+14155550123', code: '482913' });
// A fixed clock: 2026-01-01T00:00:00Z.
const NOW = 1_767_225_600;

const MESSAGES = {
  missing: 'The webhook-id, webhook-timestamp and webhook-signature headers are required.',
  timestamp: 'The webhook-timestamp header must be an integer number of seconds since the epoch.',
  stale: 'The webhook-timestamp is more than 5 minutes away from the gateway clock.',
  mismatch: 'The webhook-signature does not match: the Auth0 forwarder and the gateway must share SMS_GATEWAY_SIGNING_SECRET.',
};

let secret: string;

beforeEach(() => {
  jest.useFakeTimers({ now: NOW * 1000 });
  secret = newSigningSecret();
});

afterEach(() => jest.useRealTimers());

function sign(options: { secret?: string; body?: string; id?: string; timestamp?: number; secrets?: string[] } = {}) {
  return signedHeaders(options.secret ?? secret, options.body ?? BODY, { id: options.id ?? 'msg_1', timestamp: options.timestamp ?? NOW, secrets: options.secrets });
}

/** The GatewayError verifySignature throws. */
function refusal(secrets: string[], body: string, headers: Record<string, string | undefined>): GatewayError {
  try {
    verifySignature(secrets, body, headers);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('invalid_signature');
    expect((err as GatewayError).status).toBe(401);
    return err as GatewayError;
  }
  throw new Error('the signature was accepted');
}

describe('verifySignature', () => {
  it('accepts a request signed with the secret', () => {
    expect(() => verifySignature([secret], BODY, sign())).not.toThrow();
  });

  it('accepts an empty body that was signed', () => {
    expect(() => verifySignature([secret], '', sign({ body: '' }))).not.toThrow();
  });

  it('accepts any one valid signature among several', () => {
    const headers = sign({ secrets: [newSigningSecret(), secret, newSigningSecret()] });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(3);
    expect(() => verifySignature([secret], BODY, headers)).not.toThrow();
  });

  it('ignores signatures of versions other than v1', () => {
    const valid = sign()['webhook-signature'].slice('v1,'.length);
    expect(() => verifySignature([secret], BODY, { ...sign(), 'webhook-signature': `v2,${valid}` })).toThrow(MESSAGES.mismatch);
    expect(() => verifySignature([secret], BODY, { ...sign(), 'webhook-signature': `v1a,${valid} v1,${valid}` })).not.toThrow();
  });

  describe('key rotation', () => {
    it('accepts a signature made with any of the configured secrets', () => {
      const old = newSigningSecret();
      expect(() => verifySignature([old, secret], BODY, sign({ secret: old }))).not.toThrow();
      expect(() => verifySignature([old, secret], BODY, sign({ secret }))).not.toThrow();
    });

    it('refuses a signature made with a secret that is not configured', () => {
      expect(refusal([newSigningSecret(), newSigningSecret()], BODY, sign()).message).toBe(MESSAGES.mismatch);
    });

    it('refuses everything when no secret is configured', () => {
      expect(refusal([], BODY, sign()).message).toBe(MESSAGES.mismatch);
    });
  });

  describe('tampering', () => {
    it('refuses another secret', () => {
      expect(refusal([secret], BODY, sign({ secret: newSigningSecret() })).message).toBe(MESSAGES.mismatch);
    });

    it('refuses a changed body', () => {
      const tampered = BODY.replace('482913', '111111');
      expect(refusal([secret], tampered, sign()).message).toBe(MESSAGES.mismatch);
      expect(refusal([secret], `${BODY} `, sign()).message).toBe(MESSAGES.mismatch);
    });

    it('refuses a changed webhook-id', () => {
      expect(refusal([secret], BODY, { ...sign(), 'webhook-id': 'msg_2' }).message).toBe(MESSAGES.mismatch);
    });

    it('refuses a changed webhook-timestamp, even a valid one', () => {
      expect(refusal([secret], BODY, { ...sign(), 'webhook-timestamp': String(NOW - 1) }).message).toBe(MESSAGES.mismatch);
    });

    it('refuses a signature that is not base64 HMAC-SHA256, or is cut short', () => {
      const valid = sign()['webhook-signature'];
      for (const signature of ['v1,not-a-signature', 'v1,', 'v1', valid.slice(0, -4)]) {
        expect(refusal([secret], BODY, { ...sign(), 'webhook-signature': signature }).message).toBe(MESSAGES.mismatch);
      }
    });

    it('refuses a signature keyed with the secret text instead of its decoded bytes', () => {
      const raw = new Webhook(secret, { format: 'raw' }).sign('msg_1', new Date(NOW * 1000), BODY);
      expect(refusal([secret], BODY, { ...sign(), 'webhook-signature': raw }).message).toBe(MESSAGES.mismatch);
    });
  });

  describe('timestamp tolerance (5 minutes either way)', () => {
    it('accepts a timestamp exactly 5 minutes old or ahead', () => {
      expect(() => verifySignature([secret], BODY, sign({ timestamp: NOW - 300 }))).not.toThrow();
      expect(() => verifySignature([secret], BODY, sign({ timestamp: NOW + 300 }))).not.toThrow();
    });

    it('refuses a timestamp one second beyond, in either direction', () => {
      expect(refusal([secret], BODY, sign({ timestamp: NOW - 301 })).message).toBe(MESSAGES.stale);
      expect(refusal([secret], BODY, sign({ timestamp: NOW + 301 })).message).toBe(MESSAGES.stale);
    });

    it('refuses a request replayed after its 5 minutes have passed', () => {
      const headers = sign();
      jest.advanceTimersByTime(300_000);
      expect(() => verifySignature([secret], BODY, headers)).not.toThrow();
      jest.advanceTimersByTime(1_000);
      expect(refusal([secret], BODY, headers).message).toBe(MESSAGES.stale);
    });

    it('refuses a timestamp that is not a number', () => {
      expect(refusal([secret], BODY, { ...sign(), 'webhook-timestamp': 'yesterday' }).message).toBe(MESSAGES.timestamp);
    });

    it.each(['12.5', '1795821152abc', ' 1795821152', '-5'])('refuses %p: the contract says integer seconds', (timestamp) => {
      expect(refusal([secret], BODY, { ...sign(), 'webhook-timestamp': timestamp }).message).toBe(MESSAGES.timestamp);
    });

    it('refuses a timestamp in milliseconds as out of tolerance', () => {
      expect(refusal([secret], BODY, sign({ timestamp: NOW * 1000 })).message).toBe(MESSAGES.stale);
    });
  });

  describe('missing headers', () => {
    it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])('refuses a request without %s', (name) => {
      const headers: Record<string, string | undefined> = sign();
      delete headers[name];
      expect(refusal([secret], BODY, headers).message).toBe(MESSAGES.missing);
      expect(refusal([secret], BODY, { ...sign(), [name]: '' }).message).toBe(MESSAGES.missing);
    });

    it('reads lower-case header names only (the handler lower-cases them)', () => {
      const headers = sign();
      const upper = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]));
      expect(refusal([secret], BODY, upper).message).toBe(MESSAGES.missing);
    });
  });

  it('never puts the body, the id or the signature in its message', () => {
    const headers = sign({ id: 'msg_secret_id' });
    const error = refusal([newSigningSecret()], BODY, headers);
    expect(error.message).not.toContain('482913');
    expect(error.message).not.toContain('msg_secret_id');
    expect(error.message).not.toContain(headers['webhook-signature'].slice(3));
  });
});
