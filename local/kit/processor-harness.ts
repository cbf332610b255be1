import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { app as shippedApp } from '../../lambdas/app';
import { IDEMPOTENCY_TABLE, SERVICE_NAMES } from '../../lambdas/contract';
import type { LatestStateStore } from '../../lambdas/latest-state';
import type { DeadLetterSender } from '../../lambdas/processor/dead-letter';
import { createEventProcessor } from '../../lambdas/processor/event-processor';
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
  /** One invocation: the records through Powertools' BatchProcessor, failures reported one by one. */
  processBatch(records: SQSRecord[]): Promise<SQSBatchResponse>;
}

/**
 * `createEventProcessor` wired the way `lambdas/processor/index.ts` wires it: Powertools'
 * DynamoDB persistence layer keyed by the contract's table schema, the idempotency expiry of the
 * construct, and a batch that never throws on a full failure.
 */
export function processorHarness(options: ProcessorHarnessOptions = {}): ProcessorHarness {
  const eventProcessor = createEventProcessor({
    app: options.app ?? shippedApp,
    logger: options.logger ?? new Logger({ serviceName: SERVICE_NAMES.processor }),
    metrics: options.metrics ?? recordingMetrics(),
    now: options.now,
    expirySeconds: IDEMPOTENCY_DEFAULTS.expirySeconds,
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: options.tableName ?? IDEMPOTENCY_TABLE_NAME,
      keyAttr: IDEMPOTENCY_TABLE.partitionKey,
      expiryAttr: IDEMPOTENCY_TABLE.expiryAttribute,
      awsSdkV3Client: options.dynamodb ?? new DynamoDBClient({ region: LOCAL_AWS.region }),
    }),
    latestState: options.latestState,
    deadLetter: options.deadLetter,
  });
  const batch = new BatchProcessor(EventType.SQS);
  const context = options.context ?? lambdaContext();
  eventProcessor.registerLambdaContext(context);
  return {
    recordHandler: eventProcessor.recordHandler,
    processBatch: (records) =>
      processPartialResponse({ Records: records }, eventProcessor.recordHandler, batch, {
        context,
        throwOnFullBatchFailure: false,
      }),
  };
}
