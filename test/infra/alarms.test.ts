import { Match } from 'aws-cdk-lib/assertions';
import { ALARM_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { propertiesOf, ref, synthWebhooks } from './synth';

const { webhooks, template } = synthWebhooks();
const queueNameOf = (queue: typeof webhooks.processing.queue) => ({
  'Fn::GetAtt': [ref(queue).Ref, 'QueueName'],
});

/** Every alarm but the silence alarm, which treats missing data as breaching (see its own tests). */
const alarmsQuietWithoutData = [
  ['dead-letter queue', webhooks.monitoring.alarms.deadLetterQueueAlarm],
  ['dead-letter queue growth', webhooks.monitoring.alarms.deadLetterQueueGrowthAlarm],
  ['dead-letter queue expiry', webhooks.monitoring.alarms.deadLetterQueueExpiryAlarm],
  ['queue age', webhooks.monitoring.alarms.queueAgeAlarm],
  ['processor errors', webhooks.monitoring.alarms.processorErrorsAlarm],
  ['processor throttles', webhooks.monitoring.alarms.processorThrottlesAlarm],
  ['processing failures', webhooks.monitoring.alarms.processingFailuresAlarm],
  ['events parked', webhooks.monitoring.alarms.eventsParkedAlarm],
  ['receiver errors', webhooks.monitoring.alarms.receiverErrorsAlarm],
  ['5xx rate', webhooks.monitoring.alarms.serverErrorRateAlarm],
  ['failing deliveries', webhooks.monitoring.alarms.failingDeliveriesAlarm],
  ['throttled requests', webhooks.monitoring.alarms.throttledRequestsAlarm],
  ['signature failures', webhooks.monitoring.alarms.signatureFailuresAlarm],
  ['Smartcar signature failures', webhooks.monitoring.alarms.smartcarSignatureFailuresAlarm],
  ['signed deliveries refused', webhooks.monitoring.alarms.signedDeliveriesRefusedAlarm],
  ['receiver latency', webhooks.monitoring.alarms.receiverLatencyAlarm],
  ['VERIFY challenge', webhooks.monitoring.alarms.verifyChallengeAlarm],
] as const;
const silenceAlarm = webhooks.monitoring.alarms.deliverySilenceAlarm;
if (silenceAlarm === undefined) throw new Error('the silence alarm is on by default');
const allAlarms = [...alarmsQuietWithoutData, ['delivery silence', silenceAlarm]] as const;

describe.each(allAlarms)('%s alarm', (_name, alarm) => {
  it('notifies the topic when it fires and when it clears', () => {
    expect(propertiesOf(template, alarm)).toMatchObject({
      AlarmActions: [ref(webhooks.monitoring.alarms.topic)],
      OKActions: [ref(webhooks.monitoring.alarms.topic)],
    });
  });

  it('says in its description what to check first', () => {
    expect(propertiesOf(template, alarm).AlarmDescription).toMatch(/(First check|check the|First compare)/);
  });
});

describe.each(alarmsQuietWithoutData)('%s alarm', (_name, alarm) => {
  it('stays OK while there is no traffic and so no data', () => {
    expect(propertiesOf(template, alarm)).toMatchObject({ TreatMissingData: 'notBreaching' });
  });
});

describe('alarms', () => {
  it('are all exposed by the construct, one per alarm in the template', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', allAlarms.length);
    expect(new Set(webhooks.monitoring.alarms.alarms)).toEqual(new Set(allAlarms.map(([, alarm]) => alarm)));
  });
});

describe('alarm topic', () => {
  it('denies publishing over plain HTTP', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [ref(webhooks.monitoring.alarms.topic)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it("lets this account's CloudWatch alarms publish, which the TLS policy would otherwise block", () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [ref(webhooks.monitoring.alarms.topic)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Resource: ref(webhooks.monitoring.alarms.topic),
            Condition: {
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': ['', Match.arrayWith([{ Ref: 'AWS::AccountId' }, ':alarm:*'])],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  it('has no subscription unless alarmEmail is given', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('subscribes alarmEmail', () => {
    const withEmail = synthWebhooks({ alarmEmail: 'ops@example.com' });
    withEmail.template.resourceCountIs('AWS::SNS::Subscription', 1);
    withEmail.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: ref(withEmail.webhooks.monitoring.alarms.topic),
    });
  });
});

describe('dead-letter queue alarm', () => {
  const alarm = () => propertiesOf(template, webhooks.monitoring.alarms.deadLetterQueueAlarm);

  it('fires when one delivery is visible in the dead-letter queue within a minute', () => {
    expect(alarm()).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: queueNameOf(webhooks.processing.deadLetterQueue) }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('says what happened and what to check first', () => {
    expect(alarm().AlarmDescription).toMatch(/dead-letter queue.*First check the processor's log group/s);
  });
});

describe('queue age alarm', () => {
  const alarm = () => propertiesOf(template, webhooks.monitoring.alarms.queueAgeAlarm);

  it('fires when the oldest delivery in the main queue is older than the threshold', () => {
    expect(alarm()).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: queueNameOf(webhooks.processing.queue) }],
      Statistic: 'Maximum',
      Threshold: ALARM_DEFAULTS.queueAgeSeconds,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('says what happened and what to check first', () => {
    expect(alarm().AlarmDescription).toMatch(/processor is behind or failing.*First check/s);
  });
});

describe('dead-letter queue growth alarm', () => {
  const alarm = () => propertiesOf(template, webhooks.monitoring.alarms.deadLetterQueueGrowthAlarm);
  const dlqMetric = (metricName: string, id: string) => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/SQS',
        MetricName: metricName,
        Dimensions: [{ Name: 'QueueName', Value: queueNameOf(webhooks.processing.deadLetterQueue) }],
      },
      Period: 60,
      Stat: 'Maximum',
    },
    ReturnData: false,
  });

  it("fires when the dead-letter queue's depth, visible plus in flight, grew from one minute to the next", () => {
    expect(alarm()).toMatchObject({
      Metrics: expect.arrayContaining([
        expect.objectContaining({ Expression: 'DIFF(visible + inFlight)', ReturnData: true }),
        dlqMetric('ApproximateNumberOfMessagesVisible', 'visible'),
        dlqMetric('ApproximateNumberOfMessagesNotVisible', 'inFlight'),
      ]),
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('fires on one minute of growth within the 5-minute window and clears after 5 minutes without', () => {
    expect(alarm()).toMatchObject({
      EvaluationPeriods: ALARM_DEFAULTS.deadLetterQueueGrowthMinutes,
      DatapointsToAlarm: 1,
    });
  });

  it('says that processing is still failing, so a redrive would fail again', () => {
    expect(alarm().AlarmDescription).toMatch(/still failing.*redrive/s);
  });
});

describe.each([
  ['processor errors', webhooks.monitoring.alarms.processorErrorsAlarm, 'Errors'],
  ['processor throttles', webhooks.monitoring.alarms.processorThrottlesAlarm, 'Throttles'],
])('%s alarm', (_name, alarm, metricName) => {
  it(`fires on any processor ${metricName} within five minutes`, () => {
    expect(propertiesOf(template, alarm)).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: metricName,
      Dimensions: [{ Name: 'FunctionName', Value: ref(webhooks.processing.processor) }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});
