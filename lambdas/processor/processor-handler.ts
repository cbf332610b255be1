import { IDEMPOTENCY_TABLE, LOG_MESSAGES, METRICS } from '../contract';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type ArchiveWriter, createArchiveWriter } from './archive';
import { readProcessorConfig } from '../runtime/config';
import { ConfigurationError } from '../runtime/errors';
import { createLatestStateStore } from '../latest-state';
import type { Logger } from '@aws-lambda-powertools/logger';
import { logger } from '../runtime/logger';
import { type MetricsRecorder, powertoolsMetrics } from '../runtime/metrics';
import { traced } from '../runtime/tracing';
import type { WebhookApp } from '../sdk';
import { createDeadLetterSender } from './dead-letter';
import { createEventProcessor, type EventProcessor } from './event-processor';

/** The processor's Lambda handler: an SQS batch in, the failed records out. */
export type ProcessorHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * The processor's SQS entry point for `app`, configured from the environment the construct wrote.
 * Call it once, at module load, as a cold start does: it reads the configuration and creates the
 * clients then, so a missing variable fails the first invocation loudly instead of every record.
 *
 * ```ts
 * import { app } from './my-app';
 * export const handler = createProcessorHandler(app);
 * ```
 * @throws ConfigurationError when `app` is not a WebhookApp or a variable is missing or invalid
 */
export function createProcessorHandler(app: WebhookApp): ProcessorHandler {
  // The construct's appEntry is bundled unchecked by esbuild, which turns a missing export into
  // undefined; say which export is missing instead of failing on the first record.
  if (typeof (app as Partial<WebhookApp> | undefined)?.dispatch !== 'function') {
    throw new ConfigurationError(
      'The app module must export `app`, a WebhookApp: `export const app = new WebhookApp().onVehicleState(…)`. ' +
        "Check the construct's appEntry.",
    );
  }
  const config = readProcessorConfig(process.env);
  const dynamodb = traced(new DynamoDBClient({}), config.traceEnabled);
  const eventProcessor = createEventProcessor({
    app,
    logger,
    metrics: powertoolsMetrics,
    expirySeconds: config.idempotencyExpirySeconds,
    persistenceStore: idempotencyStore(dynamodb, config.idempotencyTableName),
    latestState:
      config.latestStateTableName === undefined
        ? undefined
        : createLatestStateStore({ client: dynamodb, tableName: config.latestStateTableName }),
    deadLetter:
      config.deadLetterQueueUrl === undefined
        ? undefined
        : createDeadLetterSender({
            // Only an unprocessable record needs it: SQS's module is not even loaded until then.
            client: () => traced(createSqsClient(), config.traceEnabled),
            queueUrl: config.deadLetterQueueUrl,
          }),
  });

  const archive =
    config.archiveBucketName === undefined
      ? undefined
      : createArchiveWriter({
          client: traced(createS3Client(), config.traceEnabled),
          bucket: config.archiveBucketName,
        });

  const processBatch = createBatchStep({ eventProcessor, archive, logger, metrics: powertoolsMetrics });
  return async (event, context) => {
    logger.addContext(context);
    try {
      return await processBatch(event, context);
    } finally {
      powertoolsMetrics.flush();
    }
  };
}

// Required where they are made, so a processor that never writes to them never evaluates their
// modules at a cold start (each client costs 60-85 ms of `require`, BENCHMARKS.md).
function createSqsClient(): SQSClient {
  type SqsModule = typeof import('@aws-sdk/client-sqs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on the first unprocessable record only
  const { SQSClient: SQSClientClass } = require('@aws-sdk/client-sqs') as SqsModule;
  return new SQSClientClass({});
}

function createS3Client(): S3Client {
  type S3Sdk = typeof import('./s3-archive-sdk');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when the archive is on; see ./s3-archive-sdk.ts
  const { S3Client: S3ClientClass } = require('./s3-archive-sdk') as S3Sdk;
  return new S3ClientClass({});
}

/** Powertools' DynamoDB persistence layer over the contract's idempotency table schema. */
export function idempotencyStore(client: DynamoDBClient, tableName: string): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({
    tableName,
    keyAttr: IDEMPOTENCY_TABLE.partitionKey,
    expiryAttr: IDEMPOTENCY_TABLE.expiryAttribute,
    awsSdkV3Client: client,
  });
}

/** What {@link createBatchStep} runs a batch with. */
export interface BatchStepParts {
  eventProcessor: EventProcessor;
  /** Undefined: the archive is off. */
  archive?: ArchiveWriter;
  logger: Logger;
  metrics: MetricsRecorder;
}

/**
 * One invocation's work: archive the batch first (when on), then process its records through
 * Powertools' BatchProcessor, failures reported record by record. The Lambda entry and the test
 * kit's harness both run this.
 */
export function createBatchStep(parts: BatchStepParts): ProcessorHandler {
  const batch = new BatchProcessor(EventType.SQS);
  return async (event, context) => {
    parts.eventProcessor.registerLambdaContext(context);
    if (parts.archive !== undefined && !(await archiveBatch(parts, event))) {
      return { batchItemFailures: event.Records.map(({ messageId }) => ({ itemIdentifier: messageId })) };
    }
    // A batch whose every record failed is still reported record by record, not thrown, so the
    // event source mapping treats it exactly like a partial failure.
    return processPartialResponse(event, parts.eventProcessor.recordHandler, batch, {
      context,
      throwOnFullBatchFailure: false,
    });
  };
}

/**
 * Archives the batch before anything of it is processed, so no record leaves the queue unarchived:
 * false when the archive could not be written, and every record must then fail and be retried.
 */
async function archiveBatch(
  { archive, logger: log, metrics }: BatchStepParts,
  event: SQSEvent,
): Promise<boolean> {
  try {
    const { records } = (await archive?.archive(event.Records)) ?? { records: 0 };
    if (records > 0) metrics.count(METRICS.eventsArchived, undefined, records);
    return true;
  } catch (error) {
    metrics.count(METRICS.archiveWriteFailures);
    log.error(LOG_MESSAGES.archiveWriteFailed, {
      records: event.Records.length,
      error: error instanceof Error ? error.message : String(error),
    });
    return false;
  }
}
