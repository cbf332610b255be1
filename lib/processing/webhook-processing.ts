import { Duration, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  IDEMPOTENCY_TABLE,
  LATEST_STATE_TABLE,
  PROCESSOR_ENVIRONMENT,
  SERVICE_NAMES,
} from '../../lambdas/contract';
import { PROCESSOR_DEFAULTS } from '../smartcar-webhooks-defaults';
import {
  acknowledgeKeyWildcards,
  queueEncryption,
  TABLE_KEY_ACTIONS,
  tableEncryption,
} from '../shared/encryption';
import { environmentText, powertoolsConfig } from '../shared/function-environment';
import type { SharedSettings } from '../shared/shared-settings';
import { createWebhookFunction, DEFERRED_MODULES } from '../shared/webhook-function';
import type { WebhookArchive } from '../archive/webhook-archive';
import { processorEntry } from './processor-entry';

/** What {@link WebhookProcessing} creates, with the construct's defaults already applied. */
export interface WebhookProcessingProps {
  /** Tables, log groups, tracing and log sampling. */
  readonly shared: SharedSettings;
  /**
   * The module that exports `app`, the WebhookApp the processor runs.
   * @default - lambdas/app/index.ts of this repository
   */
  readonly appEntry?: string;
  /**
   * Customer-managed key of both queues and the tables.
   * @default - SSE-SQS for the queues, the AWS-managed key for the tables
   */
  readonly encryptionKey?: kms.IKey;
  /** Receives before SQS moves a delivery to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Deliveries per processor invocation. */
  readonly batchSize: number;
  /** How long the event source gathers a batch that is not full before it invokes. */
  readonly maxBatchingWindow: Duration;
  /** Concurrent processor invocations the queue may drive. */
  readonly maxConcurrency: number;
  /** The processor's timeout. */
  readonly timeout: Duration;
  /** How long a received delivery stays hidden: its next attempt comes this long after a failure. */
  readonly visibilityTimeout: Duration;
  /** How long a processed event id is remembered. */
  readonly idempotencyExpiry: Duration;
  /** Whether to create the latest-state table. */
  readonly latestState: boolean;
  /**
   * Where each batch is archived before it is processed.
   * @default - no archive
   */
  readonly archive?: WebhookArchive;
}

/** The DynamoDB calls Powertools' idempotency persistence layer makes, and nothing more. */
const IDEMPOTENCY_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

/** The calls of the latest-state store (lambdas/latest-state): conditional writes and reads. */
const LATEST_STATE_TABLE_ACTIONS = ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:Query'] as const;

/**
 * The processing stage: the queue the receiver fills, the processor that consumes it with
 * DynamoDB-backed idempotency and runs the app's handlers, the dead-letter queue for what fails or
 * cannot be processed, and the optional latest-state table.
 */
export class WebhookProcessing extends Construct {
  /** Deliveries that failed `maxReceiveCount` times, or that the processor parked as unprocessable. */
  readonly deadLetterQueue: sqs.Queue;
  /** Verified deliveries waiting for the processor. */
  readonly queue: sqs.Queue;
  /** Powertools idempotency records, one per processed event id. */
  readonly idempotencyTable: dynamodb.Table;
  /** Each vehicle's newest value per signal; only with `latestState`. */
  readonly latestStateTable?: dynamodb.Table;
  /** Consumes the queue and runs the app's handlers, once per event id. */
  readonly processor: nodejs.NodejsFunction;
  /** The customer-managed key of the queues and the tables, when one was given. */
  readonly encryptionKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: WebhookProcessingProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    this.deadLetterQueue = this.createDeadLetterQueue();
    this.queue = new sqs.Queue(this, 'Queue', {
      ...queueEncryption(this.encryptionKey),
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: Duration.days(PROCESSOR_DEFAULTS.queueRetentionDays),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
    this.idempotencyTable = new dynamodb.Table(this, 'IdempotencyTable', {
      partitionKey: { name: IDEMPOTENCY_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: IDEMPOTENCY_TABLE.expiryAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...tableEncryption(this.encryptionKey),
      removalPolicy: props.shared.removalPolicy,
    });
    if (props.latestState) this.latestStateTable = this.createLatestStateTable(props);

    this.processor = createWebhookFunction(this, 'Processor', props.shared, {
      entry: processorEntry(this, props.appEntry),
      description: 'Processes queued Smartcar webhook deliveries idempotently',
      timeout: props.timeout,
      memorySize: PROCESSOR_DEFAULTS.memorySizeMb,
      deferredModules: DEFERRED_MODULES.processor,
      environment: PROCESSOR_ENVIRONMENT.write(
        {
          ...powertoolsConfig(SERVICE_NAMES.processor, props.shared),
          idempotencyTableName: this.idempotencyTable.tableName,
          idempotencyExpirySeconds: props.idempotencyExpiry.toSeconds(),
          // Unprocessable events (schema-invalid, or refused by a handler) go to the DLQ at once.
          deadLetterQueueUrl: this.deadLetterQueue.queueUrl,
          latestStateTableName: this.latestStateTable?.tableName,
          archiveBucketName: props.archive?.bucket.bucketName,
        },
        environmentText,
      ),
    });
    Validations.of(this.processor).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'The processor is invoked only by its SQS event source mapping; a failed delivery returns to ' +
        "the queue and, after maxReceiveCount receives, moves to the queue's dead-letter queue.",
    });
    this.consumeQueue(props.batchSize, props.maxBatchingWindow, props.maxConcurrency);
    this.idempotencyTable.grant(this.processor, ...IDEMPOTENCY_TABLE_ACTIONS);
    this.grantTableKey();
    acknowledgeKeyWildcards(this.processor, this.encryptionKey);
    this.deadLetterQueue.grantSendMessages(this.processor);
    props.archive?.grantArchiveWrite(this.processor);
    if (this.latestStateTable !== undefined) {
      this.latestStateTable.grant(this.processor, ...LATEST_STATE_TABLE_ACTIONS);
      this.grantTableKey();
    }
  }

  private createDeadLetterQueue(): sqs.Queue {
    const queue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...queueEncryption(this.encryptionKey),
      enforceSSL: true,
      retentionPeriod: Duration.days(PROCESSOR_DEFAULTS.deadLetterRetentionDays),
      // ALLOW_ALL is what lets the console's "Start DLQ redrive" move messages back. BY_QUEUE naming
      // the main queue would need the main queue's ARN here while the main queue's redrive policy
      // needs this queue's ARN: a circular dependency.
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
    });
    Validations.of(queue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'This is the dead-letter queue; its messages wait here for inspection and redrive.',
    });
    return queue;
  }

  private createLatestStateTable(props: WebhookProcessingProps): dynamodb.Table {
    return new dynamodb.Table(this, 'LatestStateTable', {
      partitionKey: { name: LATEST_STATE_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: LATEST_STATE_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...tableEncryption(this.encryptionKey),
      removalPolicy: props.shared.removalPolicy,
    });
  }

  /** The event source grants the consume permissions itself (and kms:Decrypt on a customer key). */
  private consumeQueue(batchSize: number, maxBatchingWindow: Duration, maxConcurrency: number): void {
    this.processor.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize,
        maxBatchingWindow: maxBatchingWindow.toSeconds() > 0 ? maxBatchingWindow : undefined,
        maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    Validations.of(this.processor).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'SQS event source mappings take no on-failure destination (only stream and Kafka sources do); ' +
        "failed deliveries go to the queue's dead-letter queue through its redrive policy.",
    });
  }

  /**
   * Table.grant with explicit actions grants nothing on the table's key; these are the key actions
   * CDK's own read and write grants add for a customer-managed key.
   */
  private grantTableKey(): void {
    this.encryptionKey?.grant(this.processor, ...TABLE_KEY_ACTIONS);
  }
}
