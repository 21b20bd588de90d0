/**
 * The naive status Lambda the benchmark compares against: the same handler with the full
 * `twilio` package for validateRequest and Powertools getSecret, as most projects start.
 */
import twilio from 'twilio';
import { createLogger } from '../../lambda/adapters/logger';
import { createMetrics, MetricsTelemetry } from '../../lambda/adapters/metrics';
import { SecretsManagerSource } from '../../lambda/adapters/secrets';
import { readRuntimeConfig } from '../../lambda/config';
import { createStatusHandler } from '../../lambda/handlers/status-handler';

const config = readRuntimeConfig();
const logger = createLogger(config.serviceName);

export const handler = createStatusHandler({
  logger,
  log: logger,
  secrets: new SecretsManagerSource(config.secretArn!),
  verifyTwilioSignature: (authToken, signature, params) => twilio.validateRequest(authToken, signature, config.statusCallbackUrl, params),
  telemetry: new MetricsTelemetry(createMetrics(config.metricsNamespace, config.serviceName)),
});
