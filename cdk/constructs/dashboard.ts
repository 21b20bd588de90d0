import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { METRIC } from '../../shared/names';
import { CHANNELS, FAILOVER_PAIRS, METERED_PROVIDERS, PERIOD, type CountMetric, type GatewayMetrics, type MeteredProvider } from './gateway-metrics';

export interface GatewayDashboardProps {
  dashboardName: string;
  metrics: GatewayMetrics;
  sendFunction: lambda.IFunction;
  statusFunction: lambda.IFunction;
  api: apigwv2.IHttpApi;
  alarms: cloudwatch.IAlarm[];
  failureRateThreshold: number;
  /** With more than one provider (AWS End User Messaging on): a row of sends and deliveries per provider, and the failovers. */
  perProvider: boolean;
}

const OUTCOMES: readonly CountMetric[] = [METRIC.messageSent, METRIC.messageDelivered, METRIC.messageUndelivered, METRIC.messageFailed, METRIC.sendFailed];
const PROVIDER_OUTCOMES: readonly CountMetric[] = [...OUTCOMES, METRIC.sendUnconfirmed];
const PROVIDER_TITLES: Record<MeteredProvider, string> = { twilio: 'Twilio', aws: 'AWS End User Messaging' };
const HEIGHT = 6;

/** One page that answers "are codes reaching people, and if not, why": the alarms' metrics and their breakdowns. */
export class GatewayDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: GatewayDashboardProps) {
    super(scope, id);
    const { metrics } = props;
    const graph = (title: string, width: number, left: cloudwatch.IMetric[], extra: Partial<cloudwatch.GraphWidgetProps> = {}) =>
      new cloudwatch.GraphWidget({ title, width, height: HEIGHT, left, period: PERIOD, ...extra });
    const functions = [
      ['send', props.sendFunction],
      ['status', props.statusFunction],
    ] as const;

    // Both channels together: per provider, the question is whether it takes and delivers codes.
    const providerRow = props.perProvider
      ? [
          [
            ...METERED_PROVIDERS.map((provider) =>
              graph(
                `${PROVIDER_TITLES[provider]}: sent / delivered / undelivered / failed / unconfirmed`,
                8,
                PROVIDER_OUTCOMES.map((name) => metrics.total(name, name, provider)),
                { stacked: false },
              ),
            ),
            graph('Failovers to the next provider', 8, FAILOVER_PAIRS.map(([from, to]) => metrics.failover(from, to))),
          ],
        ]
      : [];

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(24),
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 24, height: 3 })],
        CHANNELS.map((channel) =>
          graph(
            `${channel.toUpperCase()}: sent / delivered / undelivered / failed`,
            12,
            OUTCOMES.map((name) => metrics.count(name, channel).with({ label: name })),
            { stacked: false },
          ),
        ),
        ...providerRow,
        [
          graph('Failure rate (%)', 8, [metrics.failureRate()], {
            leftYAxis: { min: 0, max: 100, showUnits: false },
            leftAnnotations: [{ value: props.failureRateThreshold, label: 'alarm threshold', color: cloudwatch.Color.RED }],
          }),
          graph('Undelivered / failed by Twilio error code', 8, [metrics.failuresByErrorCode()]),
          graph('Send failures by reason', 8, [metrics.sendFailuresByReason()]),
        ],
        [
          graph(
            'Send latency (Twilio API), p50 / p99',
            8,
            CHANNELS.flatMap((channel) => [metrics.latency(channel, 'p50'), metrics.latency(channel, 'p99')]),
          ),
          graph(
            'Lambda errors',
            8,
            functions.map(([name, fn]) => fn.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM, label: `${name} errors` })),
          ),
          graph(
            'Lambda duration, p50 / p99',
            8,
            functions.flatMap(([name, fn]) => [
              fn.metricDuration({ period: PERIOD, statistic: cloudwatch.Stats.p(50), label: `${name} p50` }),
              fn.metricDuration({ period: PERIOD, statistic: cloudwatch.Stats.p(99), label: `${name} p99` }),
            ]),
          ),
        ],
        [
          graph('API 4xx / 5xx', 8, [
            props.api.metricClientError({ period: PERIOD, statistic: cloudwatch.Stats.SUM, label: '4xx' }),
            props.api.metricServerError({ period: PERIOD, statistic: cloudwatch.Stats.SUM, label: '5xx' }),
          ]),
          graph('API requests', 8, [props.api.metricCount({ period: PERIOD, statistic: cloudwatch.Stats.SUM, label: 'requests' })]),
          graph(
            'Unconfirmed sends (outcome unknown, not sent again)',
            8,
            CHANNELS.map((channel) => metrics.count(METRIC.sendUnconfirmed, channel).with({ label: channel })),
          ),
        ],
      ],
    });
  }
}
