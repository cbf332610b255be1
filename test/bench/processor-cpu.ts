import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { app } from '../../lambdas/app';
import { parseSmartcarEvent } from '../../lambdas/sdk/events/parse-event';
import { logger } from '../../lambdas/runtime/logger';
import { powertoolsMetrics } from '../../lambdas/runtime/metrics';
import { lambdaContext, processorHarness, sqsRecord, vehicleStateOfSize } from '../../local/kit';
import { swallowLogLines } from './receiver-cpu';
import { median, msSince, round, type Summary, summarize } from './stats';

/** How to measure the processor against its floor. */
export interface ProcessorCpuOptions {
  /** Body size of each record in bytes. */
  bodyBytes: number;
  /** Records per invocation (SQS batch). */
  batchSize: number;
  /** Measured runs; each reports its own p50/p99. */
  runs: number;
  /** Invocations (and as many floor batches) per run. */
  iterations: number;
  /** Unmeasured invocations first, so the JIT, zod and the SDK mocks are warm. */
  warmup: number;
  /** Distinct batches cycled through. @default 32 */
  poolSize?: number;
}

/** One run: processor invocation and floor sampled side by side, ms per batch. */
export interface ProcessorCpuRun {
  processorMs: Summary;
  floorMs: Summary;
  /** processor p50 / floor p50 of this run. */
  ratioP50: number;
}

/** What {@link measureProcessorCpu} reports; the top-level figures are medians over the runs. */
export interface ProcessorCpuResult {
  bodyBytes: number;
  batchSize: number;
  /** ms per invocation (batch). */
  processorP50Ms: number;
  processorP99Ms: number;
  floorP50Ms: number;
  floorP99Ms: number;
  /** processorP50Ms / batchSize. */
  processorPerRecordP50Ms: number;
  /** Median over runs of processor p50 / floor p50. */
  ratioP50: number;
  /** Median over runs of processor p99 / floor p99. */
  ratioP99: number;
  /** Log and EMF bytes the processor wrote per record. */
  logBytesPerRecord: number;
  runs: ProcessorCpuRun[];
}

const TABLE_NAME = 'bench-idempotency';

/**
 * The processor's own cost per invocation, in process: the Lambda entry's steps (logger context,
 * the kit's processor harness, i.e. `processPartialResponse` over Powertools' BatchProcessor with
 * records in parallel as by default, metrics flush) around `createEventProcessor` with the real app
 * handlers and the real Powertools DynamoDBPersistenceLayer, its DynamoDB client mocked at `send` (aws-sdk-client-mock: PutItem and
 * UpdateItem resolve at once, so the SDK's serialization and HTTP are not included). The
 * latest-state store is off and no dead-letter sender is set (every record is valid). Next to it,
 * the floor: `JSON.parse` + `parseSmartcarEvent` (zod) of the same bodies. Processor and floor
 * alternate which goes first, batch by batch.
 */
export async function measureProcessorCpu(options: ProcessorCpuOptions): Promise<ProcessorCpuResult> {
  const dynamodbMock = mockClient(DynamoDBClient);
  dynamodbMock.on(PutItemCommand).resolves({});
  dynamodbMock.on(UpdateItemCommand).resolves({});
  const sink = swallowLogLines();
  try {
    const context = lambdaContext();
    const processor = processorHarness({
      app,
      logger,
      metrics: powertoolsMetrics,
      tableName: TABLE_NAME,
      context,
    });
    const poolSize = options.poolSize ?? 32;
    const batches: SQSRecord[][] = Array.from({ length: poolSize }, () =>
      Array.from({ length: options.batchSize }, () => sqsRecord(vehicleStateOfSize(options.bodyBytes))),
    );
    let failures = 0;
    const invoke = async (records: SQSRecord[]): Promise<number> => {
      const start = process.hrtime.bigint();
      logger.addContext(context);
      try {
        const response = await processor.processBatch(records);
        failures += response.batchItemFailures.length;
      } finally {
        powertoolsMetrics.flush();
      }
      return msSince(start);
    };
    let floorSink = 0;
    const floor = (records: SQSRecord[]): number => {
      const start = process.hrtime.bigint();
      for (const record of records) {
        const result = parseSmartcarEvent(JSON.parse(record.body));
        // Keeps the results alive, so the work cannot be optimized away.
        floorSink += result.success ? 1 : 0;
      }
      return msSince(start);
    };
    const batchAt = (i: number) => batches[i % batches.length] as SQSRecord[];

    for (let i = 0; i < options.warmup; i++) {
      await invoke(batchAt(i));
      floor(batchAt(i));
    }
    sink.reset();
    const runs: ProcessorCpuRun[] = [];
    for (let run = 0; run < options.runs; run++) {
      const processorSamples: number[] = [];
      const floorSamples: number[] = [];
      for (let i = 0; i < options.iterations; i++) {
        const records = batchAt(run * options.iterations + i);
        if (i % 2 === 0) {
          processorSamples.push(await invoke(records));
          floorSamples.push(floor(records));
        } else {
          floorSamples.push(floor(records));
          processorSamples.push(await invoke(records));
        }
      }
      const processorMs = summarize(processorSamples, 4);
      const floorMs = summarize(floorSamples, 4);
      runs.push({ processorMs, floorMs, ratioP50: round(processorMs.p50 / floorMs.p50, 2) });
    }
    if (failures > 0) throw new Error(`the processor failed ${failures} records`);
    if (floorSink === 0) throw new Error('the floor did no work');
    const expectedCalls = (options.warmup + options.runs * options.iterations) * options.batchSize;
    const puts = dynamodbMock.commandCalls(PutItemCommand).length;
    const updates = dynamodbMock.commandCalls(UpdateItemCommand).length;
    if (puts !== expectedCalls || updates !== expectedCalls)
      throw new Error(`expected ${expectedCalls} PutItem and UpdateItem, got ${puts} and ${updates}`);
    const processorP50Ms = median(runs.map((r) => r.processorMs.p50));
    const measuredRecords = options.runs * options.iterations * options.batchSize;
    return {
      bodyBytes: (batches[0]?.[0] as SQSRecord).body.length,
      batchSize: options.batchSize,
      processorP50Ms,
      processorP99Ms: median(runs.map((r) => r.processorMs.p99)),
      floorP50Ms: median(runs.map((r) => r.floorMs.p50)),
      floorP99Ms: median(runs.map((r) => r.floorMs.p99)),
      processorPerRecordP50Ms: round(processorP50Ms / options.batchSize, 4),
      ratioP50: median(runs.map((r) => r.ratioP50)),
      ratioP99: round(median(runs.map((r) => r.processorMs.p99 / r.floorMs.p99)), 2),
      logBytesPerRecord: Math.round(sink.bytes() / measuredRecords),
      runs,
    };
  } finally {
    sink.restore();
    dynamodbMock.restore();
  }
}
