import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ALARM_DEFAULTS, PROCESSOR_DEFAULTS, SMARTCAR_DELIVERY } from '../smartcar-webhooks-defaults';
import { METRICS } from '../../lambdas/contract';
import { resolveAlarmThresholds, type WebhookAlarmThresholds } from './alarm-thresholds';
import { createAlarmTopic, subscribeEmail } from './alarm-topic';
import { type MonitoredResources, WebhookMetrics } from './webhook-metrics';

/** What {@link WebhookAlarms} watches and whom it tells. */
export interface WebhookAlarmsProps extends MonitoredResources {
  /** Only for the dead-letter queue alarm's description. */
  readonly maxReceiveCount: number;
  /** The main queue's visibility timeout: how long a failed record waits before its next attempt. */
  readonly visibilityTimeout: Duration;
  /** The API's access log group; a metric filter on it counts the stage throttle's 429 answers. */
  readonly accessLogGroup: logs.ILogGroup;
  /**
   * Thresholds that override the defaults.
   * @default - the defaults of each {@link WebhookAlarmThresholds} field
   */
  readonly thresholds?: WebhookAlarmThresholds;
  /**
   * Email subscribed to the paging topic only, so that informational alarms never page it.
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /**
   * Every alarm is named `<alarmNamePrefix>-<AlarmId>`, `AlarmId` being its name in the README's
   * runbook (`DeadLetterQueueAlarm`); the prefix keeps the names unique in the account and region.
   * `alarmNamePrefix()` in alarm-names.ts gives the one SmartcarWebhooks uses.
   */
  readonly alarmNamePrefix: string;
  /**
   * Whether the processor archives each batch before processing it; adds `archiveWriteFailuresAlarm`.
   * @default false
   */
  readonly archived?: boolean;
}

/**
 * How an alarm tells. A paging alarm means events are being refused, lost or stuck, or soon will be:
 * someone must act within minutes. An informational one reports something worth knowing that needs
 * no action when it was expected (a VERIFY challenge answered after a Dashboard change).
 */
export const ALARM_SEVERITIES = { paging: 'paging', informational: 'informational' } as const;

/** One of {@link ALARM_SEVERITIES}. */
export type AlarmSeverity = (typeof ALARM_SEVERITIES)[keyof typeof ALARM_SEVERITIES];

const FIVE_MINUTES = Duration.minutes(5);
const SERVER_ERROR_RATE_PERIOD = Duration.minutes(ALARM_DEFAULTS.serverErrorRateMinutes);
const SIGNATURE_FAILURE_PERIOD = Duration.minutes(ALARM_DEFAULTS.signatureFailureMinutes);
const ONE_MINUTE = Duration.minutes(1);
const GREATER = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
const AT_LEAST = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;

/**
 * The pipeline's alarms and the two SNS topics they notify, on alarm and when it clears: every alarm
 * is paging (it notifies {@link pagingTopic}) except `verifyChallengeAlarm`, which is informational
 * (it notifies {@link informationalTopic}). Each alarm is named as in the README's runbook, after a
 * prefix unique per stack, and its description says what it means and what to check first. Every
 * alarm but the silence one treats missing data as OK: Lambda, SQS and the custom metrics publish
 * nothing while there is no traffic.
 *
 * Smartcar drops an event about 3 minutes after its first attempt, so everything that means an
 * event is being refused, parked or failing fires on its first occurrence, in one-minute periods.
 */
export class WebhookAlarms extends Construct {
  /**
   * Receives the alarm and OK notifications of every paging alarm: subscribe on-call tooling here.
   * `alarmEmail` is subscribed to this topic.
   */
  readonly pagingTopic: sns.Topic;
  /**
   * Receives the notifications of the informational alarms (`verifyChallengeAlarm`), which must not
   * page: subscribe a team channel or an email here.
   */
  readonly informationalTopic: sns.Topic;
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
  /** Informational (notifies {@link informationalTopic}): a VERIFY challenge was answered. */
  readonly verifyChallengeAlarm: cloudwatch.Alarm;
  /** Fires on the first signature failure of a request that looks like Smartcar's: a wrong token. */
  readonly smartcarSignatureFailuresAlarm: cloudwatch.Alarm;
  /** Fires on the first delivery refused although its signature was valid: a genuine event lost. */
  readonly signedDeliveriesRefusedAlarm: cloudwatch.Alarm;
  /** Fires on the first request the API's stage throttle answered 429. */
  readonly throttledRequestsAlarm: cloudwatch.Alarm;
  /** Fires while records keep failing processing (a handler bug, a missing permission, an outage). */
  readonly processingFailuresAlarm: cloudwatch.Alarm;
  /** Fires on the first event parked in the dead-letter queue as unprocessable (unknown type, …). */
  readonly eventsParkedAlarm: cloudwatch.Alarm;
  /** Fires when the oldest dead-lettered event nears the end of its retention. */
  readonly deadLetterQueueExpiryAlarm: cloudwatch.Alarm;
  /**
   * Fires on the first batch the processor could not archive: nothing is processed until the archive
   * takes writes again. Absent when the archive is off.
   */
  readonly archiveWriteFailuresAlarm?: cloudwatch.Alarm;
  /** Fires when no delivery has been accepted for `alarms.deliverySilence`; absent when that is 0. */
  readonly deliverySilenceAlarm?: cloudwatch.Alarm;
  /** Counts the stage throttle's 429 answers in the access log. */
  readonly throttledRequestsFilter: logs.MetricFilter;
  /** Every alarm above, paging and informational, for dashboards and composite alarms. */
  readonly alarms: cloudwatch.Alarm[] = [];
  /** The alarms that notify {@link pagingTopic}: all but the informational ones. */
  readonly pagingAlarms: cloudwatch.Alarm[] = [];
  /** The alarms that notify {@link informationalTopic}. */
  readonly informationalAlarms: cloudwatch.Alarm[] = [];

  private readonly metrics: WebhookMetrics;
  private readonly alarmNamePrefix: string;

  constructor(scope: Construct, id: string, props: WebhookAlarmsProps) {
    super(scope, id);
    const thresholds = resolveAlarmThresholds(props.thresholds);
    this.metrics = new WebhookMetrics(props);
    this.alarmNamePrefix = props.alarmNamePrefix;
    this.pagingTopic = createAlarmTopic(this, 'AlarmTopic', 'Smartcar webhook alarms');
    if (props.alarmEmail !== undefined) subscribeEmail(this.pagingTopic, props.alarmEmail);
    this.informationalTopic = createAlarmTopic(
      this,
      'InformationalTopic',
      'Smartcar webhook notifications (informational)',
    );

    this.deadLetterQueueAlarm = this.alarm('DeadLetterQueueAlarm', {
      alarmDescription:
        `At least one Smartcar webhook event is in the dead-letter queue: it failed processing ` +
        `${props.maxReceiveCount} times, or the processor parked it as unprocessable (its ` +
        "unprocessableReason attribute says why). First check the processor's log group for the error; " +
        'once it is fixed, use "Start DLQ redrive" in the SQS console to move the events back. An OK ' +
        'notification means the queue is empty: redriven, or expired unprocessed after 14 days.',
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
        'Processor invocations failed as a whole (a timeout, a crash, an error at cold start such as a ' +
        'missing environment variable); their deliveries return to the queue and are retried. Records ' +
        'that fail one by one, even every record of a batch, do not count here: ProcessingFailuresAlarm ' +
        "watches those. First check the processor's log group for the error or 'Task timed out'.",
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
        'were refused for a missing or wrong SC-Signature: someone probing the endpoint, or a wrong token ' +
        'after rotation (then SmartcarSignatureFailuresAlarm fires too, and sooner). First check the source ' +
        "IPs in the API access log; if the requests are Smartcar's, check that the secret holds the " +
        "Dashboard's current Application Management Token.",
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
    this.verifyChallengeAlarm = this.alarm(
      'VerifyChallengeAlarm',
      {
        alarmDescription:
          'Informational: the receiver answered a VERIFY challenge, so someone created or re-verified the ' +
          'webhook in the Smartcar Dashboard, or changed its callback URL. If nobody on your team did, check ' +
          "the webhook's settings in the Smartcar Dashboard.",
        metric: this.metrics.receiverMetric(METRICS.verifyChallenges, cloudwatch.Stats.SUM, FIVE_MINUTES),
        threshold: 0,
      },
      ALARM_SEVERITIES.informational,
    );
    const delivery = this.createDeliveryAlarms(props, thresholds);
    this.smartcarSignatureFailuresAlarm = delivery.smartcarSignatureFailuresAlarm;
    this.signedDeliveriesRefusedAlarm = delivery.signedDeliveriesRefusedAlarm;
    this.throttledRequestsFilter = delivery.throttledRequestsFilter;
    this.throttledRequestsAlarm = delivery.throttledRequestsAlarm;
    this.processingFailuresAlarm = delivery.processingFailuresAlarm;
    this.eventsParkedAlarm = delivery.eventsParkedAlarm;
    this.deadLetterQueueExpiryAlarm = delivery.deadLetterQueueExpiryAlarm;
    this.deliverySilenceAlarm = delivery.deliverySilenceAlarm;
    if (props.archived === true) this.archiveWriteFailuresAlarm = this.createArchiveWriteFailuresAlarm(props);
  }

  /**
   * A batch that cannot be archived is not processed (it must not leave the queue unarchived), so
   * every failed write holds back real events: page on the first one, before they pile up.
   */
  private createArchiveWriteFailuresAlarm(props: WebhookAlarmsProps): cloudwatch.Alarm {
    return this.alarm('ArchiveWriteFailuresAlarm', {
      alarmDescription:
        'The processor could not write a batch to the archive bucket, so it processed none of it: the ' +
        `records stay on the queue, are retried and, after ${props.maxReceiveCount} attempts, wait in ` +
        "the dead-letter queue. Nothing is lost, but nothing is processed. First check the processor's " +
        "log group for 'could not be archived' (AccessDenied: the bucket policy, the role or the KMS " +
        'key; NoSuchBucket: the bucket was deleted), then redrive the dead-letter queue once it is fixed.',
      metric: this.metrics.processorMetric(METRICS.archiveWriteFailures, cloudwatch.Stats.SUM, ONE_MINUTE),
      threshold: 1,
      comparisonOperator: AT_LEAST,
    });
  }

  /**
   * The alarms that tell, within the minutes Smartcar still retries, that events are being refused,
   * parked, failing or not arriving at all.
   */
  private createDeliveryAlarms(props: WebhookAlarmsProps, thresholds: ResolvedThresholds) {
    const smartcarSignatureFailuresAlarm = this.alarm('SmartcarSignatureFailuresAlarm', {
      alarmDescription:
        'A request that looks like a genuine Smartcar delivery (a Smartcar/ User-Agent and a Smartcar ' +
        'event body) was refused with 401 for its SC-Signature. On any fleet size this is how a wrong ' +
        'token shows: after a rotation, or a value copied from the wrong Dashboard field, every delivery ' +
        'fails and Smartcar drops each one about 3 minutes later. First compare the secret with the ' +
        "Dashboard's Application Management Token (Configuration page); the rotation procedure is in the README.",
      metric: this.metrics.receiverMetric(
        METRICS.smartcarSignatureFailures,
        cloudwatch.Stats.SUM,
        ONE_MINUTE,
      ),
      threshold: 1,
      comparisonOperator: AT_LEAST,
    });
    const signedDeliveriesRefusedAlarm = this.alarm('SignedDeliveriesRefusedAlarm', {
      alarmDescription:
        'The receiver refused a delivery whose SC-Signature was valid: Smartcar really sent it, and it ' +
        'will drop the event after its retries. First check the reason (OUTSIDE_REPLAY_WINDOW, ' +
        "PAYLOAD_TOO_LARGE, INVALID_PAYLOAD) in the receiver's log group (Request refused) or on the " +
        'dashboard. A replay window refusal means a delay or clock skew upstream: raise replayTolerance; ' +
        'a size refusal: raise maxBodyBytes.',
      metric: this.metrics.receiverMetric(METRICS.signedDeliveriesRefused, cloudwatch.Stats.SUM, ONE_MINUTE),
      threshold: 1,
      comparisonOperator: AT_LEAST,
    });
    const throttledRequestsFilter = props.accessLogGroup.addMetricFilter('ThrottledRequestsFilter', {
      // The access log writes $context.status as a JSON string.
      filterPattern: logs.FilterPattern.stringValue('$.status', '=', '429'),
      metricNamespace: METRICS.namespace,
      metricName: METRICS.throttledRequests,
      metricValue: '1',
    });
    const throttledRequestsAlarm = this.alarm('ThrottledRequestsAlarm', {
      alarmDescription:
        "API Gateway's stage throttle answered 429: deliveries arrive faster than the throttle allows, " +
        'and Smartcar counts each 429 as a failed attempt (its retries add to the load). Raise the ' +
        "construct's throttle (see Capacity in the README); check the access log for the source IPs " +
        'first in case it is not Smartcar.',
      metric: this.metrics.throttledRequests(),
      threshold: 1,
      comparisonOperator: AT_LEAST,
    });
    // A failed record is retried once per visibility timeout; the window spans one retry, so an
    // event failing twice fires it, and a single failure that a retry cures does not.
    const window = Math.ceil(props.visibilityTimeout.toMinutes({ integral: false })) + 2;
    const processingFailuresAlarm = this.alarm('ProcessingFailuresAlarm', {
      alarmDescription:
        `Records failed processing in ${ALARM_DEFAULTS.processingFailureDatapoints} of the last ${window} ` +
        'minutes: a handler is throwing, a permission is missing or a dependency is down. Failed records ' +
        `are retried and, after ${props.maxReceiveCount} attempts, dead-lettered. First check the ` +
        "processor's log group for 'Event processing failed' (query 3 in the runbook).",
      metric: this.metrics.processorMetric(METRICS.processingFailures, cloudwatch.Stats.SUM, ONE_MINUTE),
      threshold: 1,
      comparisonOperator: AT_LEAST,
      evaluationPeriods: window,
      datapointsToAlarm: ALARM_DEFAULTS.processingFailureDatapoints,
    });
    const eventsParkedAlarm = this.alarm('EventsParkedAlarm', {
      alarmDescription:
        'The processor parked an event in the dead-letter queue without retrying it, because retrying ' +
        'cannot help: an event type or envelope version this version does not know (UNKNOWN_EVENT_TYPE, ' +
        'UNKNOWN_ENVELOPE_VERSION), a shape no handler can use (SCHEMA_INVALID, NOT_A_SMARTCAR_EVENT) or ' +
        'a handler refusing it (HANDLER_REFUSED). The event is kept. First check the reason in the ' +
        "processor's log group (query 3 in the runbook) or the message's unprocessableReason attribute; " +
        'update the code, deploy, then redrive.',
      metric: this.metrics.processorMetric(METRICS.eventsParked, cloudwatch.Stats.SUM, ONE_MINUTE),
      threshold: 1,
      comparisonOperator: AT_LEAST,
    });
    const retention = Duration.days(PROCESSOR_DEFAULTS.deadLetterRetentionDays);
    const expiresIn = thresholds.deadLetterExpiryWarning;
    const deadLetterQueueExpiryAlarm = this.alarm('DeadLetterQueueExpiryAlarm', {
      alarmDescription:
        `The oldest event in the dead-letter queue has at most ${expiresIn.toHumanString()} of its ` +
        `${retention.toHumanString()} retention left; SQS then deletes it for good, and the DLQ alarms ` +
        'go back to OK as if the problem were fixed. First check why they were dead-lettered (the ' +
        "processor's log group, their unprocessableReason attribute); fix the cause and redrive now, or " +
        'copy the events out (SQS console, Poll for messages).',
      metric: this.metrics.deadLetterQueueOldestMessageAge(),
      threshold: retention.toSeconds() - expiresIn.toSeconds(),
      comparisonOperator: AT_LEAST,
    });
    return {
      smartcarSignatureFailuresAlarm,
      signedDeliveriesRefusedAlarm,
      throttledRequestsFilter,
      throttledRequestsAlarm,
      processingFailuresAlarm,
      eventsParkedAlarm,
      deadLetterQueueExpiryAlarm,
      deliverySilenceAlarm: this.createDeliverySilenceAlarm(thresholds.deliverySilence),
    };
  }

  /**
   * Missing data is breaching here: the receiver publishes nothing while nothing arrives, which is
   * exactly what this alarm is for. It therefore also fires on a new stack until deliveries start.
   */
  private createDeliverySilenceAlarm(silence: Duration): cloudwatch.Alarm | undefined {
    if (silence.toSeconds() === 0) return undefined;
    const period = silence.toSeconds() <= 3600 ? silence : Duration.hours(1);
    return this.alarm('DeliverySilenceAlarm', {
      alarmDescription:
        `No Smartcar delivery has been accepted for ${silence.toHumanString()}. Either the webhook was ` +
        'disabled or deleted in the Smartcar Dashboard, its callback URL no longer points here (a ' +
        'replaced stack has a new URL), every delivery is refused (see the refusal alarms), or the ' +
        'fleet really was idle. First check the webhook in the Smartcar Dashboard and its Logs tab.',
      metric: this.metrics.receiverMetric(METRICS.deliveries, cloudwatch.Stats.SUM, period),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: silence.toSeconds() / period.toSeconds(),
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
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

  /** An alarm named after its id that notifies its severity's topic when it fires and when it clears. */
  private alarm(
    id: string,
    props: AlarmSettings,
    severity: AlarmSeverity = ALARM_SEVERITIES.paging,
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${this.alarmNamePrefix}-${id}`,
      comparisonOperator: GREATER,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
    const paging = severity === ALARM_SEVERITIES.paging;
    // OK notifications too, so whoever was paged learns that it cleared.
    const action = new SnsAction(paging ? this.pagingTopic : this.informationalTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
    (paging ? this.pagingAlarms : this.informationalAlarms).push(alarm);
    return alarm;
  }
}

/** One evaluation period, "greater than" and missing data as OK unless given. */
type AlarmSettings = Pick<cloudwatch.AlarmProps, 'alarmDescription' | 'metric' | 'threshold'> &
  Partial<
    Pick<
      cloudwatch.AlarmProps,
      'comparisonOperator' | 'evaluationPeriods' | 'datapointsToAlarm' | 'treatMissingData'
    >
  >;

type ResolvedThresholds = ReturnType<typeof resolveAlarmThresholds>;
