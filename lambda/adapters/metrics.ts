import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ErrorCode } from '../core/errors';
import type { DeliveryOutcome, DeliveryTelemetry, SendTelemetry } from '../core/ports';
import type { Channel } from '../core/send-request';

/**
 * CloudWatch metrics as Embedded Metric Format lines on standard output (CONTRACT.md section 4),
 * through Powertools Metrics. Each dimension set goes out in its own EMF document, published at
 * once: every metric carries exactly the dimension sets the contract names, nothing is lost if
 * the invocation ends early, and Powertools has no reason to warn about keys shared between
 * dimension sets of one document.
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

type Measure = [name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number];

export class MetricsTelemetry implements SendTelemetry, DeliveryTelemetry {
  constructor(private readonly metrics: Metrics) {}

  messageSent(channel: Channel, latencyMs: number): void {
    this.emit({ Channel: channel }, ['MessageSent', MetricUnit.Count, 1], ['SendLatency', MetricUnit.Milliseconds, latencyMs]);
  }

  sendUnconfirmed(channel: Channel, latencyMs: number): void {
    this.emit({ Channel: channel }, ['SendUnconfirmed', MetricUnit.Count, 1], ['SendLatency', MetricUnit.Milliseconds, latencyMs]);
  }

  sendFailed(channel: Channel, reason: ErrorCode, latencyMs?: number): void {
    const failed: Measure = ['SendFailed', MetricUnit.Count, 1];
    if (latencyMs === undefined) this.emit({ Channel: channel }, failed);
    else this.emit({ Channel: channel }, failed, ['SendLatency', MetricUnit.Milliseconds, latencyMs]);
    this.emit({ Channel: channel, Reason: reason }, failed);
  }

  delivery(channel: Channel, outcome: DeliveryOutcome, errorCode: string): void {
    const counted: Measure = [DELIVERY_METRIC[outcome], MetricUnit.Count, 1];
    this.emit({ Channel: channel }, counted);
    if (outcome !== 'delivered') this.emit({ Channel: channel, ErrorCode: errorCode }, counted);
  }

  private emit(dimensions: Record<string, string>, ...measures: Measure[]): void {
    for (const [name, value] of Object.entries(dimensions)) this.metrics.addDimension(name, value);
    for (const [name, unit, value] of measures) this.metrics.addMetric(name, unit, value);
    this.metrics.publishStoredMetrics();
  }
}
