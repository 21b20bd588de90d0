import { MIN_ATTEMPTS_FOR_RATE } from '../../cdk/constructs/gateway-metrics';
import { dashboardWidgets, logicalIdOf, resourcesOfType, synthGateway, type CfnResourceJson, type Synthesized, removeAssemblies } from './synth';

/**
 * The six alarms and the dashboard, synthesized with non-default alarm context so the tests
 * also prove the context reaches them.
 */

const CONTEXT = { failureRateThreshold: '7.5', burstCeiling: '250', metricsNamespace: 'Acme/Sms', alarmEmail: 'oncall@example.com' };

let s: Synthesized;
let alarms: Record<string, CfnResourceJson>;
let topicId: string;

beforeAll(() => {
  s = synthGateway(CONTEXT);
  alarms = Object.fromEntries(resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').map(([, alarm]) => [alarm.Properties!.AlarmName, alarm]));
  topicId = logicalIdOf(s.stack, 'AlarmTopic/Resource');
});

afterAll(removeAssemblies);

const alarm = (suffix: string) => alarms[`MfaSmsGateway-${suffix}`].Properties!;

/** Evaluates a CloudWatch metric-math expression for one period, with metric ids bound to values. */
function evaluate(expression: string, values: Record<string, number | undefined>): number {
  const ids = Object.keys(values);
  const body = `return ${expression.replace(/\bIF\(/g, 'IF_(').replace(/\bFILL\(/g, 'FILL_(')};`;
  const run = new Function('IF_', 'FILL_', ...ids, body) as (...args: unknown[]) => number;
  return run(
    (condition: boolean, whenTrue: number, whenFalse: number) => (condition ? whenTrue : whenFalse),
    (value: number | undefined, fill: number) => value ?? fill,
    ...ids.map((id) => values[id]),
  );
}

test('six alarms, each with a name, a description with a runbook hint, both actions on the one topic, missing data not breaching', () => {
  expect(Object.keys(alarms).sort()).toEqual([
    'MfaSmsGateway-api-5xx',
    'MfaSmsGateway-delivery-failure-rate',
    'MfaSmsGateway-send-burst',
    'MfaSmsGateway-send-lambda-errors',
    'MfaSmsGateway-send-unconfirmed',
    'MfaSmsGateway-status-lambda-errors',
  ]);
  for (const { Properties: p } of Object.values(alarms)) {
    expect(p).toMatchObject({ TreatMissingData: 'notBreaching', AlarmActions: [{ Ref: topicId }], OKActions: [{ Ref: topicId }] });
    expect(p!.AlarmDescription).toMatch(/Runbook: docs\/operations\.md, section "Alarms"/);
  }
});

test('alarmEmail subscribes that address to the topic', () => {
  s.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: CONTEXT.alarmEmail, TopicArn: { Ref: topicId } });
  s.template.resourceCountIs('AWS::SNS::Subscription', 1);
});

describe('delivery failure rate', () => {
  test('fires above failureRateThreshold on 3 of 3 five-minute periods', () => {
    expect(alarm('delivery-failure-rate')).toMatchObject({
      Threshold: 7.5,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
  });

  test('reads the Channel-only series of the four metrics, both channels, summed over 5 minutes, in the configured namespace', () => {
    const metrics = alarm('delivery-failure-rate').Metrics as any[];
    const stats = metrics.filter((m) => m.MetricStat);
    expect(stats).toHaveLength(8);
    for (const m of stats) {
      expect(m.ReturnData).toBe(false);
      expect(m.MetricStat).toMatchObject({ Period: 300, Stat: 'Sum', Metric: { Namespace: 'Acme/Sms' } });
      expect(m.MetricStat.Metric.Dimensions).toEqual([{ Name: 'Channel', Value: expect.stringMatching(/^(sms|voice)$/) }]);
    }
    expect(stats.map((m) => `${m.MetricStat.Metric.MetricName}/${m.MetricStat.Metric.Dimensions[0].Value}`).sort()).toEqual([
      'MessageFailed/sms',
      'MessageFailed/voice',
      'MessageSent/sms',
      'MessageSent/voice',
      'MessageUndelivered/sms',
      'MessageUndelivered/voice',
      'SendFailed/sms',
      'SendFailed/voice',
    ]);
    expect(metrics.filter((m) => m.Expression)).toEqual([expect.objectContaining({ ReturnData: true })]);
  });

  test('computes (SendFailed + MessageUndelivered + MessageFailed) / (MessageSent + SendFailed) in percent, only from 5 attempts', () => {
    const metrics = alarm('delivery-failure-rate').Metrics as any[];
    const { Expression } = metrics.find((m) => m.Expression);
    const idOf = (name: string, channel: string) =>
      metrics.find((m) => m.MetricStat?.Metric.MetricName === name && m.MetricStat.Metric.Dimensions[0].Value === channel).Id as string;
    const period = (values: Record<string, Record<string, number>>) => {
      const bound: Record<string, number | undefined> = {};
      for (const name of ['MessageSent', 'SendFailed', 'MessageUndelivered', 'MessageFailed']) {
        for (const channel of ['sms', 'voice']) bound[idOf(name, channel)] = values[name]?.[channel];
      }
      return evaluate(Expression, bound);
    };

    expect(period({ MessageSent: { sms: 80, voice: 10 }, SendFailed: { sms: 10 }, MessageUndelivered: { sms: 5 }, MessageFailed: { voice: 5 } })).toBe(20);
    expect(period({ MessageSent: { sms: 100 } })).toBe(0);
    expect(period({ SendFailed: { voice: 5 } })).toBe(100);
    // Fewer than 5 attempts: not enough to judge, whatever failed.
    expect(period({ MessageSent: { sms: 1 }, SendFailed: { sms: MIN_ATTEMPTS_FOR_RATE - 2 }, MessageFailed: { sms: 1 } })).toBe(0);
    expect(period({})).toBe(0);
  });
});

test.each([
  ['send-lambda-errors', 'Send/Function/Resource'],
  ['status-lambda-errors', 'Status/Function/Resource'],
])('%s: any error of the Lambda in 5 minutes', (name, functionPath) => {
  expect(alarm(name)).toMatchObject({
    Namespace: 'AWS/Lambda',
    MetricName: 'Errors',
    Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(s.stack, functionPath) } }],
    Statistic: 'Sum',
    Period: 300,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 1,
  });
});

test('api-5xx: five or more 5xx answers of this API in 5 minutes', () => {
  expect(alarm('api-5xx')).toMatchObject({
    Namespace: 'AWS/ApiGateway',
    MetricName: '5xx',
    Dimensions: [{ Name: 'ApiId', Value: { Ref: logicalIdOf(s.stack, 'Http/Api/Resource') } }],
    Statistic: 'Sum',
    Period: 300,
    Threshold: 5,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 1,
  });
});

test('send-burst: MessageSent over both channels in 5 minutes above burstCeiling', () => {
  const p = alarm('send-burst');
  expect(p).toMatchObject({ Threshold: 250, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 });
  const metrics = p.Metrics as any[];
  const expression = metrics.find((m) => m.Expression).Expression as string;
  const ids = Object.fromEntries(
    metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat.Metric.Dimensions[0].Value === 'sms' ? 200 : 51]),
  );
  expect(metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric.MetricName)).toEqual(['MessageSent', 'MessageSent']);
  expect(evaluate(expression, ids)).toBe(251);
  expect(evaluate(expression, { ...Object.fromEntries(Object.keys(ids).map((id) => [id, undefined])), [Object.keys(ids)[0]]: 3 })).toBe(3);
});

test('send-unconfirmed: SendUnconfirmed over both channels, 3 or more in 5 minutes', () => {
  const p = alarm('send-unconfirmed');
  expect(p).toMatchObject({ Threshold: 3, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1 });
  const metrics = p.Metrics as any[];
  const stats = metrics.filter((m) => m.MetricStat);
  expect(stats.map((m) => [m.MetricStat.Metric.Namespace, m.MetricStat.Metric.MetricName, m.MetricStat.Metric.Dimensions])).toEqual(
    ['sms', 'voice'].map((channel) => ['Acme/Sms', 'SendUnconfirmed', [{ Name: 'Channel', Value: channel }]]),
  );
  const expression = metrics.find((m) => m.Expression).Expression as string;
  expect(evaluate(expression, Object.fromEntries(stats.map((m, i) => [m.Id, i === 0 ? 2 : undefined])))).toBe(2);
  expect(evaluate(expression, Object.fromEntries(stats.map((m) => [m.Id, 2])))).toBe(4);
});

describe('dashboard', () => {
  let widgets: any[];

  beforeAll(() => {
    const [, dashboard] = resourcesOfType(s.json, 'AWS::CloudWatch::Dashboard')[0];
    expect(dashboard.Properties!.DashboardName).toBe('MfaSmsGateway');
    widgets = dashboardWidgets(s.json);
  });

  const titled = (title: string) => {
    const widget = widgets.find((w) => w.properties.title === title);
    if (!widget) throw new Error(`no widget titled "${title}" (have: ${widgets.map((w) => w.properties.title).join(' | ')})`);
    return widget.properties;
  };

  test('shows the state of all six alarms', () => {
    expect(titled('Alarms').alarms).toHaveLength(6);
  });

  test('unconfirmed sends per channel', () => {
    const metrics = titled('Unconfirmed sends (outcome unknown, not sent again)').metrics as unknown[][];
    expect(metrics.map((m) => [m[0], m[1], m[2], m[3]])).toEqual(['sms', 'voice'].map((channel) => ['Acme/Sms', 'SendUnconfirmed', 'Channel', channel]));
  });

  test.each(['sms', 'voice'])('%s: sent / delivered / undelivered / failed from the Channel-only series', (channel) => {
    const metrics = titled(`${channel.toUpperCase()}: sent / delivered / undelivered / failed`).metrics as unknown[][];
    expect(metrics.map((m) => [m[0], m[1], m[2], m[3]])).toEqual(
      ['MessageSent', 'MessageDelivered', 'MessageUndelivered', 'MessageFailed', 'SendFailed'].map((name) => ['Acme/Sms', name, 'Channel', channel]),
    );
  });

  test('failure rate, with the alarm threshold drawn', () => {
    const widget = titled('Failure rate (%)');
    expect(JSON.stringify(widget.metrics)).toContain('IF((FILL(sent_sms, 0)');
    expect(widget.annotations.horizontal).toEqual([expect.objectContaining({ value: 7.5 })]);
  });

  test('failures by Twilio error code and send failures by reason, found with SEARCH', () => {
    expect(JSON.stringify(titled('Undelivered / failed by Twilio error code').metrics)).toContain(
      `SEARCH('{\\"Acme/Sms\\",Channel,ErrorCode} MetricName=\\"MessageUndelivered\\" OR MetricName=\\"MessageFailed\\"', 'Sum', 300)`,
    );
    expect(JSON.stringify(titled('Send failures by reason').metrics)).toContain(`SEARCH('{\\"Acme/Sms\\",Channel,Reason} MetricName=\\"SendFailed\\"'`);
  });

  test('send latency p50 and p99 per channel', () => {
    const metrics = titled('Send latency (Twilio API), p50 / p99').metrics as any[][];
    expect(metrics.map((m) => [m[1], m[3], m[4].stat])).toEqual([
      ['SendLatency', 'sms', 'p50'],
      ['SendLatency', 'sms', 'p99'],
      ['SendLatency', 'voice', 'p50'],
      ['SendLatency', 'voice', 'p99'],
    ]);
  });

  test('Lambda errors and durations of both functions, API 4xx and 5xx', () => {
    expect((titled('Lambda errors').metrics as any[][]).map((m) => m[1])).toEqual(['Errors', 'Errors']);
    expect((titled('Lambda duration, p50 / p99').metrics as any[][]).map((m) => [m[1], m[4].stat])).toEqual([
      ['Duration', 'p50'],
      ['Duration', 'p99'],
      ['Duration', 'p50'],
      ['Duration', 'p99'],
    ]);
    expect((titled('API 4xx / 5xx').metrics as any[][]).map((m) => [m[0], m[1]])).toEqual([
      ['AWS/ApiGateway', '4xx'],
      ['AWS/ApiGateway', '5xx'],
    ]);
  });
});
