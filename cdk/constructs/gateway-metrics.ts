import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Channel } from '../../lambda/core/send-request';
import { DIMENSION, METRIC, PROVIDER } from '../../shared/names';

/**
 * The gateway's EMF metrics (docs/operations.md, "Metrics") as CloudWatch metric objects, named
 * by shared/names.ts as the Lambdas emit them, shared by the alarms and the dashboard so both
 * read exactly the same series. Every per-channel metric uses the `Channel`-only dimension set,
 * and the per-provider ones `Channel`+`Provider`; totals are metric math over both channels.
 */

export const CHANNELS: readonly Channel[] = ['sms', 'voice'];
/** The providers the metrics name, which may fail over to each other (console only prints, locally). */
export const METERED_PROVIDERS = [PROVIDER.twilio, PROVIDER.aws] as const;
export type MeteredProvider = (typeof METERED_PROVIDERS)[number];
export const PERIOD = Duration.minutes(5);
/** The failure rate is only meaningful over enough messages: fewer attempts count as 0 %. */
export const MIN_ATTEMPTS_FOR_RATE = 5;

export type CountMetric = (typeof METRIC)[
  'messageSent' | 'sendFailed' | 'sendUnconfirmed' | 'messageDelivered' | 'messageUndelivered' | 'messageFailed'
];

export class GatewayMetrics {
  constructor(readonly namespace: string) {}

  /** The `Channel` series, or with a provider the `Channel`+`Provider` one. */
  count(metricName: CountMetric, channel: Channel, provider?: MeteredProvider): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.namespace,
      metricName,
      dimensionsMap: { [DIMENSION.channel]: channel, ...(provider && { [DIMENSION.provider]: provider }) },
      statistic: cloudwatch.Stats.SUM,
      period: PERIOD,
      label: `${metricName} (${provider ? `${channel}, ${provider}` : channel})`,
    });
  }

  latency(channel: Channel, statistic: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.namespace,
      metricName: METRIC.sendLatency,
      dimensionsMap: { [DIMENSION.channel]: channel },
      statistic,
      period: PERIOD,
      unit: cloudwatch.Unit.MILLISECONDS,
      label: `${channel} ${statistic}`,
    });
  }

  /** One metric summed over both channels (of one provider, if given); a channel without data counts as 0. */
  total(metricName: CountMetric, label = `${metricName} (all channels)`, provider?: MeteredProvider): cloudwatch.MathExpression {
    const id = metricName.charAt(0).toLowerCase() + metricName.slice(1);
    return sum(Object.fromEntries(CHANNELS.map((channel) => [`${id}_${channel}`, this.count(metricName, channel, provider)])), label);
  }

  /** ProviderFailover from one provider to the next (dimensions `From`, `To`). */
  failover(from: MeteredProvider, to: MeteredProvider): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.namespace,
      metricName: METRIC.providerFailover,
      dimensionsMap: { [DIMENSION.from]: from, [DIMENSION.to]: to },
      statistic: cloudwatch.Stats.SUM,
      period: PERIOD,
      label: `${from} to ${to}`,
    });
  }

  /** Every ProviderFailover, whichever way; a pair without data counts as 0. */
  failovers(): cloudwatch.MathExpression {
    return sum(Object.fromEntries(FAILOVER_PAIRS.map(([from, to]) => [`failover_${from}_${to}`, this.failover(from, to)])), 'Failovers (all providers)');
  }

  /**
   * (SendFailed + MessageUndelivered + MessageFailed) / (MessageSent + SendFailed), in percent,
   * over both channels; 0 while fewer than MIN_ATTEMPTS_FOR_RATE messages were attempted, so a
   * single failure at night does not page anyone.
   */
  failureRate(): cloudwatch.MathExpression {
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    const sum = (metricName: CountMetric, prefix: string) =>
      CHANNELS.map((channel) => {
        const id = `${prefix}_${channel}`;
        usingMetrics[id] = this.count(metricName, channel);
        return `FILL(${id}, 0)`;
      }).join(' + ');
    const sent = sum(METRIC.messageSent, 'sent');
    const sendFailed = sum(METRIC.sendFailed, 'sendfailed');
    const undelivered = sum(METRIC.messageUndelivered, 'undelivered');
    const failed = sum(METRIC.messageFailed, 'failed');
    const attempted = `(${sent} + ${sendFailed})`;
    const failures = `(${sendFailed} + ${undelivered} + ${failed})`;
    return new cloudwatch.MathExpression({
      expression: `IF(${attempted} >= ${MIN_ATTEMPTS_FOR_RATE}, 100 * ${failures} / ${attempted}, 0)`,
      usingMetrics,
      period: PERIOD,
      label: 'Failure rate (%)',
    });
  }

  /** Failures broken down by Twilio's error code (or the gateway's Reason), found by SEARCH. */
  failuresByErrorCode(): cloudwatch.MathExpression {
    return this.search(
      `{${this.quotedNamespace()},${DIMENSION.channel},${DIMENSION.errorCode}} MetricName="${METRIC.messageUndelivered}" OR MetricName="${METRIC.messageFailed}"`,
      'Undelivered/failed by Twilio error code',
    );
  }

  sendFailuresByReason(): cloudwatch.MathExpression {
    return this.search(`{${this.quotedNamespace()},${DIMENSION.channel},${DIMENSION.reason}} MetricName="${METRIC.sendFailed}"`, 'Send failures by reason');
  }

  private search(query: string, label: string): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: `SEARCH('${query}', 'Sum', ${PERIOD.toSeconds()})`,
      usingMetrics: {},
      period: PERIOD,
      label,
    });
  }

  // Quoted so a namespace with `/` or `.` works; config.ts allows no quotes in it.
  private quotedNamespace(): string {
    return `"${this.namespace}"`;
  }
}

/** Every ordered pair of two sending providers: a failover's From and To. */
export const FAILOVER_PAIRS: readonly (readonly [MeteredProvider, MeteredProvider])[] = METERED_PROVIDERS.flatMap((from) =>
  METERED_PROVIDERS.filter((to) => to !== from).map((to) => [from, to] as const),
);

function sum(usingMetrics: Record<string, cloudwatch.IMetric>, label: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: Object.keys(usingMetrics)
      .map((key) => `FILL(${key}, 0)`)
      .join(' + '),
    usingMetrics,
    period: PERIOD,
    label,
  });
}
