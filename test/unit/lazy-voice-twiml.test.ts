import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * The send Lambda's composition root loads without the TwiML builder (twilio's VoiceResponse and
 * xmlbuilder): SMS cold starts do not pay for it; the first call loads it. Run in a fresh Node
 * process, so that nothing else has loaded it before.
 */
test('lambda/send.ts leaves the TwiML builder unloaded until a call needs it', () => {
  const script = `
    const loaded = () => Object.keys(require.cache).some((file) => file.includes('twiml/VoiceResponse'));
    require('./lambda/send.ts');
    const atInit = loaded();
    require('./lambda/providers/twilio/lazy-voice-twiml.ts').voiceTwiml([{ digits: '1' }], 'en');
    process.stdout.write(JSON.stringify({ atInit, afterCall: loaded() }));`;
  const output = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
    cwd: path.resolve(__dirname, '../..'),
    env: {
      PATH: process.env.PATH,
      STATE_TABLE: 'sms-gateway-state',
      SMS_GATEWAY_SIGNING_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    },
    encoding: 'utf8',
  });
  expect(JSON.parse(output)).toEqual({ atInit: false, afterCall: true });
});
