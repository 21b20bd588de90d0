/**
 * Lambda entry for POST /messages, and its composition root: the configuration is read and
 * every client, cache and compiled template is built once per container, at init, so that a
 * bad setting fails the init with its name and warm invocations reuse everything.
 */
import messages from '../config/messages.json';
import { ConsoleProvider } from './adapters/console-provider';
import { createLogger } from './adapters/logger';
import { createMetrics, MetricsTelemetry } from './adapters/metrics';
import { ProviderRouter } from './adapters/provider-router';
import { secretsSourceFor } from './adapters/secrets';
import { TwilioProvider } from './adapters/twilio-provider';
import { TwilioRestClient } from './adapters/twilio-rest';
import { readRuntimeConfig } from './config';
import { MessageCatalog } from './core/templates';
import { createSendHandler } from './handlers/send-handler';

const config = readRuntimeConfig();
const logger = createLogger(config.serviceName);
const secrets = secretsSourceFor(config);
const twilio = new TwilioProvider(secrets, new TwilioRestClient({ baseUrl: config.twilioApiBaseUrl }), config.statusCallbackUrl);

export const handler = createSendHandler({
  logger,
  log: logger,
  secrets,
  catalog: MessageCatalog.load(messages),
  provider: new ProviderRouter(secrets, twilio, new ConsoleProvider()),
  telemetry: new MetricsTelemetry(createMetrics(config.metricsNamespace, config.serviceName)),
});
