import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { gunzipSync } from 'node:zlib';
import { createArchiveWriter } from '../../lambdas/processor/archive';
import { readSelection, listArchiveObjects } from '../../local/archive/archive-reader';
import { replayRecords } from '../../local/archive/replay';
import type { ArchiveSelection } from '../../local/archive/selection';
import { LOCAL_AWS } from '../../local/local-aws';
import { sqsRecord, vehicleErrorEvent, vehicleStateEvent } from '../support/builders';
import { type LocalSqsProcess, startLocalSqsProcess } from './support/local-sqs';

/**
 * The archive's semantics against a real S3 implementation (fauxqs): the layout the processor
 * writes, listing it by prefix, gzip, selecting by time, type, vehicle and event, and putting
 * deliveries back on a queue byte for byte.
 */

const BUCKET = 'smartcar-archive';
/** 2026-12-01T21:00:00Z */
const T0 = Date.UTC(2026, 11, 1, 21);
const MINUTE = 60_000;

let sqs: LocalSqsProcess;
let s3: S3Client;
let queue: SQSClient;

function queued(document: Record<string, unknown>, sentAt: number): SQSRecord {
  const record = sqsRecord(JSON.stringify(document));
  record.attributes.SentTimestamp = String(sentAt);
  return record;
}

const everything = (): ArchiveSelection => ({
  sinceMs: T0 - 24 * 60 * MINUTE,
  untilMs: T0 + 24 * 60 * MINUTE,
});

beforeAll(async () => {
  sqs = await startLocalSqsProcess();
  const config = { region: LOCAL_AWS.region, endpoint: sqs.endpoint, credentials: LOCAL_AWS.credentials };
  // A local endpoint has no bucket subdomains: path-style addressing.
  s3 = new S3Client({ ...config, forcePathStyle: true });
  queue = new SQSClient(config);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 120_000);

afterAll(async () => {
  s3?.destroy();
  queue?.destroy();
  await sqs?.stop();
});

describe('the archive on S3 (fauxqs)', () => {
  const writer = () => createArchiveWriter({ client: s3, bucket: BUCKET });
  const location = () => ({ client: s3, bucket: BUCKET });

  const state = vehicleStateEvent();
  const otherVehicle = vehicleStateEvent({
    data: { ...(vehicleStateEvent().data as object), vehicle: { id: 'vehicle-2', make: 'TESLA' } },
  });
  const error = vehicleErrorEvent();
  const nextHour = vehicleStateEvent();

  beforeAll(async () => {
    await writer().archive([queued(state, T0 + 5 * MINUTE), queued(error, T0 + 6 * MINUTE)]);
    await writer().archive([queued(otherVehicle, T0 + 7 * MINUTE)]);
    await writer().archive([queued(nextHour, T0 + 65 * MINUTE)]);
    // Smartcar retried the first event: a second copy, later.
    await writer().archive([queued(state, T0 + 9 * MINUTE)]);
  });

  it('stores gzip JSON Lines under date, hour and kind, keys that sort by time', async () => {
    const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'events/' }));
    const keys = Contents.map((object) => String(object.Key)).sort();
    const first = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: keys[0] }));
    const lines = gunzipSync(
      await (first.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    )
      .toString('utf8')
      .trimEnd()
      .split('\n');

    expect(keys.map((key) => key.split('/').slice(1, 4).join('/'))).toEqual([
      'dt=2026-12-01/hour=21/kind=VEHICLE_ERROR',
      'dt=2026-12-01/hour=21/kind=VEHICLE_STATE',
      'dt=2026-12-01/hour=21/kind=VEHICLE_STATE',
      'dt=2026-12-01/hour=21/kind=VEHICLE_STATE',
      'dt=2026-12-01/hour=22/kind=VEHICLE_STATE',
    ]);
    expect(lines.map((line) => (JSON.parse(line) as { event_type: string }).event_type)).toEqual([
      'VEHICLE_ERROR',
    ]);
  });

  it('lists the objects of a time range from the layout, oldest first', async () => {
    const keys = await listArchiveObjects(location(), {
      sinceMs: T0 + 60 * MINUTE,
      untilMs: T0 + 120 * MINUTE,
    });

    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/hour=22\/kind=VEHICLE_STATE\/20261201T220500000Z-/);
  });

  it('selects every delivery once, the earliest copy of an event archived twice', async () => {
    const records = await readSelection(location(), everything());

    expect(records.map((record) => record.event_id)).toEqual([
      state.eventId,
      error.eventId,
      otherVehicle.eventId,
      nextHour.eventId,
    ]);
    expect(records[0]?.received_at).toBe('2026-12-01T21:05:00.000Z');
  });

  it.each([
    [
      'a time range',
      { sinceMs: T0 + 6 * MINUTE, untilMs: T0 + 8 * MINUTE },
      () => [error.eventId, otherVehicle.eventId],
    ],
    ['a type', { ...everything(), eventType: 'VEHICLE_ERROR' }, () => [error.eventId]],
    ['a vehicle', { ...everything(), vehicleId: 'vehicle-2' }, () => [otherVehicle.eventId]],
    ['an event id', { ...everything(), eventId: String(nextHour.eventId) }, () => [nextHour.eventId]],
  ])('selects exactly by %s', async (_label, selection: ArchiveSelection, expected) => {
    const records = await readSelection(location(), selection);

    expect(records.map((record) => record.event_id)).toEqual(expected());
  });

  it('puts deliveries back on a queue byte for byte, marked with the replay', async () => {
    const records = await readSelection(location(), { ...everything(), eventType: 'VEHICLE_ERROR' });
    const queueUrl = sqs.queue.url;

    const result = await replayRecords(records, {
      client: queue,
      queueUrl,
      replayId: 'replay-1',
      reprocess: true,
    });
    const { Messages = [] } = await queue.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );

    expect(result).toMatchObject({ sent: 1, failed: 0, total: 1 });
    expect(Messages.map((message) => message.Body)).toEqual([records[0]?.body]);
    expect(Messages[0]?.MessageAttributes).toMatchObject({
      eventKey: { StringValue: error.eventId },
      eventType: { StringValue: 'VEHICLE_ERROR' },
      replayId: { StringValue: 'replay-1' },
      replayReprocess: { StringValue: 'true' },
    });
  });
});
