import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** What {@link WebhookAlarms} watches. */
export interface WebhookAlarmsProps {
  /** The queue of verified deliveries. */
  readonly queue: sqs.IQueue;
  /** Where deliveries land after `maxReceiveCount` failed receives. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Only for the alarm description. */
  readonly maxReceiveCount: number;
  /** Age of the oldest queued delivery that means processing is behind. */
  readonly queueAgeThreshold: Duration;
  /**
   * Email subscribed to the topic.
   * @default - no subscription
   */
  readonly alarmEmail?: string;
}

/** The pipeline's alarms and the SNS topic they notify, on alarm and when it clears. */
export class WebhookAlarms extends Construct {
  /** Receives alarm and OK notifications. */
  readonly topic: sns.Topic;
  /** Fires as soon as one delivery reaches the dead-letter queue. */
  readonly deadLetterQueueAlarm: cloudwatch.Alarm;
  /** Fires when the main queue's oldest delivery is older than the threshold. */
  readonly queueAgeAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: WebhookAlarmsProps) {
    super(scope, id);
    this.topic = this.createTopic(props.alarmEmail);
    this.deadLetterQueueAlarm = this.createDeadLetterQueueAlarm(props.deadLetterQueue, props.maxReceiveCount);
    this.queueAgeAlarm = this.createQueueAgeAlarm(props.queue, props.queueAgeThreshold);
  }

  private createTopic(alarmEmail: string | undefined): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Smartcar webhook alarms',
      enforceSSL: true,
    });
    // enforceSSL gives the topic a resource policy, which replaces SNS's default one; without this
    // statement CloudWatch is "not authorized to perform: SNS:Publish" and alarms notify nobody.
    const stack = Stack.of(this);
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
          },
        },
      }),
    );
    if (alarmEmail !== undefined) {
      topic.addSubscription(new EmailSubscription(alarmEmail));
    }
    return topic;
  }

  private createDeadLetterQueueAlarm(deadLetterQueue: sqs.IQueue, maxReceiveCount: number): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, 'DeadLetterQueueAlarm', {
      alarmDescription:
        `A Smartcar webhook delivery failed processing ${maxReceiveCount} times and is in the ` +
        "dead-letter queue. First check the processor's log group for the error; once it is fixed, " +
        'use "Start DLQ redrive" in the SQS console to move the deliveries back.',
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.notify(alarm);
    return alarm;
  }

  private createQueueAgeAlarm(queue: sqs.IQueue, threshold: Duration): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, 'QueueAgeAlarm', {
      alarmDescription:
        `Smartcar webhook deliveries have waited more than ${threshold.toHumanString()} in the queue: ` +
        "the processor is behind or failing. First check the processor's Errors and Throttles metrics " +
        'and its log group.',
      metric: queue.metricApproximateAgeOfOldestMessage({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
      threshold: threshold.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.notify(alarm);
    return alarm;
  }

  /** OK notifications too, so whoever was paged learns that it cleared. */
  private notify(alarm: cloudwatch.Alarm): void {
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
}
