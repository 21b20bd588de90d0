import { randomInt } from 'node:crypto';
import { forward, GatewayRefused, type Delivery } from '../../auth0/forwarder/core';
import { fromSendPhoneMessageEvent } from '../../auth0/forwarder/normalize';
import { signingKeys } from '../../auth0/forwarder/sign';
import { explainAuth0Error, isNetworkFailure } from '../../auth0/provision/errors';
import { managementClient } from '../../auth0/provision/management';
import { DELIVERY_METHOD_OF } from '../../auth0/provision/setup';
import type { SendBody } from '../../auth0/forwarder/body';
import { parseE164 } from '../../lambda/core/phone';
import { SENDING_PROVIDERS } from '../../lambda/providers/routes';
import { answeredByMachine } from '../../lambda/providers/twilio/status-callback';
import { PROVIDER, type ProviderName } from '../../shared/names';
import { requireAuth0Credentials } from '../auth0-credentials';
import { CommandError, stringOption, UsageError, type Command, type Io, type OptionValues, type RunContext } from '../command';
import { Deployment } from '../deployment';
import { maskPhone } from '../format';
import { resolveGatewaySettings } from '../gateway-settings';
import { followDelivery, type Channel, type FollowOutcome } from '../send-test/follow';
import { progress } from '../send-test/progress';
import { gatewayProvider, recentSids, waitForNewSid } from '../send-test/via-auth0';
import { voicePreview } from '../send-test/voice-preview';
import { AwsUnavailable, DEFAULT_STACK, OUTPUT_KEYS } from '../stack';
import { sendingAccess, twilioClient, type TwilioAccess } from '../twilio/client';
import { errorPage, explainTwilioCode } from '../twilio/error-codes';

/**
 * `sms-gateway send-test`: sends one MFA code the way the Auth0 Action does (same body, same
 * signature, same retry, through the forwarder's own code), or with --via-auth0 has Auth0 itself
 * test its phone provider (send-test/via-auth0.ts), then follows the message in Twilio until it is
 * delivered or fails.
 */

const DEFAULT_TIMEOUT_SECONDS = 60;
const MAX_TIMEOUT_SECONDS = 900;
export const POLL_INTERVAL_MS = 2000;

/**
 * What AWS End User Messaging's refusal means, by the exception and reason the gateway quotes
 * (`(ConflictException:DESTINATION_PHONE_NUMBER_OPTED_OUT, HTTP 400)`: lambda/providers/aws-sms/errors.ts).
 */
const AWS_HINTS: [RegExp, string][] = [
  [/DESTINATION_PHONE_NUMBER_NOT_VERIFIED/, 'the AWS account is in the SMS sandbox, which sends only to verified numbers: verify this one in the AWS End User Messaging console, or leave the sandbox (docs/deploy.md)'],
  [/DESTINATION_PHONE_NUMBER_OPTED_OUT/, 'the number replied STOP to the AWS sender: it must opt in again before AWS sends to it'],
  [/MONTHLY_SPEND_LIMIT_REACHED/, "the AWS account's monthly spend limit is reached: raise it (`npx sms-gateway doctor` shows it as aws-sms.spend-limit)"],
  [/AccessDeniedException/, "the send Lambda may not send from this origination identity: `npx sms-gateway doctor` says why (aws-sms.identity)"],
  [/ResourceNotFoundException/, "the origination identity or the configuration set names nothing in the stack's region: `npx sms-gateway doctor` (aws-sms.identity, aws-sms.configuration-set)"],
  [/Exception/, 'AWS End User Messaging refused it: `npx sms-gateway doctor` checks the account, the origination identity and the countries'],
];

/** What the gateway's refusal means for the person running the test. */
function refusalHint(refused: GatewayRefused): string | undefined {
  const providerCode = /Twilio error (\d+)/.exec(refused.message)?.[1];
  const awsCode = /\((\w+Exception(?::[A-Z_]+)?), HTTP \d+\)/.exec(refused.message)?.[1];
  const aws = awsCode ? AWS_HINTS.find(([pattern]) => pattern.test(awsCode))?.[1] : undefined;
  if (aws) return aws;
  switch (refused.errorCode) {
    case 'invalid_signature':
      return /more than 5 minutes/.test(refused.message)
        ? "this machine's clock is more than 5 minutes off: fix the clock"
        : "the signing secret used here differs from the gateway's: with --url, pass the gateway's own secret (--signing-secret or SMS_GATEWAY_SIGNING_SECRET); after a change in the stack, running Lambdas re-read the secret within 5 minutes";
    case 'configuration_error':
      return "the gateway's secret is incomplete: run `npx sms-gateway secrets set`";
    case 'invalid_recipient':
      return 'the number cannot exist: check it (E.164, with the country code)';
    case 'destination_not_allowed':
      return providerCode
        ? `Twilio ${providerCode}: ${explainTwilioCode(Number(providerCode)).fix}`
        : "the number is premium-rate, toll-free or another type that is not a person's phone, its range is in config/denied-prefixes.json, or its country is not in ALLOWED_COUNTRIES (stack context allowedCountries): the message says which";
    case 'rate_limited':
      return 'a rate limit was reached (the message names it): wait, or test with another number';
    case 'channel_unavailable':
      return 'voice calls need TWILIO_PHONE_NUMBER in the secret (`npx sms-gateway secrets set --phone-number +...`), or an AWS origination identity that can call (a phone number or pool, not a sender ID)';
    case 'invalid_request':
      return /Field "provider"/.test(refused.message)
        ? 'the gateway has no settings for that provider: for aws, deploy with -c awsSms=... (docs/configuration.md); for twilio, `npx sms-gateway secrets set`'
        : undefined;
    case 'provider_error':
      return providerCode ? `Twilio ${providerCode}, ${explainTwilioCode(Number(providerCode)).meaning}: ${explainTwilioCode(Number(providerCode)).fix}` : undefined;
    case 'provider_unavailable':
      return 'the provider or Secrets Manager failed: try again; if it persists, see https://status.twilio.com or the AWS Health Dashboard';
    case undefined:
      return refused.status === 404 || refused.status === 403
        ? 'this URL is not the gateway\'s POST /messages: check --url (the stack output MessagesUrl)'
        : undefined;
    default:
      return undefined;
  }
}

function timeoutMs(values: OptionValues): number {
  const raw = stringOption(values, 'timeout');
  if (raw === undefined) return DEFAULT_TIMEOUT_SECONDS * 1000;
  const seconds = Number(raw);
  if (!/^\d+$/.test(raw) || seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
    throw new UsageError(`--timeout must be a whole number of seconds between 1 and ${MAX_TIMEOUT_SECONDS}.`);
  }
  return seconds * 1000;
}

/** The credentials to follow with: the environment's, else the stack's secret; or why there are none. */
async function followAccess(io: Io, deployment: Deployment, fromStack: boolean): Promise<TwilioAccess | string> {
  const fromEnv = sendingAccess(io.env);
  if (fromEnv) return fromEnv;
  try {
    const access = sendingAccess((await deployment.secret()).values);
    return access ?? "the stack's secret has no Twilio credentials";
  } catch (err) {
    if (err instanceof CommandError) {
      const why = err instanceof AwsUnavailable ? `${err.reason} to read the stack's secret` : err.message;
      return fromStack ? why : `set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to follow a gateway given with --url (${why})`;
    }
    throw err;
  }
}

/** The Action's body, and the field only tests send: `provider` forces one provider, without failover (docs/api.md). */
type TestBody = SendBody & { provider?: ProviderName };

function testBody(to: string, channel: Channel, language: string | undefined, provider: ProviderName | undefined): TestBody {
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  // The send-phone-message event Auth0 would hand the Action, through the Action's own mapping.
  const body: TestBody = fromSendPhoneMessageEvent({
    message_options: { recipient: to, code, text: `${code} is your verification code (sms-gateway send-test)`, message_type: channel, action: 'second-factor-authentication' },
    request: { language: language ?? 'en' },
    client: { client_id: 'sms-gateway-send-test', name: 'sms-gateway send-test' },
  });
  return provider ? { ...body, provider } : body;
}

function providerOption(values: OptionValues): ProviderName | undefined {
  const raw = stringOption(values, 'provider');
  if (raw === undefined) return undefined;
  const name = raw.toLowerCase();
  if (!(SENDING_PROVIDERS as readonly string[]).includes(name)) throw new UsageError(`--provider must be one of ${SENDING_PROVIDERS.join(', ')} (got "${raw}").`);
  return name as ProviderName;
}

/** The provider's name as the output says it. */
const PROVIDER_NAMES: Record<string, string> = { [PROVIDER.twilio]: 'Twilio', [PROVIDER.aws]: 'AWS End User Messaging' };

/**
 * AWS End User Messaging has no API that reads a message's status: its configuration set
 * publishes each message's final event to the status Lambda (docs/api.md, "Delivery events of
 * AWS End User Messaging"), which logs it and counts it. Where to look, with the message id.
 */
function awsDeliveryNote(messageId: string): string {
  return [
    'Not following the delivery: AWS End User Messaging has no API to read a message\'s status.',
    `Its delivery event reaches the status Lambda, which logs "delivery status" with sid ${messageId} and counts MessageDelivered, MessageUndelivered or MessageFailed with Provider=aws (the dashboard's AWS graphs).`,
    `Find it with CloudWatch Logs Insights on the status Lambda's log group: fields @timestamp, status, outcome, errorCode | filter sid = "${messageId}"`,
    'A final status can take from seconds to, rarely, 72 hours; did the phone get it?',
  ].join('\n');
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

interface Sent {
  channel: Channel;
  sid: string;
  /** What the JSON document says about the send, before the following. */
  base: Record<string, unknown>;
  limitMs: number;
}

function recipientOption(values: OptionValues): string {
  const rawTo = stringOption(values, 'to');
  if (!rawTo) throw new UsageError('--to is required: the phone number to send the test to, in E.164 (+14155550123).');
  const recipient = parseE164(rawTo);
  if (!recipient) {
    throw new UsageError('--to is not a valid E.164 number: write "+", the country code and the number, without spaces or punctuation (like +14155550123).');
  }
  return recipient.e164;
}

async function run(values: OptionValues, context: RunContext): Promise<number> {
  const recipient = recipientOption(values);
  const channel: Channel = values.voice === true ? 'voice' : 'sms';
  const limitMs = timeoutMs(values);
  const deployment = Deployment.fromOptions(values);
  if (values['via-auth0'] === true) return viaAuth0(values, context, { recipient, channel, limitMs, deployment });

  const { io, json } = context;
  const provider = providerOption(values);
  const gateway = await resolveGatewaySettings(values, io, { urlOption: 'url', deployment });
  const to = maskPhone(recipient);
  if (!json) io.stdout(`Sending a test ${channel === 'voice' ? 'call' : 'SMS'} to ${to} through ${gateway.url} (from ${gateway.source})${provider ? `, by ${provider} only` : ''}...\n`);
  const body = testBody(recipient, channel, stringOption(values, 'language'), provider);
  let delivery: Delivery;
  try {
    delivery = await forward(body, { url: new URL(gateway.url), keys: signingKeys(gateway.signingSecret)! });
  } catch (err) {
    if (!(err instanceof GatewayRefused)) throw new CommandError((err as Error).message);
    const hint = refusalHint(err);
    if (json) {
      io.stdout(`${JSON.stringify({ ok: false, stage: 'send', to, channel, httpStatus: err.status, errorCode: err.errorCode ?? null, error: err.message, ...(hint ? { fix: hint } : {}) })}\n`);
    } else {
      io.stderr(`${err.message}\n${hint ? `fix: ${hint}\n` : ''}`);
    }
    return 1;
  }

  const sid = delivery.sid ?? '';
  const base = { to, channel, gateway: gateway.url, id: delivery.id, sid, accepted: delivery.status ?? null, provider: delivery.provider ?? null };
  if (delivery.provider === PROVIDER.console || sid.startsWith('console-')) {
    const note = 'The gateway runs in console mode (local `npm start` without Twilio keys): it printed the message in its own output instead of sending it. Nothing to follow.';
    // Hear it before paying for a call: the test code is no secret here, the gateway printed it too.
    const twiml = channel === 'voice' ? voicePreview(body) : undefined;
    if (json) io.stdout(`${JSON.stringify({ ok: true, ...base, followed: false, note, ...(twiml && { twiml }) })}\n`);
    else io.stdout(`Accepted: ${sid}.\n${note}\n${twiml ? `The call would speak this TwiML (voice and language from config/voices.json):\n${twiml}\n` : ''}`);
    return 0;
  }
  // A gateway older than the provider field sent through Twilio.
  const by = delivery.provider ?? PROVIDER.twilio;
  if (!json) io.stdout(`Accepted by ${PROVIDER_NAMES[by] ?? by}: ${sid} (status ${delivery.status ?? 'unknown'}).\n`);
  if (values['no-follow'] === true) {
    if (json) io.stdout(`${JSON.stringify({ ok: true, ...base, followed: false })}\n`);
    return 0;
  }
  if (by === PROVIDER.aws) {
    const note = awsDeliveryNote(sid);
    if (json) io.stdout(`${JSON.stringify({ ok: true, ...base, followed: false, note })}\n`);
    else io.stdout(`${note}\n`);
    return 0;
  }
  const access = await followAccess(io, deployment, gateway.source !== 'options');
  return follow(context, { channel, sid, base, limitMs }, access);
}

/** Asks Auth0 to test its phone provider, then finds the message it made the gateway send. */
async function viaAuth0(values: OptionValues, context: RunContext, input: { recipient: string; channel: Channel; limitMs: number; deployment: Deployment }): Promise<number> {
  const { io, json } = context;
  const { recipient, channel, limitMs, deployment } = input;
  for (const option of ['url', 'signing-secret', 'language', 'provider']) {
    if (values[option] !== undefined) throw new UsageError(`--${option} does not apply with --via-auth0: Auth0 runs the deployed Action with its own settings.`);
  }
  const creds = requireAuth0Credentials(values, io);
  const client = managementClient(creds, io.fetch);
  const to = maskPhone(recipient);
  const following = values['no-follow'] !== true;
  const access = following ? await followAccess(io, deployment, true) : undefined;
  const twilio = access && typeof access !== 'string' ? twilioClient(access, io.env) : undefined;
  // What Twilio already has for the number: the test's message is the one that is new.
  const before = twilio ? new Set(await recentSids(twilio, channel, recipient)) : undefined;

  if (!json) io.stdout(`Asking Auth0 (${creds.domain}) to send a test ${channel === 'voice' ? 'call' : 'SMS'} to ${to} through its phone provider...\n`);
  let answer: { message?: string };
  let asked = false;
  try {
    const provider = await gatewayProvider(client, channel);
    asked = true;
    // Never re-sent (the SDK would retry a 5xx): Auth0 may have sent the first one.
    answer = await client.branding.phone.providers.test(provider.id, { to: recipient, delivery_method: DELIVERY_METHOD_OF[channel] }, { maxRetries: 0 });
  } catch (err) {
    if (err instanceof CommandError) throw err;
    const status = (err as { statusCode?: number }).statusCode;
    if (asked && (isNetworkFailure(err) || (status !== undefined && status >= 500))) {
      throw new CommandError(
        `Auth0 did not confirm the test (${status ? `HTTP ${status}` : 'no answer'}): it may have sent it anyway. Look at the phone, or in Twilio Console > Monitor > Logs, before asking again.`,
      );
    }
    throw new CommandError(explainAuth0Error(err, creds.domain, creds.clientId));
  }
  const base = { to, channel, via: 'auth0', tenant: creds.domain, auth0: answer.message ?? null };
  if (!json) io.stdout(`Auth0 accepted the test (${answer.message ?? 'no message'}): it runs the custom-phone-provider Action, which sends through the gateway.\n`);
  if (!twilio || !before) {
    const note = typeof access === 'string' ? `Not following the delivery: ${access}.` : undefined;
    if (json) io.stdout(`${JSON.stringify({ ok: true, ...base, followed: false, ...(note ? { note } : {}) })}\n`);
    else if (note) io.stdout(`${note}\n`);
    return 0;
  }

  const started = (io.now ?? Date.now)();
  const sid = await waitForNewSid(twilio, channel, recipient, before, {
    timeoutMs: limitMs,
    intervalMs: POLL_INTERVAL_MS,
    sleep: io.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    now: io.now ?? Date.now,
  });
  if (!sid) {
    const error = `No ${channel === 'voice' ? 'call' : 'message'} to ${to} reached Twilio within ${seconds(limitMs)}: Auth0 accepted the test, but its Action did not get it through.`;
    const fix = "see the Action's reason in Auth0's tenant logs (Monitoring > Logs), and run `npx sms-gateway doctor`";
    if (json) io.stdout(`${JSON.stringify({ ok: false, ...base, stage: 'twilio', error, fix })}\n`);
    else io.stderr(`${error}\nfix: ${fix}\n`);
    return 1;
  }
  if (!json) io.stdout(`The gateway handed it to Twilio: ${sid}.\n`);
  const spent = (io.now ?? Date.now)() - started;
  return follow(context, { channel, sid, base: { ...base, sid }, limitMs: Math.max(limitMs - spent, POLL_INTERVAL_MS) }, access!);
}

/** Follows the message in Twilio and reports the outcome; the exit code. */
async function follow({ io, json }: RunContext, sent: Sent, access: TwilioAccess | string): Promise<number> {
  const { channel, sid, base } = sent;
  if (typeof access === 'string') {
    const note = `Not following the delivery: ${access}.`;
    if (json) io.stdout(`${JSON.stringify({ ok: true, ...base, followed: false, note })}\n`);
    else io.stdout(`${note}\n`);
    return 0;
  }

  const indicator = progress(io, !json);
  let outcome: FollowOutcome;
  try {
    outcome = await followDelivery(twilioClient(access, io.env), channel, sid, {
      timeoutMs: sent.limitMs,
      intervalMs: POLL_INTERVAL_MS,
      sleep: io.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      now: io.now ?? Date.now,
      onStatus: (status, elapsed) => indicator.update(`${status} (${seconds(elapsed)})`),
    });
  } finally {
    indicator.done();
  }

  const explained = outcome.errorCode !== undefined ? { ...explainTwilioCode(outcome.errorCode), page: errorPage(outcome.errorCode) } : undefined;
  if (json) {
    io.stdout(
      `${JSON.stringify({
        ok: outcome.delivered,
        ...base,
        followed: true,
        status: outcome.status,
        final: outcome.final,
        delivered: outcome.delivered,
        elapsedSeconds: Math.round(outcome.elapsedMs / 1000),
        ...(outcome.answeredBy !== undefined ? { answeredBy: outcome.answeredBy } : {}),
        ...(outcome.errorCode !== undefined ? { errorCode: outcome.errorCode, errorMeaning: explained!.meaning, fix: explained!.fix } : {}),
      })}\n`,
    );
    return outcome.delivered ? 0 : 1;
  }

  const lines: string[] = [];
  if (outcome.delivered) {
    lines.push(`${channel === 'voice' ? 'Answered' : 'Delivered'} after ${seconds(outcome.elapsedMs)} (${outcome.status}).`);
  } else if (outcome.final && answeredByMachine(outcome.answeredBy)) {
    lines.push(`Completed after ${seconds(outcome.elapsedMs)}, but a machine answered (${outcome.answeredBy}): the code went to voicemail, not to a person.`);
  } else if (outcome.final) {
    lines.push(`${outcome.status[0].toUpperCase()}${outcome.status.slice(1)} after ${seconds(outcome.elapsedMs)}${explained ? `: Twilio error ${outcome.errorCode}, ${explained.meaning}.` : '.'}`);
    if (explained) lines.push(`fix: ${explained.fix}`, `more: ${explained.page}`);
  } else {
    lines.push(`Still ${outcome.status} after ${seconds(outcome.elapsedMs)}: no final status yet.`);
    if (outcome.lastFailure) lines.push(`The last status request failed: ${outcome.lastFailure.message}.`);
    if (outcome.status === 'sent') lines.push('Twilio handed it to the carrier; some carriers never confirm delivery. Did the phone get it?');
    lines.push(`Look it up later in Twilio Console > Monitor > Logs, or wait longer with --timeout.`);
  }
  (outcome.delivered ? io.stdout : io.stderr)(`${lines.join('\n')}\n`);
  return outcome.delivered ? 0 : 1;
}

export const sendTest: Command = {
  path: ['send-test'],
  summary: 'Send a test MFA code through the gateway and follow its delivery',
  description: [
    'Signs and sends one request exactly as the Auth0 Action does (a random 6-digit code, never',
    'printed), prints which provider took it and its id, then polls Twilio until the message is delivered',
    'or fails, explaining the error code. Exit code 0 when delivered (or accepted, with --no-follow).',
    '',
    '--provider twilio or --provider aws sends through that provider alone, whatever the routes say (the',
    "body's `provider` field). AWS End User Messaging has no API to read a message's status: for a message",
    "it took, the command says where its delivery event shows up (the status Lambda's log and metrics).",
    '',
    'Against a console-mode gateway (`npm start` without Twilio keys), --voice prints the TwiML the',
    'call would speak (voice, language, text, pauses; test code included), to check before paying for a call.',
    '',
    `Gateway: --url, else SMS_GATEWAY_URL, else the stack's ${OUTPUT_KEYS.messagesUrl} output. Signing secret:`,
    "--signing-secret, else SMS_GATEWAY_SIGNING_SECRET, else the stack's secret. Following the status uses",
    'TWILIO_ACCOUNT_SID with TWILIO_API_KEY_SID/TWILIO_API_KEY_SECRET or TWILIO_AUTH_TOKEN from the',
    "environment, else the stack's secret. TWILIO_API_BASE_URL points it at another Twilio API origin.",
    '',
    'With --via-auth0, Auth0 itself tests its phone provider (Branding > Phone Provider > Send Test',
    'Message, through the Management API): it runs the deployed custom-phone-provider Action against',
    'the deployed gateway; the command then finds the message in Twilio and follows it. It needs the',
    'Auth0 credentials of `auth0 deploy` (AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET; scopes',
    'read:phone_providers and create:phone_providers).',
    '',
    'The test counts against the gateway\'s rate limits like any message (5 per number per hour by default).',
  ].join('\n'),
  options: {
    to: { type: 'string', value: '<+E164>', description: 'the phone number to send to, e.g. +14155550123 (required)' },
    voice: { type: 'boolean', description: 'place a voice call instead of an SMS' },
    url: { type: 'string', value: '<url>', description: 'full URL of POST /messages, e.g. http://localhost:3000/messages' },
    'signing-secret': { type: 'string', value: '<whsec_...>', description: 'the gateway\'s signing secret (prefer SMS_GATEWAY_SIGNING_SECRET)' },
    language: { type: 'string', value: '<tag>', description: 'language of the login flow, e.g. pt-BR (default: en)' },
    provider: { type: 'string', value: '<twilio|aws>', description: 'send through this provider only, without failover (default: the routes of the gateway)' },
    'no-follow': { type: 'boolean', description: 'stop after the gateway accepted the message' },
    'via-auth0': { type: 'boolean', description: "have Auth0 send the test through its phone provider (the deployed Action and gateway)" },
    domain: { type: 'string', value: '<domain>', description: 'with --via-auth0: Auth0 tenant domain (default: $AUTH0_DOMAIN)' },
    'client-id': { type: 'string', value: '<id>', description: 'with --via-auth0: M2M application client ID (default: $AUTH0_CLIENT_ID)' },
    'client-secret': { type: 'string', value: '<secret>', description: 'with --via-auth0: M2M application client secret (default: $AUTH0_CLIENT_SECRET)' },
    timeout: { type: 'string', value: '<seconds>', description: `how long to follow the delivery (default: ${DEFAULT_TIMEOUT_SECONDS})` },
    stack: { type: 'string', value: '<name>', description: `CloudFormation stack (default: ${DEFAULT_STACK})` },
    region: { type: 'string', value: '<region>', description: 'AWS region of the stack (default: from the AWS configuration)' },
  },
  run,
};

