import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { type ArchiveRecord, ENV_VARS, METRICS } from '../../lambdas/contract';
import { createProcessorHandler, type ProcessorHandler } from '../../lambdas/processor/processor-handler';
import { readSelection } from '../../local/archive/archive-reader';
import { LOCAL_AWS } from '../../local/local-aws';
import { captureOutput, lambdaContext, sqsRecord, vehicleStateEvent, verifyEvent } from '../support/builders';
import { appWith, fakeHandlers, type MockedHandlers } from '../support/handlers';
import { type LocalDynamoDb, startDynalite } from './support/dynalite';
import { useLocalLambdaEnvironment } from './support/lambda-env';
import { type LocalSqsProcess, startLocalSqsProcess } from './support/local-sqs';

/**
 * The processor's archive step with the real SDK against fauxqs's S3 and dynalite: the handler
 * reads the bucket from ARCHIVE_BUCKET_NAME and the endpoints from AWS_ENDPOINT_URL_*, as it does
 * in Lambda, so the invariant "nothing leaves the queue unarchived" is checked end to end.
 */

let sqs: LocalSqsProcess;
let db: LocalDynamoDb;
let s3: S3Client;
let handlers: MockedHandlers;
let restoreEnvironment = (): void => undefined;

beforeAll(async () => {
  [sqs, db] = await Promise.all([startLocalSqsProcess(), startDynalite()]);
  s3 = new S3Client({
    region: LOCAL_AWS.region,
    endpoint: sqs.endpoint,
    credentials: LOCAL_AWS.credentials,
    forcePathStyle: true,
  });
  restoreEnvironment = useLocalLambdaEnvironment(
    { s3: sqs.endpoint, sqs: sqs.endpoint, dynamodb: db.endpoint },
    { [ENV_VARS.deadLetterQueueUrl]: sqs.deadLetterQueue.url },
  );
}, 120_000);

afterAll(async () => {
  restoreEnvironment();
  s3?.destroy();
  await Promise.all([sqs?.stop(), db?.stop()]);
});

beforeEach(() => {
  handlers = fakeHandlers();
});

/** A cold start with a fresh idempotency table and archive bucket (created unless `bucketExists` is false). */
async function coldStart({ bucketExists = true } = {}): Promise<{
  handler: ProcessorHandler;
  bucket: string;
}> {
  const tableName = `idempotency-${randomUUID()}`;
  const bucket = `archive-${randomUUID()}`;
  await db.createIdempotencyTable(tableName);
  if (bucketExists) await createBucket(bucket);
  process.env[ENV_VARS.idempotencyTableName] = tableName;
  process.env[ENV_VARS.archiveBucketName] = bucket;
  return { handler: createProcessorHandler(appWith(handlers)), bucket };
}

async function createBucket(bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}

async function invoke(
  handler: ProcessorHandler,
  records: SQSRecord[],
): Promise<{ result: SQSBatchResponse; output: string }> {
  return captureOutput(() => handler({ Records: records }, lambdaContext()));
}

async function archived(bucket: string): Promise<ArchiveRecord[]> {
  const now = Date.now();
  return readSelection({ client: s3, bucket }, { sinceMs: now - 3_600_000, untilMs: now + 60_000 });
}

/** The values of one custom metric in the EMF documents of `output`. */
function emitted(output: string, metricName: string): number[] {
  return output
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((document) => metricName in document)
    .map((document) => Number(document[metricName]));
}

describe('processor: each batch is archived before it is processed (fauxqs S3, dynalite)', () => {
  it('has the delivery in the archive by the time its handler runs, with its receipt', async () => {
    const { handler, bucket } = await coldStart();
    const event = vehicleStateEvent();
    const seenInArchive: string[][] = [];
    handlers.onVehicleState.mockImplementation(async () => {
      seenInArchive.push((await archived(bucket)).map((line) => line.body));
    });
    const record = sqsRecord(JSON.stringify(event));
    record.messageAttributes.verifiedWith = { dataType: 'String', stringValue: 'current' };

    const { result, output } = await invoke(handler, [record]);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(seenInArchive).toEqual([[record.body]]);
    expect(await archived(bucket)).toEqual([
      expect.objectContaining({
        event_id: event.eventId,
        event_type: 'VEHICLE_STATE',
        verified_with: 'current',
        body: record.body,
      }),
    ]);
    expect(emitted(output, METRICS.eventsArchived)).toEqual([1]);
  });

  it('archives what the processor then ignores, parks or skips as a duplicate', async () => {
    const { handler, bucket } = await coldStart();
    const event = vehicleStateEvent();
    await invoke(handler, [sqsRecord(JSON.stringify(event))]);
    const unknownType = { ...vehicleStateEvent(), eventType: 'VEHICLE_TELEPATHY' };
    const batch = [
      sqsRecord(JSON.stringify(event)), // a redelivery of a completed event: a duplicate
      sqsRecord(JSON.stringify(verifyEvent())), // ignored
      sqsRecord(JSON.stringify(unknownType)), // parked in the DLQ
    ];

    const { result } = await invoke(handler, batch);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(handlers.onVehicleState).toHaveBeenCalledTimes(1);
    const bodies = (await archived(bucket)).map((line) => line.body);
    // The two copies of `event` are one delivery to a query: readSelection keeps the earliest.
    expect(bodies.sort()).toEqual([JSON.stringify(event), ...batch.slice(1).map((r) => r.body)].sort());
  });

  it('does not archive a replay again: the archive already holds it', async () => {
    const { handler, bucket } = await coldStart();
    const record = sqsRecord(JSON.stringify(vehicleStateEvent()));
    record.messageAttributes.replayId = { dataType: 'String', stringValue: 'replay-1' };

    const { result, output } = await invoke(handler, [record]);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(handlers.onVehicleState).toHaveBeenCalledTimes(1);
    expect(await archived(bucket)).toEqual([]);
    expect(emitted(output, METRICS.eventsArchived)).toEqual([]);
  });
});

describe('processor: an archive that cannot be written (fauxqs S3, dynalite)', () => {
  it('fails every record of the batch unprocessed, counts it and says why, without the payload', async () => {
    const { handler } = await coldStart({ bucketExists: false });
    const batch = [
      sqsRecord(JSON.stringify(vehicleStateEvent())),
      sqsRecord(JSON.stringify(vehicleStateEvent())),
    ];

    const { result, output } = await invoke(handler, batch);

    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(
      batch.map((record) => record.messageId).sort(),
    );
    expect(handlers.onVehicleState).not.toHaveBeenCalled();
    expect(emitted(output, METRICS.archiveWriteFailures)).toEqual([1]);
    expect(output).toMatch(/could not be archived.*NoSuchBucket/s);
    expect(output).not.toContain('5YJ3E1EA7KF000316'); // the builders' VIN
    expect(output).not.toContain('61.1111'); // and latitude
  });

  it('processes each event once when the retry finds the archive back', async () => {
    const { handler, bucket } = await coldStart({ bucketExists: false });
    const record = sqsRecord(JSON.stringify(vehicleStateEvent()));

    const first = await invoke(handler, [record]);
    await createBucket(bucket);
    const retried = { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: '2' } };
    const second = await invoke(handler, [retried]);
    const third = await invoke(handler, [retried]);

    expect(first.result.batchItemFailures).toHaveLength(1);
    expect(second.result).toEqual({ batchItemFailures: [] });
    expect(third.result).toEqual({ batchItemFailures: [] });
    expect(handlers.onVehicleState).toHaveBeenCalledTimes(1);
    expect((await archived(bucket)).map((line) => line.body)).toEqual([record.body]);
  });
});
