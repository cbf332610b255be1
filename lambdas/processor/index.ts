import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { IDEMPOTENCY_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { eventHandlers } from '../app';
import { readProcessorConfig } from '../shared/config';
import { logger } from '../shared/logger';
import { powertoolsMetrics } from '../shared/metrics';
import { createEventProcessor } from './event-processor';

const config = readProcessorConfig(process.env);
const batch = new BatchProcessor(EventType.SQS);
const eventProcessor = createEventProcessor({
  handlers: eventHandlers,
  logger,
  metrics: powertoolsMetrics,
  expirySeconds: config.idempotencyExpirySeconds,
  persistenceStore: new DynamoDBPersistenceLayer({
    tableName: config.idempotencyTableName,
    keyAttr: IDEMPOTENCY_DEFAULTS.partitionKey,
    expiryAttr: IDEMPOTENCY_DEFAULTS.expiryAttribute,
  }),
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
