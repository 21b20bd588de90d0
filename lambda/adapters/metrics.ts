import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ErrorCode } from '../core/errors';
import type { DeliveryOutcome, DeliveryTelemetry, SendTelemetry } from '../core/ports';
import type { Channel } from '../core/send-request';

/**
 * CloudWatch metrics as Embedded Metric Format lines on standard output (CONTRACT.md section 4),
 * through Powertools Metrics. Each event is published at once, in its own EMF document, so that
 * every metric carries exactly the dimension sets the contract names and nothing is lost if the
 * invocation ends early.
 */

export function createMetrics(namespace: string, serviceName: string): Metrics {
  const metrics = new Metrics({ namespace, serviceName });
  // Powertools adds a `service` dimension to every metric by default; the contract's alarms and
  // dashboards query `Channel` (and `Channel`+`Reason`/`ErrorCode`) exactly.
  metrics.clearDefaultDimensions();
  return metrics;
}

const DELIVERY_METRIC: Record<DeliveryOutcome, string> = {
  delivered: 'MessageDelivered',
  undelivered: 'MessageUndelivered',
  failed: 'MessageFailed',
};

export class MetricsTelemetry implements SendTelemetry, DeliveryTelemetry {
  constructor(private readonly metrics: Metrics) {}

  messageSent(channel: Channel, latencyMs: number): void {
    this.metrics.addDimension('Channel', channel);
    this.metrics.addMetric('MessageSent', MetricUnit.Count, 1);
    this.metrics.addMetric('SendLatency', MetricUnit.Milliseconds, latencyMs);
    this.metrics.publishStoredMetrics();
  }

  sendFailed(channel: Channel, reason: ErrorCode, latencyMs?: number): void {
    this.metrics.addDimension('Channel', channel);
    this.metrics.addDimensions({ Channel: channel, Reason: reason });
    this.metrics.addMetric('SendFailed', MetricUnit.Count, 1);
    this.metrics.publishStoredMetrics();
    if (latencyMs !== undefined) {
      this.metrics.addDimension('Channel', channel);
      this.metrics.addMetric('SendLatency', MetricUnit.Milliseconds, latencyMs);
      this.metrics.publishStoredMetrics();
    }
  }

  delivery(channel: Channel, outcome: DeliveryOutcome, errorCode: string): void {
    this.metrics.addDimension('Channel', channel);
    if (outcome !== 'delivered') this.metrics.addDimensions({ Channel: channel, ErrorCode: errorCode });
    this.metrics.addMetric(DELIVERY_METRIC[outcome], MetricUnit.Count, 1);
    this.metrics.publishStoredMetrics();
  }
}
