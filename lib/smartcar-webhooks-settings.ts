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
    batchSize: props.batchSize ?? PROCESSOR_DEFAULTS.batchSize,
    maxConcurrency: props.maxConcurrency ?? PROCESSOR_DEFAULTS.maxConcurrency,
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
    tracing: props.tracing ?? true,
    replayTolerance: props.replayTolerance ?? Duration.seconds(RECEIVER_DEFAULTS.replayToleranceSeconds),
    tokenRotationGracePeriod:
      props.tokenRotationGracePeriod ?? Duration.seconds(RECEIVER_DEFAULTS.tokenRotationGraceSeconds),
    debugLogSampleRate: props.debugLogSampleRate ?? 0.01,
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
  validateInteger('batchSize', settings.batchSize, 1, 10, "Lambda's SQS limit without a batching window");
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
      settings.processorTimeout.toSeconds() * PROCESSOR_DEFAULTS.visibilityTimeoutMultiplier,
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

function validatePositiveInteger(name: string, value: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer; got ${value}.`);
  }
}
