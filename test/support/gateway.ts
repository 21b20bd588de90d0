import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { SNSEvent } from 'aws-lambda';
import { DynamoDbClient } from '../../lambda/adapters/dynamodb-client';
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from '../../lambda/local/embedded-dynamodb';
import { createLocalServer, type Routes } from '../../lambda/local/server';
import { ensureStateTable } from '../../lambda/local/state-table';
import { ENV, SECRET_KEY, SECRET_KEYS } from '../../shared/names';
import type { FakeTwilio } from './fake-twilio';
import { OutputCapture } from './output';

/**
 * Runs the real handlers behind the local server (the same path as `npm start`), in this
 * process, with the given environment. The handler modules are loaded fresh so that they read
 * this environment, exactly as a new Lambda container would.
 */
export interface RunningGateway {
  url: string;
  statusCallbackUrl: string;
  output: OutputCapture;
  /** Hands an SNS event to the status Lambda's handler, as SNS does through the topic's subscription. */
  deliverSns(event: SNSEvent): Promise<void>;
  close(): Promise<void>;
}

// Settings of a gateway: each gateway starts from none of them, even when another one is running.
const GATEWAY_VARIABLES = new Set<string>([
  ...SECRET_KEYS,
  ENV.twilioApiBaseUrl,
  ENV.statusCallbackUrl,
  ENV.secretArn,
  ENV.stateTable,
  ENV.rateLimits,
  ENV.allowedCountries,
  ENV.voiceMachineDetection,
  ENV.providers,
  ENV.providerRoutes,
  ENV.awsSmsOriginationIdentity,
  ENV.awsSmsConfigurationSet,
  ENV.awsSmsEventsTopicArn,
  ENV.gatewayUrl,
  'AWS_LAMBDA_FUNCTION_NAME',
]);
const isGatewayVariable = (key: string) => GATEWAY_VARIABLES.has(key) || key.startsWith('AWS_ENDPOINT_URL');

/**
 * Unless `env` names a STATE_TABLE, the gateway gets its own embedded DynamoDB (dynalite) with
 * the table created, as `npm start` does.
 */
export async function startGateway(env: Record<string, string | undefined>): Promise<RunningGateway> {
  let embedded: EmbeddedDynamoDb | undefined;
  if (env[ENV.stateTable] === undefined) {
    embedded = await startEmbeddedDynamoDb();
    env = { ...env, [ENV.stateTable]: 'sms-gateway-state', [ENV.dynamoDbEndpointUrl]: embedded.endpoint };
  }
  const output = new OutputCapture().start();
  const routes: Routes = {};
  const server: Server = createLocalServer(routes);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const statusCallbackUrl = env[ENV.statusCallbackUrl] ?? `${url}/twilio/status`;

  // The environment stays as given until close(): the AWS SDK resolves parts of its
  // configuration (endpoints, credentials) lazily, on the first request.
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (isGatewayVariable(key)) delete process.env[key];
  for (const [key, value] of Object.entries({ ...env, [ENV.statusCallbackUrl]: statusCallbackUrl })) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  let status!: typeof import('../../lambda/status').handler;
  try {
    if (embedded) await ensureStateTable(new DynamoDbClient(), 'sms-gateway-state');
    jest.isolateModules(() => {
      routes['/messages'] = (require('../../lambda/send') as typeof import('../../lambda/send')).handler;
      status = (require('../../lambda/status') as typeof import('../../lambda/status')).handler;
      routes['/twilio/status'] = status;
    });
  } catch (err) {
    process.env = saved;
    output.stop();
    server.close();
    await embedded?.close();
    throw err;
  }

  return {
    url,
    statusCallbackUrl,
    output,
    deliverSns: (event) => status(event, snsContext()),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      process.env = saved;
      output.stop();
      await embedded?.close();
    },
  };
}

/** The context Lambda gives the status function for an SNS invocation. */
function snsContext(): import('aws-lambda').Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'status',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:status',
    memoryLimitInMB: '256',
    awsRequestId: `sns-${Date.now()}`,
    logGroupName: '/aws/lambda/status',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 8_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Runs `test` against a gateway started with `env`, and stops the gateway whatever happens. */
export async function withGateway(env: Record<string, string | undefined>, test: (gateway: RunningGateway) => Promise<void>): Promise<void> {
  const gateway = await startGateway(env);
  try {
    await test(gateway);
  } finally {
    await gateway.close();
  }
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export async function post(url: string, body: string | Buffer, headers: Record<string, string>): Promise<JsonResponse> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** The sender the tests' gateways send from. */
export const TEST_SENDER = '+15017122661';

/** A gateway in Twilio mode against a FakeTwilio, its keys in the environment as `npm start` reads them. */
export function twilioModeEnv(twilio: FakeTwilio, signingSecret: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    [SECRET_KEY.signingSecret]: signingSecret,
    [SECRET_KEY.twilioAccountSid]: twilio.accountSid,
    [SECRET_KEY.twilioAuthToken]: twilio.authToken,
    [SECRET_KEY.twilioPhoneNumber]: TEST_SENDER,
    [ENV.twilioApiBaseUrl]: twilio.url,
    ...extra,
  };
}

/** For suites that send many messages to one number; test/integration/fraud.test.ts covers the limits. */
export const NO_RATE_LIMITS = { [ENV.rateLimits]: 'off' };
