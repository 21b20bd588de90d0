/**
 * The naive status Lambda the benchmark compares against: the same handler with the full
 * `twilio` package for validateRequest, Powertools getSecret, and the AWS SDK's DynamoDB client
 * for the delivery ledger, as most projects start.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import twilio from 'twilio';
import { createLogger } from '../../lambda/adapters/logger';
import { createMetrics, MetricsTelemetry } from '../../lambda/adapters/metrics';
import { SecretsManagerSource } from '../../lambda/adapters/secrets';
import { readStatusConfig } from '../../lambda/config';
import type { DeliveryLedger } from '../../lambda/core/ports';
import { createStatusHandler } from '../../lambda/handlers/status-handler';
import { parseProviderKeys } from '../../lambda/providers/secret';
import { TwilioStatusCallbacks } from '../../lambda/providers/twilio/status-callback';

const config = readStatusConfig();
const logger = createLogger(config.serviceName);
const client = new DynamoDBClient({});

const ledger: DeliveryLedger = {
  async firstReport(messageId, status) {
    try {
      await client.send(
        new PutItemCommand({
          TableName: config.stateTable,
          Item: { id: { S: `delivery#${messageId}#${status}` }, expiration: { N: String(Math.floor(Date.now() / 1000) + 7 * 86400) } },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return true;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  },
};

export const handler = createStatusHandler({
  logger,
  log: logger,
  callbacks: new TwilioStatusCallbacks(new SecretsManagerSource(config.secretArn!, parseProviderKeys), (authToken, signature, params) =>
    twilio.validateRequest(authToken, signature, config.statusCallbackUrl, params),
  ),
  telemetry: new MetricsTelemetry(createMetrics(config.metricsNamespace, config.serviceName)),
  ledger,
});
