/**
 * Lambda entry for delivery reports, and its composition root (built once per container): Twilio's
 * callbacks on POST /twilio/status (API Gateway events), and AWS End User Messaging's events
 * through the SNS topic it subscribes to (SNS events). It imports only what reports need, so its
 * bundle stays small and its cold start short.
 */
import type { APIGatewayProxyEventV2, Context, SNSEvent } from 'aws-lambda';
import { DynamoDbClient } from './adapters/dynamodb-client';
import { DynamoDbDeliveryLedger } from './adapters/dynamodb-delivery-ledger';
import { createLogger } from './adapters/logger';
import { createMetrics, MetricsTelemetry } from './adapters/metrics';
import { secretsSourceFor } from './adapters/secrets';
import { readStatusConfig } from './config';
import { createSnsStatusHandler } from './handlers/sns-status-handler';
import { createStatusHandler } from './handlers/status-handler';
import type { HttpResponse } from './http/api-gateway';
import { AwsSmsDeliveryEvents } from './providers/aws-sms/delivery-events';
import { parseProviderKeys } from './providers/secret';
import { twilioSignatureCheck, TwilioStatusCallbacks } from './providers/twilio/status-callback';

// Per attempt. A slow ledger only costs deduplication (the status is then counted anyway), and
// with the secret read (2 x 3 s) the whole callback stays within the function's 8 s.
const LEDGER_TIMEOUT_MS = 500;

const config = readStatusConfig();
const logger = createLogger(config.serviceName);
const deps = {
  logger,
  log: logger,
  telemetry: new MetricsTelemetry(createMetrics(config.metricsNamespace, config.serviceName)),
  ledger: new DynamoDbDeliveryLedger(new DynamoDbClient(process.env, { timeoutMs: LEDGER_TIMEOUT_MS }), config.stateTable),
};

const callbacks = createStatusHandler({
  ...deps,
  // Only Twilio's keys matter here, for its callbacks' signatures.
  callbacks: new TwilioStatusCallbacks(secretsSourceFor(config, parseProviderKeys), twilioSignatureCheck(config.statusCallbackUrl)),
});
const events = createSnsStatusHandler({ ...deps, events: new AwsSmsDeliveryEvents(config.awsSmsEventsTopicArn) });

function isSnsEvent(event: unknown): event is SNSEvent {
  return (event as SNSEvent).Records?.[0]?.EventSource === 'aws:sns';
}

/** Each event to the handler of its source. */
export function handler(event: SNSEvent, context: Context): Promise<void>;
export function handler(event: APIGatewayProxyEventV2, context: Context): Promise<HttpResponse>;
export function handler(event: SNSEvent | APIGatewayProxyEventV2, context: Context): Promise<HttpResponse | void> {
  return isSnsEvent(event) ? events(event, context) : callbacks(event as APIGatewayProxyEventV2, context);
}
