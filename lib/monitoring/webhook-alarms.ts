import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ALARM_DEFAULTS, METRICS, SMARTCAR_DELIVERY } from '../smartcar-webhooks-defaults';
import { resolveAlarmThresholds, type WebhookAlarmThresholds } from './alarm-thresholds';
import { type MonitoredResources, WebhookMetrics } from './webhook-metrics';

/** What {@link WebhookAlarms} watches and whom it tells. */
export interface WebhookAlarmsProps extends MonitoredResources {
  /** Only for the dead-letter queue alarm's description. */
  readonly maxReceiveCount: number;
  /**
   * Thresholds that override the defaults.
   * @default - the defaults of each {@link WebhookAlarmThresholds} field
   */
  readonly thresholds?: WebhookAlarmThresholds;
  /**
   * Email subscribed to the topic.
   * @default - no subscription
   */
  readonly alarmEmail?: string;
}

const FIVE_MINUTES = Duration.minutes(5);
const SERVER_ERROR_RATE_PERIOD = Duration.minutes(ALARM_DEFAULTS.serverErrorRateMinutes);
const SIGNATURE_FAILURE_PERIOD = Duration.minutes(ALARM_DEFAULTS.signatureFailureMinutes);
const GREATER = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;

/**
 * The pipeline's alarms and the SNS topic they notify, on alarm and when it clears. Each description
 * says what the alarm means and what to check first. Every alarm treats missing data as OK: Lambda,
 * SQS and the custom metrics publish nothing while there is no traffic.
 */
export class WebhookAlarms extends Construct {
  /** Receives alarm and OK notifications. */
  readonly topic: sns.Topic;
  /** Fires as soon as one delivery reaches the dead-letter queue. */
  readonly deadLetterQueueAlarm: cloudwatch.Alarm;
  /** Fires while the dead-letter queue keeps gaining deliveries: failures have not stopped. */
  readonly deadLetterQueueGrowthAlarm: cloudwatch.Alarm;
  /** Fires when the main queue's oldest delivery is older than the threshold. */
  readonly queueAgeAlarm: cloudwatch.Alarm;
  /** Fires when a processor invocation fails as a whole. */
  readonly processorErrorsAlarm: cloudwatch.Alarm;
  /** Fires when Lambda throttles the processor. */
  readonly processorThrottlesAlarm: cloudwatch.Alarm;
  /** Fires when a receiver invocation fails: Smartcar got a 5xx from API Gateway. */
  readonly receiverErrorsAlarm: cloudwatch.Alarm;
  /** Fires when the share of 5xx answers over five minutes is above the threshold. */
  readonly serverErrorRateAlarm: cloudwatch.Alarm;
  /** Fires on any 5xx within one minute, while Smartcar is still retrying the delivery. */
  readonly failingDeliveriesAlarm: cloudwatch.Alarm;
  /** Fires when more requests than the threshold fail signature verification in five minutes. */
  readonly signatureFailuresAlarm: cloudwatch.Alarm;
  /** Fires when the receiver's p99 duration approaches Smartcar's timeout. */
  readonly receiverLatencyAlarm: cloudwatch.Alarm;
  /** Informational: a VERIFY challenge was answered. */
  readonly verifyChallengeAlarm: cloudwatch.Alarm;
  /** Every alarm above, for dashboards and composite alarms. */
  readonly alarms: cloudwatch.Alarm[] = [];

  private readonly metrics: WebhookMetrics;

  constructor(scope: Construct, id: string, props: WebhookAlarmsProps) {
    super(scope, id);
    const thresholds = resolveAlarmThresholds(props.thresholds);
    this.metrics = new WebhookMetrics(props);
    this.topic = this.createTopic(props.alarmEmail);

    this.deadLetterQueueAlarm = this.alarm('DeadLetterQueueAlarm', {
      alarmDescription:
        `A Smartcar webhook delivery failed processing ${props.maxReceiveCount} times and is in the ` +
        "dead-letter queue. First check the processor's log group for the error; once it is fixed, " +
        'use "Start DLQ redrive" in the SQS console to move the deliveries back.',
      metric: this.metrics.queueVisibleMessages(props.deadLetterQueue),
      threshold: 0,
    });
    this.deadLetterQueueGrowthAlarm = this.createDeadLetterQueueGrowthAlarm(
      thresholds.deadLetterQueueGrowthWindow,
    );
    this.queueAgeAlarm = this.alarm('QueueAgeAlarm', {
      alarmDescription:
        `Smartcar webhook deliveries have waited more than ${thresholds.queueAge.toHumanString()} in the ` +
        "queue: the processor is behind or failing. First check the processor's Errors and Throttles " +
        'metrics and its log group.',
      metric: this.metrics.queueOldestMessageAge(),
      threshold: thresholds.queueAge.toSeconds(),
    });
    this.processorErrorsAlarm = this.alarm('ProcessorErrorsAlarm', {
      alarmDescription:
        'Processor invocations failed as a whole (a timeout, an error at cold start such as a missing ' +
        'environment variable, or every record of a batch failing); their deliveries return to the ' +
        "queue and are retried. First check the processor's log group for the error or 'Task timed out'.",
      metric: this.metrics.functionErrors(props.processor, FIVE_MINUTES),
      threshold: 0,
    });
    this.processorThrottlesAlarm = this.alarm('ProcessorThrottlesAlarm', {
      alarmDescription:
        'Lambda throttled the processor, so deliveries wait longer in the queue. First check the ' +
        "account's ConcurrentExecutions metric and which other functions use the regional concurrency.",
      metric: this.metrics.functionThrottles(props.processor, FIVE_MINUTES),
      threshold: 0,
    });
    this.receiverErrorsAlarm = this.alarm('ReceiverErrorsAlarm', {
      alarmDescription:
        'Receiver invocations failed (a crash, a timeout or a configuration error at cold start) and ' +
        "API Gateway answered Smartcar 5xx. First check the receiver's log group for the error.",
      metric: this.metrics.functionErrors(props.receiver),
      threshold: 0,
    });
    this.serverErrorRateAlarm = this.alarm('ServerErrorRateAlarm', {
      alarmDescription:
        `More than ${thresholds.serverErrorRatePercent}% of webhook requests were answered 5xx over ` +
        `${SERVER_ERROR_RATE_PERIOD.toHumanString()}: the endpoint is degraded, not just unlucky. First ` +
        "check the receiver's log group for " +
        'ENQUEUE_FAILED or TOKEN_NOT_CONFIGURED, then its Errors metric and the SQS service health.',
      metric: this.metrics.apiServerErrorRate(SERVER_ERROR_RATE_PERIOD),
      threshold: thresholds.serverErrorRatePercent,
    });
    this.failingDeliveriesAlarm = this.alarm('FailingDeliveriesAlarm', {
      alarmDescription:
        'The webhook endpoint answered 5xx within the last minute. Smartcar retries a delivery for ' +
        `only about ${SMARTCAR_DELIVERY.retryWindowMinutes} minutes after its first attempt and then ` +
        'drops it, so this pages at once, while the retries are still coming: events are lost unless the ' +
        "cause is fixed within minutes. First check the receiver's log group (ENQUEUE_FAILED means SQS " +
        'refused the delivery, TOKEN_NOT_CONFIGURED that the secret holds no token).',
      metric: this.metrics.apiServerErrors(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    this.signatureFailuresAlarm = this.alarm('SignatureFailuresAlarm', {
      alarmDescription:
        `More than ${thresholds.signatureFailures} requests in ${SIGNATURE_FAILURE_PERIOD.toHumanString()} ` +
        'were refused for a missing or ' +
        'wrong SC-Signature: a wrong token after rotation, or someone probing the endpoint. First check ' +
        "that the secret holds the Dashboard's current Application Management Token; if it does, check " +
        'the source IPs in the API access log.',
      metric: this.metrics.receiverMetric(
        METRICS.signatureFailures,
        cloudwatch.Stats.SUM,
        SIGNATURE_FAILURE_PERIOD,
      ),
      threshold: thresholds.signatureFailures,
    });
    this.receiverLatencyAlarm = this.alarm('ReceiverLatencyAlarm', {
      alarmDescription:
        `The receiver's p99 duration is above ${thresholds.receiverLatencyP99.toHumanString()}, approaching ` +
        `Smartcar's ${SMARTCAR_DELIVERY.responseTimeoutSeconds} s timeout, after which Smartcar counts the ` +
        "delivery as failed. First check the receiver's log group for slow SQS sends or Secrets Manager " +
        'reads, and the SQS service health.',
      metric: this.metrics.functionDuration(props.receiver, cloudwatch.Stats.p(99), FIVE_MINUTES),
      threshold: thresholds.receiverLatencyP99.toMilliseconds(),
    });
    this.verifyChallengeAlarm = this.alarm('VerifyChallengeAlarm', {
      alarmDescription:
        'Informational: the receiver answered a VERIFY challenge, so someone created or re-verified the ' +
        'webhook in the Smartcar Dashboard, or changed its callback URL. If nobody on your team did, check ' +
        "the webhook's settings in the Smartcar Dashboard.",
      metric: this.metrics.receiverMetric(METRICS.verifyChallenges, cloudwatch.Stats.SUM, FIVE_MINUTES),
      threshold: 0,
    });
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
      const subscription = topic.addSubscription(new EmailSubscription(alarmEmail));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'An alarm email that cannot be delivered would wait in a queue nobody reads; the alarm state ' +
          'stays in CloudWatch and the other subscribers of the topic are unaffected.',
      });
    }
    return topic;
  }

  /**
   * `deadLetterQueueAlarm` stays in ALARM while the queue holds anything, so it is silent about every
   * failure after the first. This one is not: each minute in which the queue grew is a breaching
   * datapoint, and one of them within the window fires it (1 of N one-minute datapoints rather than
   * one N-minute datapoint, because DIFF has no value for the first datapoint CloudWatch fetches).
   */
  private createDeadLetterQueueGrowthAlarm(window: Duration): cloudwatch.Alarm {
    return this.alarm('DeadLetterQueueGrowthAlarm', {
      alarmDescription:
        `The dead-letter queue gained deliveries within the last ${window.toHumanString()}: processing ` +
        'is still failing, so a redrive now would fail again. First check the most recent errors in the ' +
        "processor's log group; this alarm clears once the queue stops growing.",
      metric: this.metrics.deadLetterQueueGrowth(),
      threshold: 0,
      evaluationPeriods: window.toMinutes(),
      datapointsToAlarm: 1,
    });
  }

  /** An alarm that notifies the topic when it fires and when it clears. */
  private alarm(id: string, props: AlarmSettings): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      comparisonOperator: GREATER,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
    // OK notifications too, so whoever was paged learns that it cleared.
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
    return alarm;
  }
}

/** One evaluation period and "greater than" unless given. */
type AlarmSettings = Pick<cloudwatch.AlarmProps, 'alarmDescription' | 'metric' | 'threshold'> &
  Partial<Pick<cloudwatch.AlarmProps, 'comparisonOperator' | 'evaluationPeriods' | 'datapointsToAlarm'>>;
