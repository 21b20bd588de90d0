import { FakeTwilio, twilioError } from '../support/fake-twilio';
import { NO_RATE_LIMITS, post, type RunningGateway, startGateway, twilioModeEnv } from '../support/gateway';
import { newSigningSecret, signedHeaders } from '../support/signing';

/**
 * Security: in Twilio mode, no log line, metric or response ever contains the one-time code,
 * the message text or the recipient's full number, whatever happens to the request. Numbers
 * appear only masked (+1415***0123).
 */

const CODE = '90817263';
const RECIPIENT = '+16505551234';
const NATIONAL = '6505551234';

let twilio: FakeTwilio;
let gateway: RunningGateway;
let secret: string;
const responses: string[] = [];

async function send(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  const response = await post(`${gateway.url}/messages`, text, { ...signedHeaders(secret, text), ...headers });
  responses.push(response.text, JSON.stringify(Object.fromEntries(response.headers)));
  return response;
}

beforeAll(async () => {
  twilio = await FakeTwilio.start();
  secret = newSigningSecret();
  gateway = await startGateway(twilioModeEnv(twilio, secret, { ...NO_RATE_LIMITS, POWERTOOLS_LOG_LEVEL: 'DEBUG' }));
});

afterAll(async () => {
  await gateway.close();
  await twilio.close();
});

it('never writes or answers the code or the full number, on any path', async () => {
  const base = { recipient: RECIPIENT, code: CODE, text: `Your code is ${CODE}`, client_name: 'Acme', ip: '203.0.113.9' };

  const sms = await send(base);
  expect(sms.status).toBe(200);
  expect((await send({ ...base, message_type: 'voice' })).status).toBe(200);
  expect((await send({ ...base, action: 'unknown-action' })).status).toBe(200);

  twilio.script(twilioError(400, 21211, `The 'To' number ${RECIPIENT} is not a valid phone number.`));
  expect((await send(base)).status).toBe(400);
  twilio.script(twilioError(400, 21608, `The number ${RECIPIENT} is unverified. Trial accounts cannot send messages to unverified numbers; verify ${RECIPIENT} at twilio.com/user/account/phone-numbers/verified.`));
  expect((await send(base)).status).toBe(502);
  twilio.script(twilioError(429, 20429, 'Too Many Requests'), twilioError(429, 20429, 'Too Many Requests'));
  expect((await send(base)).status).toBe(503);
  twilio.script(twilioError(500, 20500, 'Internal Server Error'));
  expect((await send(base)).status).toBe(202);

  expect((await send({ ...base, message_type: 'fax' })).status).toBe(400);
  expect((await send({ ...base, recipient: `${RECIPIENT}99999` })).status).toBe(400);
  expect((await send(base, { 'webhook-signature': 'v1,AAAA' })).status).toBe(401);

  const callback = await twilio.sendStatusCallback(sms.body.sid, { MessageStatus: 'undelivered', ErrorCode: '30003', To: RECIPIENT });
  expect(callback.status).toBe(204);

  const everything = [gateway.output.text, ...responses].join('\n');
  // The run did produce logs that name the recipient, masked.
  expect(gateway.output.logs().length).toBeGreaterThan(8);
  expect(everything).toContain('+1650***1234');

  expect(everything).not.toContain(CODE);
  expect(everything).not.toContain(NATIONAL);
  expect(everything).not.toContain(secret.slice('whsec_'.length));
  expect(everything).not.toContain(twilio.authToken);
});

it("scrubs the code out of Twilio's own text when it quotes the message (fault 9 of issue 10)", async () => {
  // A six-digit code: too short to be masked as a phone number, so only scrubbing removes it.
  const code = '482913';
  const base = { recipient: RECIPIENT, code, client_name: 'Acme' };
  gateway.output.clear();
  responses.length = 0;

  twilio.script(twilioError(400, 21608, `Cannot send "${code} is your Acme verification code." to unverified ${RECIPIENT}.`));
  expect((await send(base)).status).toBe(502);
  twilio.script(twilioError(400, 21211, `Invalid 'To' for message '${code} is your code' (code ${code.split('').join(' ')}).`));
  expect((await send(base)).status).toBe(400);
  twilio.script(twilioError(400, 13520, `Invalid TwiML: <Say>Your code is ${code.split('').join(', ')}.</Say>`));
  expect((await send({ ...base, message_type: 'voice' })).status).toBe(502);
  twilio.script(twilioError(400, 13520, `Invalid TwiML: <Say voice="Polly.Joanna-Neural">${code.split('').join('<break time="500ms"/>')}</Say>`));
  expect((await send({ ...base, message_type: 'voice' })).status).toBe(502);
  // An unknown outcome (a 5xx) is logged with Twilio's text too.
  twilio.script(twilioError(500, 20500, `Internal error while sending "${code}"`));
  await send(base);

  const everything = [gateway.output.text, ...responses].join('\n');
  expect(gateway.output.logs().length).toBeGreaterThanOrEqual(4);
  expect(everything).toContain('Twilio error 21608');
  // The code's digits in order, together or apart the ways a text or a call spells them; not
  // inside a longer run of hex (request ids and SIDs are random hex and may hold "4...8...2").
  const apart = '(?:[\\s,.]|<break time="500ms"\\/>){0,3}';
  expect(everything).not.toMatch(new RegExp(`(?<![0-9a-f])${code.split('').join(apart)}(?![0-9a-f])`, 'i'));
  expect(everything).not.toContain(NATIONAL);
});
