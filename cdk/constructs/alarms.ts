import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRIC } from '../../shared/names';
import { GatewayMetrics, MIN_ATTEMPTS_FOR_RATE, PERIOD } from './gateway-metrics';

export interface GatewayAlarmsProps {
  /** Prefix of every alarm name, so several gateways can live in one account. */
  namePrefix: string;
  metrics: GatewayMetrics;
  sendFunction: lambda.IFunction;
  statusFunction: lambda.IFunction;
  api: apigwv2.IHttpApi;
  topic: sns.ITopic;
  failureRateThreshold: number;
  burstCeiling: number;
  /** Whether more than one provider sends (AWS End User Messaging is on): then a failover alarm. */
  failover: boolean;
}

/** 5xx answers in 5 minutes that mean more than one unlucky request. */
export const API_5XX_THRESHOLD = 5;
/** Sends of unknown outcome in 5 minutes that mean more than one slow answer from Twilio. */
export const UNCONFIRMED_THRESHOLD = 3;
const RUNBOOK = 'Runbook: docs/operations.md, section "Alarms"';

/**
 * The gateway's alarms. Each one notifies the topic when it fires and when it recovers, and
 * treats missing data as fine: a quiet night sends no messages, and that is not an incident.
 */
export class GatewayAlarms extends Construct {
  readonly failureRate: cloudwatch.Alarm;
  readonly sendErrors: cloudwatch.Alarm;
  readonly statusErrors: cloudwatch.Alarm;
  readonly api5xx: cloudwatch.Alarm;
  readonly burst: cloudwatch.Alarm;
  readonly unconfirmed: cloudwatch.Alarm;
  readonly failover?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: GatewayAlarmsProps) {
    super(scope, id);
    const { metrics, namePrefix } = props;

    this.failureRate = this.alarm('FailureRate', {
      alarmName: `${namePrefix}-delivery-failure-rate`,
      alarmDescription:
        `More than ${props.failureRateThreshold}% of attempted SMS/voice messages failed (refused by Twilio or a limit, ` +
        `undelivered, or failed) for 15 minutes, with at least ${MIN_ATTEMPTS_FOR_RATE} attempts per 5 minutes. ` +
        `Users are not getting their codes. Check the dashboard's failures by error code and the send Lambda's logs ` +
        `(reason, providerCode). ${RUNBOOK}.`,
      metric: metrics.failureRate(),
      threshold: props.failureRateThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    });

    this.sendErrors = this.alarm('SendErrors', {
      alarmName: `${namePrefix}-send-lambda-errors`,
      alarmDescription:
        'The send Lambda crashed, timed out or failed to start. The handler turns every expected failure into a JSON ' +
        `answer, so any error here is a bug, a timeout or a broken deployment: read its log group. ${RUNBOOK}.`,
      metric: props.sendFunction.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });

    this.statusErrors = this.alarm('StatusErrors', {
      alarmName: `${namePrefix}-status-lambda-errors`,
      alarmDescription:
        'The status Lambda crashed, timed out or failed to start, so Twilio delivery reports are being lost and the ' +
        `delivery metrics undercount failures. Read its log group. ${RUNBOOK}.`,
      metric: props.statusFunction.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });

    this.api5xx = this.alarm('Api5xx', {
      alarmName: `${namePrefix}-api-5xx`,
      alarmDescription:
        `The API answered ${API_5XX_THRESHOLD} or more requests with a 5xx in 5 minutes: Twilio or Secrets Manager ` +
        'unavailable (503), Twilio refusing sends (502), the secret incomplete (500 configuration_error), or a Lambda ' +
        `failure. The error.code in the send Lambda's logs says which. ${RUNBOOK}.`,
      metric: props.api.metricServerError({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
      threshold: API_5XX_THRESHOLD,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });

    this.burst = this.alarm('Burst', {
      alarmName: `${namePrefix}-send-burst`,
      alarmDescription:
        `More than ${props.burstCeiling} messages were sent in 5 minutes. Unless you expected a traffic peak, this ` +
        'is how SMS pumping (toll fraud) starts: look for unusual destination countries in the send logs, tighten ' +
        `rateLimits/allowedCountries, and check Twilio's geo permissions. ${RUNBOOK}.`,
      metric: metrics.total(METRIC.messageSent, 'Messages sent (all channels)'),
      threshold: props.burstCeiling,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });

    this.unconfirmed = this.alarm('Unconfirmed', {
      alarmName: `${namePrefix}-send-unconfirmed`,
      alarmDescription:
        `${UNCONFIRMED_THRESHOLD} or more messages in 5 minutes were handed to Twilio without knowing whether Twilio took ` +
        'them (no answer in time, a dropped connection, a 5xx): the gateway answered 202 unconfirmed and did not send ' +
        'them again, so some of those users may have no code. Usually Twilio is slow or failing (status.twilio.com). ' +
        `${RUNBOOK}.`,
      metric: metrics.total(METRIC.sendUnconfirmed, 'Sends of unknown outcome (all channels)'),
      threshold: UNCONFIRMED_THRESHOLD,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });

    if (props.failover) {
      this.failover = this.alarm('Failover', {
        alarmName: `${namePrefix}-provider-failover`,
        alarmDescription:
          'A provider refused or could not be reached, so at least one message in 5 minutes went to the next provider of ' +
          'its route (ProviderFailover, by From and To). The codes still went out, but one provider is down or rejecting ' +
          `the gateway, and the next failure of the other one would cost logins. ${RUNBOOK}.`,
        metric: metrics.failovers(),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      });
    }

    const action = new actions.SnsAction(props.topic);
    for (const alarm of this.all()) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }

  all(): cloudwatch.Alarm[] {
    return [this.failureRate, this.sendErrors, this.statusErrors, this.api5xx, this.burst, this.unconfirmed, ...(this.failover ? [this.failover] : [])];
  }

  private alarm(id: string, props: cloudwatch.AlarmProps): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, { treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, ...props });
  }
}
