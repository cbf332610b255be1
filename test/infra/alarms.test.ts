import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SmartcarWebhooks } from '../../lib/smartcar-webhooks';
import { ALARM_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { propertiesOf, ref, synthStack, synthWebhooks, testApp } from './synth';

const { webhooks, template } = synthWebhooks();
const { alarms } = webhooks.monitoring;
const queueNameOf = (queue: typeof webhooks.processing.queue) => ({
  'Fn::GetAtt': [ref(queue).Ref, 'QueueName'],
});

/** Every paging alarm but the silence alarm, which treats missing data as breaching (see its own tests). */
const pagingAlarmsQuietWithoutData = [
  ['dead-letter queue', alarms.deadLetterQueueAlarm],
  ['dead-letter queue growth', alarms.deadLetterQueueGrowthAlarm],
  ['dead-letter queue expiry', alarms.deadLetterQueueExpiryAlarm],
  ['queue age', alarms.queueAgeAlarm],
  ['processor errors', alarms.processorErrorsAlarm],
  ['processor throttles', alarms.processorThrottlesAlarm],
  ['processing failures', alarms.processingFailuresAlarm],
  ['events parked', alarms.eventsParkedAlarm],
  ['receiver errors', alarms.receiverErrorsAlarm],
  ['5xx rate', alarms.serverErrorRateAlarm],
  ['failing deliveries', alarms.failingDeliveriesAlarm],
  ['throttled requests', alarms.throttledRequestsAlarm],
  ['signature failures', alarms.signatureFailuresAlarm],
  ['Smartcar signature failures', alarms.smartcarSignatureFailuresAlarm],
  ['signed deliveries refused', alarms.signedDeliveriesRefusedAlarm],
  ['receiver latency', alarms.receiverLatencyAlarm],
] as [string, cloudwatch.Alarm][];
const informationalAlarms = [['VERIFY challenge', alarms.verifyChallengeAlarm]] as const;
const archiveAlarm = alarms.archiveWriteFailuresAlarm;
if (archiveAlarm === undefined) throw new Error('the archive, and so its alarm, is on by default');
pagingAlarmsQuietWithoutData.push(['archive write failures', archiveAlarm]);
const silenceAlarm = alarms.deliverySilenceAlarm;
if (silenceAlarm === undefined) throw new Error('the silence alarm is on by default');
const pagingAlarms = [...pagingAlarmsQuietWithoutData, ['delivery silence', silenceAlarm]] as const;
const allAlarms = [...pagingAlarms, ...informationalAlarms] as const;

/** The alarm names the README's runbook tables list, in backticks: `DeadLetterQueueAlarm`. */
function runbookAlarmNames(): string[] {
  const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const runbook = readme.slice(readme.indexOf('### Runbook'), readme.indexOf('### Redrive after a fix'));
  const rows = runbook.split('\n').filter((line) => line.startsWith('| `'));
  return [
    ...new Set(rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`(\w+Alarm)`/g)].map((m) => m[1]!))),
  ];
}

const alarmNameOf = (alarm: cloudwatch.Alarm) => propertiesOf(template, alarm).AlarmName;

describe.each(pagingAlarms)('%s alarm', (_name, alarm) => {
  it('pages: notifies the paging topic when it fires and when it clears', () => {
    expect(propertiesOf(template, alarm)).toMatchObject({
      AlarmActions: [ref(alarms.pagingTopic)],
      OKActions: [ref(alarms.pagingTopic)],
    });
  });
});

describe.each(informationalAlarms)('%s alarm', (_name, alarm) => {
  it('does not page: notifies only the informational topic, when it fires and when it clears', () => {
    expect(propertiesOf(template, alarm)).toMatchObject({
      AlarmActions: [ref(alarms.informationalTopic)],
      OKActions: [ref(alarms.informationalTopic)],
    });
  });
});

describe.each(allAlarms)('%s alarm', (_name, alarm) => {
  it('says in its description what to check first', () => {
    expect(propertiesOf(template, alarm).AlarmDescription).toMatch(/(First check|check the|First compare)/);
  });

  it('is named after the stack and its runbook entry', () => {
    expect(alarmNameOf(alarm)).toBe(`${Stack.of(alarm).stackName}-${alarm.node.id}`);
    expect(runbookAlarmNames()).toContain(alarm.node.id);
  });
});

describe.each([...pagingAlarmsQuietWithoutData, ...informationalAlarms])('%s alarm', (_name, alarm) => {
  it('stays OK while there is no traffic and so no data', () => {
    expect(propertiesOf(template, alarm)).toMatchObject({ TreatMissingData: 'notBreaching' });
  });
});

describe('alarms', () => {
  it('are all exposed by the construct, one per alarm in the template', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', allAlarms.length);
    expect(new Set(alarms.alarms)).toEqual(new Set(allAlarms.map(([, alarm]) => alarm)));
  });

  it('are listed by severity: paging or informational', () => {
    expect(new Set(alarms.pagingAlarms)).toEqual(new Set(pagingAlarms.map(([, alarm]) => alarm)));
    expect(alarms.informationalAlarms).toEqual(informationalAlarms.map(([, alarm]) => alarm));
  });

  it('cover every alarm of the runbook', () => {
    expect(allAlarms.map(([, alarm]) => alarm.node.id).sort()).toEqual(runbookAlarmNames().sort());
  });

  it('are named after the stack alone in the stack bin/app.ts deploys', () => {
    const { webhooks: deployed, template: deployedTemplate } = synthStack();
    expect(propertiesOf(deployedTemplate, deployed.monitoring.alarms.deadLetterQueueAlarm).AlarmName).toBe(
      'Test-DeadLetterQueueAlarm',
    );
  });

  it('carry the construct id when it is not the default, so two constructs in one stack never share a name', () => {
    const stack = new Stack(testApp(), 'Fleet');
    new SmartcarWebhooks(stack, 'Webhooks');
    const second = new SmartcarWebhooks(stack, 'Trucks');
    const fleet = Template.fromStack(stack);
    const names = Object.values(fleet.findResources('AWS::CloudWatch::Alarm')).map(
      (resource) => resource.Properties.AlarmName as string,
    );

    expect(new Set(names).size).toBe(names.length);
    expect(propertiesOf(fleet, second.monitoring.alarms.deadLetterQueueAlarm).AlarmName).toBe(
      'Fleet-Trucks-DeadLetterQueueAlarm',
    );
  });
});

describe.each([
  ['paging topic', alarms.pagingTopic],
  ['informational topic', alarms.informationalTopic],
])('%s', (_name, topic) => {
  it('denies publishing over plain HTTP', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [ref(topic)],
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
      Topics: [ref(topic)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Resource: ref(topic),
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
});

describe('alarm topics', () => {
  it('are two: paging and informational', () => {
    template.resourceCountIs('AWS::SNS::Topic', 2);
  });

  it('have no subscription unless alarmEmail is given', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('subscribe alarmEmail to the paging topic only, so informational alarms never page it', () => {
    const withEmail = synthWebhooks({ alarmEmail: 'ops@example.com' });
    withEmail.template.resourceCountIs('AWS::SNS::Subscription', 1);
    withEmail.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: ref(withEmail.webhooks.monitoring.alarms.pagingTopic),
    });
  });
});

describe('dead-letter queue alarm', () => {
  const alarm = () => propertiesOf(template, alarms.deadLetterQueueAlarm);

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
  const alarm = () => propertiesOf(template, alarms.queueAgeAlarm);

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
  const alarm = () => propertiesOf(template, alarms.deadLetterQueueGrowthAlarm);
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
  ['processor errors', alarms.processorErrorsAlarm, 'Errors'],
  ['processor throttles', alarms.processorThrottlesAlarm, 'Throttles'],
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
