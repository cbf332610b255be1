import { Match } from 'aws-cdk-lib/assertions';
import { ALARM_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { propertiesOf, ref, synthWebhooks } from './synth';

const { webhooks, template } = synthWebhooks();
const queueNameOf = (queue: typeof webhooks.queue) => ({ 'Fn::GetAtt': [ref(queue).Ref, 'QueueName'] });

describe('alarm topic', () => {
  it('denies publishing over plain HTTP', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [ref(webhooks.alarmTopic)],
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
      Topics: [ref(webhooks.alarmTopic)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Resource: ref(webhooks.alarmTopic),
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
      TopicArn: ref(withEmail.webhooks.alarmTopic),
    });
  });
});

describe('dead-letter queue alarm', () => {
  const alarm = () => propertiesOf(template, webhooks.deadLetterQueueAlarm);

  it('fires when one delivery is visible in the dead-letter queue within a minute', () => {
    expect(alarm()).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: queueNameOf(webhooks.deadLetterQueue) }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('stays OK while the queue is idle and reports no data', () => {
    expect(alarm()).toMatchObject({ TreatMissingData: 'notBreaching' });
  });

  it('notifies the topic when it fires and when it clears', () => {
    expect(alarm()).toMatchObject({
      AlarmActions: [ref(webhooks.alarmTopic)],
      OKActions: [ref(webhooks.alarmTopic)],
    });
  });

  it('says what happened and what to check first', () => {
    expect(alarm().AlarmDescription).toMatch(/dead-letter queue.*First check the processor's log group/s);
  });
});

describe('queue age alarm', () => {
  const alarm = () => propertiesOf(template, webhooks.queueAgeAlarm);

  it('fires when the oldest delivery in the main queue is older than the threshold', () => {
    expect(alarm()).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: queueNameOf(webhooks.queue) }],
      Statistic: 'Maximum',
      Threshold: ALARM_DEFAULTS.queueAgeSeconds,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('stays OK while the queue is idle and reports no data', () => {
    expect(alarm()).toMatchObject({ TreatMissingData: 'notBreaching' });
  });

  it('notifies the topic when it fires and when it clears', () => {
    expect(alarm()).toMatchObject({
      AlarmActions: [ref(webhooks.alarmTopic)],
      OKActions: [ref(webhooks.alarmTopic)],
    });
  });

  it('says what happened and what to check first', () => {
    expect(alarm().AlarmDescription).toMatch(/processor is behind or failing.*First check/s);
  });
});
