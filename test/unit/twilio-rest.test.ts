import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayError } from '../../lambda/core/errors';
import { TwilioRestClient, type TwilioAuth, type TwilioRestOptions } from '../../lambda/providers/twilio/rest';
import { FakeTwilio, twilioError } from '../support/fake-twilio';

/**
 * The hand-written Twilio REST client against a loopback Twilio: what goes on the wire, how
 * Twilio's answers map to the contract's errors or to an unknown outcome, and the retry (only
 * of what provably created nothing) and time budget. Budgets are small and the backoff is
 * fixed so that every test stays fast.
 */

const RECIPIENT = '+14155550123';
const SENDER = '+15017122661';

let twilio: FakeTwilio;

beforeAll(async () => {
  twilio = await FakeTwilio.start();
});

afterAll(async () => {
  await twilio.close();
});

function client(options: Partial<TwilioRestOptions> = {}): TwilioRestClient {
  return new TwilioRestClient({ baseUrl: twilio.url, backoffMs: () => 0, ...options });
}

function accountAuth(): TwilioAuth {
  return { accountSid: twilio.accountSid, username: twilio.accountSid, password: twilio.authToken };
}

function sms(body = '482913 is your code') {
  return { To: RECIPIENT, From: SENDER, Body: body, StatusCallback: 'https://sms.example.com/twilio/status' };
}

/** Requests Twilio received while `run` ran. */
async function requestsDuring<T>(run: () => Promise<T>) {
  const before = twilio.requests.length;
  const result = await run().then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );
  return { ...result, requests: twilio.requests.slice(before) };
}

async function failure(run: () => Promise<unknown>) {
  const { error, requests } = await requestsDuring(run);
  expect(error).toBeInstanceOf(GatewayError);
  return { error: error as GatewayError, requests };
}

describe('requests', () => {
  it('creates a message with a form POST, Basic auth with the account SID and auth token', async () => {
    const { value, requests } = await requestsDuring(() => client().createMessage(accountAuth(), sms()));

    expect(value).toEqual({ outcome: 'accepted', sid: expect.stringMatching(/^SM[0-9a-f]{32}$/), status: 'queued', latencyMs: expect.any(Number) });
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`);
    expect(request.contentType).toBe('application/x-www-form-urlencoded');
    expect(request.headers.accept).toBe('application/json');
    expect(request.headers['user-agent']).toMatch(/^mfa-sms-gateway\//);
    expect(request.username).toBe(twilio.accountSid);
    expect(request.password).toBe(twilio.authToken);
    expect(request.form).toEqual(sms());
  });

  it('creates a call the same way', async () => {
    const twiml = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>1 2 3 4</Say></Response>';
    const { value, requests } = await requestsDuring(() =>
      client().createCall(accountAuth(), { To: RECIPIENT, From: SENDER, Twiml: twiml, TimeLimit: '60' }),
    );
    expect(value).toMatchObject({ sid: expect.stringMatching(/^CA/), status: 'queued' });
    expect(requests[0].path).toBe(`/2010-04-01/Accounts/${twilio.accountSid}/Calls.json`);
    expect(requests[0].form).toEqual({ To: RECIPIENT, From: SENDER, Twiml: twiml, TimeLimit: '60' });
  });

  it('authenticates with an API key while addressing the account', async () => {
    const keySid = `SK${'1'.repeat(32)}`;
    twilio.allow(keySid, 'api-key-secret');
    const { value, requests } = await requestsDuring(() =>
      client().createMessage({ accountSid: twilio.accountSid, username: keySid, password: 'api-key-secret' }, sms()),
    );
    expect(value?.sid).toMatch(/^SM/);
    expect(requests[0]).toMatchObject({ username: keySid, password: 'api-key-secret', path: `/2010-04-01/Accounts/${twilio.accountSid}/Messages.json` });
  });

  it('leaves out undefined parameters', async () => {
    const { requests } = await requestsDuring(() =>
      client().createMessage(accountAuth(), { To: RECIPIENT, MessagingServiceSid: `MG${'2'.repeat(32)}`, From: undefined, Body: 'x 1234' }),
    );
    expect(requests[0].form).toEqual({ To: RECIPIENT, MessagingServiceSid: `MG${'2'.repeat(32)}`, Body: 'x 1234' });
  });

  it('encodes any text in the form exactly', async () => {
    const body = 'Code: 1234 & more = +50% ✓\nsecond line; é';
    const { requests } = await requestsDuring(() => client().createMessage(accountAuth(), sms(body)));
    expect(requests[0].form.Body).toBe(body);
  });

  it('accepts a base URL with a trailing slash', async () => {
    const { value } = await requestsDuring(() => client({ baseUrl: `${twilio.url}/` }).createMessage(accountAuth(), sms()));
    expect(value?.sid).toMatch(/^SM/);
  });
});

describe("Twilio's errors", () => {
  it.each([
    [400, 21211, 'invalid_recipient', 400],
    [400, 21614, 'invalid_recipient', 400],
    [400, 21408, 'destination_not_allowed', 403],
    [400, 21610, 'destination_not_allowed', 403],
    [401, 20003, 'provider_error', 502],
    [400, 21608, 'provider_error', 502],
    [404, 20404, 'provider_error', 502],
    [400, 21602, 'provider_error', 502],
  ])('HTTP %i with code %i becomes %s (%i), without a retry', async (httpStatus, code, gatewayCode, status) => {
    twilio.script(twilioError(httpStatus, code, 'Twilio says no.'));
    const { error, requests } = await failure(() => client().createMessage(accountAuth(), sms()));
    expect(requests).toHaveLength(1);
    expect(error.code).toBe(gatewayCode);
    expect(error.status).toBe(status);
    expect(error.details.providerCode).toBe(code);
    expect(error.details.latencyMs).toEqual(expect.any(Number));
    expect(error.message).toContain(`Twilio says no. (Twilio error ${code}, https://www.twilio.com/docs/errors/${code})`);
  });

  it.each([
    [400, 21215, 'destination_not_allowed', 403],
    [400, 13227, 'destination_not_allowed', 403],
    [400, 21216, 'destination_not_allowed', 403],
    [400, 13223, 'invalid_recipient', 400],
    [400, 13224, 'invalid_recipient', 400],
    [400, 21217, 'invalid_recipient', 400],
    [400, 21401, 'invalid_recipient', 400],
    [400, 21211, 'invalid_recipient', 400],
    [400, 21219, 'provider_error', 502],
    [400, 21210, 'provider_error', 502],
  ])('a call refused with HTTP %i and code %i becomes %s (%i), like the same fault in SMS', async (httpStatus, code, gatewayCode, status) => {
    twilio.script(twilioError(httpStatus, code, 'Twilio says no.'));
    const call = { To: RECIPIENT, From: SENDER, Twiml: '<Response><Say>1</Say></Response>' };
    const { error, requests } = await failure(() => client().createCall(accountAuth(), call));
    expect(requests).toHaveLength(1);
    expect(requests[0].path).toBe(`/2010-04-01/Accounts/${twilio.accountSid}/Calls.json`);
    expect(error.code).toBe(gatewayCode);
    expect(error.status).toBe(status);
    expect(error.toBody().error.provider_code).toBe(code);
  });

  it('HTTP 429 twice becomes provider_unavailable (503) after one retry: Twilio never processed either', async () => {
    twilio.script(twilioError(429, 20429, 'Too Many Requests'), twilioError(429, 20429, 'Too Many Requests'));
    const { error, requests } = await failure(() => client().createMessage(accountAuth(), sms()));
    expect(requests).toHaveLength(2);
    expect(error.code).toBe('provider_unavailable');
    expect(error.status).toBe(503);
    expect(error.message).toBe('Twilio is unavailable (HTTP 429); try again later.');
    expect(error.details.providerCode).toBe(20429);
    expect(error.retryable).toBe(true);
  });

  it.each([500, 502, 503, 504])('HTTP %i is an unknown outcome, never retried: Twilio may have created the message', async (httpStatus) => {
    twilio.script(twilioError(httpStatus, 20500, `Busy sending to ${RECIPIENT}`));
    const { value, requests } = await requestsDuring(() => client().createMessage(accountAuth(), sms()));
    expect(requests).toHaveLength(1);
    expect(value).toEqual({ outcome: 'unknown', detail: `Twilio answered HTTP ${httpStatus}.`, latencyMs: expect.any(Number) });
  });

  it('masks every phone number Twilio quotes, in any format', async () => {
    twilio.script(twilioError(400, 21211, `The 'To' number ${RECIPIENT} is not valid; neither is +1 (415) 555-0199 from ${SENDER}.`));
    const { error } = await failure(() => client().createMessage(accountAuth(), sms()));
    expect(error.message).toContain("The 'To' number +1415***0123 is not valid; neither is +1415***0199 from +1501***2661.");
    for (const digits of ['4155550123', '4155550199', '5017122661']) expect(error.message).not.toContain(digits);
    expect(error.message).toContain('https://www.twilio.com/docs/errors/21211');
  });

  it('leaves short digit runs such as error codes readable', async () => {
    twilio.script(twilioError(400, 21211, 'See errors 21211 (21614) for details.'));
    const { error } = await failure(() => client().createMessage(accountAuth(), sms()));
    expect(error.message).toContain('See errors 21211 (21614) for details.');
  });

  it('quotes the code alone when Twilio gives no more_info link', async () => {
    twilio.script({ status: 400, body: { code: 21608, message: 'Unverified number.' } });
    const { error } = await failure(() => client().createMessage(accountAuth(), sms()));
    expect(error.message).toBe('Twilio refused the request (HTTP 400): Unverified number. (Twilio error 21608)');
  });

  it('says so when a refusal carries no details', async () => {
    twilio.script({ status: 400, body: 'garbage' });
    const { error } = await failure(() => client().createMessage(accountAuth(), sms()));
    expect(error.code).toBe('provider_error');
    expect(error.message).toBe('Twilio refused the request (HTTP 400): no details given');
    expect(error.details.providerCode).toBeUndefined();
  });

  it('ignores a code that is not a number', async () => {
    twilio.script({ status: 400, body: { code: '21211', message: 'Invalid' } });
    const { error } = await failure(() => client().createMessage(accountAuth(), sms()));
    expect(error.code).toBe('provider_error');
    expect(error.details.providerCode).toBeUndefined();
  });

  it.each([
    ['HTML', { status: 201, body: '<html>surprise</html>' }, undefined],
    ['JSON without a sid', { status: 201, body: { status: 'queued' } }, undefined],
    ['JSON without a status', { status: 200, body: { sid: 'SM123' } }, 'SM123'],
    ['an empty body', { status: 201, body: '' }, undefined],
  ])('does not claim success for a 2xx with %s: the outcome is unknown, never retried', async (_case, answer, sid) => {
    twilio.script(answer);
    const { value, requests } = await requestsDuring(() => client().createMessage(accountAuth(), sms()));
    expect(requests).toHaveLength(1);
    expect(value).toEqual({
      outcome: 'unknown',
      ...(sid ? { sid } : {}),
      detail: `Twilio answered HTTP ${answer.status} without a SID and status.`,
      latencyMs: expect.any(Number),
    });
  });
});

describe('retries', () => {
  it('retries once after a 429 and returns the resource', async () => {
    twilio.script(twilioError(429, 20429, 'Too Many Requests'));
    const { value, requests } = await requestsDuring(() => client().createMessage(accountAuth(), sms()));
    expect(requests).toHaveLength(2);
    expect(requests[1].form).toEqual(requests[0].form);
    expect(value).toMatchObject({ sid: expect.stringMatching(/^SM/), status: 'queued', latencyMs: expect.any(Number) });
  });

  it('does not retry a 5xx with a garbage body (a proxy on the way): unknown', async () => {
    twilio.script({ status: 503, body: '<html>Service Unavailable</html>' });
    const { value, requests } = await requestsDuring(() => client().createMessage(accountAuth(), sms()));
    expect(requests).toHaveLength(1);
    expect(value).toMatchObject({ outcome: 'unknown', detail: 'Twilio answered HTTP 503.' });
  });

  it('does not retry when Twilio hangs up after reading the request: it may have created the message', async () => {
    twilio.script(twilio.accepting({ hangUp: true }));
    const before = twilio.created.size;
    const { value, requests } = await requestsDuring(() => client().createMessage(accountAuth(), sms()));
    expect(requests).toHaveLength(1);
    expect(twilio.created.size - before).toBe(1);
    expect(value).toMatchObject({ outcome: 'unknown', detail: 'Twilio hung up before answering.' });
  });

  it('gives up with provider_unavailable when Twilio cannot be reached at all', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    let backoffs = 0;
    const refused = new TwilioRestClient({ baseUrl: `http://127.0.0.1:${port}`, backoffMs: () => (backoffs++, 0) });
    const { error } = await failure(() => refused.createMessage(accountAuth(), sms()));
    expect(backoffs).toBe(1);
    expect(error.code).toBe('provider_unavailable');
    expect(error.message).toBe('Twilio could not be reached; try again later.');
    expect(error.details.latencyMs).toEqual(expect.any(Number));
  });

  it('hands Retry-After to the backoff, in milliseconds, and reports it on the error in seconds', async () => {
    const seen: (number | undefined)[] = [];
    twilio.script(
      { ...twilioError(429, 20429, 'Too Many Requests'), headers: { 'retry-after': '2' } },
      { ...twilioError(429, 20429, 'Too Many Requests'), headers: { 'retry-after': '3' } },
    );
    const { error } = await failure(() => client({ backoffMs: (retryAfter) => (seen.push(retryAfter), 0) }).createMessage(accountAuth(), sms()));
    expect(seen).toEqual([2000]);
    expect(error.details.retryAfterSeconds).toBe(3);
  });

  it('gives the backoff no Retry-After when the header is not a number of seconds', async () => {
    const seen: (number | undefined)[] = [];
    twilio.script({ ...twilioError(429, 20429, 'Too Many Requests'), headers: { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' } });
    await requestsDuring(() => client({ backoffMs: (retryAfter) => (seen.push(retryAfter), 0) }).createMessage(accountAuth(), sms()));
    expect(seen).toEqual([undefined]);
  });

  it('does not retry when Retry-After is longer than the budget allows (default backoff)', async () => {
    twilio.script({ ...twilioError(429, 20429, 'Too Many Requests'), headers: { 'retry-after': '30' } });
    const defaultBackoff = new TwilioRestClient({ baseUrl: twilio.url });
    const { error, requests } = await failure(() => defaultBackoff.createMessage(accountAuth(), sms()));
    expect(requests).toHaveLength(1);
    expect(error.code).toBe('provider_unavailable');
    expect(error.details.retryAfterSeconds).toBe(30);
  });

  it('retries after a short jittered pause without Retry-After (default backoff)', async () => {
    twilio.script(twilioError(429, 20429, 'Too Many Requests'));
    const defaultBackoff = new TwilioRestClient({ baseUrl: twilio.url });
    const { value, requests } = await requestsDuring(() => defaultBackoff.createMessage(accountAuth(), sms()));
    expect(requests).toHaveLength(2);
    expect(value?.sid).toMatch(/^SM/);
  });

  it('waits for a short Retry-After before retrying (default backoff)', async () => {
    twilio.script({ ...twilioError(429, 20429, 'Too Many Requests'), headers: { 'retry-after': '1' } });
    const defaultBackoff = new TwilioRestClient({ baseUrl: twilio.url });
    const { value, requests } = await requestsDuring(() => defaultBackoff.createMessage(accountAuth(), sms()));
    expect(requests).toHaveLength(2);
    expect(value?.latencyMs).toBeGreaterThanOrEqual(950); // timers may round a millisecond early
  });
});

describe('time budget', () => {
  it('does not retry a timeout: Twilio may have sent the message', async () => {
    twilio.script(twilio.accepting({ delayMs: 2_000 }));
    const { value, requests } = await requestsDuring(() => client({ attemptTimeoutMs: 200 }).createMessage(accountAuth(), sms()));
    expect(requests).toHaveLength(1);
    expect(value).toMatchObject({ outcome: 'unknown', detail: 'Twilio did not answer in time.' });
    expect(value?.latencyMs).toBeGreaterThanOrEqual(150);
  });

  it('does not retry when less than a second of the budget would remain', async () => {
    twilio.script({ ...twilioError(429, 20429, 'Too Many Requests'), delayMs: 600 });
    const { error, requests } = await failure(() => client({ totalBudgetMs: 1_500 }).createMessage(accountAuth(), sms()));
    expect(requests).toHaveLength(1);
    expect(error.code).toBe('provider_unavailable');
  });

  it('counts the backoff against the budget', async () => {
    twilio.script(twilioError(429, 20429, 'Too Many Requests'));
    const { requests } = await failure(() => client({ totalBudgetMs: 1_500, backoffMs: () => 600 }).createMessage(accountAuth(), sms()));
    expect(requests).toHaveLength(1);
  });

  it('cuts the retry short at the end of the budget, not after a full attempt timeout', async () => {
    // The retry's answer comes at 4 s: a retry given the full 5 s attempt timeout would get it (accepted).
    twilio.script(twilioError(429, 20429, 'Too Many Requests'), twilio.accepting({ delayMs: 4_000 }));
    const { value, requests } = await requestsDuring(() => client({ attemptTimeoutMs: 5_000, totalBudgetMs: 1_200 }).createMessage(accountAuth(), sms()));
    expect(requests).toHaveLength(2);
    expect(value).toMatchObject({ outcome: 'unknown', detail: 'Twilio did not answer in time.' });
  });
});
