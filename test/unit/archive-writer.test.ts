import { gunzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ARCHIVE_COLUMNS } from '../../lambdas/contract';
import { ArchiveWriteError, createArchiveWriter, toArchiveRecord } from '../../lambdas/processor/archive';
import { legacyEvent, sqsRecord, vehicleErrorEvent, vehicleStateEvent } from '../support/builders';

const s3 = mockClient(S3Client);
const BUCKET = 'smartcar-archive-test';
/** 2026-12-01T21:30:15.123Z */
const SENT = Date.UTC(2026, 11, 1, 21, 30, 15, 123);

function queued(
  document: Record<string, unknown> | string,
  sentAt = SENT,
  attributes: Record<string, string> = {},
) {
  const record: SQSRecord = sqsRecord(typeof document === 'string' ? document : JSON.stringify(document));
  record.attributes.SentTimestamp = String(sentAt);
  for (const [name, value] of Object.entries(attributes)) {
    record.messageAttributes[name] = { dataType: 'String', stringValue: value };
  }
  return record;
}

/** Every object written: its key and its lines, parsed. */
function written(): { key: string; lines: Record<string, unknown>[]; contentType?: string }[] {
  return s3.commandCalls(PutObjectCommand).map((call) => {
    const { Key, Body, ContentType, Bucket } = call.args[0].input;
    expect(Bucket).toBe(BUCKET);
    const text = gunzipSync(Body as Uint8Array).toString('utf8');
    return {
      key: String(Key),
      contentType: ContentType,
      lines: text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    };
  });
}

const writer = () => createArchiveWriter({ client: new S3Client({ region: 'eu-west-1' }), bucket: BUCKET });

beforeEach(() => {
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
});

afterAll(() => s3.restore());

describe('archive writer', () => {
  it('writes a batch of one type and hour as one gzip JSON Lines object under its partition, keyed by time', async () => {
    const records = [queued(vehicleStateEvent()), queued(vehicleStateEvent(), SENT + 5)];

    const receipt = await writer().archive(records);

    const [object] = written();
    expect(written()).toHaveLength(1);
    expect(object?.key).toMatch(
      /^events\/dt=2026-12-01\/hour=21\/kind=VEHICLE_STATE\/20261201T213015123Z-[0-9a-f-]{36}\.jsonl\.gz$/,
    );
    expect(object?.contentType).toBe('application/gzip');
    expect(object?.lines).toHaveLength(2);
    expect(receipt).toEqual({ keys: [object?.key], records: 2 });
  });

  it('keeps each delivery as it arrived, with its receipt', async () => {
    const event = vehicleStateEvent();
    const record = queued(event, SENT, { verifiedWith: 'previous' });

    await writer().archive([record]);

    expect(written()[0]?.lines[0]).toEqual({
      received_at: '2026-12-01T21:30:15.123Z',
      event_key: event.eventId,
      event_id: event.eventId,
      event_type: 'VEHICLE_STATE',
      delivery_id: (event.meta as { deliveryId: string }).deliveryId,
      vehicle_id: (event.data as { vehicle: { id: string } }).vehicle.id,
      mode: 'LIVE',
      verified_with: 'previous',
      body: record.body,
    });
  });

  it('writes one object per partition a batch touches: by event type and by hour', async () => {
    const nextHour = Date.UTC(2026, 11, 1, 22, 0, 0, 5);
    await writer().archive([
      queued(vehicleStateEvent()),
      queued(vehicleErrorEvent()),
      queued(vehicleStateEvent(), nextHour),
    ]);

    expect(
      written()
        .map(({ key, lines }) => `${key.split('/').slice(1, 4).join('/')} ${lines.length}`)
        .sort(),
    ).toEqual([
      'dt=2026-12-01/hour=21/kind=VEHICLE_ERROR 1',
      'dt=2026-12-01/hour=21/kind=VEHICLE_STATE 1',
      'dt=2026-12-01/hour=22/kind=VEHICLE_STATE 1',
    ]);
  });

  it.each([
    [
      'an event type this version does not know',
      JSON.stringify(vehicleStateEvent({ eventType: 'TRIP_COMPLETED' })),
    ],
    ['a body that is no JSON object', 'not json'],
  ])('archives %s under kind=other', async (_label, body) => {
    await writer().archive([queued(body)]);

    expect(written()[0]?.key).toContain('/kind=other/');
    expect(written()[0]?.lines[0]?.body).toBe(body);
  });

  it('keys a legacy event by its payload.eventId and keeps its lower-case mode', async () => {
    const event = legacyEvent();
    await writer().archive([queued(event)]);

    expect(written()[0]?.key).toContain('/kind=eventBased/');
    expect(written()[0]?.lines[0]).toMatchObject({
      event_key: (event.payload as { eventId: string }).eventId,
      event_id: (event.payload as { eventId: string }).eventId,
      mode: event.mode,
    });
  });

  it('keeps a body the receiver enqueued as base64 in base64, saying so', async () => {
    const body = JSON.stringify(vehicleStateEvent({ note: '\uFFFF' }));
    const record = queued(Buffer.from(body).toString('base64'), SENT, { bodyEncoding: 'base64' });

    await writer().archive([record]);

    expect(written()[0]?.lines[0]).toMatchObject({
      body: record.body,
      body_encoding: 'base64',
      event_type: 'VEHICLE_STATE',
    });
  });

  it('never writes over an earlier object, also for the same batch written twice', async () => {
    const records = [queued(vehicleStateEvent())];

    await writer().archive(records);
    await writer().archive(records);

    const keys = written().map((object) => object.key);
    expect(new Set(keys).size).toBe(2);
  });

  it('does not archive again what a replay put back on the queue', async () => {
    const receipt = await writer().archive([
      queued(vehicleStateEvent(), SENT, { replayId: 'replay-1' }),
      queued(vehicleStateEvent()),
    ]);

    expect(written()).toHaveLength(1);
    expect(written()[0]?.lines).toHaveLength(1);
    expect(receipt.records).toBe(1);
  });

  it('writes nothing for a batch of replays', async () => {
    await writer().archive([queued(vehicleStateEvent(), SENT, { replayId: 'replay-1' })]);

    expect(written()).toEqual([]);
  });

  it('fails the whole batch with an ArchiveWriteError naming the object when S3 refuses one', async () => {
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));

    await expect(writer().archive([queued(vehicleStateEvent())])).rejects.toThrow(ArchiveWriteError);
    await expect(writer().archive([queued(vehicleStateEvent())])).rejects.toThrow(
      /s3:\/\/smartcar-archive-test\/events\/dt=2026-12-01\/.*AccessDenied: Access Denied.*retried/,
    );
  });
});

describe('archive lines and the Glue table', () => {
  it('writes only fields the table has a column for, whatever the delivery holds', () => {
    const line = toArchiveRecord(
      queued(vehicleStateEvent(), SENT, { verifiedWith: 'previous', bodyEncoding: 'base64' }),
    );

    expect(ARCHIVE_COLUMNS).toEqual(expect.arrayContaining(Object.keys(line)));
  });
});
