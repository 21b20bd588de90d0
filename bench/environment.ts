import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDbClient } from '../lambda/adapters/dynamodb-client';
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from '../lambda/local/embedded-dynamodb';
import { ensureStateTable } from '../lambda/local/state-table';
import { ENV, SECRET_KEY } from '../shared/names';
import { FakeSecretsExtension } from '../test/support/fake-secrets-extension';
import { FakeSecretsManager } from '../test/support/fake-secrets-manager';
import { FakeTwilio } from '../test/support/fake-twilio';
import { newSigningSecret } from '../test/support/signing';

/**
 * Everything a Lambda talks to, on loopback: Twilio's REST API, Secrets Manager (its API for
 * the SDK, and the Parameters and Secrets extension's localhost interface), and DynamoDB
 * (dynalite). `lambdaEnv` is the environment a Lambda of the stack would see.
 */
export interface BenchEnvironment {
  twilio: FakeTwilio;
  signingSecret: string;
  lambdaEnv: Record<string, string>;
  /**
   * A DynamoDB endpoint that answers every call at once with `{}` (success, nothing stored):
   * the state store's protocol round trips without its storage work, to tell the gateway's own
   * cost from dynalite's.
   */
  instantStateEndpoint: string;
  close(): Promise<void>;
}

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-AbCdEf';
export const STATUS_CALLBACK_URL = 'https://bench.execute-api.us-east-1.amazonaws.com/twilio/status';

export async function startEnvironment(): Promise<BenchEnvironment> {
  const twilio = await FakeTwilio.start();
  const secretsManager = await FakeSecretsManager.start();
  const extension = await FakeSecretsExtension.start(randomBytes(8).toString('hex'));
  const dynamo: EmbeddedDynamoDb = await startEmbeddedDynamoDb();
  const instant = createServer((req, res) => req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}')));
  await new Promise<void>((resolve) => instant.listen(0, '127.0.0.1', resolve));
  const signingSecret = newSigningSecret();
  const keys = {
    [SECRET_KEY.twilioAccountSid]: twilio.accountSid,
    [SECRET_KEY.twilioAuthToken]: twilio.authToken,
    [SECRET_KEY.twilioPhoneNumber]: '+15017122661',
    [SECRET_KEY.signingSecret]: signingSecret,
  };
  secretsManager.put(SECRET_ARN, keys);
  extension.put(SECRET_ARN, keys);

  const lambdaEnv: Record<string, string> = {
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SESSION_TOKEN: extension.sessionToken,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
    [ENV.dynamoDbEndpointUrl]: dynamo.endpoint,
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extension.port),
    [ENV.secretArn]: SECRET_ARN,
    [ENV.stateTable]: 'bench-state',
    [ENV.statusCallbackUrl]: STATUS_CALLBACK_URL,
    [ENV.twilioApiBaseUrl]: twilio.url,
    // Distinct recipients per send; the global ceiling is raised so thousands of sends fit.
    [ENV.rateLimits]: 'recipient:5/1h,recipient:10/24h,ip:20/1h,global:1000000/1h',
    [ENV.logLevel]: 'WARN',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };

  await ensureStateTable(new DynamoDbClient(lambdaEnv), lambdaEnv[ENV.stateTable]);

  return {
    twilio,
    signingSecret,
    lambdaEnv,
    instantStateEndpoint: `http://127.0.0.1:${(instant.address() as AddressInfo).port}`,
    async close() {
      instant.closeAllConnections();
      instant.close();
      await Promise.all([twilio.close(), secretsManager.close(), extension.close(), dynamo.close()]);
    },
  };
}
