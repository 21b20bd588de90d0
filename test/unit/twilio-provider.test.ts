import { randomBytes } from 'node:crypto';
import { GatewayError } from '../../lambda/core/errors';
import type { ProviderKeys } from '../../lambda/core/gateway-secrets';
import type { OutboundMessage } from '../../lambda/core/ports';
import type { TwilioCredentials } from '../../lambda/providers/twilio/credentials';
import { TwilioProvider } from '../../lambda/providers/twilio/provider';
import { TwilioRestClient } from '../../lambda/providers/twilio/rest';
import { voiceTwiml } from '../../lambda/providers/twilio/voice-twiml';
import { voiceScript } from '../../lambda/core/voice-script';
import { FakeTwilio, twilioError } from '../support/fake-twilio';

const CALLBACK = 'https://sms.example.com/twilio/status';
const SENDER = '+15017122661';
const MESSAGING_SERVICE = `MG${'a'.repeat(32)}`;
const SMS: OutboundMessage = { channel: 'sms', to: '+14155550123', body: '482913 is your code', language: 'en' };
const CALL: OutboundMessage = {
  channel: 'voice',
  to: '+34612345678',
  body: 'Tu código es 4 8 2 9.',
  language: 'es-MX',
  script: voiceScript('Tu código es 4 8 2 9.', '4829'),
};

let twilio: FakeTwilio;

beforeAll(async () => {
  twilio = await FakeTwilio.start();
});

afterAll(async () => {
  await twilio.close();
});

/**
 * The Twilio keys of the secret, value after value: the first is what the send use case read
 * for the request, each forced re-read gets the next one (the last one repeats). Counts the
 * re-reads.
 */
class ScriptedSecrets {
  rereads = 0;
  constructor(private readonly answers: (TwilioCredentials | undefined)[]) {}

  get first(): TwilioCredentials {
    return this.answers[0]!;
  }

  async reread(): Promise<ProviderKeys<TwilioCredentials>> {
    this.rereads++;
    const credentials = this.answers.length > 1 ? this.answers[Math.min(this.rereads, this.answers.length - 1)] : this.answers[0];
    return credentials ? { credentials } : {};
  }
}

function credentials(overrides: Partial<TwilioCredentials> = {}): TwilioCredentials {
  return { accountSid: twilio.accountSid, authToken: twilio.authToken, phoneNumber: SENDER, ...overrides };
}

function provider(secrets: ScriptedSecrets, options?: { machineDetection?: boolean }): TwilioProvider {
  return new TwilioProvider(new TwilioRestClient({ baseUrl: twilio.url, backoffMs: () => 0 }), {
    statusCallbackUrl: CALLBACK,
    ...options,
    rereadKeys: () => secrets.reread(),
  });
}

async function sendCounting(secrets: ScriptedSecrets, message: OutboundMessage, options?: { machineDetection?: boolean }) {
  const before = twilio.requests.length;
  const outcome = await provider(secrets, options).send(message, secrets.first).then(
    (receipt) => ({ receipt, error: undefined }),
    (error: unknown) => ({ receipt: undefined, error: error as GatewayError }),
  );
  return { ...outcome, requests: twilio.requests.slice(before) };
}

describe('SMS', () => {
  it('sends from the phone number when there is no messaging service', async () => {
    const { receipt, requests } = await sendCounting(new ScriptedSecrets([credentials()]), SMS);
    expect(receipt).toEqual({ outcome: 'accepted', sid: expect.stringMatching(/^SM/), status: 'queued', latencyMs: expect.any(Number) });
    expect(requests).toHaveLength(1);
    expect(requests[0].path).toBe(`/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`);
    expect(requests[0].form).toEqual({ To: SMS.to, Body: SMS.body, From: SENDER, StatusCallback: CALLBACK });
  });

  it('prefers the messaging service to the phone number', async () => {
    const { receipt, requests } = await sendCounting(new ScriptedSecrets([credentials({ messagingServiceSid: MESSAGING_SERVICE })]), SMS);
    expect(receipt).toMatchObject({ outcome: 'accepted', status: 'accepted' });
    expect(requests[0].form).toEqual({ To: SMS.to, Body: SMS.body, MessagingServiceSid: MESSAGING_SERVICE, StatusCallback: CALLBACK });
  });

  it('authenticates with the API key when the secret has one', async () => {
    const apiKey = { sid: `SK${'b'.repeat(32)}`, secret: randomBytes(16).toString('hex') };
    twilio.allow(apiKey.sid, apiKey.secret);
    const { receipt, requests } = await sendCounting(new ScriptedSecrets([credentials({ apiKey })]), SMS);
    expect(receipt?.sid).toMatch(/^SM/);
    expect(requests[0]).toMatchObject({ username: apiKey.sid, password: apiKey.secret, path: `/2010-04-01/Accounts/${twilio.accountSid}/Messages.json` });
  });

  it('authenticates with the account SID and auth token otherwise', async () => {
    const { requests } = await sendCounting(new ScriptedSecrets([credentials()]), SMS);
    expect(requests[0]).toMatchObject({ username: twilio.accountSid, password: twilio.authToken });
  });
});

describe('voice', () => {
  it('places a call from the phone number that reads the TwiML, with a time limit', async () => {
    const { receipt, requests } = await sendCounting(new ScriptedSecrets([credentials({ messagingServiceSid: MESSAGING_SERVICE })]), CALL);
    expect(receipt?.sid).toMatch(/^CA/);
    expect(requests[0].path).toBe(`/2010-04-01/Accounts/${twilio.accountSid}/Calls.json`);
    expect(requests[0].form).toEqual({ To: CALL.to, From: SENDER, Twiml: voiceTwiml(CALL.script, 'es-MX'), StatusCallback: CALLBACK, TimeLimit: '60' });
    expect(requests[0].form.Twiml).toContain('<Say voice="Polly.Mia-Neural" language="es-MX">');
  });

  it('asks for synchronous answering-machine detection that waits for the greeting to end, when it is on', async () => {
    const { receipt, requests } = await sendCounting(new ScriptedSecrets([credentials()]), CALL, { machineDetection: true });
    expect(receipt?.sid).toMatch(/^CA/);
    expect(requests[0].form).toEqual({
      To: CALL.to,
      From: SENDER,
      Twiml: voiceTwiml(CALL.script, 'es-MX'),
      StatusCallback: CALLBACK,
      // The script starts after a greeting of up to 30 s: the call may last that much longer.
      TimeLimit: '90',
      MachineDetection: 'DetectMessageEnd',
    });
  });

  it('answers channel_unavailable without calling Twilio when there is no phone number', async () => {
    const { error, requests } = await sendCounting(new ScriptedSecrets([credentials({ phoneNumber: undefined, messagingServiceSid: MESSAGING_SERVICE })]), CALL);
    expect(requests).toEqual([]);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error?.code).toBe('channel_unavailable');
    expect(error?.status).toBe(501);
    expect(error?.message).toContain('TWILIO_PHONE_NUMBER');
  });
});

describe('rejected credentials (Twilio 20003)', () => {
  it('re-reads the secret with refresh and retries once with the new credentials', async () => {
    const rotated = randomBytes(16).toString('hex');
    twilio.allow(twilio.accountSid, rotated);
    const secrets = new ScriptedSecrets([credentials({ authToken: 'revoked-token' }), credentials({ authToken: rotated })]);

    const { receipt, requests } = await sendCounting(secrets, SMS);

    expect(receipt?.sid).toMatch(/^SM/);
    expect(requests.map((request) => request.password)).toEqual(['revoked-token', rotated]);
    expect(requests[1].form).toEqual(requests[0].form);
    expect(secrets.rereads).toBe(1);
  });

  it('reports the latency of both attempts', async () => {
    const rotated = randomBytes(16).toString('hex');
    twilio.allow(twilio.accountSid, rotated);
    twilio.script({ ...twilioError(401, 20003, 'Authenticate'), delayMs: 120 });
    const secrets = new ScriptedSecrets([credentials({ authToken: 'revoked-token' }), credentials({ authToken: rotated })]);
    const { receipt } = await sendCounting(secrets, SMS);
    expect(receipt?.latencyMs).toBeGreaterThanOrEqual(120);
  });

  it('keeps the retry within what the send has left after the slow re-read of the secret', async () => {
    const rotated = randomBytes(16).toString('hex');
    twilio.allow(twilio.accountSid, rotated);
    // The retry is accepted, but only after 700 ms: within the whole 1.5 s budget, not within what
    // is left of it once the re-read took 1 s.
    twilio.script(twilioError(401, 20003, 'Authenticate'), twilio.accepting({ delayMs: 700 }));
    const secrets = new ScriptedSecrets([credentials({ authToken: 'revoked-token' }), credentials({ authToken: rotated })]);
    const slow = new TwilioProvider(new TwilioRestClient({ baseUrl: twilio.url, backoffMs: () => 0 }), {
      statusCallbackUrl: CALLBACK,
      rereadKeys: async () => {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        return secrets.reread();
      },
    });
    const outcome = await slow.send(SMS, secrets.first, { budgetMs: 1_500 });
    expect(outcome).toMatchObject({ outcome: 'unknown', detail: expect.stringContaining('did not answer in time') });
  });

  it('retries when only the API key changed', async () => {
    const apiKey = { sid: `SK${'c'.repeat(32)}`, secret: 'new-api-key-secret' };
    twilio.allow(apiKey.sid, apiKey.secret);
    const secrets = new ScriptedSecrets([credentials({ apiKey: { sid: apiKey.sid, secret: 'old-api-key-secret' } }), credentials({ apiKey })]);
    const { receipt, requests } = await sendCounting(secrets, SMS);
    expect(receipt?.sid).toMatch(/^SM/);
    expect(requests.map((request) => request.password)).toEqual(['old-api-key-secret', 'new-api-key-secret']);
  });

  it('does not send again when the re-read secret holds the same credentials', async () => {
    const secrets = new ScriptedSecrets([credentials({ authToken: 'wrong-token' })]);
    const { error, requests } = await sendCounting(secrets, SMS);
    expect(requests).toHaveLength(1);
    expect(secrets.rereads).toBe(1);
    expect(error?.code).toBe('provider_error');
    expect(error?.details.providerCode).toBe(20003);
  });

  it('retries only once, even if the new credentials are rejected too', async () => {
    const secrets = new ScriptedSecrets([credentials({ authToken: 'wrong-1' }), credentials({ authToken: 'wrong-2' }), credentials({ authToken: 'wrong-3' })]);
    const { error, requests } = await sendCounting(secrets, SMS);
    expect(requests.map((request) => request.password)).toEqual(['wrong-1', 'wrong-2']);
    expect(error?.details.providerCode).toBe(20003);
  });

  it('retries a call with the new credentials too', async () => {
    const rotated = randomBytes(16).toString('hex');
    twilio.allow(twilio.accountSid, rotated);
    const secrets = new ScriptedSecrets([credentials({ authToken: 'revoked-token' }), credentials({ authToken: rotated })]);
    const { receipt, requests } = await sendCounting(secrets, CALL);
    expect(receipt?.sid).toMatch(/^CA/);
    expect(requests).toHaveLength(2);
  });

  it('does not re-read the secret for other refusals', async () => {
    twilio.script(twilioError(400, 21608, 'The number is unverified.'));
    const secrets = new ScriptedSecrets([credentials()]);
    const { error, requests } = await sendCounting(secrets, SMS);
    expect(requests).toHaveLength(1);
    expect(secrets.rereads).toBe(0);
    expect(error?.details.providerCode).toBe(21608);
  });
});

it('answers configuration_error, and does not send again, when the re-read secret has no Twilio keys any more', async () => {
  const { error, requests } = await sendCounting(new ScriptedSecrets([credentials({ authToken: 'revoked-token' }), undefined]), SMS);
  expect(requests).toHaveLength(1);
  expect(error?.code).toBe('configuration_error');
  expect(error?.message).toBe('The Twilio keys are not configured.');
});
