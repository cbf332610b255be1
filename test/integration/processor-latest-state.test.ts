import { randomUUID } from 'node:crypto';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { SignalContext } from '../../lambdas/sdk';
import type { SignalBodies } from '../../lambdas/sdk/events/signal-bodies';
import type { SignalReading } from '../../lambdas/sdk/events/signals';
import { createLatestStateStore, latestStateTableInput, type SignalState } from '../../lambdas/latest-state';
import { ENV_VARS } from '../../lambdas/contract';
import { captureOutput, lambdaContext, sqsRecord, vehicleStateEvent } from '../support/builders';
import { type LocalDynamoDb, startDynalite } from './support/dynalite';
import { useLocalLambdaEnvironment } from './support/lambda-env';

/**
 * The real processor entry (lambdas/processor/index.ts) with the latest-state option on, against
 * dynalite: VEHICLE_STATE events of one vehicle delivered in many orders, one after the other and
 * all at once, must leave the newest value of every signal in the table, and a handler must learn
 * when its event arrived too late for a signal.
 */

type EntryModule = typeof import('../../lambdas/processor');
type AppModule = typeof import('../../lambdas/app');

const SOC = 'tractionbattery-stateofcharge';
const LOCATION = 'location-preciselocation';
const VIN_CODE = 'vehicleidentification-vin';
const IS_CHARGING = 'charge-ischarging';
const ODOMETER = 'odometer-traveleddistance';
const T0 = 1769937933000;
const EVENT_COUNT = 10;

/** What one state-of-charge handler call saw. */
interface Observation {
  eventId: string;
  attempt: number;
  value: number | undefined;
  isNewest: boolean;
}

/** One cold start of the processor, with a state-of-charge handler added to its `app`. */
interface Processor {
  invoke(records: SQSRecord[]): Promise<SQSBatchResponse>;
  observations: Observation[];
  /** Makes the next state-of-charge handler call throw. */
  failNextStateOfCharge(): void;
}

let db: LocalDynamoDb;
let restoreEnvironment = (): void => undefined;

beforeAll(async () => {
  db = await startDynalite();
  restoreEnvironment = useLocalLambdaEnvironment({ dynamodb: db.endpoint });
  delete process.env[ENV_VARS.deadLetterQueueUrl];
});

afterAll(async () => {
  restoreEnvironment();
  await db?.stop();
});

/** Fresh idempotency and latest-state tables, so every scenario starts empty. */
async function freshTables(): Promise<{ idempotency: string; latestState: string }> {
  const suffix = randomUUID();
  const tables = { idempotency: `idempotency-${suffix}`, latestState: `latest-state-${suffix}` };
  await db.createIdempotencyTable(tables.idempotency);
  await db.client.send(new CreateTableCommand(latestStateTableInput(tables.latestState)));
  return tables;
}

/**
 * A cold start of lambdas/processor/index.ts with the latest-state option on: a module instance of
 * its own, as each Lambda execution environment has. The observing handler is registered on that
 * instance's `app`, after the example handlers.
 */
function coldStart(tables: { idempotency: string; latestState: string }): Processor {
  process.env[ENV_VARS.idempotencyTableName] = tables.idempotency;
  process.env[ENV_VARS.latestStateTableName] = tables.latestState;
  const observations: Observation[] = [];
  let failNext = false;
  let handler: EntryModule['handler'] | undefined;
  jest.isolateModules(() => {
    const { app } = require('../../lambdas/app') as AppModule;
    app.onSignal(SOC, async (reading: SignalReading<SignalBodies[typeof SOC]>, context: SignalContext) => {
      observations.push({
        eventId: context.event.eventId,
        attempt: context.attempt,
        value: reading.ok ? reading.body.value : undefined,
        isNewest: context.isNewest(reading.code),
      });
      if (failNext) {
        failNext = false;
        throw new Error('notification service unavailable');
      }
    });
    handler = (require('../../lambdas/processor') as EntryModule).handler;
  });
  const entry = handler;
  if (entry === undefined) throw new Error('lambdas/processor/index did not load');
  return {
    observations,
    failNextStateOfCharge: () => {
      failNext = true;
    },
    async invoke(records) {
      const { result } = await captureOutput(() => entry({ Records: records }, lambdaContext()));
      return result;
    },
  };
}

/** mulberry32: a seeded generator, so a failing order can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** Per signal, the time of each event: event `i` observed it `rank[i]` seconds after T0. */
interface Ranks {
  stateOfCharge: number[];
  location: number[];
  vin: number[];
  isCharging: number[];
  odometer: number[];
  deliveredAt: number[];
}

/** One VEHICLE_STATE per index: the builder's signals plus two more, each with its own time. */
function stateEvent(vehicleId: string, index: number, ranks: Ranks): Record<string, unknown> {
  const event = vehicleStateEvent();
  const data = event.data as { vehicle: Record<string, unknown>; signals: Record<string, unknown>[] };
  const at = (rank: number[]) => T0 + (rank[index] ?? 0) * 1000;
  const signals = data.signals.map((signal) => {
    switch (signal.code) {
      case SOC:
        return {
          ...signal,
          body: { value: 10 + index * 8, unit: 'percent' },
          meta: { oemUpdatedAt: at(ranks.stateOfCharge), retrievedAt: T0 + 60_000 },
        };
      case LOCATION:
        return {
          ...signal,
          body: { latitude: 60 + index / 100, longitude: 23 + index / 100, locationType: 'CURRENT' },
          meta: { oemUpdatedAt: at(ranks.location), retrievedAt: T0 + 60_000 },
        };
      case VIN_CODE:
        // Static signal: oemUpdatedAt is 0, so retrievedAt orders it.
        return { ...signal, meta: { oemUpdatedAt: 0, retrievedAt: at(ranks.vin) } };
      default:
        return signal;
    }
  });
  signals.push(
    {
      code: IS_CHARGING,
      name: 'IsCharging',
      group: 'Charge',
      body: { value: index % 2 === 0 },
      meta: { oemUpdatedAt: at(ranks.isCharging), retrievedAt: T0 + 60_000 },
      status: { value: 'SUCCESS' },
    },
    {
      code: ODOMETER,
      name: 'TraveledDistance',
      group: 'Odometer',
      body: { value: 1000 + index, unit: 'km' },
      meta: { oemUpdatedAt: at(ranks.odometer), retrievedAt: T0 + 60_000 },
      status: { value: 'SUCCESS' },
    },
  );
  return {
    ...event,
    eventId: `event-${index}-${randomUUID()}`,
    data: { ...data, vehicle: { ...data.vehicle, id: vehicleId }, signals },
    meta: {
      ...(event.meta as object),
      deliveredAt: at(ranks.deliveredAt) + 120_000,
      signalCount: signals.length,
    },
  };
}

/** Ten events of one vehicle whose newest value of each signal comes from a different event. */
function scenario(seed: number): { vehicleId: string; events: Record<string, unknown>[] } {
  const random = seededRandom(seed);
  const indexes = Array.from({ length: EVENT_COUNT }, (_, index) => index);
  const ranks: Ranks = {
    stateOfCharge: shuffled(indexes, random),
    location: shuffled(indexes, random),
    vin: shuffled(indexes, random),
    isCharging: shuffled(indexes, random),
    odometer: shuffled(indexes, random),
    deliveredAt: shuffled(indexes, random),
  };
  const vehicleId = randomUUID();
  return { vehicleId, events: indexes.map((index) => stateEvent(vehicleId, index, ranks)) };
}

/** Event `index` of `vehicleId` with every signal observed, and the event delivered, `seconds` after T0. */
function eventAt(vehicleId: string, index: number, seconds: number): Record<string, unknown> {
  const at = Array.from({ length: EVENT_COUNT }, () => seconds);
  return stateEvent(vehicleId, index, {
    stateOfCharge: at,
    location: at,
    vin: at,
    isCharging: at,
    odometer: at,
    deliveredAt: at,
  });
}

type Signal = {
  code: string;
  body?: Record<string, unknown>;
  meta?: { oemUpdatedAt: number; retrievedAt: number };
  status?: { value: string; error?: { type: string; code: string } };
};

/** What the table must hold, computed from the events without the store: the newest report wins. */
function expectedState(
  events: readonly Record<string, unknown>[],
): Record<string, Omit<SignalState, 'updatedAt'>> {
  const values = new Map<string, { value: Record<string, unknown>; observedAt: number; eventId: string }>();
  const errors = new Map<string, { type: string; code: string; observedAt: number; eventId: string }>();
  for (const event of events) {
    const eventId = String(event.eventId);
    const deliveredAt = (event.meta as { deliveredAt: number }).deliveredAt;
    for (const signal of (event.data as { signals: Signal[] }).signals) {
      if (signal.status?.error !== undefined) {
        const current = errors.get(signal.code);
        if (current === undefined || deliveredAt > current.observedAt) {
          errors.set(signal.code, { ...signal.status.error, observedAt: deliveredAt, eventId });
        }
        continue;
      }
      const meta = signal.meta ?? { oemUpdatedAt: 0, retrievedAt: 0 };
      const observedAt = meta.oemUpdatedAt > 0 ? meta.oemUpdatedAt : meta.retrievedAt;
      const current = values.get(signal.code);
      if (current === undefined || observedAt > current.observedAt) {
        values.set(signal.code, { value: signal.body ?? {}, observedAt, eventId });
      }
    }
  }
  const expected: Record<string, Omit<SignalState, 'updatedAt'>> = {};
  for (const [code, value] of values) expected[code] = { status: 'SUCCESS', ...value };
  for (const [code, lastError] of errors) expected[code] = { status: 'ERROR', lastError };
  return expected;
}

async function storedState(
  tableName: string,
  vehicleId: string,
): Promise<Record<string, Omit<SignalState, 'updatedAt'>>> {
  const store = createLatestStateStore({ client: db.client, tableName });
  const state = await store.getVehicleState(vehicleId);
  return Object.fromEntries(
    Object.entries(state).map(([code, { updatedAt: _updatedAt, ...rest }]) => [code, rest]),
  );
}

function recordOf(event: Record<string, unknown>, receiveCount = 1): SQSRecord {
  return sqsRecord(JSON.stringify(event), { receiveCount });
}

describe('processor with the latest-state store on DynamoDB (dynalite)', () => {
  it('builds a scenario whose newest values come from several different events', () => {
    const { events } = scenario(1);
    const winners = new Set(
      Object.values(expectedState(events)).map((state) => state.eventId ?? state.lastError?.eventId),
    );

    expect(winners.size).toBeGreaterThan(2);
  });

  it.each([
    ['in delivery order', (events: Record<string, unknown>[]) => events],
    ['in reverse order', (events: Record<string, unknown>[]) => [...events].reverse()],
    ...[11, 12, 13, 14].map(
      (seed): [string, (events: Record<string, unknown>[]) => Record<string, unknown>[]] => [
        `in shuffled order ${seed}`,
        (events) => shuffled(events, seededRandom(seed)),
      ],
    ),
  ])(
    'ends with the newest value of every signal when ten events arrive one by one %s',
    async (_order, arrange) => {
      const tables = await freshTables();
      const processor = coldStart(tables);
      const { vehicleId, events } = scenario(42);

      for (const event of arrange(events)) {
        expect(await processor.invoke([recordOf(event)])).toEqual({ batchItemFailures: [] });
      }

      expect(await storedState(tables.latestState, vehicleId)).toEqual(expectedState(events));
    },
  );

  it.each([21, 22, 23])(
    'ends with the newest value of every signal when ten events arrive at once in parallel invocations (seed %i)',
    async (seed) => {
      const tables = await freshTables();
      const processors = Array.from({ length: 4 }, () => coldStart(tables));
      const { vehicleId, events } = scenario(seed);

      const responses = await Promise.all(
        shuffled(events, seededRandom(seed)).map((event, index) =>
          processors[index % processors.length]?.invoke([recordOf(event)]),
        ),
      );

      expect(responses).toEqual(events.map(() => ({ batchItemFailures: [] })));
      expect(await storedState(tables.latestState, vehicleId)).toEqual(expectedState(events));
    },
  );

  it('ends with the newest value of every signal when ten events arrive in one batch', async () => {
    const tables = await freshTables();
    const { vehicleId, events } = scenario(31);

    const response = await coldStart(tables).invoke(
      shuffled(events, seededRandom(31)).map((event) => recordOf(event)),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await storedState(tables.latestState, vehicleId)).toEqual(expectedState(events));
  });

  it('tells the handler of the newest event that its state of charge is the newest', async () => {
    const processor = coldStart(await freshTables());
    const { events } = scenario(42);
    const newest = events.find((event) => event.eventId === expectedState(events)[SOC]?.eventId);

    await processor.invoke([recordOf(newest ?? {})]);

    expect(processor.observations).toEqual([
      expect.objectContaining({ eventId: newest?.eventId, isNewest: true }),
    ]);
  });

  it('tells the handler of an older event that arrives late that its state of charge is not the newest', async () => {
    const processor = coldStart(await freshTables());
    const vehicleId = randomUUID();
    const newer = eventAt(vehicleId, 0, 5);
    const older = eventAt(vehicleId, 1, 1);

    await processor.invoke([recordOf(newer)]);
    await processor.invoke([recordOf(older)]);

    expect(processor.observations.map(({ eventId, isNewest }) => ({ eventId, isNewest }))).toEqual([
      { eventId: newer.eventId, isNewest: true },
      { eventId: older.eventId, isNewest: false },
    ]);
  });

  it('keeps the newer state of charge when an older event arrives late', async () => {
    const tables = await freshTables();
    const processor = coldStart(tables);
    const vehicleId = randomUUID();
    const newer = eventAt(vehicleId, 0, 5);
    const older = eventAt(vehicleId, 1, 1);

    await processor.invoke([recordOf(newer)]);
    await processor.invoke([recordOf(older)]);

    expect((await storedState(tables.latestState, vehicleId))[SOC]).toEqual({
      status: 'SUCCESS',
      value: { value: 10, unit: 'percent' },
      observedAt: T0 + 5000,
      eventId: newer.eventId,
    });
  });

  it('still tells the handler its state of charge is the newest when SQS retries the event after the handler failed', async () => {
    // The first attempt recorded the signals before its handler failed; the retry finds its own
    // report in the table. That report is the newest there is, so a handler that skips stale
    // values (like the example's low-battery notice) must not skip it on the retry.
    const processor = coldStart(await freshTables());
    const { events } = scenario(42);
    const newest = events.find((event) => event.eventId === expectedState(events)[SOC]?.eventId) ?? {};
    const record = recordOf(newest);
    processor.failNextStateOfCharge();

    const first = await processor.invoke([record]);
    const retry = await processor.invoke([
      { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: '2' } },
    ]);

    expect(first.batchItemFailures).toHaveLength(1);
    expect(retry).toEqual({ batchItemFailures: [] });
    expect(processor.observations.map(({ attempt, isNewest }) => ({ attempt, isNewest }))).toEqual([
      { attempt: 1, isNewest: true },
      { attempt: 2, isNewest: true },
    ]);
  });
});
