import { IDEMPOTENCY_TABLE } from '../contract';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { app } from '../app';
import { readProcessorConfig } from '../runtime/config';
import { createLatestStateStore } from '../latest-state';
import { logger } from '../runtime/logger';
import { powertoolsMetrics } from '../runtime/metrics';
import { createDeadLetterSender } from './dead-letter';
import { createEventProcessor } from './event-processor';

const config = readProcessorConfig(process.env);
const dynamodb = new DynamoDBClient({});
const batch = new BatchProcessor(EventType.SQS);
const eventProcessor = createEventProcessor({
  app,
  logger,
  metrics: powertoolsMetrics,
  expirySeconds: config.idempotencyExpirySeconds,
  persistenceStore: new DynamoDBPersistenceLayer({
    tableName: config.idempotencyTableName,
    keyAttr: IDEMPOTENCY_TABLE.partitionKey,
    expiryAttr: IDEMPOTENCY_TABLE.expiryAttribute,
    awsSdkV3Client: dynamodb,
  }),
  latestState:
    config.latestStateTableName === undefined
      ? undefined
      : createLatestStateStore({ client: dynamodb, tableName: config.latestStateTableName }),
  deadLetter:
    config.deadLetterQueueUrl === undefined
      ? undefined
      : createDeadLetterSender({ client: new SQSClient({}), queueUrl: config.deadLetterQueueUrl }),
});

/** SQS event source entry point; failed records are reported individually (ReportBatchItemFailures). */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  eventProcessor.registerLambdaContext(context);
  try {
    // A batch whose every record failed is still reported record by record, not thrown, so the
    // event source mapping treats it exactly like a partial failure.
    return await processPartialResponse(event, eventProcessor.recordHandler, batch, {
      context,
      throwOnFullBatchFailure: false,
    });
  } finally {
    powertoolsMetrics.flush();
  }
};
