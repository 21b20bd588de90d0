/**
 * `npm start [-- --state DIR]`: both routes on http://127.0.0.1:$PORT (HOST chooses another
 * address) with the Lambda handlers, plus GET /health.
 *
 * With no Twilio keys it runs in console mode (messages are printed, not sent); with
 * PROVIDERS=aws it sends through AWS End User Messaging, or a loopback stand-in of it named by
 * AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 (docs/configuration.md). With no
 * SMS_GATEWAY_SIGNING_SECRET or SMS_GATEWAY_RATE_LIMIT_KEY it makes them (kept in DIR with
 * --state), and it always prints a signed example request, so a first round trip takes one
 * paste. Unless AWS_ENDPOINT_URL_DYNAMODB points at a DynamoDB, it starts an embedded one for
 * idempotency and rate limits (in memory, or in DIR).
 *
 * Every failure to start is one line saying what to do; a stack trace means a bug.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { ENV, PROVIDER, SECRET_KEY } from '../../shared/names';
import { DynamoDbClient } from '../adapters/dynamodb-client';
import { readHost, readPort, readSendConfig, type SendConfig } from '../config';
import { closestName } from '../core/closest-name';
import { ConfigurationError } from '../core/errors';
import { routedProviders } from '../providers/routes';
import { parseSecret } from '../providers/secret';
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from './embedded-dynamodb';
import { EnvFileError, loadEnvFile } from './env-file';
import { curlCommand, signedExample } from './example-request';
import { settleLocalKeys, type LocalKeys } from './local-keys';
import { createLocalServer } from './server';
import { lockStateDirectory, StateLocked } from './state-lock';
import { ensureStateTable } from './state-table';

const DEFAULT_STATE_TABLE = 'sms-gateway-state';
const USAGE = 'npm start [-- --state DIR]';
const OPTIONS = { state: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

/** A failure to start that the user can fix: printed as one line, without a stack. */
class StartupError extends Error {
  override name = 'StartupError';
}

function readFlags(): { state?: string; help?: boolean } {
  try {
    return parseArgs({ options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    const { code, message } = err as { code?: string; message: string };
    const given = /'(-[^']*)'/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && given) {
      const meant = closestName(given.replace(/^-+/, ''), Object.keys(OPTIONS));
      throw new StartupError(`Unknown option ${given}${meant ? `: did you mean --${meant}?` : '.'} Usage: ${USAGE}`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new StartupError(`--state needs a directory, like \`npm start -- --state .state\`.`);
    // `npm start --state DIR` (without `--`) leaves npm the option and the script only DIR.
    const argument = /'([^']*)'/.exec(message)?.[1];
    throw new StartupError(`Unexpected argument${argument ? ` '${argument}'` : ''}: options need \`--\` after npm start, as in ${USAGE}.`);
  }
}

/** Points the DynamoDB code at an embedded store unless the user chose a DynamoDB. */
async function prepareState(directory: string | undefined): Promise<{ embedded?: EmbeddedDynamoDb; description: string }> {
  if (process.env[ENV.dynamoDbEndpointUrl]) {
    return { description: `DynamoDB at ${process.env[ENV.dynamoDbEndpointUrl]}, table ${process.env[ENV.stateTable]}` };
  }
  const embedded = await startEmbeddedDynamoDb(directory);
  process.env[ENV.dynamoDbEndpointUrl] = embedded.endpoint;
  // The embedded store accepts any credentials, but the SDK wants some and a region.
  process.env.AWS_REGION ||= process.env.AWS_DEFAULT_REGION || 'us-east-1';
  if (!process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
  }
  await ensureStateTable(new DynamoDbClient(), process.env[ENV.stateTable]!);
  return { embedded, description: `embedded DynamoDB (${directory ? `files in ${directory}` : 'in memory'})` };
}

function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (err.code) {
    case 'EADDRINUSE':
      return new StartupError(`Port ${port} is already in use, perhaps by another npm start: stop that process, or choose another port, like \`PORT=${port + 1} npm start\`.`);
    case 'EACCES':
      return new StartupError(`Port ${port} needs privileges on this machine: choose one above 1023, like \`PORT=3000 npm start\`.`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`HOST=${host} is not an address of this machine: unset HOST to listen on 127.0.0.1, or set HOST=0.0.0.0 to listen on every interface.`);
    default:
      return err;
  }
}

/** Where a key of this run comes from, in words. */
function origin(keys: LocalKeys, name: string): string {
  switch (keys.origins[name]) {
    case 'environment':
      return 'from the environment';
    case 'kept':
      return `kept in ${keys.file}`;
    default:
      return keys.file ? `new, kept in ${keys.file}` : 'new for this run, --state DIR keeps it';
  }
}

/**
 * Which providers send, and with what: console mode when Twilio is routed and has no keys (the
 * local default), the AWS End User Messaging endpoint and sender when `aws` is routed.
 */
function providerLines(config: SendConfig, consoleMode: boolean): string[] {
  const routed = routedProviders(config.providerRoutes);
  const routes = [...config.providerRoutes.byCountry].map(([country, names]) => `${country}=${names.join(',')}`);
  const lines = [`  providers: ${config.providerRoutes.fallback.join(', then ')}${routes.length ? `; ${routes.join(';')}` : ''}`];
  if (routed.includes(PROVIDER.twilio)) {
    lines.push(
      consoleMode
        ? '  mode: console (no Twilio keys): messages are printed here, not sent'
        : `  mode: Twilio, keys from ${config.secretArn ?? 'the environment'}`,
    );
  }
  if (routed.includes(PROVIDER.aws)) {
    const endpoint = config.awsSms.endpointUrl ?? `https://sms-voice.${process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1'}.amazonaws.com`;
    lines.push(`  mode: AWS End User Messaging at ${endpoint}${config.awsSms.originationIdentity ? `, from ${config.awsSms.originationIdentity}` : ''}`);
  }
  return lines;
}

/** A signed curl for SMS and a send-test line for voice, whatever the secret's origin. */
function examples(base: string, keys: LocalKeys): string[] {
  const secret = process.env[SECRET_KEY.signingSecret]!.trim().split(/\s+/)[0];
  const example = signedExample(secret, { recipient: '+14155550123', code: '123456', language: 'en' });
  // A secret the user configured is not printed: the CLI reads it from the same .env or environment.
  const configured = keys.origins[SECRET_KEY.signingSecret] === 'environment';
  return [
    ...(configured ? [] : ['', `No ${SECRET_KEY.signingSecret} was set, so this server made one (${origin(keys, SECRET_KEY.signingSecret)}):`, `  ${SECRET_KEY.signingSecret}=${secret}`]),
    '',
    'Try it (the signature is valid for 5 minutes):',
    '',
    curlCommand(`${base}/messages`, example),
    '',
    'Or a voice call, signed by the CLI:',
    '',
    `  ${configured ? '' : `${SECRET_KEY.signingSecret}=${secret} `}npx sms-gateway send-test --url ${base}/messages --to +14155550123 --voice`,
  ];
}

/** Creates the state directory and takes its lock; returns the lock's release. */
function claimStateDirectory(directory: string): () => void {
  try {
    mkdirSync(directory, { recursive: true });
    return lockStateDirectory(directory);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof StateLocked || !code) throw err;
    throw new StartupError(`The state directory ${directory} cannot be used (${code}): fix its permissions, or choose another with --state.`);
  }
}

async function main(): Promise<void> {
  const flags = readFlags();
  if (flags.help) {
    process.stdout.write(`Usage: ${USAGE}\n\nSettings come from the environment and .env; see docs/configuration.md.\n`);
    return;
  }
  loadEnvFile(process.env, '.env');

  // Check everything before serving, so a bad setting stops here with its name.
  const host = readHost();
  const port = readPort();
  if (flags.state) process.once('exit', claimStateDirectory(flags.state));
  const keys = settleLocalKeys(process.env, flags.state);
  process.env[ENV.stateTable] ||= DEFAULT_STATE_TABLE;
  const config = readSendConfig();
  const consoleMode =
    !config.secretArn &&
    !parseSecret(process.env, { allowConsoleMode: true, routed: routedProviders(config.providerRoutes), awsSmsOriginationIdentity: config.awsSms.originationIdentity })
      .providers.twilio.credentials;
  const state = await prepareState(flags.state);

  // The handlers build their clients at import time, from the environment settled above.
  const { handler: send } = require('../send') as typeof import('../send');
  const { handler: status } = require('../status') as typeof import('../status');
  const server = createLocalServer({ '/messages': send, '/twilio/status': status });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, host, port)));
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  // An address that listens everywhere is reached through loopback from this machine.
  const shown = ['0.0.0.0', '::'].includes(address.address) ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const base = `http://${shown}:${address.port}`;

  const lines = [
    `mfa-sms-gateway listening on ${base}${shown !== address.address ? ` (and every other address of this machine: HOST=${host})` : ''}`,
    `  POST ${base}/messages        (signed send requests)`,
    `  POST ${base}/twilio/status   (Twilio status callbacks; signature checked against ${config.statusCallbackUrl})`,
    `  GET  ${base}/health          (this local server only; API Gateway has no such route)`,
    ...providerLines(config, consoleMode),
    `  state: ${state.description}`,
    `  keys: signing secret ${origin(keys, SECRET_KEY.signingSecret)}; rate-limit key ${origin(keys, SECRET_KEY.rateLimitKey)}`,
    `  limits: ${config.rateLimits.map((limit) => limit.label).join(', ') || 'off'}; countries: ${config.allowedCountries.join(',') || 'all'}`,
    ...examples(base, keys),
  ];
  process.stdout.write(`${lines.join('\n')}\n\n`);

  const stop = (signal: string) => {
    process.stdout.write(`\n${signal}: stopping\n`);
    server.close(() => void (state.embedded?.close() ?? Promise.resolve()).then(() => process.exit(0)));
    server.closeAllConnections();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigurationError) process.stderr.write(`Configuration error: ${err.message}\n`);
  else if (err instanceof StartupError || err instanceof EnvFileError || err instanceof StateLocked) process.stderr.write(`Could not start: ${err.message}\n`);
  else process.stderr.write(`Could not start, unexpectedly (please report it): ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
