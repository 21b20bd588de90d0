/**
 * `npm start`: both routes on http://localhost:$PORT with the Lambda handlers, plus GET /health.
 *
 * With no Twilio keys it runs in console mode (messages are printed, not sent). With no
 * SMS_GATEWAY_SIGNING_SECRET it makes one for this run and prints a signed example request,
 * so a first round trip takes one paste.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { readPort, readRuntimeConfig } from '../config';
import { ConfigurationError } from '../core/errors';
import { parseGatewaySecrets } from '../core/gateway-secrets';
import { curlCommand, generateSigningSecret, signedExample } from './example-request';
import { createLocalServer } from './server';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');

  let generatedSecret: string | undefined;
  if (!process.env.SMS_GATEWAY_SIGNING_SECRET?.trim()) {
    generatedSecret = generateSigningSecret();
    process.env.SMS_GATEWAY_SIGNING_SECRET = generatedSecret;
  }

  // Check everything before serving, so a bad setting stops here with its name.
  const port = readPort();
  const config = readRuntimeConfig();
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
    server.close(() => process.exit(0));
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
