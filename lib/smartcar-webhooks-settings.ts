import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { SmartcarWebhooksProps } from './smartcar-webhooks-props';
import {
  API_DEFAULTS,
  IDEMPOTENCY_DEFAULTS,
  PROCESSOR_DEFAULTS,
  QUARANTINE_DEFAULTS,
  RECEIVER_DEFAULTS,
} from './smartcar-webhooks-defaults';
import { QUARANTINE_PREFIX, ROUTES } from '../lambdas/contract';

/** HTTP API's hard limit on how long an integration may run. */
const MAX_INTEGRATION_TIMEOUT = Duration.seconds(30);

/** Props with their defaults filled in, validated. */
export type Settings = ReturnType<typeof resolveSettings>;

/** Merges defaults under the props and rejects values that would only fail at deploy or run time. */
export function resolveSettings(props: SmartcarWebhooksProps) {
  const settings = {
    webhookPath: props.webhookPath ?? ROUTES.webhookPath,
    maxReceiveCount: props.maxReceiveCount ?? PROCESSOR_DEFAULTS.maxReceiveCount,
    batchSize: props.batchSize ?? defaultBatchSize(props.maxBatchingWindow),
    maxConcurrency: props.maxConcurrency ?? PROCESSOR_DEFAULTS.maxConcurrency,
    maxBatchingWindow:
      props.maxBatchingWindow ?? Duration.seconds(PROCESSOR_DEFAULTS.maxBatchingWindowSeconds),
    processorTimeout: props.processorTimeout ?? Duration.seconds(PROCESSOR_DEFAULTS.timeoutSeconds),
    receiverTimeout: props.receiverTimeout ?? Duration.seconds(RECEIVER_DEFAULTS.timeoutSeconds),
    maxBodyBytes: props.maxBodyBytes ?? RECEIVER_DEFAULTS.maxBodyBytes,
    idempotencyExpiry: props.idempotencyExpiry ?? Duration.seconds(IDEMPOTENCY_DEFAULTS.expirySeconds),
    throttle: props.throttle ?? {
      rateLimit: API_DEFAULTS.throttleRateLimit,
      burstLimit: API_DEFAULTS.throttleBurstLimit,
    },
    // WebhookAlarms fills in and checks the thresholds it was not given.
    alarms: props.alarms ?? {},
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    tracing: props.tracing ?? false,
    replayTolerance: props.replayTolerance ?? Duration.seconds(RECEIVER_DEFAULTS.replayToleranceSeconds),
    tokenRotationGracePeriod:
      props.tokenRotationGracePeriod ?? Duration.seconds(RECEIVER_DEFAULTS.tokenRotationGraceSeconds),
    debugLogSampleRate: props.debugLogSampleRate ?? 0,
    latestState: props.latestState ?? false,
    archive: props.archive ?? true,
    archiveRetention: props.archiveRetention ?? Duration.days(365),
    quarantine: resolveQuarantine(props),
  };
  if (!(settings.debugLogSampleRate >= 0 && settings.debugLogSampleRate <= 1)) {
    throw new Error(`debugLogSampleRate must be from 0 to 1; got ${settings.debugLogSampleRate}.`);
  }
  validateWebhookPath(settings.webhookPath);
  validateInteger('maxReceiveCount', settings.maxReceiveCount, 1, 1000, 'the range SQS accepts');
  validateBatching(settings.batchSize, settings.maxBatchingWindow);
  validateInteger(
    'maxConcurrency',
    settings.maxConcurrency,
    2,
    1000,
    "the range Lambda's SQS event source accepts",
  );
  validateInteger(
    'maxBodyBytes',
    settings.maxBodyBytes,
    1,
    RECEIVER_DEFAULTS.maxBodyBytes,
    'the most that fits one SQS message together with its attributes',
  );
  if (settings.receiverTimeout.toMilliseconds() > MAX_INTEGRATION_TIMEOUT.toMilliseconds()) {
    throw new Error(
      `receiverTimeout must be at most ${MAX_INTEGRATION_TIMEOUT.toHumanString()}, HTTP API's integration ` +
        `limit; got ${settings.receiverTimeout.toHumanString()}.`,
    );
  }
  return {
    ...settings,
    /** How long a received record stays hidden: its next attempt comes this long after a failure. */
    visibilityTimeout: Duration.seconds(
      settings.processorTimeout.toSeconds() * PROCESSOR_DEFAULTS.visibilityTimeoutMultiplier +
        settings.maxBatchingWindow.toSeconds(),
    ),
  };
}

/** The quarantine's settings, or undefined when it is off (it is on whenever the archive is). */
function resolveQuarantine(props: SmartcarWebhooksProps) {
  const archive = props.archive ?? true;
  if (props.quarantine === false) return undefined;
  if (!archive) {
    if (props.quarantine === undefined) return undefined;
    throw new Error(
      `quarantine needs the archive: refused deliveries are kept in the archive bucket, under ` +
        `${QUARANTINE_PREFIX}. Remove the quarantine prop (it is off with archive: false) or set archive: true.`,
    );
  }
  const options = props.quarantine === true || props.quarantine === undefined ? {} : props.quarantine;
  const quarantine = {
    retention: options.retention ?? Duration.days(QUARANTINE_DEFAULTS.retentionDays),
    writesPerSecond: options.writesPerSecond ?? QUARANTINE_DEFAULTS.writesPerSecond,
    burst: options.burst ?? QUARANTINE_DEFAULTS.burst,
  };
  // The retention is checked, in whole days, by the archive that applies it as a lifecycle rule.
  validatePositiveInteger('quarantine.writesPerSecond', quarantine.writesPerSecond);
  validatePositiveInteger('quarantine.burst', quarantine.burst);
  return quarantine;
}

function validateWebhookPath(webhookPath: string): void {
  if (!webhookPath.startsWith('/') || /[{}]/.test(webhookPath)) {
    throw new Error(
      `webhookPath must be a literal path starting with "/" and without "{...}" parameters, ` +
        `such as "${ROUTES.webhookPath}"; got "${webhookPath}".`,
    );
  }
}

/** Unresolved tokens (CloudFormation parameters) are checked by CloudFormation at deploy time. */
function validateInteger(name: string, value: number, min: number, max: number, why: string): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max} (${why}); got ${value}.`);
  }
}

/** Without a batching window Lambda takes at most 10 records a batch, so turning it off needs no batchSize too. */
function defaultBatchSize(maxBatchingWindow: Duration | undefined): number {
  const windowOff =
    maxBatchingWindow !== undefined &&
    !Token.isUnresolved(maxBatchingWindow.toSeconds({ integral: false })) &&
    maxBatchingWindow.toSeconds({ integral: false }) === 0;
  return windowOff ? PROCESSOR_DEFAULTS.batchSizeWithoutWindow : PROCESSOR_DEFAULTS.batchSize;
}

/** Lambda's SQS event source limits: a window of 0-300 whole seconds; above 10 records a window of 1 s or more. */
function validateBatching(batchSize: number, maxBatchingWindow: Duration): void {
  // A token would pass as "no window" to the event source and vanish from the visibility timeout's sum.
  if (maxBatchingWindow.isUnresolved()) {
    throw new Error(
      "maxBatchingWindow must be a literal Duration, not a token: the queue's visibility timeout adds it at synth time.",
    );
  }
  const windowSeconds = maxBatchingWindow.toSeconds({ integral: false });
  if (!(Number.isInteger(windowSeconds) && windowSeconds <= 300)) {
    throw new Error(
      `maxBatchingWindow must be whole seconds from 0 to 300 (Lambda's SQS event source limit); got ${maxBatchingWindow.toHumanString()}.`,
    );
  }
  if (windowSeconds === 0) {
    validateInteger(
      'batchSize',
      batchSize,
      1,
      10,
      "Lambda's SQS limit without a batching window; for larger batches set maxBatchingWindow to 1 second or more",
    );
  } else {
    validateInteger('batchSize', batchSize, 1, 10_000, "Lambda's SQS limit with a batching window");
  }
}

function validatePositiveInteger(name: string, value: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer; got ${value}.`);
  }
}
