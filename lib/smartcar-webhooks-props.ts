import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { WebhookAlarmThresholds } from './monitoring/alarm-thresholds';

/** Properties of `SmartcarWebhooks`. Every one is optional; the defaults are production-ready. */
export interface SmartcarWebhooksProps {
  /**
   * The module whose `app` export (a `WebhookApp` built with the SDK in lambdas/sdk) the processor
   * runs, so that your handlers can live in your own project. An absolute path, or one relative to
   * the working directory of `cdk synth`; the module is bundled with the processor by esbuild.
   * @default - lambdas/app/index.ts of this repository
   */
  readonly appEntry?: string;
  /**
   * Path Smartcar posts deliveries to, appended to the API URL. A literal path: no `{param}`.
   * @default '/webhooks/smartcar'
   */
  readonly webhookPath?: string;
  /**
   * An existing secret holding the Application Management Token. Import it with
   * `Secret.fromSecretCompleteArn` so the receiver's policy names the exact ARN.
   * @default - a new secret holding a placeholder, which you then overwrite
   */
  readonly tokenSecret?: secretsmanager.ISecret;
  /**
   * The customer-managed KMS key an imported `tokenSecret` is encrypted with. The receiver is granted
   * `kms:Decrypt` on it, through Secrets Manager only; without it, such a secret cannot be read and
   * every delivery is answered 503. Not needed for the default `aws/secretsmanager` key.
   * @default - the secret uses the AWS-managed key, which needs no grant
   */
  readonly tokenSecretEncryptionKey?: kms.IKey;
  /**
   * Receives before SQS moves a delivery to the dead-letter queue (1-1000).
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * Most deliveries per processor invocation: 1-10, or up to 10,000 with a `maxBatchingWindow` of
   * at least 1 s (Lambda's limits). Each invocation writes one archive object per batch, so fuller
   * batches cost less (README, "Performance and cost").
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * How long the queue's event source gathers deliveries into a batch before it invokes the
   * processor (0-300 s), unless the batch fills first. Only processing waits: a delivery is
   * answered as soon as SQS has it. `Duration.seconds(0)` invokes as soon as anything is polled
   * (batches of 1-2 at low traffic, more than twice the cost per million; README, "Performance and
   * cost") and makes the default `batchSize` 10.
   * @default Duration.seconds(30)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Concurrent processor invocations the queue may drive (2-1000). Bounded so that draining a
   * backlog or a redrive cannot take the account's concurrency from the receiver.
   * @default 5
   */
  readonly maxConcurrency?: number;
  /**
   * Processor timeout; the queue's visibility timeout is six times this plus `maxBatchingWindow`.
   * @default Duration.seconds(30)
   */
  readonly processorTimeout?: Duration;
  /**
   * Receiver timeout. At most 30 s, HTTP API's integration limit; Smartcar itself waits 15 s.
   * @default Duration.seconds(10)
   */
  readonly receiverTimeout?: Duration;
  /**
   * Largest request body, in bytes, the receiver accepts (1-256000, what fits one SQS message with
   * its attributes).
   * @default 256000
   */
  readonly maxBodyBytes?: number;
  /**
   * How long a processed event id is remembered, so a redelivery is skipped.
   * @default Duration.days(7)
   */
  readonly idempotencyExpiry?: Duration;
  /**
   * Stage-wide throttling, in requests per second.
   * @default { rateLimit: 500, burstLimit: 1000 }
   */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Alarm thresholds that override the defaults (queue age, dead-letter queue growth window, 5xx
   * rate, signature failures, receiver p99 duration, delivery silence, dead-letter expiry warning).
   * @default - every threshold's default, see {@link WebhookAlarmThresholds}
   */
  readonly alarms?: WebhookAlarmThresholds;
  /**
   * Email address subscribed to the paging topic (`monitoring.alarms.pagingTopic`), which every alarm
   * but the informational ones notifies. SNS emails a confirmation link first.
   * @default - no subscription; subscribe to the topics yourself
   */
  readonly alarmEmail?: string;
  /**
   * What happens to the tables and the three log groups when they leave the stack. RETAIN keeps
   * the audit trail and the dedup records after a mistaken `cdk destroy`; the idempotency table
   * expires its items by TTL and the log groups their events after a month, so little is left to
   * pay for. Use DESTROY for throwaway environments.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * How long the two function log groups and the API access log group keep events.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * X-Ray active tracing on both functions. The HTTP API itself cannot be traced (only REST APIs
   * can), so a trace starts at the receiver. Off by default for its cost: Lambda samples the first
   * request each second and 5 % of the rest, a rate functions cannot change, which at 10
   * deliveries/s records about 0.16 traces per delivery ($0.80 per million; README, "Performance and cost").
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * A customer-managed KMS key for both queues and the tables. The receiver and the processor are
   * granted its use; the key's policy must let this account's IAM policies grant it (the default
   * key policy does).
   * @default - SQS-managed encryption (SSE-SQS) for the queues, the AWS-managed key for the tables
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Deliveries whose signed `meta.deliveredAt` is older than this are refused (400) as replays;
   * `Duration.seconds(0)` turns the check off. Smartcar retries for about 3 minutes.
   * @default Duration.hours(1)
   */
  readonly replayTolerance?: Duration;
  /**
   * After the token secret's current version was created, signatures made with the previous
   * version (AWSPREVIOUS) are still accepted this long; `Duration.seconds(0)` never accepts them.
   * @default Duration.hours(1)
   */
  readonly tokenRotationGracePeriod?: Duration;
  /**
   * Share of invocations (0 to 1) that log at DEBUG level, for a sample of detail without the cost.
   * Above 0 the functions keep Lambda's text log format, because Lambda's log-level filter (JSON
   * format, which also drops the START/END/REPORT platform lines) would drop the sampled DEBUG lines.
   * @default 0
   */
  readonly debugLogSampleRate?: number;
  /**
   * Create the latest-state table: each vehicle's newest value per signal, written with conditional
   * updates so that an event arriving late never overwrites newer data (out-of-order protection).
   * @default false
   */
  readonly latestState?: boolean;
  /**
   * Keep every delivery in an S3 archive (gzip JSON Lines, queryable with Athena, replayable with
   * `npm run cli -- replay`). The processor writes each batch there before it runs it, so nothing
   * leaves the queue that the archive does not hold.
   * @default true
   */
  readonly archive?: boolean;
  /**
   * How long the archive keeps deliveries (whole days). They hold locations and other personal
   * data, so not forever by default.
   * @default Duration.days(365)
   */
  readonly archiveRetention?: Duration;
  /**
   * Keep deliveries the receiver refused although they look like Smartcar's (a wrong token, outside
   * the replay window, too large) in the archive bucket, under `quarantine/`, so that `doctor` can
   * explain them and `quarantine release` can process them once the cause is fixed: Smartcar does
   * not resend. The receiver may only put objects under `quarantine/deliveries/`. Only with the
   * archive: with `archive: false` it is off, and turning it on is an error. `true` or an object
   * (see {@link WebhookQuarantineOptions}) turns it on; `false` turns it off.
   * @default - on with the archive: { retention: Duration.days(14), writesPerSecond: 2, burst: 40 }
   */
  readonly quarantine?: boolean | WebhookQuarantineOptions;
}

/** Settings of the quarantine (`SmartcarWebhooksProps.quarantine`). */
export interface WebhookQuarantineOptions {
  /**
   * How long quarantined deliveries (and the release log) are kept, in whole days, at least 1.
   * Long enough to notice on Monday what broke on Friday; they hold what the deliveries hold.
   * @default Duration.days(14)
   */
  readonly retention?: Duration;
  /**
   * Quarantine writes per second each receiver execution environment may make, sustained (a
   * positive integer): what bounds the storage a flood of forged Smartcar-shaped requests can cost.
   * @default 2
   */
  readonly writesPerSecond?: number;
  /**
   * Quarantine writes each receiver execution environment may make at once before the rate
   * applies (a positive integer), so the first minute of an incident is kept whole.
   * @default 40
   */
  readonly burst?: number;
}
