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
import { ConsoleProvider } from './providers/console/console-provider';
import { parseProviderKeys } from './providers/secret';
import { ProviderSelector } from './providers/selector';
import { TwilioProvider } from './providers/twilio/provider';
import { TwilioRestClient } from './providers/twilio/rest';

const config = readSendConfig();
const logger = createLogger(config.serviceName);
const secrets = secretsSourceFor(config, parseProviderKeys);
const state = new DynamoDbClient();
const twilio = new TwilioProvider(new TwilioRestClient({ baseUrl: config.twilioApiBaseUrl }), {
  statusCallbackUrl: config.statusCallbackUrl,
  machineDetection: config.voiceMachineDetection,
  rereadKeys: async () => (await secrets.get({ refresh: true })).providers.twilio,
});

export const handler = createSendHandler({
  logger,
  log: logger,
  secrets,
  catalog: MessageCatalog.load(messages, { check: !isLambda() }),
  sender: new ProviderSelector(config.providerRoutes, { twilio, console: new ConsoleProvider() }),
  destinations: { allowedCountries: config.allowedCountries, deniedRanges: loadDeniedRanges(deniedPrefixes) },
  idempotency: new DynamoDbIdempotencyStore(state, config.stateTable),
  limiter: new RateLimiter(config.rateLimits, new DynamoDbCounterStore(state, config.stateTable)),
  telemetry: new MetricsTelemetry(createMetrics(config.metricsNamespace, config.serviceName)),
});
