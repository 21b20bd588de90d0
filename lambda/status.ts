/**
 * Lambda entry for POST /twilio/status, and its composition root (built once per container).
 * It imports only what callbacks need, so its bundle stays small and its cold start short.
 */
import { DynamoDbClient } from './adapters/dynamodb-client';
import { DynamoDbDeliveryLedger } from './adapters/dynamodb-delivery-ledger';
import { createLogger } from './adapters/logger';
import { createMetrics, MetricsTelemetry } from './adapters/metrics';
import { secretsSourceFor } from './adapters/secrets';
import { readStatusConfig } from './config';
import { createStatusHandler } from './handlers/status-handler';
import { parseProviderKeys } from './providers/secret';
import { twilioSignatureCheck, TwilioStatusCallbacks } from './providers/twilio/status-callback';

// Per attempt. A slow ledger only costs deduplication (the status is then counted anyway), and
// with the secret read (2 x 3 s) the whole callback stays within the function's 8 s.
const LEDGER_TIMEOUT_MS = 500;

const config = readStatusConfig();
const logger = createLogger(config.serviceName);

export const handler = createStatusHandler({
  logger,
  log: logger,
  callbacks: new TwilioStatusCallbacks(secretsSourceFor(config, parseProviderKeys), twilioSignatureCheck(config.statusCallbackUrl)),
  telemetry: new MetricsTelemetry(createMetrics(config.metricsNamespace, config.serviceName)),
  ledger: new DynamoDbDeliveryLedger(new DynamoDbClient(process.env, { timeoutMs: LEDGER_TIMEOUT_MS }), config.stateTable),
});
