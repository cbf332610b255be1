import { Construct } from 'constructs';
import { WebhookArchive } from './archive/webhook-archive';
import { WebhookIngest } from './ingest/webhook-ingest';
import { alarmNamePrefix } from './monitoring/alarm-names';
import { WebhookMonitoring } from './monitoring/webhook-monitoring';
import { WebhookProcessing } from './processing/webhook-processing';
import type { SmartcarWebhooksProps } from './smartcar-webhooks-props';
import { resolveSettings } from './smartcar-webhooks-settings';

export type { SmartcarWebhooksProps, WebhookQuarantineOptions } from './smartcar-webhooks-props';
export type { WebhookAlarmThresholds } from './monitoring/alarm-thresholds';
export { DEFAULT_WEBHOOKS_ID } from './monitoring/alarm-names';
export { ALARM_SEVERITIES, type AlarmSeverity, WebhookAlarms } from './monitoring/webhook-alarms';
export { WebhookArchive } from './archive/webhook-archive';
export { WebhookIngest } from './ingest/webhook-ingest';
export { WebhookMonitoring } from './monitoring/webhook-monitoring';
export { WebhookProcessing } from './processing/webhook-processing';

/**
 * Receives Smartcar webhooks on AWS: an HTTP API routes `POST <webhookPath>` and `GET /health` to a
 * receiver that checks the signature and enqueues the delivery on SQS; a processor consumes the
 * queue with DynamoDB-backed idempotency and runs your app; failures land in a dead-letter queue
 * that alarms. Each stage is one object: `ingest.receiver`, `processing.deadLetterQueue`,
 * `monitoring.alarms.deadLetterQueueAlarm`, `monitoring.dashboard`.
 */
export class SmartcarWebhooks extends Construct {
  /** The HTTP API, its stage and access log, the receiver and the token secret. */
  readonly ingest: WebhookIngest;
  /** The queue, the dead-letter queue, the processor and its tables. */
  readonly processing: WebhookProcessing;
  /** The alarms, their paging and informational topics, and the dashboard. */
  readonly monitoring: WebhookMonitoring;
  /**
   * The delivery archive (bucket, Glue table, Athena workgroup); absent with `archive: false`. Its
   * bucket also holds the quarantine (`quarantine/`), when that is on.
   */
  readonly archive?: WebhookArchive;

  constructor(scope: Construct, id: string, props: SmartcarWebhooksProps = {}) {
    super(scope, id);
    const settings = resolveSettings(props);
    const shared = {
      removalPolicy: settings.removalPolicy,
      logRetention: settings.logRetention,
      tracing: settings.tracing,
      debugLogSampleRate: settings.debugLogSampleRate,
    };

    if (settings.archive) {
      this.archive = new WebhookArchive(this, 'Archive', {
        retention: settings.archiveRetention,
        quarantineRetention: settings.quarantine?.retention,
        encryptionKey: props.encryptionKey,
        removalPolicy: settings.removalPolicy,
      });
    }
    this.processing = new WebhookProcessing(this, 'Processing', {
      archive: this.archive,
      shared,
      appEntry: props.appEntry,
      encryptionKey: props.encryptionKey,
      maxReceiveCount: settings.maxReceiveCount,
      batchSize: settings.batchSize,
      maxBatchingWindow: settings.maxBatchingWindow,
      maxConcurrency: settings.maxConcurrency,
      timeout: settings.processorTimeout,
      visibilityTimeout: settings.visibilityTimeout,
      idempotencyExpiry: settings.idempotencyExpiry,
      latestState: settings.latestState,
    });
    this.ingest = new WebhookIngest(this, 'Ingest', {
      shared,
      queue: this.processing.queue,
      tokenSecret: props.tokenSecret,
      tokenSecretEncryptionKey: props.tokenSecretEncryptionKey,
      webhookPath: settings.webhookPath,
      throttle: settings.throttle,
      timeout: settings.receiverTimeout,
      maxBodyBytes: settings.maxBodyBytes,
      replayTolerance: settings.replayTolerance,
      tokenRotationGracePeriod: settings.tokenRotationGracePeriod,
      quarantine:
        this.archive && settings.quarantine ? { ...settings.quarantine, archive: this.archive } : undefined,
    });
    this.monitoring = new WebhookMonitoring(this, 'Monitoring', {
      stage: this.ingest.stage,
      receiver: this.ingest.receiver,
      accessLogGroup: this.ingest.accessLogGroup,
      processor: this.processing.processor,
      queue: this.processing.queue,
      deadLetterQueue: this.processing.deadLetterQueue,
      maxReceiveCount: settings.maxReceiveCount,
      visibilityTimeout: settings.visibilityTimeout,
      thresholds: settings.alarms,
      alarmEmail: props.alarmEmail,
      alarmNamePrefix: alarmNamePrefix(this),
      archived: this.archive !== undefined,
    });
  }
}
