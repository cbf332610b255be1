import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { app as shippedApp } from '../../lambdas/app';
import { SERVICE_NAMES } from '../../lambdas/contract';
import type { LatestStateStore } from '../../lambdas/latest-state';
import type { ArchiveWriter } from '../../lambdas/processor/archive';
import type { DeadLetterSender } from '../../lambdas/processor/dead-letter';
import { createEventProcessor } from '../../lambdas/processor/event-processor';
import { createBatchStep, idempotencyStore } from '../../lambdas/processor/processor-handler';
import { CompactLogFormatter } from '../../lambdas/runtime/logger';
import type { MetricsRecorder } from '../../lambdas/runtime/metrics';
import type { WebhookApp } from '../../lambdas/sdk';
import { IDEMPOTENCY_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { LOCAL_AWS } from '../local-aws';
import { lambdaContext } from './lambda-context';
import { recordingMetrics } from './metrics';

/** Name of the idempotency table the harness writes to unless told otherwise. */
export const IDEMPOTENCY_TABLE_NAME = 'smartcar-idempotency-test';

/** Options of {@link processorHarness}. */
export interface ProcessorHarnessOptions {
  /** @default the app that ships, lambdas/app */
  app?: WebhookApp;
  /** @default {@link recordingMetrics} */
  metrics?: MetricsRecorder;
  /** Milliseconds clock. @default Date.now */
  now?: () => number;
  latestState?: LatestStateStore;
  deadLetter?: DeadLetterSender;
  /** Archives each batch before it is processed, as with the construct's archive on. @default off */
  archive?: ArchiveWriter;
  /** The idempotency table's client: a local one, or one aws-sdk-client-mock intercepts. @default a new client */
  dynamodb?: DynamoDBClient;
  /** @default {@link IDEMPOTENCY_TABLE_NAME} */
  tableName?: string;
  /** @default a logger named like the deployed processor */
  logger?: Logger;
  /** The invocation's context; its deadline bounds the idempotency locks. @default 30 s from now */
  context?: Context;
}

/** The processor as its Lambda entry runs it. */
export interface ProcessorHarness {
  /** One record, with its outcome. */
  recordHandler: ReturnType<typeof createEventProcessor>['recordHandler'];
  /** One invocation: archived first (when on), the records through Powertools' BatchProcessor, failures reported one by one. */
  processBatch(records: SQSRecord[]): Promise<SQSBatchResponse>;
}

/**
 * `createEventProcessor` and the batch step wired the way `createProcessorHandler` wires them:
 * Powertools' DynamoDB persistence layer keyed by the contract's table schema, the idempotency
 * expiry of the construct, and a batch that never throws on a full failure.
 */
export function processorHarness(options: ProcessorHarnessOptions = {}): ProcessorHarness {
  // The functions' own line format, so what a test reads is what CloudWatch would store.
  const logger =
    options.logger ??
    new Logger({ serviceName: SERVICE_NAMES.processor, logFormatter: new CompactLogFormatter() });
  const metrics = options.metrics ?? recordingMetrics();
  const eventProcessor = createEventProcessor({
    app: options.app ?? shippedApp,
    logger,
    metrics,
    now: options.now,
    expirySeconds: IDEMPOTENCY_DEFAULTS.expirySeconds,
    persistenceStore: idempotencyStore(
      options.dynamodb ?? new DynamoDBClient({ region: LOCAL_AWS.region }),
      options.tableName ?? IDEMPOTENCY_TABLE_NAME,
    ),
    latestState: options.latestState,
    deadLetter: options.deadLetter,
  });
  const step = createBatchStep({ eventProcessor, archive: options.archive, logger, metrics });
  const context = options.context ?? lambdaContext();
  eventProcessor.registerLambdaContext(context);
  return {
    recordHandler: eventProcessor.recordHandler,
    processBatch: (records) => step({ Records: records }, context),
  };
}
