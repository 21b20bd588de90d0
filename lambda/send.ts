/**
 * Lambda entry for POST /messages, and its composition root: the configuration is read and
 * every client and cache is built once per container, at init, so that a bad setting fails the
 * init with its name and warm invocations reuse everything. Templates are compiled on first use
 * in Lambda (the stack checked the same file at synth), and all at start locally.
 */
import deniedPrefixes from '../config/denied-prefixes.json';
import messages from '../config/messages.json';
import { DynamoDbClient } from './adapters/dynamodb-client';
import { DynamoDbCounterStore } from './adapters/dynamodb-counters';
import { DynamoDbIdempotencyStore } from './adapters/dynamodb-idempotency';
import { createLogger } from './adapters/logger';
import { createMetrics, MetricsTelemetry } from './adapters/metrics';
import { secretsSourceFor } from './adapters/secrets';
import { isLambda, readSendConfig } from './config';
import { loadDeniedRanges } from './core/destinations';
import { RateLimiter } from './core/rate-limiter';
import { MessageCatalog } from './core/templates';
import { createSendHandler } from './handlers/send-handler';
import { AwsSmsProvider } from './providers/aws-sms/provider';
import { ConsoleProvider } from './providers/console/console-provider';
import { routedProviders } from './providers/routes';
import { providerKeysParser } from './providers/secret';
import { ProviderSelector } from './providers/selector';
import { TwilioProvider } from './providers/twilio/provider';
import { TwilioRestClient } from './providers/twilio/rest';

const config = readSendConfig();
const logger = createLogger(config.serviceName);
const telemetry = new MetricsTelemetry(createMetrics(config.metricsNamespace, config.serviceName));
const secrets = secretsSourceFor(
  config,
  providerKeysParser({ routed: routedProviders(config.providerRoutes), awsSmsOriginationIdentity: config.awsSms.originationIdentity }),
);
const state = new DynamoDbClient();
const twilio = new TwilioProvider(new TwilioRestClient({ baseUrl: config.twilioApiBaseUrl }), {
  statusCallbackUrl: config.statusCallbackUrl,
  machineDetection: config.voiceMachineDetection,
  rereadKeys: async () => (await secrets.get({ refresh: true })).providers.twilio,
});
const aws = new AwsSmsProvider(process.env, { endpoint: config.awsSms.endpointUrl, configurationSet: config.awsSms.configurationSet });
// Console mode only where the keys come from the environment (`npm start`), never in Lambda.
const providers = { twilio, aws, ...(!config.secretArn && { console: new ConsoleProvider() }) };

export const handler = createSendHandler({
  logger,
  log: logger,
  secrets,
  catalog: MessageCatalog.load(messages, { check: !isLambda() }),
  sender: new ProviderSelector(config.providerRoutes, providers, { telemetry, log: logger }),
  destinations: { allowedCountries: config.allowedCountries, deniedRanges: loadDeniedRanges(deniedPrefixes) },
  idempotency: new DynamoDbIdempotencyStore(state, config.stateTable),
  limiter: new RateLimiter(config.rateLimits, new DynamoDbCounterStore(state, config.stateTable)),
  telemetry,
});
