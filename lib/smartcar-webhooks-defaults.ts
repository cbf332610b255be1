import { LIMITS } from '../lambdas/contract';

/**
 * The construct's defaults: what a deployment gets when a prop is not given, each with why. Infra
 * only; the functions never import this file (an ESLint rule holds them to that) and get their
 * settings from the environment the construct writes (lambdas/contract/environment.ts). The local
 * emulator starts from these too, so `npm start` runs what `cdk deploy` deploys.
 */

/** Receiver function and request limits. */
export const RECEIVER_DEFAULTS = {
  /** The most that fits one SQS message with its attributes; see LIMITS. */
  maxBodyBytes: LIMITS.maxBodyBytes,
  /** Lambda timeout. Smartcar gives up after 15 s; we answer, one way or another, well before. */
  timeoutSeconds: 10,
  memorySizeMb: 512,
  /**
   * Deliveries whose signed `meta.deliveredAt` is older than this are refused as replays. Smartcar
   * retries for about 3 minutes; an hour leaves room for its queues and for clock skew.
   */
  replayToleranceSeconds: 60 * 60,
  /**
   * After the secret's current version was created (the token was rotated), signatures made with
   * the previous version (AWSPREVIOUS) are accepted this long: deliveries signed and retried
   * across the switch still get through, then the old token stops working.
   */
  tokenRotationGraceSeconds: 60 * 60,
} as const;

/**
 * The quarantine of refused Smartcar-shaped deliveries (in the archive bucket, so only with the
 * archive). The rate bound is per receiver execution environment: it is what keeps a flood of
 * forged Smartcar-shaped requests from becoming a storage bill (README: "Quarantine: what it can
 * cost"), while a real wrong-token incident of a fleet sending a few deliveries a second per
 * environment is kept whole; Smartcar's retries give a delivery over the bound 3 more chances.
 */
export const QUARANTINE_DEFAULTS = {
  /** Long enough to notice on Monday what broke on Friday, and to fix it and release. */
  retentionDays: 14,
  /** Sustained writes per second per receiver environment. */
  writesPerSecond: 2,
  /** Writes at once before the rate applies: the first minute of an incident is kept whole. */
  burst: 40,
} as const;

/** Processor, queue and dead-letter queue settings. */
export const PROCESSOR_DEFAULTS = {
  timeoutSeconds: 30,
  memorySizeMb: 512,
  /**
   * Most records per invocation. Above 10 Lambda's SQS event source needs a batching window. Each
   * batch is one archive PUT, so at 10 deliveries/s, batches of ~60 instead of 1-2 cut the archive's
   * cost per million from $5.00 to $0.08 (BENCHMARKS.md, section 4).
   */
  batchSize: 100,
  /** Most records per invocation when the batching window is turned off: Lambda's limit then. */
  batchSizeWithoutWindow: 10,
  /**
   * Seconds the event source gathers records before it invokes the processor with a batch that is
   * not full. Processing waits up to this long at low traffic; acknowledgement does not wait.
   */
  maxBatchingWindowSeconds: 30,
  /**
   * Receives before SQS moves a message to the dead-letter queue. AWS's guidance for Lambda SQS
   * sources is at least 5: a receive the function was throttled on still counts, and a burst on a
   * new account's low concurrency must not dead-letter deliveries that never ran.
   */
  maxReceiveCount: 5,
  /**
   * Concurrent processor invocations the SQS event source may run. A backlog or a redrive then
   * drains at about 5 × 100 records per invocation, ~1,600 events/s with a 300 ms batch, instead of
   * taking the account's whole concurrency and throttling the receiver (which Smartcar sees as 5xx).
   */
  maxConcurrency: 5,
  /**
   * AWS's guidance: at least six times the function timeout plus the batching window, so a retried
   * batch is not seen twice.
   */
  visibilityTimeoutMultiplier: 6,
  /** SQS's maximum for both queues: a stuck backlog has two weeks, not the default four days. */
  queueRetentionDays: 14,
  deadLetterRetentionDays: 14,
} as const;

/** Idempotency records. Smartcar asks that seen eventIds be kept at least 7 days. */
export const IDEMPOTENCY_DEFAULTS = {
  expirySeconds: 7 * 24 * 60 * 60,
} as const;

/**
 * API Gateway stage throttling, from the capacity model in the README ("Capacity"): 500 requests/s
 * carries the steady traffic of ~100,000 vehicles or a 10,000-vehicle fleet reporting all at once
 * within 20 s, retries included; the 1,000-request bucket absorbs the instant of such a burst. It
 * still caps what junk traffic can cost (about $70 a day at the cap, all of it refused).
 */
export const API_DEFAULTS = {
  throttleRateLimit: 500,
  throttleBurstLimit: 1000,
} as const;

/**
 * How Smartcar delivers (from its webhook documentation): it waits this long for a 2xx, then
 * retries the delivery for about `retryWindowMinutes` after the first attempt before dropping it.
 */
export const SMARTCAR_DELIVERY = {
  responseTimeoutSeconds: 15,
  retryWindowMinutes: 3,
} as const;

/** Alarm thresholds and windows; each threshold can be overridden through the `alarms` prop. */
export const ALARM_DEFAULTS = {
  /** Oldest message in the main queue older than this means processing is behind or stuck. */
  queueAgeSeconds: 15 * 60,
  /** The dead-letter queue gaining a message within this window means failures continue. */
  deadLetterQueueGrowthMinutes: 5,
  /** Share of API requests answered 5xx over `serverErrorRateMinutes`, in percent. */
  serverErrorRatePercent: 5,
  serverErrorRateMinutes: 5,
  /** Requests refused for their SC-Signature within `signatureFailureMinutes`, above which to alarm. */
  signatureFailures: 10,
  signatureFailureMinutes: 5,
  /**
   * Receiver p99 duration that means trouble, well before Smartcar's 15 s timeout: a healthy receiver
   * answers in tens of milliseconds, and its SQS budget alone is capped at 4 s.
   */
  receiverLatencyP99Ms: 5_000,
  /**
   * `ProcessingFailures` in this many one-minute datapoints of the evaluation window fires the
   * processing alarm. 2, not 1: a single transient failure whose retry succeeds stays quiet, while
   * one event failing twice (one visibility timeout apart) or a handler failing every batch fires.
   */
  processingFailureDatapoints: 2,
  /**
   * Alarm when no delivery has been accepted for this long (webhook disabled, URL changed, stack
   * replaced). A day suits any fleet that reports at least daily; a large fleet should set an hour.
   */
  deliverySilenceHours: 24,
  /**
   * Warn this long before the oldest dead-lettered event expires (the DLQ keeps a message 14 days
   * from its first enqueue), so there are days, not minutes, to fix and redrive.
   */
  deadLetterExpiryWarningDays: 4,
} as const;
