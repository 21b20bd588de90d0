/**
 * `npm start [-- --state DIR]`: both routes on http://localhost:$PORT with the Lambda
 * handlers, plus GET /health.
 *
 * With no Twilio keys it runs in console mode (messages are printed, not sent). With no
 * SMS_GATEWAY_SIGNING_SECRET it makes one for this run and prints a signed example request,
 * so a first round trip takes one paste. Unless AWS_ENDPOINT_URL_DYNAMODB points at a
 * DynamoDB, it starts an embedded one for idempotency and rate limits (in memory, or in DIR).
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { DynamoDbClient } from '../adapters/dynamodb-client';
import { readPort, readSendConfig } from '../config';
import { ConfigurationError } from '../core/errors';
import { parseGatewaySecrets } from '../core/gateway-secrets';
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from './embedded-dynamodb';
import { ensureStateTable } from './state-table';
import { curlCommand, generateSigningSecret, signedExample } from './example-request';
import { createLocalServer } from './server';

const DEFAULT_STATE_TABLE = 'sms-gateway-state';

/** Points the DynamoDB code at an embedded store unless the user chose a DynamoDB. */
async function prepareState(directory: string | undefined): Promise<{ embedded?: EmbeddedDynamoDb; description: string }> {
  process.env.STATE_TABLE ||= DEFAULT_STATE_TABLE;
  if (process.env.AWS_ENDPOINT_URL_DYNAMODB) {
    return { description: `DynamoDB at ${process.env.AWS_ENDPOINT_URL_DYNAMODB}, table ${process.env.STATE_TABLE}` };
  }
  const embedded = await startEmbeddedDynamoDb(directory);
  process.env.AWS_ENDPOINT_URL_DYNAMODB = embedded.endpoint;
  // The embedded store accepts any credentials, but the SDK wants some and a region.
  process.env.AWS_REGION ||= process.env.AWS_DEFAULT_REGION || 'us-east-1';
  if (!process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
  }
  await ensureStateTable(new DynamoDbClient(), process.env.STATE_TABLE);
  return { embedded, description: `embedded DynamoDB (${directory ? `files in ${directory}` : 'in memory'})` };
}

async function main(): Promise<void> {
  const { values: flags } = parseArgs({ options: { state: { type: 'string' } } });
  if (existsSync('.env')) process.loadEnvFile('.env');

  let generatedSecret: string | undefined;
  if (!process.env.SMS_GATEWAY_SIGNING_SECRET?.trim()) {
    generatedSecret = generateSigningSecret();
    process.env.SMS_GATEWAY_SIGNING_SECRET = generatedSecret;
  }

  // Check everything before serving, so a bad setting stops here with its name.
  const port = readPort();
  const state = await prepareState(flags.state);
  const config = readSendConfig();
  const consoleMode = !config.secretArn && !parseGatewaySecrets(process.env, { allowConsoleMode: true }).twilio;

  // The handlers build their clients at import time, from the environment settled above.
  const { handler: send } = require('../send') as typeof import('../send');
  const { handler: status } = require('../status') as typeof import('../status');
  const server = createLocalServer({ '/messages': send, '/twilio/status': status });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  const base = `http://localhost:${(server.address() as AddressInfo).port}`;

  const lines = [
    `mfa-sms-gateway listening on ${base}`,
    `  POST ${base}/messages        (signed send requests)`,
    `  POST ${base}/twilio/status   (Twilio status callbacks; signature checked against ${config.statusCallbackUrl})`,
    `  GET  ${base}/health`,
    consoleMode
      ? '  mode: console (no Twilio keys): messages are printed here, not sent'
      : config.secretArn
        ? `  mode: Twilio, keys from ${config.secretArn}`
        : '  mode: Twilio, keys from the environment',
    `  state: ${state.description}`,
    `  limits: ${config.rateLimits.map((limit) => limit.label).join(', ') || 'off'}; countries: ${config.allowedCountries.join(',') || 'all'}`,
  ];
  if (generatedSecret) {
    const example = signedExample(generatedSecret, { recipient: '+14155550123', code: '123456', language: 'en' });
    lines.push(
      '',
      'No SMS_GATEWAY_SIGNING_SECRET was set, so this run uses a new one:',
      `  SMS_GATEWAY_SIGNING_SECRET=${generatedSecret}`,
      '',
      'Try it (the signature is valid for 5 minutes):',
      '',
      curlCommand(`${base}/messages`, example),
    );
  }
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
  else process.stderr.write(`Could not start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
