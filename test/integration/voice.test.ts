import { FakeTwilio, twilioError } from '../support/fake-twilio';
import { refusedUrl } from '../support/fault-proxy';
import { NO_RATE_LIMITS, post, type RunningGateway, startGateway, twilioModeEnv, withGateway as usingGateway } from '../support/gateway';
import { metricSummary } from '../support/output';
import { newSigningSecret, signedHeaders } from '../support/signing';

/**
 * Voice calls end to end, through the local server and a loopback Twilio: answering-machine
 * detection from the send to the metrics of the status callback, and Twilio's refusals of a
 * call as the caller sees them.
 */

const RECIPIENT = '+14155550123';

let twilio: FakeTwilio;
let secret: string;

beforeAll(async () => {
  twilio = await FakeTwilio.start();
  secret = newSigningSecret();
});

afterAll(async () => {
  await twilio.close();
});

function withGateway(extra: Record<string, string>, run: (gateway: RunningGateway) => Promise<void>): Promise<void> {
  return usingGateway(twilioModeEnv(twilio, secret, { ...NO_RATE_LIMITS, ...extra }), run);
}

function call(gateway: RunningGateway, body: Record<string, unknown> = {}) {
  const text = JSON.stringify({ recipient: RECIPIENT, code: '482913', message_type: 'voice', ...body });
  return post(`${gateway.url}/messages`, text, signedHeaders(secret, text));
}

describe('answering-machine detection', () => {
  it('is off by default: no MachineDetection, and a completed call counts as delivered', async () => {
    await withGateway({}, async (gateway) => {
      const response = await call(gateway);
      expect(response.status).toBe(200);
      const { form } = twilio.created.get(response.body.sid)!;
      expect(form.MachineDetection).toBeUndefined();
      expect(form.TimeLimit).toBe('60');

      gateway.output.clear();
      expect((await twilio.sendStatusCallback(response.body.sid, { CallStatus: 'completed', CallDuration: '31' })).status).toBe(204);
      expect(gateway.output.metrics()).toEqual([expect.objectContaining({ Channel: 'voice', Provider: 'twilio', MessageDelivered: 1 })]);
    });
  });

  describe('with VOICE_MACHINE_DETECTION=on', () => {
    it('asks Twilio to detect synchronously and to wait for the end of a greeting', async () => {
      await withGateway({ VOICE_MACHINE_DETECTION: 'on' }, async (gateway) => {
        const response = await call(gateway);
        expect(response.status).toBe(200);
        expect(twilio.created.get(response.body.sid)!.form).toMatchObject({ MachineDetection: 'DetectMessageEnd', TimeLimit: '90' });
        expect(twilio.created.get(response.body.sid)!.form.AsyncAmd).toBeUndefined();
      });
    });

    it.each(['machine_end_beep', 'machine_end_silence', 'machine_end_other', 'fax'])(
      'counts a call %s answered as MessageUndelivered{ErrorCode=machine}, not as delivered',
      async (answeredBy) => {
        await withGateway({ VOICE_MACHINE_DETECTION: 'on' }, async (gateway) => {
          const { body } = await call(gateway);
          gateway.output.clear();
          expect((await twilio.sendStatusCallback(body.sid, { CallStatus: 'completed', AnsweredBy: answeredBy })).status).toBe(204);
          expect(metricSummary(gateway.output.metrics())).toEqual(['MessageUndelivered[Channel|Channel,Provider]', 'MessageUndelivered[Channel,ErrorCode]']);
          expect(gateway.output.metrics()[1]).toMatchObject({ Channel: 'voice', ErrorCode: 'machine', MessageUndelivered: 1 });
          expect(gateway.output.logs().find((line) => line.message === 'delivery status')).toMatchObject({ outcome: 'undelivered', errorCode: 'machine' });
        });
      },
    );

    it.each(['human', 'unknown'])('counts a call answered by %s as delivered', async (answeredBy) => {
      await withGateway({ VOICE_MACHINE_DETECTION: 'on' }, async (gateway) => {
        const { body } = await call(gateway);
        gateway.output.clear();
        expect((await twilio.sendStatusCallback(body.sid, { CallStatus: 'completed', AnsweredBy: answeredBy })).status).toBe(204);
        expect(gateway.output.metrics()).toEqual([expect.objectContaining({ Channel: 'voice', Provider: 'twilio', MessageDelivered: 1 })]);
      });
    });
  });

  it('refuses to start with a VOICE_MACHINE_DETECTION that is neither on nor off', async () => {
    await expect(startGateway(twilioModeEnv(twilio, secret, { VOICE_MACHINE_DETECTION: 'yes' }))).rejects.toThrow(
      'VOICE_MACHINE_DETECTION must be "on" or "off" (got "yes").',
    );
  });
});

describe("Twilio's refusals of a call", () => {
  it.each([
    [21215, 403, 'destination_not_allowed'],
    [13224, 400, 'invalid_recipient'],
    [21217, 400, 'invalid_recipient'],
    [21219, 502, 'provider_error'],
  ])('Twilio %i: %i %s with provider_code, counted in SendFailed', async (code, status, errorCode) => {
    await withGateway({}, async (gateway) => {
      twilio.script(twilioError(400, code, 'Twilio says no.'));
      const response = await call(gateway);
      expect(response.status).toBe(status);
      expect(response.body.error).toMatchObject({ code: errorCode, provider_code: code });
      expect(response.text).not.toContain('482913');
      expect(gateway.output.metrics().find((doc) => 'Reason' in doc)).toMatchObject({ Channel: 'voice', Reason: errorCode, SendFailed: 1 });
    });
  });

  it('503 provider_unavailable when Twilio refuses the connection: nothing was placed, so the call counts as failed, not unconfirmed', async () => {
    await withGateway({ TWILIO_API_BASE_URL: await refusedUrl() }, async (gateway) => {
      const response = await call(gateway);
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('provider_unavailable');
      const metrics = gateway.output.metrics();
      expect(metrics.find((doc) => 'Reason' in doc)).toMatchObject({ Channel: 'voice', Reason: 'provider_unavailable', SendFailed: 1 });
      expect(metrics.some((doc) => 'SendUnconfirmed' in doc)).toBe(false);
    });
  });
});
