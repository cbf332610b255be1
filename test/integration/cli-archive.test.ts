import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { ENV_VARS } from '../../lambdas/contract';
import { createProcessorHandler, type ProcessorHandler } from '../../lambdas/processor/processor-handler';
import { runEvents } from '../../local/cli/events';
import type { CliIo } from '../../local/cli/io';
import { runReplay } from '../../local/cli/replay';
import { LOCAL_AWS } from '../../local/local-aws';
import {
  captureOutput,
  lambdaContext,
  sqsRecord,
  vehicleErrorEvent,
  vehicleStateEvent,
} from '../support/builders';
import { appWith, fakeHandlers, type MockedHandlers } from '../support/handlers';
import { type LocalDynamoDb, startDynalite } from './support/dynalite';
import { useLocalLambdaEnvironment } from './support/lambda-env';
import { type LocalSqsProcess, startLocalSqsProcess } from './support/local-sqs';

/**
 * `replay` and `events` against a real archive: the processor archives live deliveries to fauxqs's
 * S3 (dynalite for idempotency), the commands find it through the emulator's status page, select
 * from its partitioned layout and put deliveries back on fauxqs's queue, which the processor then
 * consumes again.
 */

const BUCKET = 'smartcar-webhooks-archive';
const MINUTE = 60_000;
const VIN = '5YJ3E1EA7KF000316'; // the builders' VIN

let sqs: LocalSqsProcess;
let db: LocalDynamoDb;
let s3: S3Client;
let queue: SQSClient;
let processor: ProcessorHandler;
let handlers: MockedHandlers;
let restoreEnvironment = (): void => undefined;

const vehicleA = 'vehicle-a';
const vehicleB = 'vehicle-b';
const stateOf = (vehicleId: string) =>
  vehicleStateEvent({
    data: { ...(vehicleStateEvent().data as object), vehicle: { id: vehicleId, make: 'POLESTAR' } },
  });
const recent = [stateOf(vehicleA), stateOf(vehicleB), vehicleErrorEvent()];
const old = stateOf(vehicleA);

/** The status page `npm start` serves, pointing at this test's fauxqs. */
function statusDocument() {
  return {
    sqs: {
      endpoint: sqs.endpoint,
      region: LOCAL_AWS.region,
      queueUrl: sqs.queue.url,
      queueArn: sqs.queue.arn,
      deadLetterQueueUrl: sqs.deadLetterQueue.url,
    },
    archive: { endpoint: sqs.endpoint, region: LOCAL_AWS.region, bucket: BUCKET, state: 'up', objects: 0 },
  };
}

function cliIo(): CliIo & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    env: {},
    sleep: async () => undefined,
    fetch: (async (input: unknown) => {
      if (!String(input).endsWith('/_local/status')) throw new Error(`unexpected fetch ${String(input)}`);
      return new Response(JSON.stringify(statusDocument()), { status: 200 });
    }) as typeof fetch,
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

/** A live delivery as the receiver enqueued it `minutesAgo`. */
function live(event: Record<string, unknown>, minutesAgo: number): SQSRecord {
  const record = sqsRecord(JSON.stringify(event));
  record.attributes.SentTimestamp = String(Date.now() - minutesAgo * MINUTE);
  record.messageAttributes.verifiedWith = { dataType: 'String', stringValue: 'current' };
  return record;
}

/** What `replay` put on the queue, as the event source hands it to the processor. */
async function drainQueue(): Promise<SQSRecord[]> {
  const records: SQSRecord[] = [];
  for (;;) {
    const { Messages = [] } = await queue.send(
      new ReceiveMessageCommand({
        QueueUrl: sqs.queue.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return records;
    for (const message of Messages) {
      const record = sqsRecord(message.Body ?? '', { messageId: message.MessageId });
      for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
        record.messageAttributes[name] = {
          dataType: value.DataType ?? 'String',
          stringValue: value.StringValue,
        };
      }
      records.push(record);
    }
  }
}

async function consume(records: SQSRecord[]): Promise<void> {
  const { result } = await captureOutput(() => processor({ Records: records }, lambdaContext()));
  expect(result).toEqual({ batchItemFailures: [] });
}

async function run(command: typeof runReplay, args: string[]) {
  const io = cliIo();
  const code = await command(args, io);
  return { code, out: io.out(), err: io.err() };
}

beforeAll(async () => {
  [sqs, db] = await Promise.all([startLocalSqsProcess(), startDynalite()]);
  const config = { region: LOCAL_AWS.region, endpoint: sqs.endpoint, credentials: LOCAL_AWS.credentials };
  s3 = new S3Client({ ...config, forcePathStyle: true });
  queue = new SQSClient(config);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await db.createIdempotencyTable('cli-archive-idempotency');
  restoreEnvironment = useLocalLambdaEnvironment(
    { s3: sqs.endpoint, sqs: sqs.endpoint, dynamodb: db.endpoint },
    {
      [ENV_VARS.idempotencyTableName]: 'cli-archive-idempotency',
      [ENV_VARS.archiveBucketName]: BUCKET,
    },
  );
  handlers = fakeHandlers();
  processor = createProcessorHandler(
    appWith({
      onVehicleState: (...args) => handlers.onVehicleState(...args),
      onVehicleError: (...args) => handlers.onVehicleError(...args),
      onLegacyEvent: (...args) => handlers.onLegacyEvent(...args),
    }),
  );
  // The live traffic: processed once each, and so archived by the processor itself.
  await consume([live(old, 180)]);
  await consume(recent.map((event, index) => live(event, 30 - index)));
}, 120_000);

afterAll(async () => {
  restoreEnvironment();
  s3?.destroy();
  queue?.destroy();
  await Promise.all([sqs?.stop(), db?.stop()]);
});

beforeEach(async () => {
  await drainQueue();
  handlers.onVehicleState.mockClear();
  handlers.onVehicleError.mockClear();
});

describe('events: finding archived deliveries', () => {
  it('lists what the processor archived in the range, oldest first, with its receipt and no payload', async () => {
    const { code, out } = await run(runEvents, ['--since', '1h', '--json']);

    expect(code).toBe(0);
    const listed = JSON.parse(out) as { count: number; events: Record<string, unknown>[] };
    expect(listed.events.map((event) => event.eventId)).toEqual(recent.map((event) => event.eventId));
    expect(listed.events[0]).toMatchObject({
      eventType: 'VEHICLE_STATE',
      vehicleId: vehicleA,
      verifiedWith: 'current',
    });
    expect(out).not.toContain(VIN);
  });

  it.each([
    [
      ['--since', '4h'],
      [old, ...recent],
    ],
    [['--since', '4h', '--until', '2h'], [old]],
    [['--since', '1h', '--type', 'VEHICLE_ERROR'], [recent[2]]],
    [
      ['--since', '4h', '--vehicle', vehicleA],
      [old, recent[0]],
    ],
    [['--since', '1h', '--event-id', String(recent[1]?.eventId)], [recent[1]]],
  ])('selects exactly: %j', async (args, expected) => {
    const { out } = await run(runEvents, [...args, '--json']);

    const listed = JSON.parse(out) as { events: { eventId: string }[] };
    expect(listed.events.map((event) => event.eventId)).toEqual(expected.map((event) => event?.eventId));
  });

  it('prints one event with its VIN and locations masked, and unmasked on request', async () => {
    const id = String(recent[0]?.eventId);
    const masked = await run(runEvents, ['--show', id]);
    const unmasked = await run(runEvents, ['--show', id, '--unmask']);

    expect(masked.code).toBe(0);
    expect(masked.out).toContain(id);
    expect(masked.out).not.toContain(VIN);
    expect(masked.out).not.toContain('61.1111');
    expect(masked.out).toMatch(/masked; --unmask shows them/);
    expect(unmasked.out).toContain(VIN);
  });

  it('says where it looked when --show finds nothing', async () => {
    await expect(run(runEvents, ['--show', 'no-such-event'])).rejects.toMatchObject({
      name: 'CommandFailedError',
      message: expect.stringMatching(/No archived event no-such-event .*--since/),
    });
  });
});

describe('replay: putting archived deliveries back', () => {
  it('--dry-run lists what it would send and sends nothing', async () => {
    const { code, out } = await run(runReplay, ['--since', '1h', '--dry-run']);

    expect(code).toBe(0);
    for (const event of recent) expect(out).toContain(String(event.eventId));
    expect(out).toMatch(/Dry run: nothing sent/);
    expect(await drainQueue()).toEqual([]);
  });

  it('without --reprocess: puts the selection back marked as a replay, and the processor skips what it completed', async () => {
    const { code, out, err } = await run(runReplay, ['--since', '1h', '--json']);
    const replayed = await drainQueue();
    await consume(replayed);

    expect(code).toBe(0);
    const result = JSON.parse(out) as { replayId: string; sent: number; selected: number };
    expect(result).toMatchObject({ selected: 3, sent: 3, failed: 0, reprocess: false });
    expect(err).toMatch(/3 of 3 sent/);
    expect(replayed.map((record) => record.body).sort()).toEqual(
      recent.map((event) => JSON.stringify(event)).sort(),
    );
    for (const record of replayed) {
      expect(record.messageAttributes.replayId?.stringValue).toBe(result.replayId);
      expect(record.messageAttributes.replayReprocess).toBeUndefined();
    }
    expect(handlers.onVehicleState).not.toHaveBeenCalled();
    expect(handlers.onVehicleError).not.toHaveBeenCalled();
  });

  it('with --reprocess: the handlers run once more per event, however often the replay is delivered', async () => {
    const { out } = await run(runReplay, [
      '--since',
      '1h',
      '--type',
      'VEHICLE_STATE',
      '--reprocess',
      '--json',
    ]);
    const replayed = await drainQueue();
    await consume(replayed);
    await consume(replayed); // SQS delivering the replay again

    const { replayId } = JSON.parse(out) as { replayId: string };
    expect(replayed).toHaveLength(2);
    expect(handlers.onVehicleState).toHaveBeenCalledTimes(2);
    expect(handlers.onVehicleState.mock.calls.map(([, context]) => context.replay)).toEqual([
      { id: replayId, reprocess: true },
      { id: replayId, reprocess: true },
    ]);
  });

  it('does not archive the replayed deliveries a second time', async () => {
    await run(runReplay, ['--since', '1h', '--vehicle', vehicleB, '--reprocess']);
    await consume(await drainQueue());

    const { out } = await run(runEvents, ['--since', '1h', '--vehicle', vehicleB, '--json']);
    expect((JSON.parse(out) as { count: number }).count).toBe(1);
  });

  it('says so when nothing is selected', async () => {
    const { code, out } = await run(runReplay, ['--since', '1h', '--vehicle', 'nobody']);

    expect(code).toBe(0);
    expect(out).toMatch(/Nothing to replay/);
    expect(await drainQueue()).toEqual([]);
  });
});
