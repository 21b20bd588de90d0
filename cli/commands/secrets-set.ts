import { ConfigurationError } from '../../lambda/core/errors';
import { parseSecret } from '../../lambda/providers/secret';
import { SECRET_KEY } from '../../shared/names';
import { CommandError, envValue, stringOption, type Command, type Io, type OptionValues, type RunContext } from '../command';
import { Deployment } from '../deployment';
import { maskPhone, plural, shortSid } from '../format';
import { sameSecret } from '../signing-keys';
import { putGatewaySecret, DEFAULT_STACK, OUTPUT_KEYS } from '../stack';

/**
 * `sms-gateway secrets set`: writes the Twilio keys into the stack's secret. The new value is
 * the current one with the given keys replaced, so SMS_GATEWAY_SIGNING_SECRET,
 * SMS_GATEWAY_RATE_LIMIT_KEY (which keys the rate-limit counters) and any other key
 * stay as they are; it is checked with the gateway's own parser before anything is written.
 */

interface TwilioKey {
  option: string;
  key: string;
  /** Never shown, prompted without echo. */
  secret: boolean;
  question?: string;
}

const KEYS: readonly TwilioKey[] = [
  { option: 'account-sid', key: SECRET_KEY.twilioAccountSid, secret: false, question: 'Twilio Account SID (AC...)' },
  { option: 'auth-token', key: SECRET_KEY.twilioAuthToken, secret: true, question: 'Twilio auth token' },
  { option: 'api-key-sid', key: SECRET_KEY.twilioApiKeySid, secret: false },
  { option: 'api-key-secret', key: SECRET_KEY.twilioApiKeySecret, secret: true },
  { option: 'messaging-service-sid', key: SECRET_KEY.twilioMessagingServiceSid, secret: false, question: 'Messaging Service SID (MG..., preferred for SMS)' },
  { option: 'phone-number', key: SECRET_KEY.twilioPhoneNumber, secret: false, question: 'Sender number in E.164 (+1..., needed for voice)' },
];

function current(values: Record<string, unknown>, key: string): string | undefined {
  const value = values[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function shown(entry: TwilioKey, value: string): string {
  if (entry.secret) return 'set';
  return entry.key === SECRET_KEY.twilioPhoneNumber ? maskPhone(value) : shortSid(value);
}

/** Keys given on the command line or in the environment, and where each came from. */
function given(values: OptionValues, io: Io): { values: Record<string, string>; fromEnv: string[] } {
  const result: Record<string, string> = {};
  const fromEnv: string[] = [];
  for (const entry of KEYS) {
    const value = stringOption(values, entry.option) ?? envValue(io.env, entry.key);
    if (value === undefined) continue;
    result[entry.key] = value;
    if (stringOption(values, entry.option) === undefined) fromEnv.push(entry.key);
  }
  return { values: result, fromEnv };
}

/** With nothing given and a person at the terminal: asks for each main key, Enter keeps the current value. */
async function ask(io: Io, existing: Record<string, unknown>): Promise<Record<string, string>> {
  const answers: Record<string, string> = {};
  io.stderr('Enter the Twilio keys (Enter keeps the current value).\n');
  for (const entry of KEYS) {
    if (!entry.question) continue;
    const now = current(existing, entry.key);
    const answer = await io.prompt!(`${entry.question}${now ? ` [${shown(entry, now)}]` : ''}: `, { hidden: entry.secret });
    if (answer !== '') answers[entry.key] = answer;
  }
  return answers;
}

function differs(entry: string, before: string | undefined, after: string): boolean {
  if (before === undefined) return true;
  return entry.endsWith('TOKEN') || entry.endsWith('SECRET') ? !sameSecret(before, after) : before !== after;
}

async function run(values: OptionValues, { io, json }: RunContext): Promise<number> {
  const deployment = Deployment.fromOptions(values);
  const fromUser = given(values, io);
  const { arn, values: existing } = await deployment.secret();

  let changes = fromUser.values;
  if (Object.keys(changes).length === 0) {
    if (!io.prompt || json) {
      throw new CommandError(
        'No Twilio key given: pass them as options (--account-sid, --auth-token, --messaging-service-sid or --phone-number, ...), set the variables of the same names (TWILIO_ACCOUNT_SID, ...), or run the command in a terminal to be asked.',
      );
    }
    changes = await ask(io, existing);
  }

  const merged: Record<string, unknown> = { ...existing, ...changes };
  let parsed;
  try {
    parsed = parseSecret(merged, { allowConsoleMode: false });
  } catch (err) {
    if (err instanceof ConfigurationError) {
      const hint = err.key === SECRET_KEY.signingSecret ? ' `npx sms-gateway secrets rotate-signing-key` writes a new one.' : '';
      throw new CommandError(`Nothing was written: ${err.message}${hint}`);
    }
    throw err;
  }

  const written = Object.keys(changes).filter((key) => differs(key, current(existing, key), changes[key]));
  const kept = Object.keys(merged).filter((key) => !(key in changes));
  const gatewayKeys = kept.filter((key) => key === SECRET_KEY.signingSecret || key === SECRET_KEY.rateLimitKey);
  if (written.length > 0) {
    await putGatewaySecret(arn, merged, deployment.region);
    deployment.forgetSecret();
  }

  const twilio = parsed.providers.twilio.credentials!;
  if (json) {
    io.stdout(`${JSON.stringify({ ok: true, secretArn: arn, changed: written.length > 0, written, unchanged: Object.keys(changes).filter((key) => !written.includes(key)), kept, fromEnvironment: fromUser.fromEnv })}\n`);
    return 0;
  }
  const sender = twilio.messagingServiceSid ? `Messaging Service ${shortSid(twilio.messagingServiceSid)}` : `number ${maskPhone(twilio.phoneNumber)}`;
  io.stdout(
    [
      written.length > 0
        ? `Secret ${arn} updated: ${written.join(', ')} written; ${plural(kept.length, 'other key')} kept${gatewayKeys.length > 0 ? ` (${gatewayKeys.join(' and ')} among them)` : ''}.`
        : `Nothing to change: the secret ${arn} already holds these values.`,
      ...(fromUser.fromEnv.length > 0 ? [`From the environment: ${fromUser.fromEnv.join(', ')}.`] : []),
      `SMS are sent from the ${sender}${twilio.apiKey ? `, authenticated with the API key ${shortSid(twilio.apiKey.sid)}` : ''}; voice calls ${twilio.phoneNumber ? `from ${maskPhone(twilio.phoneNumber)}` : 'are unavailable (no TWILIO_PHONE_NUMBER)'}.`,
      ...(written.length > 0 ? ['Running Lambdas read the new value within 5 minutes.'] : []),
      'Next: `npx sms-gateway doctor` checks the keys with Twilio; `npx sms-gateway auth0 deploy` connects Auth0; `npx sms-gateway send-test --to +<your number>` sends a test SMS.',
    ].join('\n') + '\n',
  );
  return 0;
}

export const secretsSet: Command = {
  path: ['secrets', 'set'],
  summary: "Write the Twilio keys into the stack's secret (keeps the signing secret)",
  description: [
    "Replaces the given keys in the gateway's secret and keeps every other key, the signing secret",
    'and the rate-limit key included. The result is checked before anything is written: AC, SK and MG prefixes, an E.164',
    'sender, an API key SID with its secret, and a sender (Messaging Service or phone number).',
    '',
    'Values come from the options, else from environment variables with the secret\'s key names',
    '(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_API_KEY_SID, TWILIO_API_KEY_SECRET,',
    'TWILIO_MESSAGING_SERVICE_SID, TWILIO_PHONE_NUMBER). With none given, in a terminal, it asks',
    'for them (the auth token is not echoed). Prefer the variables or the prompt for the token:',
    'options end up in your shell history.',
    '',
    `Secret: --secret-arn, else the ${OUTPUT_KEYS.secretArn} output of the stack (needs AWS credentials).`,
  ].join('\n'),
  options: {
    'account-sid': { type: 'string', value: '<AC...>', description: SECRET_KEY.twilioAccountSid },
    'auth-token': { type: 'string', value: '<token>', description: 'TWILIO_AUTH_TOKEN (prefer the variable or the prompt)' },
    'api-key-sid': { type: 'string', value: '<SK...>', description: 'TWILIO_API_KEY_SID: send with an API key instead of the auth token' },
    'api-key-secret': { type: 'string', value: '<secret>', description: 'TWILIO_API_KEY_SECRET (prefer the variable)' },
    'messaging-service-sid': { type: 'string', value: '<MG...>', description: 'TWILIO_MESSAGING_SERVICE_SID, the preferred SMS sender' },
    'phone-number': { type: 'string', value: '<+E164>', description: 'TWILIO_PHONE_NUMBER, the sender number (needed for voice)' },
    'secret-arn': { type: 'string', value: '<arn>', description: "the secret to write (default: the stack's SecretArn output)" },
    stack: { type: 'string', value: '<name>', description: `CloudFormation stack (default: ${DEFAULT_STACK})` },
    region: { type: 'string', value: '<region>', description: 'AWS region of the stack (default: from the AWS configuration)' },
  },
  run,
};
