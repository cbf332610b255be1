import { IDEMPOTENCY_TABLE, ENV_VARS } from '../../lambdas/contract';
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { EventHandlers } from '../support/handlers';
import { captureOutput, lambdaContext, legacyEvent, sqsRecord, vehicleStateEvent } from '../support/builders';
import { type LocalDynamoDb, startDynalite } from './support/dynalite';
import { useLocalLambdaEnvironment } from './support/lambda-env';

/**
 * The real processor entry (lambdas/processor/index.ts: Powertools batch + idempotency + the
 * DynamoDB persistence layer) against dynalite, a real DynamoDB implementation, so conditional
 * writes and consistent reads behave as in AWS. Only the application handlers are replaced, to
 * count how often they run.
 */

type EntryModule = typeof import('../../lambdas/processor');
type Entry = EntryModule['handler'];

const mockEventHandlers = {
  onVehicleState: jest.fn<Promise<void>, Parameters<EventHandlers['onVehicleState']>>(),
  onVehicleError: jest.fn<Promise<void>, Parameters<EventHandlers['onVehicleError']>>(),
  onLegacyEvent: jest.fn<Promise<void>, Parameters<EventHandlers['onLegacyEvent']>>(),
};
jest.mock('../../lambdas/app', () => ({ app: require('../support/handlers').appWith(mockEventHandlers) }));

const SEVEN_DAYS_SECONDS = 7 * 24 * 60 * 60;

let db: LocalDynamoDb;
let restoreEnvironment = (): void => undefined;

beforeAll(async () => {
  db = await startDynalite();
  restoreEnvironment = useLocalLambdaEnvironment({ dynamodb: db.endpoint });
});

afterAll(async () => {
  restoreEnvironment();
  await db?.stop();
});

beforeEach(() => {
  for (const handler of Object.values(mockEventHandlers)) {
    handler.mockReset();
    handler.mockResolvedValue(undefined);
  }
});

/** A fresh idempotency table, so each test scans only its own records. */
async function freshTable(): Promise<string> {
  const tableName = `idempotency-${randomUUID()}`;
  await db.createIdempotencyTable(tableName);
  return tableName;
}

/**
 * A cold start of lambdas/processor/index.ts against `tableName`: a new module instance, as each
 * concurrently running Lambda execution environment has its own.
 */
function coldStart(tableName: string): Entry {
  process.env[ENV_VARS.idempotencyTableName] = tableName;
  let handler: Entry | undefined;
  jest.isolateModules(() => {
    handler = (require('../../lambdas/processor') as EntryModule).handler;
  });
  if (handler === undefined) throw new Error('lambdas/processor/index did not load');
  return handler;
}

/** One invocation with a batch of records; log lines are kept out of the report. */
async function invoke(entry: Entry, records: SQSRecord[], remainingMs?: number): Promise<SQSBatchResponse> {
  const { result } = await captureOutput(() => entry({ Records: records }, lambdaContext(remainingMs)));
  return result;
}

/** A later delivery attempt of the same Smartcar event: new deliveryId, new SQS message. */
function redelivery(event: Record<string, unknown>): Record<string, unknown> {
  return { ...event, meta: { ...(event.meta as object), deliveryId: randomUUID(), deliveredAt: Date.now() } };
}

/** SQS handing the same message out again. */
function receivedAgain(record: SQSRecord): SQSRecord {
  const count = Number(record.attributes.ApproximateReceiveCount) + 1;
  return { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: String(count) } };
}

function failedIds(response: SQSBatchResponse): string[] {
  return response.batchItemFailures.map((failure) => failure.itemIdentifier);
}

/** A promise the test resolves when it wants a blocked handler to finish. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The archived delivery put back on the queue by `replay`, reprocessing or not. */
function replayed(event: Record<string, unknown>, replayId: string, reprocess: boolean): SQSRecord {
  const record = sqsRecord(JSON.stringify(event));
  record.messageAttributes.replayId = { dataType: 'String', stringValue: replayId };
  if (reprocess) record.messageAttributes.replayReprocess = { dataType: 'String', stringValue: 'true' };
  return record;
}

describe('processor: replays against DynamoDB (dynalite)', () => {
  it('skips a replay of an event whose processing completed: a catch-up never runs a handler twice', async () => {
    const entry = coldStart(await freshTable());
    const event = vehicleStateEvent();

    await invoke(entry, [sqsRecord(JSON.stringify(event))]);
    const replay = await invoke(entry, [replayed(event, 'replay-1', false)]);

    expect(replay).toEqual({ batchItemFailures: [] });
    expect(mockEventHandlers.onVehicleState).toHaveBeenCalledTimes(1);
  });

  it('runs the handler of a replay of an event that never completed, once', async () => {
    const entry = coldStart(await freshTable());
    const event = vehicleStateEvent();

    await invoke(entry, [replayed(event, 'replay-1', false)]);
    await invoke(entry, [replayed(event, 'replay-1', false)]);

    expect(mockEventHandlers.onVehicleState).toHaveBeenCalledTimes(1);
  });

  it('runs the handler again for a reprocessing replay, exactly once per replay run however often it is delivered', async () => {
    const entry = coldStart(await freshTable());
    const event = vehicleStateEvent();

    await invoke(entry, [sqsRecord(JSON.stringify(event))]);
    await invoke(entry, [replayed(event, 'replay-1', true)]);
    await invoke(entry, [replayed(event, 'replay-1', true)]);
    await invoke(entry, [replayed(event, 'replay-2', true)]);

    expect(mockEventHandlers.onVehicleState).toHaveBeenCalledTimes(3);
    expect(mockEventHandlers.onVehicleState.mock.calls.map(([, context]) => context.replay)).toEqual([
      undefined,
      { id: 'replay-1', reprocess: true },
      { id: 'replay-2', reprocess: true },
    ]);
  });

  it('leaves a live redelivery of a reprocessed event a duplicate of the original', async () => {
    const entry = coldStart(await freshTable());
    const event = vehicleStateEvent();

    await invoke(entry, [sqsRecord(JSON.stringify(event))]);
    await invoke(entry, [replayed(event, 'replay-1', true)]);
    await invoke(entry, [sqsRecord(JSON.stringify(redelivery(event)))]);

    expect(mockEventHandlers.onVehicleState).toHaveBeenCalledTimes(2);
  });
});

describe('processor idempotency against DynamoDB (dynalite)', () => {
  it('runs the handler once when the same eventId arrives in two batches, and acknowledges the duplicate', async () => {
    const entry = coldStart(await freshTable());
    const event = vehicleStateEvent();

    const first = await invoke(entry, [sqsRecord(JSON.stringify(event))]);
    const second = await invoke(entry, [sqsRecord(JSON.stringify(redelivery(event)))]);

    expect(first).toEqual({ batchItemFailures: [] });
    expect(second).toEqual({ batchItemFailures: [] });
    expect(mockEventHandlers.onVehicleState).toHaveBeenCalledTimes(1);
  });

  it('runs the handler once when a redelivery reaches another Lambda instance', async () => {
    const tableName = await freshTable();
    const event = vehicleStateEvent();

    await invoke(coldStart(tableName), [sqsRecord(JSON.stringify(event))]);
    const second = await invoke(coldStart(tableName), [sqsRecord(JSON.stringify(redelivery(event)))]);

    expect(second).toEqual({ batchItemFailures: [] });
    expect(mockEventHandlers.onVehicleState).toHaveBeenCalledTimes(1);
  });

  it('runs the handler once when the same eventId arrives twice in one batch; the loser is retried, then acknowledged', async () => {
    const entry = coldStart(await freshTable());
    const event = vehicleStateEvent();
    const twins = [sqsRecord(JSON.stringify(event)), sqsRecord(JSON.stringify(redelivery(event)))];
    mockEventHandlers.onVehicleState.mockImplementation(() => delay(100));

    // Records of a batch run in parallel: whichever copy reaches DynamoDB second finds the other's
    // lock (INPROGRESS) and is handed back to SQS; its redelivery then finds the event COMPLETED.
    const batch = await invoke(entry, twins);
    const loser = twins.find((record) => failedIds(batch).includes(record.messageId));
    const retry = loser && (await invoke(entry, [receivedAgain(loser)]));

    expect(batch.batchItemFailures).toHaveLength(1);
    expect(retry).toEqual({ batchItemFailures: [] });
    expect(mockEventHandlers.onVehicleState).toHaveBeenCalledTimes(1);
  });

  it('leaves no COMPLETED record when the handler fails, and the retry runs the handler and completes', async () => {
    const tableName = await freshTable();
    const entry = coldStart(tableName);
    const record = sqsRecord(JSON.stringify(vehicleStateEvent()));
    mockEventHandlers.onVehicleState.mockRejectedValueOnce(new Error('downstream unavailable'));

    const failed = await invoke(entry, [record]);
    const afterFailure = await db.scan(tableName);
    const retried = await invoke(entry, [receivedAgain(record)]);
    const afterRetry = await db.scan(tableName);

    expect(failedIds(failed)).toEqual([record.messageId]);
    expect(afterFailure).toEqual([]);
    expect(retried).toEqual({ batchItemFailures: [] });
    expect(mockEventHandlers.onVehicleState).toHaveBeenCalledTimes(2);
    expect(mockEventHandlers.onVehicleState).toHaveBeenLastCalledWith(
      expect.anything(),
      expect.objectContaining({ attempt: 2 }),
    );
    expect(afterRetry).toEqual([expect.objectContaining({ status: 'COMPLETED' })]);
  });

  it('runs the handler exactly once when 20 Lambda instances receive the same eventId at the same time', async () => {
    const tableName = await freshTable();
    const event = vehicleStateEvent();
    const entries = Array.from({ length: 20 }, () => coldStart(tableName));
    // Warm instances (SDK client initialised) reach DynamoDB within milliseconds of each other.
    await Promise.all(
      entries.map((entry) => invoke(entry, [sqsRecord(JSON.stringify(vehicleStateEvent()))])),
    );
    mockEventHandlers.onVehicleState.mockReset();
    // A handler that takes a moment, as real work does, so the invocations overlap.
    mockEventHandlers.onVehicleState.mockImplementation(() => delay(200));
    const records = entries.map(() => sqsRecord(JSON.stringify(redelivery(event))));

    const responses = await Promise.all(
      entries.map((entry, index) => invoke(entry, [records[index] as SQSRecord])),
    );
    const failed = records.filter((record) => responses.some((r) => failedIds(r).includes(record.messageId)));
    // Those reported as in progress come back from SQS; by then the event has completed.
    const retries = await Promise.all(
      failed.map((record, index) => invoke(entries[index] as Entry, [receivedAgain(record)])),
    );

    expect(mockEventHandlers.onVehicleState).toHaveBeenCalledTimes(1);
    // At least one instance met the lock, so the invocations really raced; the rest saw COMPLETED.
    expect(failed.length).toBeGreaterThan(0);
    expect(retries).toEqual(failed.map(() => ({ batchItemFailures: [] })));
    const items = await db.scan(tableName);
    expect(items).toHaveLength(entries.length + 1); // the warm-up events and this one
    expect(items.filter((item) => item.status !== 'COMPLETED')).toEqual([]);
  });

  it('reports the event for retry, without running the handler, while another invocation holds the lock', async () => {
    const tableName = await freshTable();
    const event = vehicleStateEvent();
    const slow = gate();
    const entered = gate();
    mockEventHandlers.onVehicleState.mockImplementationOnce(() => {
      entered.open();
      return slow.opened;
    });

    const holding = invoke(coldStart(tableName), [sqsRecord(JSON.stringify(event))], 30_000);
    // The handler runs only once its invocation holds the lock.
    await entered.opened;
    const copy = sqsRecord(JSON.stringify(redelivery(event)));
    const meanwhile = await invoke(coldStart(tableName), [copy]);
    slow.open();
    const held = await holding;

    expect(failedIds(meanwhile)).toEqual([copy.messageId]);
    expect(held).toEqual({ batchItemFailures: [] });
    expect(mockEventHandlers.onVehicleState).toHaveBeenCalledTimes(1);
  });

  it('takes over the event of an invocation that timed out while holding the lock', async () => {
    const tableName = await freshTable();
    const event = vehicleStateEvent();
    const stuck = gate();
    const entered = gate();
    mockEventHandlers.onVehicleState.mockImplementationOnce(() => {
      entered.open();
      return stuck.opened;
    });

    // The lock lives as long as the invocation had left: at most 50 ms from its start, so 100 ms
    // after its handler began (it holds the lock by then), however slow the machine, it has expired.
    const timedOut = invoke(coldStart(tableName), [sqsRecord(JSON.stringify(event))], 50);
    await entered.opened;
    await delay(100);
    const takeover = await invoke(coldStart(tableName), [
      sqsRecord(JSON.stringify(redelivery(event)), { receiveCount: 2 }),
    ]);
    const afterTakeover = await db.scan(tableName);
    stuck.open();
    await timedOut;

    expect(takeover).toEqual({ batchItemFailures: [] });
    expect(mockEventHandlers.onVehicleState).toHaveBeenCalledTimes(2);
    expect(afterTakeover).toEqual([expect.objectContaining({ status: 'COMPLETED' })]);
  });

  it('stores the record under the fixed key prefix with a TTL attribute 7 days ahead', async () => {
    const tableName = await freshTable();
    const before = Math.floor(Date.now() / 1000);

    await invoke(coldStart(tableName), [sqsRecord(JSON.stringify(vehicleStateEvent()))]);
    const items = await db.scan(tableName);

    const after = Math.ceil(Date.now() / 1000);
    expect(items).toHaveLength(1);
    const [item] = items;
    expect(item?.[IDEMPOTENCY_TABLE.partitionKey]).toEqual(
      expect.stringMatching(new RegExp(`^${IDEMPOTENCY_TABLE.keyPrefix}#`)),
    );
    expect(item?.status).toBe('COMPLETED');
    const expiry = Number(item?.[IDEMPOTENCY_TABLE.expiryAttribute]);
    expect(expiry).toBeGreaterThanOrEqual(before + SEVEN_DAYS_SECONDS);
    expect(expiry).toBeLessThanOrEqual(after + SEVEN_DAYS_SECONDS);
  });

  it('processes two legacy deliveries without payload.eventId whose bodies differ', async () => {
    const entry = coldStart(await freshTable());
    const scheduled = () => legacyEvent({ eventName: 'schedule', payload: { vehicles: [] } });

    const response = await invoke(entry, [
      sqsRecord(JSON.stringify(scheduled())),
      sqsRecord(JSON.stringify(scheduled())),
    ]);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(mockEventHandlers.onLegacyEvent).toHaveBeenCalledTimes(2);
  });

  it('processes the same legacy body without payload.eventId once', async () => {
    const entry = coldStart(await freshTable());
    const body = JSON.stringify(legacyEvent({ eventName: 'schedule', payload: { vehicles: [] } }));

    const first = await invoke(entry, [sqsRecord(body)]);
    const second = await invoke(entry, [sqsRecord(body)]);

    expect(first).toEqual({ batchItemFailures: [] });
    expect(second).toEqual({ batchItemFailures: [] });
    expect(mockEventHandlers.onLegacyEvent).toHaveBeenCalledTimes(1);
  });
});
