import messages from '../config/messages.json';
import { ConsoleProvider } from './adapters/console-provider';
import { createLogger } from './adapters/logger';
import { createMetrics, MetricsTelemetry } from './adapters/metrics';
import { ProviderRouter } from './adapters/provider-router';
import { EnvironmentSource, SecretsManagerSource } from './adapters/secrets';
import { TwilioProvider } from './adapters/twilio-provider';
import { TwilioRestClient } from './adapters/twilio-rest';
import { twilioSignatureVerifier } from './adapters/twilio-signature';
import { readRuntimeConfig, type RuntimeConfig } from './config';
import type { SecretsSource } from './core/ports';
import { MessageCatalog } from './core/templates';

/**
 * The composition root: builds each handler's dependencies once per container (clients,
 * caches, the compiled templates), from the configuration read in config.ts.
 */

function secretsSource(config: RuntimeConfig): SecretsSource {
  return config.secretArn ? new SecretsManagerSource(config.secretArn) : new EnvironmentSource();
}

export function sendDependencies(config: RuntimeConfig = readRuntimeConfig()) {
  const logger = createLogger(config.serviceName);
  const secrets = secretsSource(config);
  const twilio = new TwilioProvider(secrets, new TwilioRestClient({ baseUrl: config.twilioApiBaseUrl }), config.statusCallbackUrl);
  return {
    logger,
    log: logger,
    secrets,
    catalog: MessageCatalog.load(messages),
    provider: new ProviderRouter(secrets, twilio, new ConsoleProvider()),
    telemetry: new MetricsTelemetry(createMetrics(config.metricsNamespace, config.serviceName)),
  };
}

export function statusDependencies(config: RuntimeConfig = readRuntimeConfig()) {
  const logger = createLogger(config.serviceName);
  return {
    logger,
    log: logger,
    secrets: secretsSource(config),
    verifyTwilioSignature: twilioSignatureVerifier(config.statusCallbackUrl),
    telemetry: new MetricsTelemetry(createMetrics(config.metricsNamespace, config.serviceName)),
  };
}
