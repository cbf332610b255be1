import { IDEMPOTENCY_TABLE } from '../../lambdas/contract';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  DynamoDBClient,
  PutItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { IDEMPOTENCY_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import type { DeadLetterSender } from '../../lambdas/processor/dead-letter';
import { createEventProcessor } from '../../lambdas/processor/event-processor';
import type { WebhookApp } from '../../lambdas/sdk';
import type { LatestStateStore } from '../../lambdas/latest-state';
import type { MetricsRecorder } from '../../lambdas/runtime/metrics';
import { lambdaContext } from './builders';
import { recordingMetrics } from './metrics';

/** Name of the idempotency table the mocked client pretends to hold. */
export const IDEMPOTENCY_TABLE_NAME = 'smartcar-idempotency-test';

/**
 * A mocked DynamoDB client that accepts every idempotency call, reset before each test. Call at the
 * top level of a test file; tests override single commands with `stub.on(...)`.
 */
export function mockIdempotencyTable(): AwsClientStub<DynamoDBClient> {
  const stub = mockClient(DynamoDBClient);
  beforeEach(() => {
    stub.reset();
    stub.on(PutItemCommand).resolves({});
    stub.on(UpdateItemCommand).resolves({});
    stub.on(DeleteItemCommand).resolves({});
    stub.on(GetItemCommand).resolves({});
  });
  afterAll(() => stub.restore());
  return stub;
}

/** Options of {@link buildProcessor}. */
export interface ProcessorUnderTest {
  app: WebhookApp;
  metrics?: MetricsRecorder;
  now?: () => number;
  latestState?: LatestStateStore;
  deadLetter?: DeadLetterSender;
}

/**
 * createEventProcessor wired as lambdas/processor/index.ts wires it: the real Powertools
 * persistence layer over the (mocked) DynamoDB client, records run through BatchProcessor.
 */
export function buildProcessor(options: ProcessorUnderTest) {
  const eventProcessor = createEventProcessor({
    app: options.app,
    logger: new Logger({ serviceName: 'smartcar-processor-test' }),
    metrics: options.metrics ?? recordingMetrics(),
    now: options.now,
    expirySeconds: IDEMPOTENCY_DEFAULTS.expirySeconds,
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: IDEMPOTENCY_TABLE_NAME,
      keyAttr: IDEMPOTENCY_TABLE.partitionKey,
      expiryAttr: IDEMPOTENCY_TABLE.expiryAttribute,
      awsSdkV3Client: new DynamoDBClient({ region: 'us-east-1' }),
    }),
    latestState: options.latestState,
    deadLetter: options.deadLetter,
  });
  const batch = new BatchProcessor(EventType.SQS);
  const context = lambdaContext();
  eventProcessor.registerLambdaContext(context);
  return {
    /** One record, with its outcome. */
    recordHandler: eventProcessor.recordHandler,
    /** One invocation, as the Lambda entry runs it. */
    processBatch: (records: SQSRecord[]): Promise<SQSBatchResponse> =>
      processPartialResponse({ Records: records }, eventProcessor.recordHandler, batch, {
        context,
        throwOnFullBatchFailure: false,
      }),
  };
}

/** The idempotency key of every conditional PutItem sent so far, in order. */
export function keysWritten(stub: AwsClientStub<DynamoDBClient>): string[] {
  return stub.commandCalls(PutItemCommand).map((call) => {
    const key = call.args[0].input.Item?.[IDEMPOTENCY_TABLE.partitionKey]?.S;
    if (key === undefined) throw new Error('PutItem without a string partition key');
    return key;
  });
}

/** Powertools log lines are JSON objects, one a line. */
export function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
