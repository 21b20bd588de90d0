import { startGateway } from '../support/gateway';
import { twilioError } from '../support/fake-twilio';
import { FaultProxy } from '../support/fault-proxy';
import { newSigningSecret } from '../support/signing';
import { VerifyingGateway } from '../auth0/support/verifying-gateway';
import { refusedUrl } from '../support/fault-proxy';
import { RECIPIENT, SENDER, World, withoutAwsCredentials } from './support/world';

/**
 * `sms-gateway send-test` against the real gateway (local server, same keys as the stack's
 * secret) and a loopback Twilio that reports delivery as each test scripts it.
 */

let world: World;

beforeAll(async () => {
  world = await World.start();
});

afterAll(async () => {
  await world.close();
});

beforeEach(() => {
  world.twilio.account.deliveries = [];
  world.twilio.requests.length = 0;
  world.twilio.created.clear();
  world.twilio.account.reads.length = 0;
});

function sentBody(): string {
  const [request] = [...world.twilio.created.values()];
  return request.form.Body ?? '';
}

function statusReads(): string[] {
  return world.twilio.account.reads.filter((path) => /\/(Messages|Calls)\//.test(path));
}

describe('from the deployed stack', () => {
  it('sends through the gateway, prints the SID and follows it until delivered', async () => {
    world.twilio.account.deliveries = [{ status: 'queued' }, { status: 'sent' }, { status: 'delivered' }];

    const run = await world.run(['send-test', '--to', RECIPIENT]);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [[sid, request]] = [...world.twilio.created];
    expect(request.form.To).toBe(RECIPIENT);
    expect(run.stdout).toContain(`Sending a test SMS to +1415***0123 through ${world.messagesUrl} (from stack MfaSmsGateway)...`);
    expect(run.stdout).toContain(`Accepted by Twilio: ${sid} (status accepted).`);
    expect(run.stdout).toContain('Delivered after 4 s (delivered).');
    expect(run.waitedMs).toBe(4000);
    // The code reached Twilio, and nowhere else: not printed, and the full number is masked.
    const code = /(\d{6})/.exec(sentBody())![1];
    expect(run.stdout).not.toContain(code);
    expect(run.stdout).not.toContain(RECIPIENT);
    expect(statusReads()).toHaveLength(3);
  });

  it('exits 1 and explains the Twilio error when the message is undelivered', async () => {
    world.twilio.account.deliveries = [{ status: 'sent' }, { status: 'undelivered', errorCode: 30003 }];

    const run = await world.run(['send-test', '--to', RECIPIENT]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Undelivered after 2 s: Twilio error 30003, the handset is unreachable (switched off or out of coverage).');
    expect(run.stderr).toContain('fix: try again when the phone is on and has signal');
    expect(run.stderr).toContain('more: https://www.twilio.com/docs/api/errors/30003');
  });

  it('places a call with --voice and follows the call', async () => {
    world.twilio.account.deliveries = [{ status: 'ringing' }, { status: 'in-progress' }, { status: 'completed' }];

    const run = await world.run(['send-test', '--to', RECIPIENT, '--voice']);

    expect(run.code).toBe(0);
    const [[sid, request]] = [...world.twilio.created];
    expect(sid).toMatch(/^CA/);
    expect(request.form.From).toBe(SENDER);
    expect(statusReads().every((path) => path.includes(`/Calls/${sid}.json`))).toBe(true);
    expect(run.stdout).toContain('Sending a test call to +1415***0123');
    expect(run.stdout).toContain('Answered after 4 s (completed).');
  });

  it('does not call a call a machine answered delivered (answering-machine detection on)', async () => {
    world.twilio.account.deliveries = [{ status: 'in-progress' }, { status: 'completed', answeredBy: 'machine_end_beep' }];

    const run = await world.run(['send-test', '--to', RECIPIENT, '--voice']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Completed after 2 s, but a machine answered (machine_end_beep): the code went to voicemail, not to a person.');
  });

  it('calls a call a person answered delivered (answering-machine detection on)', async () => {
    world.twilio.account.deliveries = [{ status: 'completed', answeredBy: 'human' }];

    const run = await world.run(['send-test', '--to', RECIPIENT, '--voice']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Answered after 0 s (completed).');
  });

  it('gives up after --timeout without a final status, and says what "sent" means', async () => {
    world.twilio.account.deliveries = [{ status: 'sent' }];

    const run = await world.run(['send-test', '--to', RECIPIENT, '--timeout', '10']);

    expect(run.code).toBe(1);
    expect(run.waitedMs).toBeLessThanOrEqual(10_000);
    expect(run.stderr).toContain('Still sent after 10 s: no final status yet.');
    expect(run.stderr).toContain('some carriers never confirm delivery');
  });

  it('keeps polling through a Twilio hiccup (503), and stops at a refusal that will not pass', async () => {
    world.twilio.account.failures.push(twilioError(503, 20500, 'Service unavailable'));
    world.twilio.account.deliveries = [{ status: 'delivered' }];
    const flaky = await world.run(['send-test', '--to', RECIPIENT]);
    expect(flaky.code).toBe(0);
    expect(flaky.stdout).toContain('Delivered after 2 s');

    const run = await world.run(['send-test', '--to', RECIPIENT], { TWILIO_ACCOUNT_SID: world.twilio.accountSid, TWILIO_AUTH_TOKEN: 'not-the-token' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Sent SM[0-9a-f]{32}, but could not follow it: Twilio answered HTTP 401, error 20003/);
    expect(run.stderr).not.toContain('not-the-token');
  });

  it('stops after the send with --no-follow', async () => {
    const run = await world.run(['send-test', '--to', RECIPIENT, '--no-follow']);

    expect(run.code).toBe(0);
    expect(world.twilio.created.size).toBe(1);
    expect(statusReads()).toEqual([]);
    expect(run.stdout).toMatch(/Accepted by Twilio: SM[0-9a-f]{32}/);
  });

  it('draws a progress line on a terminal, and clears it', async () => {
    world.twilio.account.deliveries = [{ status: 'sent' }, { status: 'delivered' }];

    const run = await world.run(['send-test', '--to', RECIPIENT], {}, { isTTY: true });

    expect(run.code).toBe(0);
    expect(run.stderr).toContain('\r\x1b[K| sent (0 s)');
    expect(run.stderr.endsWith('\r\x1b[K')).toBe(true);
  });

  it('prints one JSON document with --json, and no progress line', async () => {
    world.twilio.account.deliveries = [{ status: 'delivered' }];

    const run = await world.run(['send-test', '--to', RECIPIENT, '--json'], {}, { isTTY: true });

    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      ok: true,
      to: '+1415***0123',
      channel: 'sms',
      gateway: world.messagesUrl,
      id: expect.stringMatching(/^msg_/),
      sid: expect.stringMatching(/^SM[0-9a-f]{32}$/),
      accepted: 'accepted',
      provider: 'twilio',
      followed: true,
      status: 'delivered',
      final: true,
      delivered: true,
      elapsedSeconds: 0,
    });
  });

  it('reports a failed delivery as JSON with the error code, its meaning and the fix', async () => {
    world.twilio.account.deliveries = [{ status: 'failed', errorCode: 30007 }];

    const run = await world.run(['send-test', '--to', RECIPIENT, '--json']);

    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: false,
      status: 'failed',
      final: true,
      delivered: false,
      errorCode: 30007,
      errorMeaning: 'the carrier filtered the message as spam',
      fix: expect.stringContaining('A2P 10DLC'),
    });
  });
});

describe('refusals', () => {
  it('explains a --provider the gateway has no settings for', async () => {
    const run = await world.run(['send-test', '--to', RECIPIENT, '--provider', 'aws']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('SMS gateway refused the message (HTTP 400): Field "provider" names aws, which this gateway has no settings for.');
    expect(run.stderr).toContain('fix: the gateway has no settings for that provider: for aws, deploy with -c awsSms=...');
    expect(world.twilio.created.size).toBe(0);
  });

  it('refuses a number that is not E.164 before sending anything', async () => {
    for (const to of ['4155550123', '+1 415 555 0123', '+1415555012', 'phone']) {
      const run = await world.run(['send-test', '--to', to]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--to is not a valid E.164 number');
    }
    expect((await world.run(['send-test'])).stderr).toContain('--to is required');
    expect(world.twilio.created.size).toBe(0);
  });

  it('exits 1 with the reason and the fix on a 401 (wrong signing secret)', async () => {
    const run = await world.run(['send-test', '--to', RECIPIENT], { SMS_GATEWAY_SIGNING_SECRET: newSigningSecret() });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('SMS gateway refused the message (HTTP 401)');
    expect(run.stderr).toContain("fix: the signing secret used here differs from the gateway's");
    expect(world.twilio.created.size).toBe(0);
  });

  it('explains a Twilio refusal relayed by the gateway (502 provider_error with 21608)', async () => {
    // Once: like the Auth0 Action, send-test never retries a 502, which another try cannot change.
    world.twilio.script(twilioError(400, 21608, 'The number +14155550123 is unverified. Trial accounts cannot send messages to unverified numbers'));

    const run = await world.run(['send-test', '--to', RECIPIENT, '--json']);

    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ ok: false, stage: 'send', httpStatus: 502, errorCode: 'provider_error' });
    expect(result.fix).toContain('a trial account can only send to verified numbers');
    expect(run.stdout).not.toContain(RECIPIENT);
  });

  it('exits 1 with the gateway\'s reason for a destination it does not allow', async () => {
    const run = await world.run(['send-test', '--to', '+447911123456']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('SMS gateway refused the message (HTTP 403)');
    expect(run.stderr).toContain('ALLOWED_COUNTRIES');
  });

  it('says it could not reach a gateway that does not answer', async () => {
    const run = await world.run(['send-test', '--to', RECIPIENT, '--url', `${await refusedUrl()}/messages`], { SMS_GATEWAY_SIGNING_SECRET: world.signingSecret });

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Could not reach the SMS gateway at .* \(3 attempts\): ECONNREFUSED/);
  });

  it('refuses a --url that is not POST /messages, and a bad --timeout', async () => {
    expect((await world.run(['send-test', '--to', RECIPIENT, '--url', 'https://example.com/'])).stderr).toContain('must be the full URL of POST /messages');
    expect((await world.run(['send-test', '--to', RECIPIENT, '--timeout', '0'])).stderr).toContain('--timeout must be a whole number of seconds');
  });
});

describe('a gateway given with --url', () => {
  it('follows with the Twilio credentials of the environment when there is no AWS', async () => {
    const restore = withoutAwsCredentials();
    try {
      world.twilio.account.deliveries = [{ status: 'delivered' }];
      const run = await world.run(['send-test', '--to', RECIPIENT, '--url', world.messagesUrl], {
        SMS_GATEWAY_SIGNING_SECRET: world.signingSecret,
        TWILIO_ACCOUNT_SID: world.twilio.accountSid,
        TWILIO_AUTH_TOKEN: world.twilio.authToken,
      });

      expect(run.code).toBe(0);
      expect(run.stdout).toContain('(from options)');
      expect(run.stdout).toContain('Delivered after 0 s');
    } finally {
      restore();
    }
  });

  it('sends but does not follow without Twilio or AWS credentials, and says why', async () => {
    const restore = withoutAwsCredentials();
    try {
      const run = await world.run(['send-test', '--to', RECIPIENT, '--url', world.messagesUrl], { SMS_GATEWAY_SIGNING_SECRET: world.signingSecret });

      expect(run.code).toBe(0);
      expect(world.twilio.created.size).toBe(1);
      expect(run.stdout).toContain('Not following the delivery: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to follow a gateway given with --url (no AWS credentials');
    } finally {
      restore();
    }
  });

  it('needs a signing secret when neither AWS nor the environment gives one', async () => {
    const restore = withoutAwsCredentials();
    try {
      const run = await world.run(['send-test', '--to', RECIPIENT, '--url', world.messagesUrl]);

      expect(run.code).toBe(1);
      expect(run.stderr).toContain('no AWS credentials were found');
      expect(run.stderr).toContain('Pass --url and --signing-secret (or set SMS_GATEWAY_URL and SMS_GATEWAY_SIGNING_SECRET)');
    } finally {
      restore();
    }
  });

  it('says a console-mode gateway printed the message, and does not follow it', async () => {
    const secret = newSigningSecret();
    const local = await startGateway({ SMS_GATEWAY_SIGNING_SECRET: secret });
    try {
      const run = await world.run(['send-test', '--to', RECIPIENT, '--url', `${local.url}/messages`], { SMS_GATEWAY_SIGNING_SECRET: secret });

      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Accepted: console-/);
      expect(run.stdout).toContain('The gateway runs in console mode');
      expect(world.twilio.requests).toHaveLength(0);
    } finally {
      await local.close();
    }
  });

  it('with --voice against a console-mode gateway, prints the TwiML the call would speak, in the language asked for', async () => {
    const secret = newSigningSecret();
    const local = await startGateway({ SMS_GATEWAY_SIGNING_SECRET: secret });
    try {
      const run = await world.run(['send-test', '--to', RECIPIENT, '--url', `${local.url}/messages`, '--voice', '--language', 'fr-CA'], { SMS_GATEWAY_SIGNING_SECRET: secret });

      expect(run.code).toBe(0);
      expect(run.stdout).toContain('The call would speak this TwiML (voice and language from config/voices.json):');
      const twiml = /<\?xml.*<\/Response>/.exec(run.stdout)![0];
      expect(twiml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response><Say voice="Polly.Gabrielle-Neural" language="fr-CA"><break time="1000ms"\/>Bonjour. Votre code de vérification est : \d<break time="500ms"\/>\d/);
      // What the gateway printed instead of calling: the same document, for the same code.
      expect(local.output.text).toContain(twiml);
      expect(world.twilio.requests).toHaveLength(0);
    } finally {
      await local.close();
    }
  });

  it('with --voice --json, adds the TwiML to the answer', async () => {
    const secret = newSigningSecret();
    const local = await startGateway({ SMS_GATEWAY_SIGNING_SECRET: secret });
    try {
      const run = await world.run(['send-test', '--to', RECIPIENT, '--url', `${local.url}/messages`, '--voice', '--json'], { SMS_GATEWAY_SIGNING_SECRET: secret });

      expect(run.code).toBe(0);
      const answer = JSON.parse(run.stdout);
      expect(answer).toMatchObject({ ok: true, channel: 'voice', followed: false, sid: expect.stringMatching(/^console-/) });
      expect(answer.twiml).toContain('<Say voice="Polly.Joanna-Neural" language="en-US">');
    } finally {
      await local.close();
    }
  });

  it('signs exactly as the Auth0 Action does (checked by standardwebhooks), body in the contract\'s shape', async () => {
    const verifying = await VerifyingGateway.start([world.signingSecret]);
    try {
      const run = await world.run(['send-test', '--to', RECIPIENT, '--url', verifying.url, '--language', 'pt-BR', '--no-follow'], { SMS_GATEWAY_SIGNING_SECRET: world.signingSecret });

      expect(run.code).toBe(0);
      const [request] = verifying.requests;
      expect(request.verifiedBy).toEqual([world.signingSecret]);
      expect(request.headers['user-agent']).toBe('mfa-sms-gateway-auth0-forwarder');
      expect(request.body).toEqual({
        recipient: RECIPIENT,
        code: expect.stringMatching(/^\d{6}$/),
        text: expect.stringContaining('is your verification code'),
        message_type: 'sms',
        action: 'authentication',
        language: 'pt-BR',
        client_id: 'sms-gateway-send-test',
        client_name: 'sms-gateway send-test',
      });
    } finally {
      await verifying.close();
    }
  });
});

describe('--via-auth0: Auth0 tests its own phone provider', () => {
  beforeEach(async () => {
    world.reset();
    world.tenant.experience = 'unified';
    expect((await world.run(['auth0', 'deploy', '--voice'])).code).toBe(0);
    world.tenant.calls.length = 0;
  });

  const tries = () => world.tenant.calls.filter((call) => call.path.endsWith('/try'));

  it("has Auth0 run the deployed Action against the gateway, finds the message in Twilio and follows it", async () => {
    world.twilio.account.deliveries = [{ status: 'sent' }, { status: 'delivered' }];

    const run = await world.run(['send-test', '--to', RECIPIENT, '--via-auth0']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(tries().map((call) => call.body)).toEqual([{ to: RECIPIENT, delivery_method: 'text' }]);
    expect(world.tenant.tried).toHaveLength(1);
    expect(world.tenant.tried[0].outcome).toEqual([]);
    const [[sid, request]] = [...world.twilio.created];
    expect(request.form.To).toBe(RECIPIENT);
    expect(request.form.Body).toContain(String(world.tenant.tried[0].event.notification.code));
    expect(run.stdout).toContain(`Asking Auth0 (${world.tenant.domain}) to send a test SMS to +1415***0123 through its phone provider...`);
    expect(run.stdout).toContain('Auth0 accepted the test (Phone notification sent.)');
    expect(run.stdout).toContain(`The gateway handed it to Twilio: ${sid}.`);
    expect(run.stdout).toContain('Delivered after');
    expect(run.stdout).not.toContain(RECIPIENT);
  });

  it('places a call with --voice, and reports as JSON', async () => {
    world.twilio.account.deliveries = [{ status: 'completed' }];

    const run = await world.run(['send-test', '--to', RECIPIENT, '--via-auth0', '--voice', '--json']);

    expect(run.code).toBe(0);
    expect(tries()[0].body).toEqual({ to: RECIPIENT, delivery_method: 'voice' });
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, via: 'auth0', tenant: world.tenant.domain, channel: 'voice', sid: expect.stringMatching(/^CA/), delivered: true });
  });

  it("exits 1 pointing at Auth0's logs when the Action drops the test, and Twilio never gets a message", async () => {
    const run = await world.run(['send-test', '--to', '+447911123456', '--via-auth0']);

    expect(run.code).toBe(1);
    expect(world.tenant.tried[0].outcome).toEqual([{ call: 'drop', reason: expect.stringContaining('SMS gateway refused the message (HTTP 403)') }]);
    expect(run.stderr).toContain('No message to +4479***3456 reached Twilio within 60 s: Auth0 accepted the test, but its Action did not get it through.');
    expect(run.stderr).toContain("fix: see the Action's reason in Auth0's tenant logs (Monitoring > Logs)");
  });

  it('refuses to test a phone provider that is not the gateway\'s, or one without voice', async () => {
    world.tenant.tenantPhoneProvider!.delivery_methods = ['text'];
    const voice = await world.run(['send-test', '--to', RECIPIENT, '--via-auth0', '--voice']);
    expect(voice.code).toBe(1);
    expect(voice.stderr).toContain('The tenant phone provider does not deliver by voice: run `npx sms-gateway auth0 deploy --voice`.');

    world.tenant.tenantPhoneProvider!.name = 'twilio';
    const twilio = await world.run(['send-test', '--to', RECIPIENT, '--via-auth0']);
    expect(twilio.code).toBe(1);
    expect(twilio.stderr).toContain('The tenant phone provider is twilio, not custom, so Auth0 would send the test itself');
    expect(tries()).toEqual([]);
  });

  describe('when the answer to the test request does not come', () => {
    let proxy: FaultProxy;

    beforeEach(async () => {
      proxy = await FaultProxy.start(world.tenant.origin);
    });

    afterEach(async () => {
      await proxy.close();
    });

    const trying = (request: { path: string }) => request.path.endsWith('/try');

    it.each([
      ['a lost answer', { kind: 'lose-answer' as const }, 'no answer', 1],
      ['a 503', { kind: 'answer' as const, status: 503, body: '{"statusCode":503,"error":"Service Unavailable","message":"try later"}' }, 'HTTP 503', 0],
    ])('asks once, and says the test may have been sent (%s)', async (_case, fault, said, ran) => {
      proxy.inject((request) => (trying(request) ? fault : undefined));

      const run = await world.run(['send-test', '--to', RECIPIENT, '--via-auth0'], {}, { fetch: world.tenant.fetchVia(proxy.url) });

      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`Auth0 did not confirm the test (${said}): it may have sent it anyway. Look at the phone, or in Twilio Console > Monitor > Logs, before asking again.`);
      // Never asked twice: Auth0 may have sent the first (the SDK would retry a 503 on its own).
      expect(proxy.requests.filter(trying)).toHaveLength(1);
      expect(world.tenant.tried).toHaveLength(ran);
      expect(world.twilio.created.size).toBe(ran);
    });

    it('waits out a slow answer, then finds and follows the message', async () => {
      proxy.inject((request) => (trying(request) ? { kind: 'delay', ms: 300 } : undefined));
      world.twilio.account.deliveries = [{ status: 'delivered' }];

      const run = await world.run(['send-test', '--to', RECIPIENT, '--via-auth0'], {}, { fetch: world.tenant.fetchVia(proxy.url) });

      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Delivered after');
    });
  });

  it('names the missing scope, and refuses options that do not apply', async () => {
    world.tenant.scopes.delete('create:phone_providers');
    const scope = await world.run(['send-test', '--to', RECIPIENT, '--via-auth0']);
    expect(scope.code).toBe(1);
    expect(scope.stderr).toContain('lacks the scope create:phone_providers');

    const url = await world.run(['send-test', '--to', RECIPIENT, '--via-auth0', '--url', world.messagesUrl]);
    expect(url.code).toBe(2);
    expect(url.stderr).toContain('--url does not apply with --via-auth0');
  });
});
