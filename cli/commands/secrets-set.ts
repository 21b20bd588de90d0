import { ConfigurationError } from '../../lambda/core/errors';
import { parseSecret, type SecretOptions } from '../../lambda/providers/secret';
import { PROVIDER, SECRET_KEY, TWILIO_SECRET_KEYS, type ProviderName } from '../../shared/names';
import { sameIdentity, showIdentity } from '../aws-sms/identity';
import { CommandError, envValue, stringOption, type Command, type Io, type OptionValues, type RunContext } from '../command';
import { Deployment } from '../deployment';
import { maskPhone, plural, shortSid } from '../format';
import { readRouting } from '../provider-routes';
import { sameSecret } from '../signing-keys';
import { putGatewaySecret, DEFAULT_STACK, OUTPUT_KEYS } from '../stack';

/**
 * `sms-gateway secrets set`: writes a provider's keys into the stack's secret: Twilio's, and AWS
 * End User Messaging's origination identity. The new value is the current one with the given
 * keys replaced, so SMS_GATEWAY_SIGNING_SECRET, SMS_GATEWAY_RATE_LIMIT_KEY (which keys the
 * rate-limit counters) and any other key stay as they are; it is checked with the gateway's own
 * parser, for the providers the deployed routes name, before anything is written.
 */

interface ProviderKey {
  option: string;
  key: string;
  /** Never shown, prompted without echo. */
  secret: boolean;
  question?: string;
  /** Which provider the key is for: `--aws` asks for AWS's, the prompt without it for Twilio's. */
  provider: 'twilio' | 'aws';
}

const KEYS: readonly ProviderKey[] = [
  { option: 'account-sid', key: SECRET_KEY.twilioAccountSid, secret: false, question: 'Twilio Account SID (AC...)', provider: 'twilio' },
  { option: 'auth-token', key: SECRET_KEY.twilioAuthToken, secret: true, question: 'Twilio auth token', provider: 'twilio' },
  { option: 'api-key-sid', key: SECRET_KEY.twilioApiKeySid, secret: false, provider: 'twilio' },
  { option: 'api-key-secret', key: SECRET_KEY.twilioApiKeySecret, secret: true, provider: 'twilio' },
  { option: 'messaging-service-sid', key: SECRET_KEY.twilioMessagingServiceSid, secret: false, question: 'Messaging Service SID (MG..., preferred for SMS)', provider: 'twilio' },
  { option: 'phone-number', key: SECRET_KEY.twilioPhoneNumber, secret: false, question: 'Sender number in E.164 (+1..., needed for voice)', provider: 'twilio' },
  {
    option: 'aws-origination-identity',
    key: SECRET_KEY.awsSmsOriginationIdentity,
    secret: false,
    question: 'AWS End User Messaging origination identity (+E.164 number, phone-..., pool-..., sender ID, or its ARN)',
    provider: 'aws',
  },
];

function current(values: Record<string, unknown>, key: string): string | undefined {
  const value = values[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function shown(entry: ProviderKey, value: string): string {
  if (entry.secret) return 'set';
  if (entry.provider === 'aws') return showIdentity(value);
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

/**
 * With nothing given and a person at the terminal: asks for each main key of one provider,
 * Twilio's, or with --aws AWS End User Messaging's; Enter keeps the current value.
 */
async function ask(io: Io, existing: Record<string, unknown>, provider: ProviderKey['provider']): Promise<Record<string, string>> {
  const answers: Record<string, string> = {};
  io.stderr(provider === 'aws' ? 'Enter the AWS End User Messaging setting (Enter keeps the current value).\n' : 'Enter the Twilio keys (Enter keeps the current value).\n');
  for (const entry of KEYS) {
    if (!entry.question || entry.provider !== provider) continue;
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

/** What the gateway reading this secret requires, as far as the CLI can tell, to check the secret against. */
interface Requirements {
  options: SecretOptions;
  /** The stack's routes in words, when they were read. */
  routes?: string;
  /** The stack's AwsSmsOriginationIdentity output (null: AWS End User Messaging is off); undefined when the stack was not read. */
  granted?: string | null;
  /** Why the routes are not the stack's, for the output. */
  note?: string;
}

/** The providers whose keys the secret holds (Twilio when none): what is checked when the routes are unknown. */
function providersWithKeys(values: Record<string, unknown>): ProviderName[] {
  const has = (key: string) => current(values, key) !== undefined;
  const providers: ProviderName[] = [];
  if (TWILIO_SECRET_KEYS.some(has)) providers.push(PROVIDER.twilio);
  if (has(SECRET_KEY.awsSmsOriginationIdentity)) providers.push(PROVIDER.aws);
  return providers.length > 0 ? providers : [PROVIDER.twilio];
}

/**
 * The deployed routes (PROVIDERS, PROVIDER_ROUTES of the send Lambda) say whose keys are
 * required, and the stack's AwsSmsOriginationIdentity output is the sender when the secret names
 * none, as the send Lambda reads them. With --secret-arn the stack is not read: the keys the
 * secret holds are checked instead.
 */
async function requirements(deployment: Deployment, values: OptionValues, merged: Record<string, unknown>): Promise<Requirements> {
  const fallback = { allowConsoleMode: false, routed: providersWithKeys(merged) };
  if (stringOption(values, 'secret-arn')) return { options: fallback };
  try {
    const [variables, stack] = await Promise.all([deployment.sendEnvironment(), deployment.describe()]);
    const routing = readRouting(variables);
    const granted = stack.outputs[OUTPUT_KEYS.awsSmsOriginationIdentity];
    return { options: { allowConsoleMode: false, routed: routing.routed, awsSmsOriginationIdentity: granted }, routes: routing.text, granted: granted ?? null };
  } catch (err) {
    if (!(err instanceof CommandError || err instanceof ConfigurationError)) throw err;
    return { options: fallback, note: `The stack's routes could not be read (${err.message.replace(/\.$/, '')}), so the keys of the providers the secret holds were checked.` };
  }
}

/** What stops AWS End User Messaging from sending from the identity the secret now names. */
function identityWarnings(merged: Record<string, unknown>, required: Requirements, stackName: string): string[] {
  const identity = current(merged, SECRET_KEY.awsSmsOriginationIdentity);
  if (identity === undefined || required.granted === undefined) return [];
  const shown = showIdentity(identity);
  // The stack grants sms-voice:SendTextMessage on its awsSms identity alone (cdk/constructs/aws-sms.ts).
  const deploy = 'name it in the stack\'s awsSms and deploy again (docs/configuration.md)';
  if (required.granted === null) return [`AWS End User Messaging is off in the stack ${stackName}, so its send Lambda may not send from ${shown}: ${deploy}.`];
  switch (sameIdentity(identity, required.granted)) {
    case false:
      return [`The stack lets its send Lambda send from ${required.granted} only, so AWS refuses sends from ${shown} (AccessDeniedException): ${deploy}, or set the identity back.`];
    case undefined:
      return [`Only AWS can tell whether ${shown} is the stack's ${required.granted}, the one identity its send Lambda may send from: \`npx sms-gateway doctor\` checks it.`];
    default:
      return [];
  }
}

async function run(values: OptionValues, { io, json }: RunContext): Promise<number> {
  const deployment = Deployment.fromOptions(values);
  const fromUser = given(values, io);
  const { arn, values: existing } = await deployment.secret();

  let changes = fromUser.values;
  if (Object.keys(changes).length === 0) {
    if (!io.prompt || json) {
      throw new CommandError(
        'No key given: pass them as options (--account-sid, --auth-token, --messaging-service-sid or --phone-number, ..., or --aws-origination-identity), set the variables of the same names (TWILIO_ACCOUNT_SID, ..., AWS_SMS_ORIGINATION_IDENTITY), or run the command in a terminal to be asked (with --aws, for AWS End User Messaging).',
      );
    }
    changes = await ask(io, existing, values.aws === true ? 'aws' : 'twilio');
  }

  const merged: Record<string, unknown> = { ...existing, ...changes };
  const required = await requirements(deployment, values, merged);
  let parsed;
  try {
    parsed = parseSecret(merged, required.options);
  } catch (err) {
    if (err instanceof ConfigurationError) {
      // Which providers are required is worth saying once AWS is among them: Twilio alone is the default.
      const hint =
        err.key === SECRET_KEY.signingSecret
          ? ' `npx sms-gateway secrets rotate-signing-key` writes a new one.'
          : required.routes && required.options.routed?.includes(PROVIDER.aws)
            ? ` The stack's routes: ${required.routes}.`
            : '';
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

  const warnings = [...(required.note ? [required.note] : []), ...identityWarnings(merged, required, deployment.stackName)];
  if (json) {
    io.stdout(
      `${JSON.stringify({
        ok: true,
        secretArn: arn,
        changed: written.length > 0,
        written,
        unchanged: Object.keys(changes).filter((key) => !written.includes(key)),
        kept,
        fromEnvironment: fromUser.fromEnv,
        ...(warnings.length > 0 ? { warnings } : {}),
      })}\n`,
    );
    return 0;
  }
  const twilio = parsed.providers.twilio.credentials;
  const aws = parsed.providers.aws.credentials;
  const senders: string[] = [];
  if (twilio) {
    const sender = twilio.messagingServiceSid ? `Messaging Service ${shortSid(twilio.messagingServiceSid)}` : `number ${maskPhone(twilio.phoneNumber)}`;
    senders.push(
      `SMS are sent from the ${sender}${twilio.apiKey ? `, authenticated with the API key ${shortSid(twilio.apiKey.sid)}` : ''}; voice calls ${twilio.phoneNumber ? `from ${maskPhone(twilio.phoneNumber)}` : 'are unavailable (no TWILIO_PHONE_NUMBER)'}.`,
    );
  }
  if (aws) {
    const fromSecret = current(merged, SECRET_KEY.awsSmsOriginationIdentity) !== undefined;
    senders.push(`AWS End User Messaging sends from ${showIdentity(aws.originationIdentity)}${fromSecret ? '' : " (the stack's awsSms)"}.`);
  }
  io.stdout(
    [
      written.length > 0
        ? `Secret ${arn} updated: ${written.join(', ')} written; ${plural(kept.length, 'other key')} kept${gatewayKeys.length > 0 ? ` (${gatewayKeys.join(' and ')} among them)` : ''}.`
        : `Nothing to change: the secret ${arn} already holds these values.`,
      ...(fromUser.fromEnv.length > 0 ? [`From the environment: ${fromUser.fromEnv.join(', ')}.`] : []),
      ...senders,
      ...(required.routes ? [`Routes of the stack: ${required.routes}.`] : []),
      ...warnings.map((warning) => `Warning: ${warning}`),
      ...(written.length > 0 ? ['Running Lambdas read the new value within 5 minutes.'] : []),
      'Next: `npx sms-gateway doctor` checks the keys with each provider; `npx sms-gateway auth0 deploy` connects Auth0; `npx sms-gateway send-test --to +<your number>` sends a test SMS.',
    ].join('\n') + '\n',
  );
  return 0;
}

export const secretsSet: Command = {
  path: ['secrets', 'set'],
  summary: "Write the Twilio keys or the AWS SMS sender into the stack's secret (keeps the signing secret)",
  description: [
    "Replaces the given keys in the gateway's secret and keeps every other key, the signing secret",
    'and the rate-limit key included. The result is checked with the gateway\'s own parser before anything is',
    'written, for the providers the stack routes to (PROVIDERS, PROVIDER_ROUTES): AC, SK and MG prefixes, an',
    'E.164 sender, an API key SID with its secret, a Twilio sender (Messaging Service or phone number), and an',
    'AWS End User Messaging origination identity when a route names aws (the stack\'s awsSms serves when the',
    'secret names none).',
    '',
    'Values come from the options, else from environment variables with the secret\'s key names',
    '(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_API_KEY_SID, TWILIO_API_KEY_SECRET,',
    'TWILIO_MESSAGING_SERVICE_SID, TWILIO_PHONE_NUMBER, AWS_SMS_ORIGINATION_IDENTITY). With none given, in a',
    'terminal, it asks for the Twilio keys (the auth token is not echoed), or with --aws for the AWS origination',
    'identity. Prefer the variables or the prompt for the token: options end up in your shell history.',
    '',
    'The stack lets its send Lambda send from its awsSms identity only: an identity written here that differs',
    'is refused by AWS until the stack names it too, and the command warns about it.',
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
    'aws-origination-identity': {
      type: 'string',
      value: '<id>',
      description: "AWS_SMS_ORIGINATION_IDENTITY: AWS End User Messaging's sender (phone number, pool or sender ID, or its ARN)",
    },
    aws: { type: 'boolean', description: 'in a terminal, ask for the AWS End User Messaging setting instead of the Twilio keys' },
    'secret-arn': { type: 'string', value: '<arn>', description: "the secret to write (default: the stack's SecretArn output)" },
    stack: { type: 'string', value: '<name>', description: `CloudFormation stack (default: ${DEFAULT_STACK})` },
    region: { type: 'string', value: '<region>', description: 'AWS region of the stack (default: from the AWS configuration)' },
  },
  run,
};
