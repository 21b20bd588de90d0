import { RECIPIENT, World } from './support/world';

/**
 * `sms-gateway send-test --provider` against the real gateway deployed with PROVIDERS=twilio,aws:
 * a loopback Twilio and a loopback AWS End User Messaging (test/support/fake-aws-sms.ts), which
 * checks the gateway's signature and the request shape. The answer says which provider sent.
 */

let world: World;

beforeAll(async () => {
  world = await World.start({ awsSms: true, providers: 'twilio,aws' });
});

afterAll(async () => {
  await world.close();
});

beforeEach(() => {
  world.reset();
  world.awsSms!.sent.length = 0;
});

it('sends through AWS End User Messaging alone with --provider aws, and says where its delivery shows up', async () => {
  const run = await world.run(['send-test', '--to', RECIPIENT, '--provider', 'aws']);

  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(world.twilio.created.size).toBe(0);
  expect(world.awsSms!.sent).toHaveLength(1);
  const [sent] = world.awsSms!.sent;
  expect(sent).toMatchObject({ operation: 'SendTextMessage', input: { DestinationPhoneNumber: RECIPIENT, OriginationIdentity: world.awsSmsIdentityArn, ConfigurationSetName: 'sms-gateway' } });
  expect(run.stdout).toContain(', by aws only...');
  expect(run.stdout).toContain(`Accepted by AWS End User Messaging: ${sent.messageId} (status accepted).`);
  expect(run.stdout).toContain("Not following the delivery: AWS End User Messaging has no API to read a message's status.");
  expect(run.stdout).toContain(`filter sid = "${sent.messageId}"`);
  // Nothing polled: no status API exists to poll, and the test waited for nothing.
  expect(run.waitedMs).toBe(0);
  const code = /(\d{6})/.exec(String(sent.input.MessageBody))![1];
  expect(run.stdout).not.toContain(code);
  expect(run.stdout).not.toContain(RECIPIENT);
});

it('prints one JSON document naming the provider, without following', async () => {
  const run = await world.run(['send-test', '--to', RECIPIENT, '--provider', 'aws', '--json']);

  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual({
    ok: true,
    to: '+1415***0123',
    channel: 'sms',
    gateway: world.messagesUrl,
    id: expect.stringMatching(/^msg_/),
    sid: world.awsSms!.sent[0].messageId,
    accepted: 'accepted',
    provider: 'aws',
    followed: false,
    note: expect.stringContaining('CloudWatch Logs Insights'),
  });
});

it('places a call through AWS with --provider aws --voice', async () => {
  const run = await world.run(['send-test', '--to', RECIPIENT, '--provider', 'aws', '--voice']);

  expect(run.code).toBe(0);
  expect(world.awsSms!.sent).toEqual([expect.objectContaining({ operation: 'SendVoiceMessage' })]);
  expect(run.stdout).toContain('Accepted by AWS End User Messaging:');
});

it('sends through Twilio alone with --provider twilio, and follows it there', async () => {
  world.twilio.account.deliveries = [{ status: 'delivered' }];

  const run = await world.run(['send-test', '--to', RECIPIENT, '--provider', 'twilio']);

  expect(run.code).toBe(0);
  expect(world.awsSms!.sent).toEqual([]);
  expect(run.stdout).toMatch(/Accepted by Twilio: SM[0-9a-f]{32}/);
  expect(run.stdout).toContain('Delivered after 0 s (delivered).');
});

it('says AWS took the message when Twilio refused it and the gateway failed over', async () => {
  world.twilio.revoke(world.twilio.accountSid, world.twilio.authToken);

  const run = await world.run(['send-test', '--to', RECIPIENT]);

  expect(run.code).toBe(0);
  expect(world.awsSms!.sent).toHaveLength(1);
  expect(run.stdout).toContain(`Accepted by AWS End User Messaging: ${world.awsSms!.sent[0].messageId}`);
});

it("explains AWS's refusal by its reason", async () => {
  world.awsSms!.account.optedOut.add(RECIPIENT);

  const run = await world.run(['send-test', '--to', RECIPIENT, '--provider', 'aws']);

  expect(run.code).toBe(1);
  expect(run.stderr).toContain('ConflictException:DESTINATION_PHONE_NUMBER_OPTED_OUT');
  expect(run.stderr).toContain('fix: the number replied STOP to the AWS sender');
  expect(run.stderr).not.toContain(RECIPIENT);
});

it('refuses a provider it does not know, and --provider with --via-auth0', async () => {
  const unknown = await world.run(['send-test', '--to', RECIPIENT, '--provider', 'sms']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('--provider must be one of twilio, aws (got "sms").');

  const viaAuth0 = await world.run(['send-test', '--to', RECIPIENT, '--provider', 'aws', '--via-auth0']);
  expect(viaAuth0.code).toBe(2);
  expect(viaAuth0.stderr).toContain('--provider does not apply with --via-auth0');
  expect(world.awsSms!.sent).toEqual([]);
});
