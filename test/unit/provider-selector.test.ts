import { randomBytes } from 'node:crypto';
import deniedPrefixes from '../../config/denied-prefixes.json';
import messages from '../../config/messages.json';
import { loadDeniedRanges } from '../../lambda/core/destinations';
import { ConfigurationError, GatewayError } from '../../lambda/core/errors';
import type { GatewaySecrets } from '../../lambda/core/gateway-secrets';
import type { IdempotencyStore, MessageProvider, OutboundMessage, SecretsSource } from '../../lambda/core/ports';
import { RateLimiter } from '../../lambda/core/rate-limiter';
import { sendMessage } from '../../lambda/core/send-message';
import { MessageCatalog } from '../../lambda/core/templates';
import { parseProviderRoutes } from '../../lambda/providers/routes';
import type { ProviderSecrets } from '../../lambda/providers/secret';
import { ProviderSelector } from '../../lambda/providers/selector';
import type { TwilioCredentials } from '../../lambda/providers/twilio/credentials';
import { TwilioProvider } from '../../lambda/providers/twilio/provider';
import { TwilioRestClient } from '../../lambda/providers/twilio/rest';
import { FakeTwilio, twilioError } from '../support/fake-twilio';
import { newSigningSecret, signedHeaders } from '../support/signing';

/**
 * The selector: which provider sends a message, with which keys of the secret the send use case
 * read for the request, and that the secret is read once per send.
 */

const SMS: OutboundMessage = { channel: 'sms', to: '+14155550123', country: 'US', body: '482913 is your code', language: 'en' };
const CREDENTIALS: TwilioCredentials = { accountSid: `AC${'0'.repeat(32)}`, authToken: 'token', phoneNumber: '+15017122661' };

/** Records what it was asked to send, and with which credentials. */
class RecordingProvider<C> implements MessageProvider<C> {
  readonly sent: { message: OutboundMessage; credentials: C }[] = [];
  constructor(readonly name: 'twilio' | 'console') {}

  async send(message: OutboundMessage, credentials: C) {
    this.sent.push({ message, credentials });
    return { outcome: 'accepted' as const, sid: `${this.name}-1`, status: 'queued', latencyMs: 1 };
  }
}

function selector() {
  const twilio = new RecordingProvider<TwilioCredentials>('twilio');
  const console = new RecordingProvider<unknown>('console');
  return { twilio, console, selector: new ProviderSelector(parseProviderRoutes(undefined, undefined), { twilio, console }) };
}

describe('ProviderSelector', () => {
  it('sends through Twilio with the credentials of the keys it is handed', async () => {
    const { twilio, console, selector: s } = selector();
    await expect(s.send(SMS, { twilio: { credentials: CREDENTIALS } })).resolves.toMatchObject({ outcome: 'accepted', sid: 'twilio-1' });
    expect(twilio.sent).toEqual([{ message: SMS, credentials: CREDENTIALS }]);
    expect(console.sent).toEqual([]);
  });

  it('prints instead when the secret has no Twilio keys at all (console mode)', async () => {
    const { twilio, console, selector: s } = selector();
    await expect(s.send(SMS, { twilio: {} })).resolves.toMatchObject({ sid: 'console-1' });
    expect(console.sent).toHaveLength(1);
    expect(twilio.sent).toEqual([]);
  });

  it('refuses with configuration_error, naming the key, when the Twilio keys are there but unusable: never console mode', async () => {
    const { twilio, console, selector: s } = selector();
    const problem = new ConfigurationError('TWILIO_PHONE_NUMBER', 'must be an E.164 number such as +15017122661 (a "+", the country code, the number).');
    const error = await s.send(SMS, { twilio: { problem } }).catch((err: unknown) => err as GatewayError);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'configuration_error', status: 500 });
    expect((error as GatewayError).message).toBe(`The gateway secret is not usable: ${problem.message}`);
    expect([...twilio.sent, ...console.sent]).toEqual([]);
  });

  it('names the providers of a destination in failover order, by its country', () => {
    const twilio = new RecordingProvider<TwilioCredentials>('twilio');
    const s = new ProviderSelector(parseProviderRoutes('twilio', 'IN=twilio'), { twilio, console: new RecordingProvider('console') });
    expect(s.candidates({ ...SMS, country: 'IN' })).toEqual(['twilio']);
    expect(s.candidates({ ...SMS, country: undefined })).toEqual(['twilio']);
  });
});

describe('one read of the secret per send', () => {
  let fake: FakeTwilio;
  const signingSecret = newSigningSecret();

  beforeAll(async () => {
    fake = await FakeTwilio.start();
  });

  afterAll(() => fake.close());

  /** The secret as Secrets Manager would hold it, counting every read and how it was asked. */
  function countingSecrets(authTokens: string[]) {
    const reads: { refresh?: boolean }[] = [];
    const source: SecretsSource<ProviderSecrets> = {
      async get(options = {}) {
        reads.push(options);
        const authToken = authTokens[Math.min(reads.length - 1, authTokens.length - 1)];
        const secrets: GatewaySecrets<ProviderSecrets> = {
          signingSecrets: [signingSecret],
          rateLimitKey: signingSecret,
          providers: { twilio: { credentials: { accountSid: fake.accountSid, authToken, phoneNumber: '+15017122661' } } },
        };
        return secrets;
      },
    };
    return { source, reads };
  }

  // Claims every webhook-id: idempotency has its own tests (test/integration/dynamodb-idempotency.test.ts).
  const idempotency: IdempotencyStore = {
    claim: async () => ({ state: 'claimed' }),
    startSending: async () => undefined,
    complete: async () => undefined,
    release: async () => undefined,
  };

  async function send(secrets: SecretsSource<ProviderSecrets>) {
    const twilio = new TwilioProvider(new TwilioRestClient({ baseUrl: fake.url, backoffMs: () => 0 }), {
      statusCallbackUrl: 'https://sms.example.com/twilio/status',
      rereadKeys: async () => (await secrets.get({ refresh: true })).providers.twilio,
    });
    const body = JSON.stringify({ recipient: '+14155550123', code: '482913', text: '482913 is your code', channel: 'sms' });
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    return sendMessage(
      { headers: signedHeaders(signingSecret, body), body },
      {
        secrets,
        catalog: MessageCatalog.load(messages),
        sender: new ProviderSelector(parseProviderRoutes(undefined, undefined), { twilio, console: new RecordingProvider('console') }),
        destinations: { allowedCountries: [], deniedRanges: loadDeniedRanges(deniedPrefixes) },
        idempotency,
        limiter: new RateLimiter([], { increment: async () => undefined, decrement: async () => undefined }),
        telemetry: { messageSent: () => undefined, sendUnconfirmed: () => undefined, sendFailed: () => undefined },
        log,
      },
    );
  }

  it('verifies the signature, keys the limits and sends with one value of the secret', async () => {
    const { source, reads } = countingSecrets([fake.authToken]);
    await expect(send(source)).resolves.toMatchObject({ sid: expect.stringMatching(/^SM/) });
    expect(reads).toEqual([{}]);
  });

  it('reads it once more, past every cache, only when Twilio rejects the credentials (20003)', async () => {
    const rotated = randomBytes(16).toString('hex');
    fake.allow(fake.accountSid, rotated);
    fake.script(twilioError(401, 20003, 'Authenticate'));
    const { source, reads } = countingSecrets(['revoked', rotated]);
    await expect(send(source)).resolves.toMatchObject({ sid: expect.stringMatching(/^SM/) });
    expect(reads).toEqual([{}, { refresh: true }]);
  });
});
