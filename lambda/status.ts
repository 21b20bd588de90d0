/**
 * Lambda entry for POST /twilio/status, and its composition root (built once per container).
 * It imports only what callbacks need, so its bundle stays small and its cold start short.
 */
import { createLogger } from './adapters/logger';
import { createMetrics, MetricsTelemetry } from './adapters/metrics';
import { secretsSourceFor } from './adapters/secrets';
import { twilioSignatureVerifier } from './adapters/twilio-signature';
import { readRuntimeConfig } from './config';
import { createStatusHandler } from './handlers/status-handler';

const config = readRuntimeConfig();
const logger = createLogger(config.serviceName);

export const handler = createStatusHandler({
  logger,
  log: logger,
  secrets: secretsSourceFor(config),
  verifyTwilioSignature: twilioSignatureVerifier(config.statusCallbackUrl),
  telemetry: new MetricsTelemetry(createMetrics(config.metricsNamespace, config.serviceName)),
});
