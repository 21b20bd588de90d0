import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DIMENSION, METRIC, type DimensionName, type MetricName } from '../../shared/names';
import type { ErrorCode } from '../core/errors';
import type { DeliveryOutcome, DeliveryTelemetry, SendTelemetry } from '../core/ports';
import type { Channel } from '../core/send-request';

/**
 * CloudWatch metrics as Embedded Metric Format lines on standard output (docs/operations.md,
 * "Metrics"), through Powertools Metrics, named as shared/names.ts names them for the alarms.
 * Each dimension set goes out in its own EMF document, published at once: every metric carries
 * exactly the dimension sets the contract names, nothing is lost if the invocation ends early,
 * and Powertools has no reason to warn about keys shared between dimension sets of one document.
 */

export function createMetrics(namespace: string, serviceName: string): Metrics {
  const metrics = new Metrics({ namespace, serviceName });
  // Powertools adds a `service` dimension to every metric by default; the contract's alarms and
  // dashboards query `Channel` (and `Channel`+`Reason`/`ErrorCode`) exactly.
  metrics.clearDefaultDimensions();
  return metrics;
}

const DELIVERY_METRIC: Record<DeliveryOutcome, MetricName> = {
  delivered: METRIC.messageDelivered,
  undelivered: METRIC.messageUndelivered,
  failed: METRIC.messageFailed,
};

type Measure = [name: MetricName, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number];
type Dimensions = Partial<Record<DimensionName, string>>;

const latency = (ms: number): Measure => [METRIC.sendLatency, MetricUnit.Milliseconds, ms];

export class MetricsTelemetry implements SendTelemetry, DeliveryTelemetry {
  constructor(private readonly metrics: Metrics) {}

  messageSent(channel: Channel, latencyMs: number): void {
    this.emit({ [DIMENSION.channel]: channel }, [METRIC.messageSent, MetricUnit.Count, 1], latency(latencyMs));
  }

  sendUnconfirmed(channel: Channel, latencyMs: number): void {
    this.emit({ [DIMENSION.channel]: channel }, [METRIC.sendUnconfirmed, MetricUnit.Count, 1], latency(latencyMs));
  }

  sendFailed(channel: Channel, reason: ErrorCode, latencyMs?: number): void {
    const failed: Measure = [METRIC.sendFailed, MetricUnit.Count, 1];
    if (latencyMs === undefined) this.emit({ [DIMENSION.channel]: channel }, failed);
    else this.emit({ [DIMENSION.channel]: channel }, failed, latency(latencyMs));
    this.emit({ [DIMENSION.channel]: channel, [DIMENSION.reason]: reason }, failed);
  }

  delivery(channel: Channel, outcome: DeliveryOutcome, errorCode: string): void {
    const counted: Measure = [DELIVERY_METRIC[outcome], MetricUnit.Count, 1];
    this.emit({ [DIMENSION.channel]: channel }, counted);
    if (outcome !== 'delivered') this.emit({ [DIMENSION.channel]: channel, [DIMENSION.errorCode]: errorCode }, counted);
  }

  private emit(dimensions: Dimensions, ...measures: Measure[]): void {
    for (const [name, value] of Object.entries(dimensions)) if (value !== undefined) this.metrics.addDimension(name, value);
    for (const [name, unit, value] of measures) this.metrics.addMetric(name, unit, value);
    this.metrics.publishStoredMetrics();
  }
}
