import { LATEST_STATE_TABLE } from '../../lambdas/contract';
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  createLatestStateStore,
  latestStateTableInput,
  type LatestStateStore,
  type RecordedError,
  type SignalReport,
  type SignalState,
} from '../../lambdas/latest-state';
import { FAKE_AWS, type LocalDynamoDb, startDynalite } from './support/dynalite';

/**
 * The latest-state store against dynalite, a real DynamoDB implementation, where conditional
 * writes are evaluated atomically per item as in AWS. Deliveries arrive in every order and all at
 * once; the table must end in the same state each time.
 */

const CODES = [
  'location-preciselocation',
  'tractionbattery-stateofcharge',
  'charge-ischarging',
  'odometer-traveleddistance',
  'closure-islocked',
] as const;
const T0 = 1769937933000;

/** One delivery: the signals of one event. */
interface Delivery {
  eventId: string;
  signals: SignalReport[];
}

type StateWithoutClock = Omit<SignalState, 'updatedAt'>;

let db: LocalDynamoDb;
let tableName: string;
let store: LatestStateStore;

beforeAll(async () => {
  db = await startDynalite();
  tableName = `latest-state-${randomUUID()}`;
  await db.client.send(new CreateTableCommand(latestStateTableInput(tableName)));
  // The plain DynamoDBClient: the store wraps it in a document client itself.
  store = createLatestStateStore({ client: db.client, tableName });
});

afterAll(async () => {
  await db?.stop();
});

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

function success(
  code: string,
  observedAt: number,
  body: Record<string, unknown> = { value: 1 },
): SignalReport {
  return { code, observedAt, body };
}

function failure(
  code: string,
  observedAt: number,
  errorCode: string | null = 'VEHICLE_ASLEEP',
): SignalReport {
  return { code, observedAt, error: { type: 'VEHICLE', code: errorCode } };
}

/**
 * 15 events over overlapping signals, timestamps from only five values (so different events tie),
 * about a quarter of them errors, followed by exact redeliveries of four events.
 */
function scenario(random: () => number): Delivery[] {
  const events: Delivery[] = Array.from({ length: 15 }, (_, index) => {
    const eventId = `${Math.floor(random() * 0xffffffff).toString(16)}-${index}`;
    const signals = CODES.filter(() => random() < 0.6).map((code) => {
      const observedAt = T0 + Math.floor(random() * 5) * 1000;
      return random() < 0.25
        ? failure(code, observedAt, random() < 0.5 ? null : 'VEHICLE_ASLEEP')
        : success(code, observedAt, { value: `${eventId} ${code}`, unit: 'test', nested: { index } });
    });
    return { eventId, signals };
  });
  return [...events, ...events.slice(0, 4)];
}

/** What the table must hold, computed without the store: the newest report of each kind wins. */
function expectedState(deliveries: readonly Delivery[]): Record<string, StateWithoutClock> {
  const newer = (a: { observedAt: number; eventId: string }, b?: { observedAt: number; eventId: string }) =>
    b === undefined ||
    a.observedAt > b.observedAt ||
    (a.observedAt === b.observedAt && a.eventId > b.eventId);
  const values = new Map<string, { value: Record<string, unknown>; observedAt: number; eventId: string }>();
  const errors = new Map<string, RecordedError>();
  for (const { eventId, signals } of deliveries) {
    for (const { code, observedAt, body, error } of signals) {
      if (error !== undefined) {
        if (newer({ observedAt, eventId }, errors.get(code)))
          errors.set(code, { ...error, observedAt, eventId });
      } else if (newer({ observedAt, eventId }, values.get(code))) {
        values.set(code, { value: body ?? {}, observedAt, eventId });
      }
    }
  }
  const expected: Record<string, StateWithoutClock> = {};
  for (const code of new Set([...values.keys(), ...errors.keys()])) {
    const value = values.get(code);
    const lastError = errors.get(code);
    const status = lastError !== undefined && newer(lastError, value) ? 'ERROR' : 'SUCCESS';
    expected[code] = { status, ...value, ...(lastError === undefined ? {} : { lastError }) };
  }
  return expected;
}

function withoutClock(state: Record<string, SignalState>): Record<string, StateWithoutClock> {
  return Object.fromEntries(
    Object.entries(state).map(([code, signal]) => {
      const { updatedAt: _updatedAt, ...rest } = signal;
      return [code, rest];
    }),
  );
}

async function applyInOrder(vehicleId: string, deliveries: readonly Delivery[]): Promise<void> {
  for (const { eventId, signals } of deliveries) {
    await store.recordSignals(vehicleId, eventId, signals);
  }
}

describe('latest-state store on DynamoDB (dynalite)', () => {
  it('ends in the same state, the newest report per signal, for 30 shuffled arrival orders', async () => {
    const deliveries = scenario(seededRandom(20260201));
    const expected = expectedState(deliveries);
    const reports = deliveries.slice(0, 15).flatMap((d) => d.signals.map((s) => `${s.code}@${s.observedAt}`));
    expect(new Set(reports).size).toBeLessThan(reports.length); // the scenario does contain timestamp ties

    const vehicles = Array.from({ length: 30 }, (_, seed) => ({ vehicleId: randomUUID(), seed }));
    await Promise.all(
      vehicles.map(({ vehicleId, seed }) =>
        applyInOrder(vehicleId, shuffled(deliveries, seededRandom(seed))),
      ),
    );

    for (const { vehicleId } of vehicles) {
      expect(withoutClock(await store.getVehicleState(vehicleId))).toEqual(expected);
    }
  });

  it('ends in the same state when every delivery is written at once by parallel invocations', async () => {
    // Four clients with their own connections stand for four concurrent Lambda environments.
    const clients = Array.from(
      { length: 4 },
      () => new DynamoDBClient({ region: FAKE_AWS.region, endpoint: db.endpoint, credentials: FAKE_AWS }),
    );
    const stores = clients.map((client) => createLatestStateStore({ client, tableName }));
    try {
      for (let round = 0; round < 5; round++) {
        const deliveries = scenario(seededRandom(round + 1000));
        const vehicleId = randomUUID();
        await Promise.all(
          shuffled(deliveries, seededRandom(round)).map(({ eventId, signals }, index) =>
            stores[index % stores.length]?.recordSignals(vehicleId, eventId, signals),
          ),
        );
        expect(withoutClock(await store.getVehicleState(vehicleId))).toEqual(expectedState(deliveries));
      }
    } finally {
      for (const client of clients) client.destroy();
    }
  });

  it('never lets an older event that arrives late overwrite a newer value', async () => {
    const vehicleId = randomUUID();
    await store.recordSignals(vehicleId, 'event-new', [
      success('charge-ischarging', T0 + 5000, { value: true }),
    ]);

    const late = await store.recordSignals(vehicleId, 'event-old', [
      success('charge-ischarging', T0, { value: false }),
    ]);

    expect(late).toEqual([{ code: 'charge-ischarging', written: false, reason: 'stale' }]);
    expect(await store.getSignal(vehicleId, 'charge-ischarging')).toMatchObject({
      status: 'SUCCESS',
      value: { value: true },
      observedAt: T0 + 5000,
      eventId: 'event-new',
    });
  });

  it('rewrites a redelivery of the same event with the same values, so a retried event counts as newest', async () => {
    const vehicleId = randomUUID();
    const signals = [
      success('closure-islocked', T0, { value: true }),
      failure('location-preciselocation', T0),
    ];
    await store.recordSignals(vehicleId, 'event-1', signals);
    const before = await store.getVehicleState(vehicleId);

    const again = await store.recordSignals(vehicleId, 'event-1', signals);

    expect(again.every((result) => result.written)).toBe(true);
    const after = await store.getVehicleState(vehicleId);
    for (const code of Object.keys(before)) {
      expect({ ...after[code], updatedAt: 0 }).toEqual({ ...before[code], updatedAt: 0 });
    }
  });

  it('breaks a timestamp tie between two events by the greater eventId, in either order', async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    const a = { eventId: 'event-a', signals: [success('closure-islocked', T0, { value: false })] };
    const b = { eventId: 'event-b', signals: [success('closure-islocked', T0, { value: true })] };

    await applyInOrder(first, [a, b]);
    await applyInOrder(second, [b, a]);

    for (const vehicleId of [first, second]) {
      expect(await store.getSignal(vehicleId, 'closure-islocked')).toMatchObject({
        value: { value: true },
        eventId: 'event-b',
      });
    }
  });

  describe('error signals', () => {
    const code = 'location-preciselocation';
    const parked = { latitude: 61.1111, longitude: 23.3333, locationType: 'LAST_PARKED' };

    it('keeps the last good value when a newer error arrives, and reports status ERROR', async () => {
      const vehicleId = randomUUID();
      await store.recordSignals(vehicleId, 'event-ok', [success(code, T0, parked)]);

      await store.recordSignals(vehicleId, 'event-err', [failure(code, T0 + 1000, null)]);

      expect(withoutClock(await store.getVehicleState(vehicleId))).toEqual({
        [code]: {
          status: 'ERROR',
          value: parked,
          observedAt: T0,
          eventId: 'event-ok',
          lastError: { type: 'VEHICLE', code: null, observedAt: T0 + 1000, eventId: 'event-err' },
        },
      });
    });

    it('returns to SUCCESS on a newer value and keeps lastError for the record', async () => {
      const vehicleId = randomUUID();
      await store.recordSignals(vehicleId, 'event-err', [failure(code, T0)]);

      await store.recordSignals(vehicleId, 'event-ok', [success(code, T0 + 1000, parked)]);

      expect(await store.getSignal(vehicleId, code)).toMatchObject({
        status: 'SUCCESS',
        value: parked,
        observedAt: T0 + 1000,
        lastError: { observedAt: T0, eventId: 'event-err' },
      });
    });

    it('still stores a late value that is older than the stored error but newer than the stored value', async () => {
      const vehicleId = randomUUID();
      await store.recordSignals(vehicleId, 'event-err', [failure(code, T0 + 2000)]);

      const late = await store.recordSignals(vehicleId, 'event-ok', [success(code, T0 + 1000, parked)]);

      expect(late).toEqual([{ code, written: true }]);
      expect(await store.getSignal(vehicleId, code)).toMatchObject({
        status: 'ERROR',
        value: parked,
        observedAt: T0 + 1000,
      });
    });

    it('records a signal that has only ever failed as ERROR without a value', async () => {
      const vehicleId = randomUUID();

      await store.recordSignals(vehicleId, 'event-err', [
        failure('location-isathome', 0, 'VEHICLE_NOT_CAPABLE'),
      ]);

      const state = await store.getSignal(vehicleId, 'location-isathome');
      expect(state).toMatchObject({ status: 'ERROR', lastError: { code: 'VEHICLE_NOT_CAPABLE' } });
      expect(state).not.toHaveProperty('value');
    });
  });

  describe('getVehicleState', () => {
    it('returns exactly the signals stored for the vehicle', async () => {
      const [vehicleId, otherVehicleId] = [randomUUID(), randomUUID()];
      await store.recordSignals(vehicleId, 'event-1', [
        success('charge-ischarging', T0),
        failure('closure-islocked', T0),
      ]);
      await store.recordSignals(otherVehicleId, 'event-2', [success('odometer-traveleddistance', T0)]);

      const state = await store.getVehicleState(vehicleId);

      const stored = (await db.scan(tableName)).filter(
        (item) => item[LATEST_STATE_TABLE.partitionKey] === vehicleId,
      );
      expect(Object.keys(state).sort()).toEqual(['charge-ischarging', 'closure-islocked']);
      expect(stored.map((item) => item[LATEST_STATE_TABLE.sortKey]).sort()).toEqual(
        Object.keys(state).sort(),
      );
      for (const item of stored) {
        const signal = state[String(item[LATEST_STATE_TABLE.sortKey])];
        expect(signal?.updatedAt).toBe(item.updatedAt);
        expect(signal?.value).toEqual(item.value);
        expect(signal?.lastError).toEqual(item.lastError);
      }
    });

    it('returns {} for a vehicle without signals', async () => {
      await expect(store.getVehicleState(randomUUID())).resolves.toEqual({});
    });

    it('reads every page of a vehicle larger than one 1 MB Query page', async () => {
      const vehicleId = randomUUID();
      const padding = 'x'.repeat(40_000);
      const codes = Array.from({ length: 30 }, (_, index) => `test-signal${String(index).padStart(2, '0')}`);
      await store.recordSignals(
        vehicleId,
        'event-big',
        codes.map((code) => success(code, T0, { value: code, padding })),
      );
      const firstPage = await db.client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': LATEST_STATE_TABLE.partitionKey },
          ExpressionAttributeValues: { ':pk': { S: vehicleId } },
        }),
      );
      expect(firstPage.LastEvaluatedKey).toBeDefined();

      const state = await store.getVehicleState(vehicleId);

      expect(Object.keys(state).sort()).toEqual(codes);
    });
  });
});
