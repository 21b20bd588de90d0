import { FakeTwilio } from '../support/fake-twilio';
import { type RunningGateway, startGateway, twilioModeEnv } from '../support/gateway';
import { newSigningSecret } from '../support/signing';
import { actionEvent, CODE, RECIPIENT } from './support/invoke';
import { built, loadForwarder } from './support/load-forwarder';

/**
 * The whole path with nothing faked but Twilio: the built Action (in a vm, as Auth0 runs it)
 * -> the gateway's real handlers behind the local server (`npm start`) -> loopback Twilio ->
 * Twilio's signed status callback -> the MessageDelivered EMF metric.
 */

const SENDER = '+15017122661';

let twilio: FakeTwilio;
let gateway: RunningGateway;
let secret: string;

beforeAll(async () => {
  twilio = await FakeTwilio.start();
  secret = newSigningSecret();
  gateway = await startGateway(twilioModeEnv(twilio, secret));
});

afterAll(async () => {
  await gateway?.close();
  await twilio?.close();
});

it('delivers an MFA code from the Auth0 Action to Twilio and counts the delivery', async () => {
  const action = loadForwarder(await built('send-phone-message'));
  const event = actionEvent({ SMS_GATEWAY_URL: `${gateway.url}/messages`, SMS_GATEWAY_SIGNING_SECRET: secret });

  await action.exports.onExecuteSendPhoneMessage(event, {});

  expect(twilio.created.size).toBe(1);
  const [[sid, request]] = [...twilio.created];
  expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
  expect(request.form).toMatchObject({ To: RECIPIENT, From: SENDER, StatusCallback: gateway.statusCallbackUrl });
  expect(request.form.Body).toContain(CODE);
  expect(gateway.output.metrics()).toEqual(expect.arrayContaining([expect.objectContaining({ MessageSent: 1, Channel: 'sms' })]));

  const callback = await twilio.sendStatusCallback(sid, { MessageStatus: 'delivered' });
  expect(callback.status).toBe(204);
  expect(gateway.output.metrics()).toEqual(expect.arrayContaining([expect.objectContaining({ MessageDelivered: 1, Channel: 'sms' })]));

  // Neither side wrote the code anywhere: the forwarder logs nothing, the gateway (Twilio mode) masks.
  expect(action.logged).toEqual([]);
  expect(gateway.output.text).not.toContain(CODE);
});
