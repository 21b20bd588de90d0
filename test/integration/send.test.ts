import { FakeTwilio, twilioError } from '../support/fake-twilio';
import { refusedUrl } from '../support/fault-proxy';
import { NO_RATE_LIMITS, post, type RunningGateway, startGateway, twilioModeEnv } from '../support/gateway';
import { metricSummary } from '../support/output';
import { newSigningSecret, signedHeaders } from '../support/signing';

/**
 * POST /messages through the local server (the `npm start` path) against a loopback Twilio:
 * the contract's success body, the exact requests Twilio receives, every error row, and the
 * 202 answer of a send whose outcome is unknown.
 */

const SENDER = '+15017122661';
const RECIPIENT = '+14155550123';

let twilio: FakeTwilio;
let gateway: RunningGateway;
let secret: string;

function send(body: unknown, options: { headers?: Record<string, string>; raw?: string } = {}) {
  const text = options.raw ?? JSON.stringify(body);
  return post(`${gateway.url}/messages`, text, { ...signedHeaders(secret, text), ...options.headers });
}

beforeAll(async () => {
  twilio = await FakeTwilio.start();
  secret = newSigningSecret();
  gateway = await startGateway(twilioModeEnv(twilio, secret, NO_RATE_LIMITS));
});

afterAll(async () => {
  await gateway.close();
  await twilio.close();
});

beforeEach(() => gateway.output.clear());

describe('sending', () => {
  it('sends an SMS through the Messages API and answers with the contract body', async () => {
    const response = await send({ recipient: RECIPIENT, code: '482913', language: 'en', client_name: 'Acme' });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: expect.stringMatching(/^msg_/), sid: expect.stringMatching(/^SM[0-9a-f]{32}$/), status: 'queued', channel: 'sms', provider: 'twilio' });

    const request = twilio.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`);
    expect(request.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request.username).toBe(twilio.accountSid);
    expect(request.password).toBe(twilio.authToken);
    expect(request.form).toEqual({
      To: RECIPIENT,
      From: SENDER,
      Body: "482913 is your Acme verification code. Don't share it with anyone.",
      StatusCallback: gateway.statusCallbackUrl,
    });
    expect(metricSummary(gateway.output.metrics())).toEqual(['MessageSent[Channel|Channel,Provider]', 'SendLatency[Channel|Channel,Provider]']);
    expect(gateway.output.metrics()[0]).toMatchObject({ Channel: 'sms', MessageSent: 1 });
  });

  it('places a voice call that reads the code digit by digit, three times, with a voice of the request language', async () => {
    const response = await send({ recipient: '+34612345678', code: '4829', message_type: 'voice', language: 'es-MX' });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ sid: expect.stringMatching(/^CA/), status: 'queued', channel: 'voice' });
    const request = twilio.requests.at(-1)!;
    expect(request.path).toBe(`/2010-04-01/Accounts/${twilio.accountSid}/Calls.json`);
    expect(request.form).toMatchObject({ To: '+34612345678', From: SENDER, StatusCallback: gateway.statusCallbackUrl, TimeLimit: '60' });
    const digits = '4<break time="500ms"/>8<break time="500ms"/>2<break time="500ms"/>9';
    expect(request.form.Twiml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Mia-Neural" language="es-MX"><break time="1000ms"/>' +
        `Hola. Tu código de verificación es: ${digits}.<break time="1500ms"/>${digits}<break time="1500ms"/>${digits}</Say></Response>`,
    );
    expect(metricSummary(gateway.output.metrics())).toEqual(['MessageSent[Channel|Channel,Provider]', 'SendLatency[Channel|Channel,Provider]']);
    expect(gateway.output.metrics()[0]).toMatchObject({ Channel: 'voice' });
  });

  it('speaks Brazilian Portuguese to pt-BR, falls back from pt-PT to pt and from an unknown language to English', async () => {
    await send({ recipient: RECIPIENT, code: '1234', language: 'pt-BR' });
    expect(twilio.requests.at(-1)!.form.Body).toBe('1234 é seu código de verificação. Não compartilhe com ninguém.');
    await send({ recipient: RECIPIENT, code: '1234', language: 'pt-PT' });
    expect(twilio.requests.at(-1)!.form.Body).toBe('1234 é o seu código de verificação. Não o partilhe.');
    await send({ recipient: RECIPIENT, code: '1234', language: 'ja', action: 'enrollment' });
    expect(twilio.requests.at(-1)!.form.Body).toBe("1234 is your code to turn on two-step verification. Don't share it.");
  });

  it("uses Auth0's text when no template matches the action", async () => {
    await send({ recipient: RECIPIENT, code: '1234', action: 'password-reset', text: 'Your code is 1234' });
    expect(twilio.requests.at(-1)!.form.Body).toBe('Your code is 1234');
  });

  it('accepts header names in any case and a JSON content type with parameters', async () => {
    const text = JSON.stringify({ recipient: RECIPIENT, code: '1234' });
    const headers = signedHeaders(secret, text);
    const response = await post(`${gateway.url}/messages`, text, {
      'Content-Type': 'Application/JSON; charset=UTF-8',
      'Webhook-Id': headers['webhook-id'],
      'WEBHOOK-TIMESTAMP': headers['webhook-timestamp'],
      'Webhook-Signature': headers['webhook-signature'],
    });
    expect(response.status).toBe(200);
  });

  it('retries once when Twilio answers 429, then succeeds', async () => {
    const before = twilio.requests.length;
    twilio.script(twilioError(429, 20429, 'Too Many Requests'));
    const response = await send({ recipient: RECIPIENT, code: '1234' });
    expect(response.status).toBe(200);
    expect(twilio.requests.length - before).toBe(2);
  });
});

describe('refusals (every row of the contract table)', () => {
  async function expectError(response: Awaited<ReturnType<typeof send>>, status: number, code: string) {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body).toEqual({ error: { code, message: expect.any(String), ...(response.body?.error?.provider_code !== undefined ? { provider_code: expect.any(Number) } : {}) } });
  }

  it.each([
    ['a body that is not JSON', '{"recipient": '],
    ['a JSON array', '[]'],
    ['a missing code', JSON.stringify({ recipient: RECIPIENT })],
    ['a numeric code', JSON.stringify({ recipient: RECIPIENT, code: 123456 })],
    ['a code of letters', JSON.stringify({ recipient: RECIPIENT, code: 'abcdef' })],
    ['a code too short', JSON.stringify({ recipient: RECIPIENT, code: '123' })],
    ['an unknown message_type', JSON.stringify({ recipient: RECIPIENT, code: '1234', message_type: 'email' })],
    ['a numeric recipient', JSON.stringify({ recipient: 14155550123, code: '1234' })],
    ['an object client_id', JSON.stringify({ recipient: RECIPIENT, code: '1234', client_id: {} })],
    ['a bad factor_type', JSON.stringify({ recipient: RECIPIENT, code: '1234', factor_type: 'third' })],
  ])('400 invalid_request for %s', async (_case, raw) => {
    const before = twilio.requests.length;
    await expectError(await send(undefined, { raw }), 400, 'invalid_request');
    expect(twilio.requests.length).toBe(before);
  });

  it('names the field in the message', async () => {
    const response = await send({ recipient: RECIPIENT, code: '12' });
    expect(response.body.error.message).toContain('"code"');
  });

  it.each([
    ['spaces', '+1 415 555 0123'],
    ['no plus', '14155550123'],
    ['an unassigned country code', '+99912345678'],
    ['a number that cannot exist', '+10005550123'],
  ])('400 invalid_recipient for %s', async (_case, recipient) => {
    await expectError(await send({ recipient, code: '1234' }), 400, 'invalid_recipient');
  });

  it('401 invalid_signature without the headers', async () => {
    const response = await post(`${gateway.url}/messages`, JSON.stringify({ recipient: RECIPIENT, code: '1234' }), { 'content-type': 'application/json' });
    await expectError(response, 401, 'invalid_signature');
  });

  it('401 invalid_signature for another secret, a tampered body, a stale or future timestamp', async () => {
    const text = JSON.stringify({ recipient: RECIPIENT, code: '1234' });
    const now = Math.floor(Date.now() / 1000);
    const cases = [
      signedHeaders(newSigningSecret(), text),
      { ...signedHeaders(secret, text.replace('1234', '9999')) },
      signedHeaders(secret, text, { timestamp: now - 6 * 60 }),
      signedHeaders(secret, text, { timestamp: now + 6 * 60 }),
      { ...signedHeaders(secret, text), 'webhook-timestamp': 'yesterday' },
    ];
    for (const headers of cases) await expectError(await post(`${gateway.url}/messages`, text, headers), 401, 'invalid_signature');
  });

  it('401 for a replay of a valid request whose timestamp is now old', async () => {
    const text = JSON.stringify({ recipient: RECIPIENT, code: '1234' });
    const headers = signedHeaders(secret, text, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    await expectError(await post(`${gateway.url}/messages`, text, headers), 401, 'invalid_signature');
  });

  it('accepts any one valid signature among several (key rotation)', async () => {
    const text = JSON.stringify({ recipient: RECIPIENT, code: '1234' });
    const headers = signedHeaders(secret, text, { secrets: [newSigningSecret(), secret] });
    expect((await post(`${gateway.url}/messages`, text, headers)).status).toBe(200);
  });

  it('403 destination_not_allowed when Twilio refuses the destination (21408, 21610)', async () => {
    for (const code of [21408, 21610]) {
      twilio.script(twilioError(400, code, `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${RECIPIENT}.`));
      const response = await send({ recipient: RECIPIENT, code: '1234' });
      await expectError(response, 403, 'destination_not_allowed');
      expect(response.body.error.provider_code).toBe(code);
    }
  });

  it('400 invalid_recipient when Twilio says the number is invalid (21211, 21614)', async () => {
    for (const code of [21211, 21614]) {
      twilio.script(twilioError(400, code, `The 'To' number ${RECIPIENT} is not a valid phone number.`));
      const response = await send({ recipient: RECIPIENT, code: '1234' });
      await expectError(response, 400, 'invalid_recipient');
      expect(response.body.error.message).toContain('+1415***0123');
      expect(response.body.error.message).not.toContain(RECIPIENT);
    }
  });

  it('405 method_not_allowed and 404 not_found', async () => {
    const get = await fetch(`${gateway.url}/messages`);
    expect(get.status).toBe(405);
    expect(await get.json()).toEqual({ error: { code: 'method_not_allowed', message: expect.any(String) } });
    const missing = await post(`${gateway.url}/nope`, '{}', { 'content-type': 'application/json' });
    await expectError(missing, 404, 'not_found');
  });

  it('413 payload_too_large over 16 KiB, before checking the signature', async () => {
    const raw = JSON.stringify({ recipient: RECIPIENT, code: '1234', text: 'x'.repeat(16 * 1024) });
    await expectError(await send(undefined, { raw }), 413, 'payload_too_large');
  });

  it('415 unsupported_media_type for a form body', async () => {
    const raw = 'recipient=%2B14155550123&code=1234';
    await expectError(await send(undefined, { raw, headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
  });

  it('501 channel_unavailable for voice without a sender number', async () => {
    const mgOnly = await startGateway(
      twilioModeEnv(twilio, secret, { ...NO_RATE_LIMITS, TWILIO_PHONE_NUMBER: '', TWILIO_MESSAGING_SERVICE_SID: `MG${'a'.repeat(32)}` }),
    );
    try {
      const before = twilio.requests.length;
      const text = JSON.stringify({ recipient: RECIPIENT, code: '1234', message_type: 'voice' });
      const response = await post(`${mgOnly.url}/messages`, text, signedHeaders(secret, text));
      await expectError(response, 501, 'channel_unavailable');
      expect(twilio.requests.length).toBe(before);
      expect(metricSummary(mgOnly.output.metrics())).toEqual(['SendFailed[Channel|Channel,Provider]', 'SendFailed[Channel,Reason]']);
      expect(mgOnly.output.metrics()[0]).toMatchObject({ Channel: 'voice', Provider: 'twilio', SendFailed: 1 });
      expect(mgOnly.output.metrics()[1]).toMatchObject({ Channel: 'voice', Reason: 'channel_unavailable', SendFailed: 1 });
    } finally {
      await mgOnly.close();
    }
  });

  it('502 provider_error with provider_code for other Twilio refusals', async () => {
    twilio.script(twilioError(400, 21608, 'The number is unverified. Trial accounts cannot send messages to unverified numbers.'));
    const response = await send({ recipient: RECIPIENT, code: '1234' });
    await expectError(response, 502, 'provider_error');
    expect(response.body.error.provider_code).toBe(21608);
    const failed = gateway.output.metrics().find((doc) => 'Reason' in doc)!;
    expect(failed).toMatchObject({ Channel: 'sms', Reason: 'provider_error', SendFailed: 1 });
  });

  it('503 provider_unavailable when Twilio keeps answering 429 (one retry, then stop)', async () => {
    const before = twilio.requests.length;
    twilio.script(twilioError(429, 20429, 'Too Many Requests'), twilioError(429, 20429, 'Too Many Requests'));
    await expectError(await send({ recipient: RECIPIENT, code: '1234' }), 503, 'provider_unavailable');
    expect(twilio.requests.length - before).toBe(2);
  });

  it('503 provider_unavailable when Twilio cannot be reached (a refused connection sends nothing)', async () => {
    const unreachable = await startGateway(twilioModeEnv(twilio, secret, { ...NO_RATE_LIMITS, TWILIO_API_BASE_URL: await refusedUrl() }));
    try {
      const text = JSON.stringify({ recipient: RECIPIENT, code: '1234' });
      const response = await post(`${unreachable.url}/messages`, text, signedHeaders(secret, text));
      await expectError(response, 503, 'provider_unavailable');
      expect(response.body.error.message).toBe('Twilio could not be reached; try again later.');
    } finally {
      await unreachable.close();
    }
  });
});

describe('unknown outcomes: 202 unconfirmed, never sent again', () => {
  const unconfirmed = (response: Awaited<ReturnType<typeof send>>) => {
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: expect.stringMatching(/^msg_/), status: 'unconfirmed', channel: 'sms', provider: 'twilio' });
  };

  it('when Twilio answers 2xx without a resource', async () => {
    twilio.script({ status: 201, body: '<html>surprise</html>' });
    unconfirmed(await send({ recipient: RECIPIENT, code: '1234' }));
  });

  it('with the SID when Twilio names one but no status', async () => {
    twilio.script({ status: 201, body: { sid: `SM${'f'.repeat(32)}` } });
    const response = await send({ recipient: RECIPIENT, code: '1234' });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: expect.any(String), status: 'unconfirmed', channel: 'sms', sid: `SM${'f'.repeat(32)}`, provider: 'twilio' });
  });

  it('when Twilio answers 5xx (no retry: it may have sent)', async () => {
    const before = twilio.requests.length;
    twilio.script(twilioError(500, 20500, 'Internal Server Error'));
    unconfirmed(await send({ recipient: RECIPIENT, code: '1234' }));
    expect(twilio.requests.length - before).toBe(1);
  });

  it('when Twilio does not answer within 5 s (no retry: it may have sent)', async () => {
    const before = twilio.requests.length;
    // Twilio answers at 6 s: a gateway that waited for it would answer 200, not 202.
    twilio.script(twilio.accepting({ delayMs: 6_000 }));
    unconfirmed(await send({ recipient: RECIPIENT, code: '1234' }));
    expect(twilio.requests.length - before).toBe(1);
    expect(metricSummary(gateway.output.metrics())).toEqual(['SendUnconfirmed[Channel|Channel,Provider]', 'SendLatency[Channel|Channel,Provider]']);
  });

  it('when Twilio hangs up after reading the request', async () => {
    const before = twilio.requests.length;
    twilio.script(twilio.accepting({ hangUp: true }));
    unconfirmed(await send({ recipient: RECIPIENT, code: '1234' }));
    expect(twilio.requests.length - before).toBe(1);
  });

  it('keeps serving after all of the above', async () => {
    const response = await send({ recipient: RECIPIENT, code: '1234' });
    expect(response.status).toBe(200);
  });
});
