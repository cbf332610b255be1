/**
 * The one source of truth for settings that the CDK construct (lib/), the Lambda code (lambdas/)
 * and the local emulator (local/) must agree on. Plain values only: lambdas/ imports this file, so
 * it must never import aws-cdk-lib.
 */

/** Environment variable names the construct sets and the Lambdas read. */
export const ENV_VARS = {
  /** URL of the SQS queue the receiver writes deliveries to. */
  queueUrl: 'WEBHOOK_QUEUE_URL',
  /** Name or ARN of the Secrets Manager secret that holds the Application Management Token. */
  tokenSecretId: 'SMARTCAR_TOKEN_SECRET_ID',
  /** Largest request body, in bytes, the receiver accepts. */
  maxBodyBytes: 'MAX_BODY_BYTES',
  /** Oldest signed `meta.deliveredAt`, in seconds, the receiver accepts; 0 turns the check off. */
  replayToleranceSeconds: 'REPLAY_TOLERANCE_SECONDS',
  /** Seconds after a token rotation during which the previous token is still accepted; 0: never. */
  tokenRotationGraceSeconds: 'TOKEN_ROTATION_GRACE_SECONDS',
  /** DynamoDB table that holds the processor's idempotency records. */
  idempotencyTableName: 'IDEMPOTENCY_TABLE_NAME',
  /** URL of the dead-letter queue, where the processor sends unprocessable events at once. */
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  /** Seconds an idempotency record for a completed event is kept. */
  idempotencyExpirySeconds: 'IDEMPOTENCY_EXPIRY_SECONDS',
  /** Powertools service name (logger and metrics `service` dimension). */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  /** Powertools log level. */
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  /** Share of invocations Powertools logs at DEBUG level. */
  logSampleRate: 'POWERTOOLS_LOGGER_SAMPLE_RATE',
  /** CloudWatch namespace of the custom metrics (Powertools metrics). */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /** DynamoDB table of the optional latest-state store (see {@link LATEST_STATE_DEFAULTS}). */
  latestStateTableName: 'LATEST_STATE_TABLE_NAME',
} as const;

/** Powertools service names: the `service` key of log lines and dimension of custom metrics. */
export const SERVICE_NAMES = {
  receiver: 'smartcar-webhook-receiver',
  processor: 'smartcar-webhook-processor',
} as const;

/**
 * Custom metrics, emitted by the Lambdas in embedded metric format (no API calls) and read by the
 * alarms and the dashboard. Every metric carries the dimension set `[service]`, which is what the
 * alarms read. A metric with a breakdown (see {@link METRIC_BREAKDOWNS}) carries a second set,
 * `[service, <breakdown>]`, in the same EMF document, which the dashboard reads.
 */
export const METRICS = {
  namespace: 'SmartcarWebhooks',
  /** Receiver: deliveries accepted and enqueued. Count, by `eventType`. */
  deliveries: 'Deliveries',
  /** Receiver: VERIFY challenges answered. Count. */
  verifyChallenges: 'VerifyChallenges',
  /** Receiver: every answer that was not 2xx. Count, by `reason` (the error code answered). */
  requestsRefused: 'RequestsRefused',
  /** Receiver: requests refused for a missing, malformed or wrong SC-Signature. Count. */
  signatureFailures: 'SignatureFailures',
  /**
   * Receiver: signature failures of requests that look like genuine Smartcar deliveries (a
   * `Smartcar/` User-Agent and a body shaped like a Smartcar event): most likely a wrong token. Count.
   */
  smartcarSignatureFailures: 'SmartcarSignatureFailures',
  /**
   * Receiver: deliveries refused although their SC-Signature was valid (outside the replay window,
   * too large, not a JSON object): genuine events about to be lost. Count, by `reason`.
   */
  signedDeliveriesRefused: 'SignedDeliveriesRefused',
  /** Receiver: deliveries answered 5xx because SQS did not take them. Count. */
  enqueueFailures: 'EnqueueFailures',
  /** Processor: events whose handler ran to completion. Count. */
  processed: 'EventsProcessed',
  /** Processor: redeliveries skipped because their eventId already completed. Count. */
  duplicates: 'DuplicatesSkipped',
  /** Processor: records reported as failed (they come back for another attempt). Count. */
  processingFailures: 'ProcessingFailures',
  /**
   * Processor: events it cannot handle, sent to the dead-letter queue at once to be kept (see
   * {@link UNPROCESSABLE_REASONS}). Count, by `reason`.
   */
  eventsParked: 'EventsParked',
  /** Processor: tolerances applied to events whose shape drifted from the documented one. Count, by `drift`. */
  schemaDrift: 'SchemaDrift',
  /** Processor: processing time minus the delivery's meta.deliveredAt. Milliseconds. */
  endToEndLag: 'EndToEndLag',
  /**
   * API Gateway: requests its stage throttle answered 429 (Smartcar counts them as failed). Written
   * by a metric filter on the access log, not by the Lambdas, and without dimensions. Count.
   */
  throttledRequests: 'ThrottledRequests',
} as const;

/** The breakdown dimension of each metric that has one, next to `[service]`. */
export const METRIC_BREAKDOWNS = {
  [METRICS.deliveries]: 'eventType',
  [METRICS.requestsRefused]: 'reason',
  [METRICS.signedDeliveriesRefused]: 'reason',
  [METRICS.eventsParked]: 'reason',
  [METRICS.schemaDrift]: 'drift',
} as const;

/**
 * Why the processor parked an event in the dead-letter queue at once instead of retrying it: the
 * value of its `unprocessableReason` message attribute and the `reason` of `EventsParked`. Retrying
 * cannot fix any of these; each waits in the DLQ for a fix and a redrive.
 */
export const UNPROCESSABLE_REASONS = {
  /** An `eventType` (or legacy `eventName`) this version does not know, e.g. from a new Smartcar API. */
  unknownEventType: 'UNKNOWN_EVENT_TYPE',
  /** A `meta.version` (or legacy `version`) this version does not know. */
  unknownEnvelopeVersion: 'UNKNOWN_ENVELOPE_VERSION',
  /** A known event type missing what a handler cannot do without; the detail names the fields. */
  schemaInvalid: 'SCHEMA_INVALID',
  /** The message is not a JSON object with an `eventType` or `eventName`. */
  notASmartcarEvent: 'NOT_A_SMARTCAR_EVENT',
  /** A handler threw `UnprocessableEventError`. */
  handlerRefused: 'HANDLER_REFUSED',
} as const;

/** HTTP routes the API exposes; nothing else is routed. */
export const ROUTES = {
  /** Default callback path to paste (after the API URL) into the Smartcar Dashboard. */
  webhookPath: '/webhooks/smartcar',
  healthPath: '/health',
} as const;

/**
 * What the stack stores in the token secret when it creates it. The receiver refuses to run with
 * it, so a deploy that skipped "store the token" fails loudly instead of answering every VERIFY
 * with a hash Smartcar rejects.
 */
export const PLACEHOLDER_TOKEN = 'REPLACE_WITH_SMARTCAR_APPLICATION_MANAGEMENT_TOKEN';

/** Receiver limits. */
export const RECEIVER_DEFAULTS = {
  /**
   * 256 KB: five times Smartcar's 50 KB maximum delivery, yet with the message attributes still
   * inside one 256 KiB SQS message, so whatever passes this check fits on the queue byte for byte.
   */
  maxBodyBytes: 256_000,
  /** Lambda timeout. Smartcar gives up after 15 s; we answer, one way or another, well before. */
  timeoutSeconds: 10,
  memorySizeMb: 512,
  /** How long the Application Management Token is cached between Secrets Manager reads. */
  tokenCacheSeconds: 300,
  /**
   * After a signature mismatch the token is re-read (it may have been rotated), but at most this
   * often, so a flood of forged requests cannot turn into a flood of Secrets Manager calls.
   */
  tokenRefreshAfterMismatchSeconds: 15,
  /**
   * Deliveries whose signed `meta.deliveredAt` is older than this are refused as replays. Smartcar
   * retries for about 3 minutes; an hour leaves room for its queues and for clock skew.
   */
  replayToleranceSeconds: 60 * 60,
  /** How far in the future `meta.deliveredAt` may be (clock skew) before it is refused. */
  futureSkewSeconds: 5 * 60,
  /**
   * After the secret's current version was created (the token was rotated), signatures made with
   * the previous version (AWSPREVIOUS) are accepted this long: deliveries signed and retried
   * across the switch still get through, then the old token stops working.
   */
  tokenRotationGraceSeconds: 60 * 60,
} as const;

/**
 * The receiver's SQS SendMessage budget. Worst case: 3 attempts × 1.5 s plus back-off, cut off at
 * 4 s by `totalTimeoutMs`; the receiver then answers 503 and Smartcar retries, all inside 15 s.
 */
export const ENQUEUE_DEFAULTS = {
  connectionTimeoutMs: 500,
  requestTimeoutMs: 1500,
  maxAttempts: 3,
  totalTimeoutMs: 4000,
} as const;

/** Processor, queue and dead-letter queue settings. */
export const PROCESSOR_DEFAULTS = {
  timeoutSeconds: 30,
  memorySizeMb: 512,
  /** Records per invocation (Lambda's SQS event source allows up to 10 without a batching window). */
  batchSize: 10,
  /**
   * Receives before SQS moves a message to the dead-letter queue. AWS's guidance for Lambda SQS
   * sources is at least 5: a receive the function was throttled on still counts, and a burst on a
   * new account's low concurrency must not dead-letter deliveries that never ran.
   */
  maxReceiveCount: 5,
  /**
   * Concurrent processor invocations the SQS event source may run. A backlog or a redrive then
   * drains at about 5 × 10 records per invocation, ~150 events/s with a 300 ms batch, instead of
   * taking the account's whole concurrency and throttling the receiver (which Smartcar sees as 5xx).
   */
  maxConcurrency: 5,
  /** AWS's guidance: at least six times the function timeout, so a retried batch is not seen twice. */
  visibilityTimeoutMultiplier: 6,
  /** SQS's maximum for both queues: a stuck backlog has two weeks, not the default four days. */
  queueRetentionDays: 14,
  deadLetterRetentionDays: 14,
} as const;

/**
 * Idempotency records (Powertools DynamoDB persistence layer). Smartcar asks that seen eventIds
 * be kept at least 7 days.
 */
export const IDEMPOTENCY_DEFAULTS = {
  expirySeconds: 7 * 24 * 60 * 60,
  partitionKey: 'id',
  expiryAttribute: 'expiration',
  /**
   * Fixed prefix of every idempotency key. Powertools defaults to the function name, which changes
   * when CloudFormation replaces the function, and would then process every redelivery again.
   */
  keyPrefix: 'smartcar-event',
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

/** CloudFormation output ids of the stack, read back by the CLI (`redrive --stack`). */
export const STACK_OUTPUTS = {
  webhookUrl: 'WebhookUrl',
  tokenSecretName: 'TokenSecretName',
  queueName: 'QueueName',
  deadLetterQueueName: 'DeadLetterQueueName',
  alarmTopicArn: 'AlarmTopicArn',
  dashboardName: 'DashboardName',
} as const;

/** SQS message attribute names of queued deliveries. */
export const MESSAGE_ATTRIBUTES = {
  /** Set by the receiver: the idempotency key (`eventId`, or a `sha256:` hash of the body). */
  eventId: 'eventId',
  /** Set by the receiver when the delivery names one. */
  eventType: 'eventType',
  /** Set by the receiver when the delivery names one. */
  deliveryId: 'deliveryId',
  /**
   * Set by the receiver to `base64` when the body holds characters an SQS message cannot carry
   * (U+FFFE, U+FFFF): the message body is then the base64 of the signed bytes.
   */
  bodyEncoding: 'bodyEncoding',
  /** Set by the processor on events it parks in the DLQ: one of {@link UNPROCESSABLE_REASONS}. */
  unprocessableReason: 'unprocessableReason',
  /** Set with `unprocessableReason`: what exactly is wrong, for people (field paths, never values). */
  unprocessableDetail: 'unprocessableDetail',
} as const;

/** The value of {@link MESSAGE_ATTRIBUTES.bodyEncoding} for a base64-encoded body. */
export const BASE64_BODY_ENCODING = 'base64';

/**
 * The optional latest-state table (lambdas/shared/latest-state): each vehicle's newest value per
 * signal, written with conditional updates so that a delivery arriving late never overwrites newer
 * data, whatever the order and concurrency of deliveries.
 *
 * One item per (vehicle, signal): partition key `vehicleId` (S), sort key `signalCode` (S), so one
 * Query on the partition returns a vehicle's whole state. Other attributes (not part of the key
 * schema, listed for readers of the table):
 * - `value` (M), `observedAt` (N, epoch ms), `eventId` (S): the newest successful report;
 * - `lastError` (M: `type`, `code`, `observedAt`, `eventId`): the newest error report, kept apart
 *   so a transient error never erases the last known value;
 * - `updatedAt` (N, epoch ms): wall-clock time of the last write.
 * A signal's status (SUCCESS or ERROR) is not stored: it is whichever of the two reports is newer.
 */
export const LATEST_STATE_DEFAULTS = {
  /** Partition key attribute (type S). */
  partitionKey: 'vehicleId',
  /** Sort key attribute (type S): the signal's kebab-case code, e.g. `location-preciselocation`. */
  sortKey: 'signalCode',
  /**
   * Conditional writes in flight at once per `recordSignals` call. A VEHICLE_STATE carries 10–30
   * signals, so one event needs two or three rounds, far below the SDK's 50 sockets.
   */
  writeConcurrency: 10,
} as const;
