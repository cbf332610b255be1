import { Duration, Token } from 'aws-cdk-lib';
import { ALARM_DEFAULTS, PROCESSOR_DEFAULTS, SMARTCAR_DELIVERY } from '../smartcar-webhooks-defaults';

/** Alarm thresholds. Every one is optional; the defaults suit a fleet of any size. */
export interface WebhookAlarmThresholds {
  /**
   * Age of the oldest delivery waiting in the main queue that means processing is behind.
   * @default Duration.minutes(15)
   */
  readonly queueAge?: Duration;
  /**
   * Window in which any growth of the dead-letter queue keeps `deadLetterQueueGrowthAlarm` firing;
   * it clears once the queue has not grown for this long. Whole minutes.
   * @default Duration.minutes(5)
   */
  readonly deadLetterQueueGrowthWindow?: Duration;
  /**
   * Share of requests answered 5xx over five minutes, in percent (from 0 to below 100), above which
   * `serverErrorRateAlarm` fires.
   * @default 5
   */
  readonly serverErrorRatePercent?: number;
  /**
   * Requests refused for a missing or wrong SC-Signature within five minutes above which
   * `signatureFailuresAlarm` fires.
   * @default 10
   */
  readonly signatureFailures?: number;
  /**
   * Receiver p99 duration over five minutes above which `receiverLatencyAlarm` fires. Below
   * Smartcar's 15 s response timeout.
   * @default Duration.seconds(5)
   */
  readonly receiverLatencyP99?: Duration;
  /**
   * Fire `deliverySilenceAlarm` when no delivery has been accepted for this long: the webhook was
   * disabled in Smartcar, its URL changed, or the stack was replaced. Whole minutes up to an hour,
   * whole hours up to 7 days; `Duration.seconds(0)` turns the alarm off. A stack with no subscribed
   * vehicles yet is silent too, so this alarm fires until deliveries start.
   * @default Duration.hours(24)
   */
  readonly deliverySilence?: Duration;
  /**
   * Fire `deadLetterQueueExpiryAlarm` when the oldest event in the dead-letter queue has this little
   * of its 14-day retention left, so it is redriven before SQS deletes it. Whole hours.
   * @default Duration.days(4)
   */
  readonly deadLetterExpiryWarning?: Duration;
}

/** The thresholds with their defaults, validated, so a mistake fails at synth and not at deploy. */
export function resolveAlarmThresholds(thresholds: WebhookAlarmThresholds = {}) {
  const resolved = {
    queueAge: thresholds.queueAge ?? Duration.seconds(ALARM_DEFAULTS.queueAgeSeconds),
    deadLetterQueueGrowthWindow:
      thresholds.deadLetterQueueGrowthWindow ?? Duration.minutes(ALARM_DEFAULTS.deadLetterQueueGrowthMinutes),
    serverErrorRatePercent: thresholds.serverErrorRatePercent ?? ALARM_DEFAULTS.serverErrorRatePercent,
    signatureFailures: thresholds.signatureFailures ?? ALARM_DEFAULTS.signatureFailures,
    receiverLatencyP99: thresholds.receiverLatencyP99 ?? Duration.millis(ALARM_DEFAULTS.receiverLatencyP99Ms),
    deliverySilence: thresholds.deliverySilence ?? Duration.hours(ALARM_DEFAULTS.deliverySilenceHours),
    deadLetterExpiryWarning:
      thresholds.deadLetterExpiryWarning ?? Duration.days(ALARM_DEFAULTS.deadLetterExpiryWarningDays),
  };
  validateDeliverySilence(resolved.deliverySilence);
  const warningSeconds = resolved.deadLetterExpiryWarning.toSeconds();
  const retention = Duration.days(PROCESSOR_DEFAULTS.deadLetterRetentionDays);
  if (warningSeconds % 3600 !== 0 || warningSeconds < 3600 || warningSeconds >= retention.toSeconds()) {
    throw new Error(
      `alarms.deadLetterExpiryWarning must be whole hours, at least 1 hour and less than the dead-letter ` +
        `queue's ${retention.toHumanString()} retention; got ${resolved.deadLetterExpiryWarning.toHumanString()}.`,
    );
  }
  const windowSeconds = resolved.deadLetterQueueGrowthWindow.toSeconds();
  // One-minute datapoints, and CloudWatch evaluates at most a day of them.
  if (windowSeconds % 60 !== 0 || windowSeconds < 60 || windowSeconds > 24 * 60 * 60) {
    throw new Error(
      'alarms.deadLetterQueueGrowthWindow must be whole minutes from 1 minute to 1 day; got ' +
        `${resolved.deadLetterQueueGrowthWindow.toHumanString()}.`,
    );
  }
  const percent = resolved.serverErrorRatePercent;
  if (!Token.isUnresolved(percent) && !(percent >= 0 && percent < 100)) {
    throw new Error(`alarms.serverErrorRatePercent must be from 0 to below 100; got ${percent}.`);
  }
  const failures = resolved.signatureFailures;
  if (!Token.isUnresolved(failures) && !(Number.isInteger(failures) && failures >= 0)) {
    throw new Error(
      `alarms.signatureFailures must be a whole number of requests, 0 or more; got ${failures}.`,
    );
  }
  const timeout = Duration.seconds(SMARTCAR_DELIVERY.responseTimeoutSeconds);
  if (resolved.receiverLatencyP99.toMilliseconds() >= timeout.toMilliseconds()) {
    throw new Error(
      `alarms.receiverLatencyP99 must be below Smartcar's ${timeout.toHumanString()} timeout, or it fires ` +
        `only after deliveries have failed; got ${resolved.receiverLatencyP99.toHumanString()}.`,
    );
  }
  return resolved;
}

/**
 * CloudWatch evaluates at most a day of datapoints shorter than an hour and at most 7 days of
 * hourly ones, so the silence is one datapoint up to an hour and whole hours beyond.
 */
function validateDeliverySilence(silence: Duration): void {
  const seconds = silence.toSeconds();
  if (seconds === 0) return;
  const valid = seconds <= 3600 ? seconds % 60 === 0 : seconds % 3600 === 0 && seconds <= 7 * 24 * 3600;
  if (!valid) {
    throw new Error(
      'alarms.deliverySilence must be whole minutes up to 1 hour, or whole hours up to 7 days (0 turns ' +
        `it off); got ${silence.toHumanString()}.`,
    );
  }
}
