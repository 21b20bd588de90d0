import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DIMENSION, METRIC, type DimensionName, type MetricName, type ProviderName } from '../../shared/names';
import type { ErrorCode } from '../core/errors';
import type { DeliveryOutcome, DeliveryTelemetry, FailoverTelemetry, SendTelemetry } from '../core/ports';
import type { Channel } from '../core/send-request';

/**
 * CloudWatch metrics as Embedded Metric Format lines on standard output (docs/operations.md,
 * "Metrics"), through Powertools Metrics, named as shared/names.ts names them for the alarms.
 * Each document is published at once: every metric carries exactly the dimension sets the
 * contract names, and nothing is lost if the invocation ends early. The `Reason` and `ErrorCode`
 * sets go out in documents of their own (SendLatency is not kept by reason). `Channel` and
 * `Channel`+`Provider` share one document, with two dimension sets (emitByProvider): half the
 * output of two documents on every send and report, and the sets the alarms read stay as they
 * were.
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

export class MetricsTelemetry implements SendTelemetry, DeliveryTelemetry, FailoverTelemetry {
  constructor(private readonly metrics: Metrics) {}

  messageSent(channel: Channel, latencyMs: number, provider: ProviderName): void {
    this.emitByProvider(channel, provider, [METRIC.messageSent, MetricUnit.Count, 1], latency(latencyMs));
  }

  sendUnconfirmed(channel: Channel, latencyMs: number, provider?: ProviderName): void {
    this.emitByProvider(channel, provider, [METRIC.sendUnconfirmed, MetricUnit.Count, 1], latency(latencyMs));
  }

  sendFailed(channel: Channel, reason: ErrorCode, latencyMs?: number, provider?: ProviderName): void {
    const failed: Measure = [METRIC.sendFailed, MetricUnit.Count, 1];
    this.emitByProvider(channel, provider, failed, ...(latencyMs === undefined ? [] : [latency(latencyMs)]));
    this.emit({ [DIMENSION.channel]: channel, [DIMENSION.reason]: reason }, failed);
  }

  delivery(channel: Channel, outcome: DeliveryOutcome, errorCode: string, provider: ProviderName): void {
    const counted: Measure = [DELIVERY_METRIC[outcome], MetricUnit.Count, 1];
    this.emitByProvider(channel, provider, counted);
    if (outcome !== 'delivered') this.emit({ [DIMENSION.channel]: channel, [DIMENSION.errorCode]: errorCode }, counted);
  }

  providerFailover(from: ProviderName, to: ProviderName): void {
    this.emit({ [DIMENSION.from]: from, [DIMENSION.to]: to }, [METRIC.providerFailover, MetricUnit.Count, 1]);
  }

  /**
   * The measures by `Channel`, and by `Channel`+`Provider` when the provider is known, in one
   * document. Powertools writes each dimension set of `addDimensions` with the default dimensions
   * in front, and warns about a key in two sets: so `Channel` is the default for this one
   * document, and the sets are `{}` and `{Provider}`.
   */
  private emitByProvider(channel: Channel, provider: ProviderName | undefined, ...measures: Measure[]): void {
    if (!provider) return this.emit({ [DIMENSION.channel]: channel }, ...measures);
    this.metrics.setDefaultDimensions({ [DIMENSION.channel]: channel });
    this.metrics.addDimensions({}).addDimensions({ [DIMENSION.provider]: provider });
    for (const [name, unit, value] of measures) this.metrics.addMetric(name, unit, value);
    this.metrics.publishStoredMetrics();
    this.metrics.clearDefaultDimensions();
  }

  private emit(dimensions: Dimensions, ...measures: Measure[]): void {
    for (const [name, value] of Object.entries(dimensions)) if (value !== undefined) this.metrics.addDimension(name, value);
    for (const [name, unit, value] of measures) this.metrics.addMetric(name, unit, value);
    this.metrics.publishStoredMetrics();
  }
}
