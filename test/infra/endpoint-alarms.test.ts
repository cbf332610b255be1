import { ALARM_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { METRICS, SERVICE_NAMES } from '../../lambdas/contract';
import { propertiesOf, ref, synthWebhooks } from './synth';

const { webhooks, template } = synthWebhooks();
const stageDimensions = () => [
  { Name: 'ApiId', Value: ref(webhooks.ingest.api) },
  { Name: 'Stage', Value: '$default' },
];
const receiverMetric = (metricName: string) => ({
  Namespace: METRICS.namespace,
  MetricName: metricName,
  Dimensions: [{ Name: 'service', Value: SERVICE_NAMES.receiver }],
});

describe('5xx rate alarm', () => {
  const alarm = () => propertiesOf(template, webhooks.monitoring.alarms.serverErrorRateAlarm);
  const apiMetric = (id: string, metricName: string) => ({
    Id: id,
    MetricStat: {
      Metric: { Namespace: 'AWS/ApiGateway', MetricName: metricName, Dimensions: stageDimensions() },
      Period: 300,
      Stat: 'Sum',
    },
    ReturnData: false,
  });

  it("fires when more than 5% of the stage's requests over five minutes were answered 5xx", () => {
    expect(alarm()).toMatchObject({
      Metrics: expect.arrayContaining([
        expect.objectContaining({ Expression: '100 * FILL(serverErrors, 0) / requests', ReturnData: true }),
        apiMetric('serverErrors', '5xx'),
        apiMetric('requests', 'Count'),
      ]),
      EvaluationPeriods: 1,
      Threshold: ALARM_DEFAULTS.serverErrorRatePercent,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});

describe('failing deliveries alarm', () => {
  const alarm = () => propertiesOf(template, webhooks.monitoring.alarms.failingDeliveriesAlarm);

  it('fires on a single 5xx within one minute, unlike the 5-minute rate alarm', () => {
    expect(alarm()).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: stageDimensions(),
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it("explains that it pages at once because Smartcar's retries stop after about 3 minutes", () => {
    expect(alarm().AlarmDescription).toMatch(/retries a delivery for only about 3 minutes.*pages at once/s);
  });
});

describe('receiver errors alarm', () => {
  it('fires on any failed receiver invocation within one minute', () => {
    expect(propertiesOf(template, webhooks.monitoring.alarms.receiverErrorsAlarm)).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: ref(webhooks.ingest.receiver) }],
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});

describe('receiver latency alarm', () => {
  const alarm = () => propertiesOf(template, webhooks.monitoring.alarms.receiverLatencyAlarm);

  it("fires when the receiver's p99 duration over five minutes exceeds 5 s", () => {
    expect(alarm()).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Duration',
      Dimensions: [{ Name: 'FunctionName', Value: ref(webhooks.ingest.receiver) }],
      ExtendedStatistic: 'p99',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: ALARM_DEFAULTS.receiverLatencyP99Ms,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it("names Smartcar's 15 s timeout", () => {
    expect(alarm().AlarmDescription).toMatch(/Smartcar's 15 s timeout/);
  });
});

describe('signature failures alarm', () => {
  const alarm = () => propertiesOf(template, webhooks.monitoring.alarms.signatureFailuresAlarm);

  it("fires when more than 10 of the receiver's signature failures are counted in five minutes", () => {
    expect(alarm()).toMatchObject({
      ...receiverMetric(METRICS.signatureFailures),
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: ALARM_DEFAULTS.signatureFailures,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('names the two likely causes, probing or a rotated token, and the alarm that tells them apart', () => {
    expect(alarm().AlarmDescription).toMatch(
      /someone probing the endpoint, or a wrong token after rotation \(then SmartcarSignatureFailuresAlarm fires too/,
    );
  });
});

describe('VERIFY challenge alarm', () => {
  const alarm = () => propertiesOf(template, webhooks.monitoring.alarms.verifyChallengeAlarm);

  it('fires when the receiver answers any VERIFY challenge', () => {
    expect(alarm()).toMatchObject({
      ...receiverMetric(METRICS.verifyChallenges),
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('says it is informational: the webhook was re-verified or its callback URL changed', () => {
    expect(alarm().AlarmDescription).toMatch(/^Informational.*re-verified.*callback URL/s);
  });
});
