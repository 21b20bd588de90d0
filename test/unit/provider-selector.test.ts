import { randomBytes } from 'node:crypto';
import deniedPrefixes from '../../config/denied-prefixes.json';
import messages from '../../config/messages.json';
import { loadDeniedRanges } from '../../lambda/core/destinations';
import { ConfigurationError, GatewayError, type ErrorCode } from '../../lambda/core/errors';
import type { GatewaySecrets } from '../../lambda/core/gateway-secrets';
import type { IdempotencyStore, MessageProvider, OutboundMessage, ProviderOutcome, SecretsSource, SendOptions } from '../../lambda/core/ports';
import { RateLimiter } from '../../lambda/core/rate-limiter';
import { sendMessage } from '../../lambda/core/send-message';
import { MessageCatalog } from '../../lambda/core/templates';
import type { AwsSmsSettings } from '../../lambda/providers/aws-sms/settings';
import { parseProviderRoutes } from '../../lambda/providers/routes';
import type { ProviderSecrets } from '../../lambda/providers/secret';
import { MIN_FAILOVER_MS, ProviderSelector, SEND_BUDGET_MS, type Providers } from '../../lambda/providers/selector';
import type { TwilioCredentials } from '../../lambda/providers/twilio/credentials';
import { TwilioProvider } from '../../lambda/providers/twilio/provider';
import { TwilioRestClient } from '../../lambda/providers/twilio/rest';
import { FakeTwilio, twilioError } from '../support/fake-twilio';
import { newSigningSecret, signedHeaders } from '../support/signing';

/**
 * The selector: which provider sends a message, with which keys of the secret the send use case
 * read for the request; when the next provider is tried (docs/reliability.md, "Failover"); and
 * that the secret is read once per send.
 */

const SMS: OutboundMessage = { channel: 'sms', to: '+14155550123', country: 'US', body: '482913 is your code', language: 'en' };
const CREDENTIALS: TwilioCredentials = { accountSid: `AC${'0'.repeat(32)}`, authToken: 'token', phoneNumber: '+15017122661' };
const AWS: AwsSmsSettings = { originationIdentity: 'pool-1234567890abcdef1234567890abcdef' };
const KEYS: ProviderSecrets = { twilio: { credentials: CREDENTIALS }, aws: { credentials: AWS } };

type Behavior = ProviderOutcome | GatewayError | Error;

/** Records what it was asked to send, with which credentials and options; answers as told (accepted by default). */
class RecordingProvider<C> implements MessageProvider<C> {
  readonly sent: { message: OutboundMessage; credentials: C; options?: SendOptions }[] = [];
  constructor(
    readonly name: 'twilio' | 'aws' | 'console',
    private readonly behaviors: Behavior[] = [],
  ) {}

  async send(message: OutboundMessage, credentials: C, options?: SendOptions) {
    this.sent.push({ message, credentials, options });
    const behavior = this.behaviors.shift() ?? { outcome: 'accepted' as const, sid: `${this.name}-1`, status: 'queued', latencyMs: 1 };
    if (behavior instanceof Error) throw behavior;
    return behavior;
  }
}

function world(options: { providers?: string; routes?: string; twilio?: Behavior[]; aws?: Behavior[]; console?: boolean; budgetMs?: number } = {}) {
  const twilio = new RecordingProvider<TwilioCredentials>('twilio', options.twilio);
  const aws = new RecordingProvider<AwsSmsSettings>('aws', options.aws);
  const consoleProvider = new RecordingProvider<unknown>('console');
  const failovers: [string, string][] = [];
  const warnings: Record<string, unknown>[] = [];
  const providers: Providers = { twilio, aws, ...(options.console && { console: consoleProvider }) };
  const selector = new ProviderSelector(parseProviderRoutes(options.providers, options.routes), providers, {
    telemetry: { providerFailover: (from, to) => failovers.push([from, to]) },
    log: { warn: (_message, attributes) => warnings.push(attributes) },
    budgetMs: options.budgetMs,
  });
  return { twilio, aws, console: consoleProvider, selector, failovers, warnings };
}

const refusal = (code: ErrorCode, details: ConstructorParameters<typeof GatewayError>[2] = {}) => new GatewayError(code, `refused: ${code}`, { latencyMs: 10, ...details });

describe('ProviderSelector: one provider', () => {
  it('sends through Twilio with the credentials of the keys it is handed, and names it', async () => {
    const { twilio, aws, selector } = world();
    await expect(selector.send(SMS, KEYS)).resolves.toEqual({ outcome: 'accepted', sid: 'twilio-1', status: 'queued', latencyMs: 1, provider: 'twilio' });
    expect(twilio.sent).toEqual([{ message: SMS, credentials: CREDENTIALS, options: { budgetMs: SEND_BUDGET_MS } }]);
    expect(aws.sent).toEqual([]);
  });

  it('sends through AWS with its settings when PROVIDERS=aws, without any Twilio keys', async () => {
    const { twilio, aws, selector } = world({ providers: 'aws' });
    await expect(selector.send(SMS, { twilio: {}, aws: { credentials: AWS } })).resolves.toMatchObject({ sid: 'aws-1', provider: 'aws' });
    expect(aws.sent).toEqual([{ message: SMS, credentials: AWS, options: { budgetMs: SEND_BUDGET_MS } }]);
    expect(twilio.sent).toEqual([]);
  });

  it('prints instead where there is a console and the secret has no Twilio keys at all (console mode)', async () => {
    const { twilio, console, selector } = world({ console: true });
    await expect(selector.send(SMS, { twilio: {}, aws: {} })).resolves.toMatchObject({ sid: 'console-1', provider: 'console' });
    expect(console.sent).toHaveLength(1);
    expect(twilio.sent).toEqual([]);
  });

  it('refuses with configuration_error where there is no console (Lambda) and no Twilio keys', async () => {
    const { console, selector } = world();
    await expect(selector.send(SMS, { twilio: {}, aws: {} })).rejects.toMatchObject({ code: 'configuration_error', details: { provider: 'twilio' } });
    expect(console.sent).toEqual([]);
  });

  it('refuses with configuration_error, naming the key, when the Twilio keys are there but unusable: never console mode', async () => {
    const { twilio, console, selector } = world({ console: true });
    const problem = new ConfigurationError('TWILIO_PHONE_NUMBER', 'must be an E.164 number such as +15017122661 (a "+", the country code, the number).');
    const error = (await selector.send(SMS, { twilio: { problem }, aws: {} }).catch((err: unknown) => err)) as GatewayError;
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'configuration_error', status: 500 });
    expect(error.message).toBe(`The gateway secret is not usable: ${problem.message}`);
    expect([...twilio.sent, ...console.sent]).toEqual([]);
  });

  it('names the providers of a destination in failover order, by its country', () => {
    const { selector } = world({ providers: 'twilio,aws', routes: 'IN=aws;FR=twilio' });
    expect(selector.candidates({ ...SMS, country: 'IN' })).toEqual(['aws']);
    expect(selector.candidates({ ...SMS, country: 'FR' })).toEqual(['twilio']);
    expect(selector.candidates({ ...SMS, country: 'US' })).toEqual(['twilio', 'aws']);
    expect(selector.candidates({ ...SMS, country: undefined })).toEqual(['twilio', 'aws']);
  });
});

describe('ProviderSelector: failover', () => {
  it.each([
    ['refused the connection (provider_unavailable)', refusal('provider_unavailable')],
    ["rejected the credentials (Twilio 20003: provider_error)", refusal('provider_error', { providerCode: 20003 })],
    ['refused for an account reason (Twilio 21608, trial)', refusal('provider_error', { providerCode: 21608 })],
    ['has unusable keys (configuration_error)', refusal('configuration_error')],
    ['has no voice number (channel_unavailable)', refusal('channel_unavailable')],
    ['has the country off in its geo permissions (Twilio 21408)', refusal('destination_not_allowed', { providerCode: 21408, failover: true })],
  ])('tries the next provider when the first %s', async (_what, error) => {
    const { twilio, aws, selector, failovers, warnings } = world({ providers: 'twilio,aws', twilio: [error] });
    const outcome = await selector.send(SMS, KEYS);

    expect(outcome).toMatchObject({ outcome: 'accepted', sid: 'aws-1', provider: 'aws', latencyMs: 11 });
    expect(twilio.sent).toHaveLength(1);
    expect(aws.sent).toHaveLength(1);
    expect(aws.sent[0].options?.budgetMs).toBeGreaterThan(7_000);
    expect(failovers).toEqual([['twilio', 'aws']]);
    expect(warnings).toEqual([expect.objectContaining({ from: 'twilio', to: 'aws', reason: error.code })]);
  });

  it.each([
    ['a bad number (invalid_recipient)', refusal('invalid_recipient', { providerCode: 21211 })],
    ['an opted-out user (Twilio 21610)', refusal('destination_not_allowed', { providerCode: 21610 })],
    ["Twilio's own block of a high-risk number (21216)", refusal('destination_not_allowed', { providerCode: 21216 })],
    ["AWS's daily call limit to one number", refusal('rate_limited', { failover: false })],
  ])('does not try the next provider after %s, and answers that refusal', async (_what, error) => {
    const { aws, selector, failovers } = world({ providers: 'twilio,aws', twilio: [error] });
    await expect(selector.send(SMS, KEYS)).rejects.toBe(error);
    expect(error.details.provider).toBe('twilio');
    expect(aws.sent).toEqual([]);
    expect(failovers).toEqual([]);
  });

  it('never tries the next provider after an unknown outcome: it may be on its way', async () => {
    const unknown: ProviderOutcome = { outcome: 'unknown', detail: 'Twilio did not answer in time.', latencyMs: 5_000 };
    const { aws, selector, failovers } = world({ providers: 'twilio,aws', twilio: [unknown] });
    await expect(selector.send(SMS, KEYS)).resolves.toEqual({ ...unknown, provider: 'twilio' });
    expect(aws.sent).toEqual([]);
    expect(failovers).toEqual([]);
  });

  it('answers unknown, naming the provider, when a provider throws anything but a refusal: never fails over', async () => {
    const { aws, selector } = world({ providers: 'twilio,aws', twilio: [new TypeError('boom')] });
    await expect(selector.send(SMS, KEYS)).resolves.toMatchObject({ outcome: 'unknown', provider: 'twilio', detail: 'The twilio provider failed unexpectedly.' });
    expect(aws.sent).toEqual([]);
  });

  it('answers the last refusal, with the time of all, when every provider refused', async () => {
    const last = refusal('provider_unavailable');
    const { selector, failovers } = world({ providers: 'twilio,aws', twilio: [refusal('provider_unavailable')], aws: [last] });
    const error = (await selector.send(SMS, KEYS).catch((err: unknown) => err)) as GatewayError;
    expect(error).toBe(last);
    expect(error.details).toMatchObject({ provider: 'aws', latencyMs: 20 });
    expect(failovers).toEqual([['twilio', 'aws']]);
  });

  it('goes from AWS to Twilio when a route says so (IN=aws,twilio)', async () => {
    const { twilio, selector, failovers } = world({ routes: 'IN=aws,twilio', aws: [refusal('provider_error')] });
    await expect(selector.send({ ...SMS, country: 'IN' }, KEYS)).resolves.toMatchObject({ provider: 'twilio' });
    expect(twilio.sent).toHaveLength(1);
    expect(failovers).toEqual([['aws', 'twilio']]);
  });

  it(`does not fail over with less than ${MIN_FAILOVER_MS} ms of the send's budget left: the next would time out`, async () => {
    const slow = new RecordingProvider<TwilioCredentials>('twilio');
    slow.send = async () => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      throw refusal('provider_unavailable');
    };
    const aws = new RecordingProvider<AwsSmsSettings>('aws');
    const selector = new ProviderSelector(parseProviderRoutes('twilio,aws', undefined), { twilio: slow, aws }, {
      telemetry: { providerFailover: () => undefined },
      log: { warn: () => undefined },
      budgetMs: MIN_FAILOVER_MS + 100,
    });
    await expect(selector.send(SMS, KEYS)).rejects.toMatchObject({ code: 'provider_unavailable', details: { provider: 'twilio' } });
    expect(aws.sent).toEqual([]);
  });
});

describe('ProviderSelector: a forced provider (the body\'s `provider`)', () => {
  it('sends through that provider only, whatever the routes, without failover', async () => {
    const { twilio, aws, selector } = world({ providers: 'twilio', aws: [refusal('provider_unavailable')] });
    await expect(selector.send({ ...SMS, provider: 'aws' }, KEYS)).rejects.toMatchObject({ code: 'provider_unavailable', details: { provider: 'aws' } });
    expect(aws.sent).toHaveLength(1);
    expect(twilio.sent).toEqual([]);
  });

  it('refuses with 400 invalid_request a provider this gateway has no settings for', async () => {
    const { twilio, aws, selector } = world({ providers: 'aws' });
    await expect(selector.send({ ...SMS, provider: 'twilio' }, { twilio: {}, aws: { credentials: AWS } })).rejects.toMatchObject({
      code: 'invalid_request',
      status: 400,
      message: 'Field "provider" names twilio, which this gateway has no settings for.',
    });
    await expect(selector.send({ ...SMS, provider: 'aws' }, { twilio: { credentials: CREDENTIALS }, aws: {} })).rejects.toMatchObject({ code: 'invalid_request' });
    expect([...twilio.sent, ...aws.sent]).toEqual([]);
  });

  it('answers configuration_error, naming the key, for one whose settings are unusable', async () => {
    const problem = new ConfigurationError('AWS_SMS_ORIGINATION_IDENTITY', 'must look like a phone number.');
    const { selector } = world();
    await expect(selector.send({ ...SMS, provider: 'aws' }, { ...KEYS, aws: { problem } })).rejects.toMatchObject({ code: 'configuration_error' });
  });

  it('prints a forced Twilio in console mode', async () => {
    const { selector, console } = world({ console: true, providers: 'aws' });
    await expect(selector.send({ ...SMS, provider: 'twilio' }, { twilio: {}, aws: {} })).resolves.toMatchObject({ provider: 'console' });
    expect(console.sent).toHaveLength(1);
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
          providers: { twilio: { credentials: { accountSid: fake.accountSid, authToken, phoneNumber: '+15017122661' } }, aws: {} },
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
        sender: new ProviderSelector(parseProviderRoutes(undefined, undefined), { twilio, aws: new RecordingProvider('aws') }, { telemetry: { providerFailover: () => undefined }, log }),
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
    await expect(send(source)).resolves.toMatchObject({ sid: expect.stringMatching(/^SM/), provider: 'twilio' });
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

describe("the invocation's time left (send-message.ts)", () => {
  const signingSecret = newSigningSecret();
  const secrets: SecretsSource<ProviderSecrets> = {
    get: async () => ({ signingSecrets: [signingSecret], rateLimitKey: signingSecret, providers: KEYS }),
  };

  /** One signed send with this much of the invocation left; what the store and Twilio saw. */
  async function sendWithTimeLeft(remainingTimeMs: number) {
    const calls: string[] = [];
    const idempotency: IdempotencyStore = {
      claim: async () => (calls.push('claim'), { state: 'claimed' }),
      startSending: async () => void calls.push('startSending'),
      complete: async () => void calls.push('complete'),
      release: async () => void calls.push('release'),
    };
    const { twilio, selector } = world();
    const body = JSON.stringify({ recipient: '+14155550123', code: '482913', text: '482913 is your code', channel: 'sms' });
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const result = sendMessage(
      { headers: signedHeaders(signingSecret, body), body, remainingTimeMs },
      {
        secrets,
        catalog: MessageCatalog.load(messages),
        sender: selector,
        destinations: { allowedCountries: [], deniedRanges: loadDeniedRanges(deniedPrefixes) },
        idempotency,
        limiter: new RateLimiter([], { increment: async () => undefined, decrement: async () => undefined }),
        telemetry: { messageSent: () => undefined, sendUnconfirmed: () => undefined, sendFailed: () => undefined },
        log,
      },
    );
    return { result: await result.catch((err: unknown) => err), calls, twilio };
  }

  it("gives the provider what is left of the invocation, less a second to record the outcome, when that is less than the selector's 8 s", async () => {
    const { result, twilio } = await sendWithTimeLeft(4_000);
    expect(result).toMatchObject({ provider: 'twilio', sid: 'twilio-1' });
    expect(twilio.sent[0].options?.budgetMs).toBeGreaterThan(2_500);
    expect(twilio.sent[0].options?.budgetMs).toBeLessThanOrEqual(3_000);
  });

  it('keeps to the selector’s own budget when the invocation has more', async () => {
    const { twilio } = await sendWithTimeLeft(60_000);
    expect(twilio.sent[0].options?.budgetMs).toBe(SEND_BUDGET_MS);
  });

  it('sends nothing, and answers 503 with the claim given back, when too little is left to hear the answer', async () => {
    const { result, calls, twilio } = await sendWithTimeLeft(1_500);
    expect(result).toMatchObject({ code: 'provider_unavailable', status: 503 });
    expect(twilio.sent).toEqual([]);
    expect(calls).toEqual(['claim', 'release']);
  });
});
