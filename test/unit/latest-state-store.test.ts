import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  createLatestStateStore,
  InvalidSignalReportError,
  type LatestStateStoreOptions,
  type SignalReport,
} from '../../lambdas/latest-state';
import { ConfigurationError } from '../../lambdas/runtime/errors';

const TABLE_NAME = 'latest-state-test';
const VEHICLE_ID = '875d9333-bbbb-4444-aaaa-17be22ebe970';
const EVENT_ID = '2b65f4e6-0356-440e-a87f-eed19cffda9a';
const NOW = 1769937950000;
const OBSERVED_AT = 1769937933000;

const documents = mockClient(DynamoDBDocumentClient);

beforeEach(() => {
  documents.reset();
  documents.on(UpdateCommand).resolves({});
});

function createStore(options: Partial<LatestStateStoreOptions> = {}) {
  return createLatestStateStore({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    tableName: TABLE_NAME,
    now: () => NOW,
    ...options,
  });
}

function success(overrides: Partial<SignalReport> = {}): SignalReport {
  return {
    code: 'tractionbattery-stateofcharge',
    observedAt: OBSERVED_AT,
    body: { value: 89, unit: 'percent' },
    ...overrides,
  };
}

function failure(overrides: Partial<SignalReport> = {}): SignalReport {
  return {
    code: 'location-isathome',
    observedAt: OBSERVED_AT,
    error: { type: 'COMPATIBILITY', code: 'VEHICLE_NOT_CAPABLE' },
    ...overrides,
  };
}

function staleWrite() {
  return new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
}

/** An item as the store writes it, unmarshalled. */
function storedItem(code: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    vehicleId: VEHICLE_ID,
    signalCode: code,
    value: { value: 89, unit: 'percent' },
    observedAt: OBSERVED_AT,
    eventId: EVENT_ID,
    updatedAt: NOW,
    ...overrides,
  };
}

describe('latest-state store: recordSignals', () => {
  it('writes a value with one UpdateItem guarded by its (observedAt, eventId)', async () => {
    await createStore().recordSignals(VEHICLE_ID, EVENT_ID, [success()]);

    expect(documents).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(documents).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: TABLE_NAME,
      Key: { vehicleId: VEHICLE_ID, signalCode: 'tractionbattery-stateofcharge' },
      UpdateExpression:
        'SET #value = :value, #observedAt = :observedAt, #eventId = :eventId, #updatedAt = :updatedAt',
      ConditionExpression:
        'attribute_not_exists(#observedAt) OR #observedAt < :observedAt ' +
        'OR (#observedAt = :observedAt AND #eventId <= :eventId)',
      ExpressionAttributeNames: {
        '#value': 'value',
        '#observedAt': 'observedAt',
        '#eventId': 'eventId',
        '#updatedAt': 'updatedAt',
      },
      ExpressionAttributeValues: {
        ':value': { value: 89, unit: 'percent' },
        ':observedAt': OBSERVED_AT,
        ':eventId': EVENT_ID,
        ':updatedAt': NOW,
      },
    });
  });

  it('writes an error to lastError only, guarded by the stored error’s version', async () => {
    await createStore().recordSignals(VEHICLE_ID, EVENT_ID, [failure()]);

    expect(documents).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: TABLE_NAME,
      Key: { vehicleId: VEHICLE_ID, signalCode: 'location-isathome' },
      UpdateExpression: 'SET #lastError = :lastError, #updatedAt = :updatedAt',
      ConditionExpression:
        'attribute_not_exists(#lastError.#observedAt) OR #lastError.#observedAt < :observedAt ' +
        'OR (#lastError.#observedAt = :observedAt AND #lastError.#eventId <= :eventId)',
      ExpressionAttributeNames: {
        '#lastError': 'lastError',
        '#observedAt': 'observedAt',
        '#eventId': 'eventId',
        '#updatedAt': 'updatedAt',
      },
      ExpressionAttributeValues: {
        ':lastError': {
          type: 'COMPATIBILITY',
          code: 'VEHICLE_NOT_CAPABLE',
          observedAt: OBSERVED_AT,
          eventId: EVENT_ID,
        },
        ':observedAt': OBSERVED_AT,
        ':eventId': EVENT_ID,
        ':updatedAt': NOW,
      },
    });
  });

  it('stores {} as the value of a success without a body', async () => {
    await createStore().recordSignals(VEHICLE_ID, EVENT_ID, [success({ body: undefined })]);

    const [call] = documents.commandCalls(UpdateCommand);
    expect(call?.args[0].input.ExpressionAttributeValues?.[':value']).toEqual({});
  });

  it('answers written: true for every signal it wrote', async () => {
    const results = await createStore().recordSignals(VEHICLE_ID, EVENT_ID, [success(), failure()]);

    expect(results).toEqual([
      { code: 'tractionbattery-stateofcharge', written: true },
      { code: 'location-isathome', written: true },
    ]);
  });

  it('answers written: false, reason stale, when the condition fails', async () => {
    documents
      .on(UpdateCommand, { Key: { vehicleId: VEHICLE_ID, signalCode: 'location-isathome' } })
      .rejects(staleWrite());

    const results = await createStore().recordSignals(VEHICLE_ID, EVENT_ID, [success(), failure()]);

    expect(results).toEqual([
      { code: 'tractionbattery-stateofcharge', written: true },
      { code: 'location-isathome', written: false, reason: 'stale' },
    ]);
  });

  it('rethrows any other DynamoDB error unchanged, so the record is retried', async () => {
    const throttled = new ProvisionedThroughputExceededException({ message: 'Slow down', $metadata: {} });
    documents.on(UpdateCommand).rejects(throttled);

    await expect(createStore().recordSignals(VEHICLE_ID, EVENT_ID, [success()])).rejects.toBe(throttled);
  });

  it('writes a code that appears twice once, with its last report', async () => {
    const results = await createStore().recordSignals(VEHICLE_ID, EVENT_ID, [
      success({ body: { value: 1 } }),
      success({ body: { value: 2 } }),
    ]);

    expect(results).toHaveLength(1);
    expect(documents).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(documents).toHaveReceivedCommandWith(UpdateCommand, {
      ExpressionAttributeValues: expect.objectContaining({ ':value': { value: 2 } }),
    });
  });

  it('sends nothing and returns [] for an event without signals', async () => {
    await expect(createStore().recordSignals(VEHICLE_ID, EVENT_ID, [])).resolves.toEqual([]);
    expect(documents).toHaveReceivedCommandTimes(UpdateCommand, 0);
  });

  it.each([
    ['vehicleId', () => createStore().recordSignals('', EVENT_ID, [success()])],
    ['eventId', () => createStore().recordSignals(VEHICLE_ID, '', [success()])],
    [
      'signals[1].code',
      () => createStore().recordSignals(VEHICLE_ID, EVENT_ID, [success(), failure({ code: '' })]),
    ],
    [
      'signals[0].observedAt',
      () => createStore().recordSignals(VEHICLE_ID, EVENT_ID, [success({ observedAt: Number.NaN })]),
    ],
    [
      'signals[0].error.code',
      () =>
        createStore().recordSignals(VEHICLE_ID, EVENT_ID, [
          failure({ error: { type: 'VEHICLE', code: 7 as unknown as string } }),
        ]),
    ],
    [
      'signals[0].body',
      () =>
        createStore().recordSignals(VEHICLE_ID, EVENT_ID, [
          success({ body: [] as unknown as Record<string, unknown> }),
        ]),
    ],
  ])('refuses an invalid %s and writes nothing', async (field, call) => {
    const error = await call().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidSignalReportError);
    expect(error).toHaveProperty('field', field);
    expect(documents).toHaveReceivedCommandTimes(UpdateCommand, 0);
  });

  it('keeps at most writeConcurrency writes in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    documents.on(UpdateCommand).callsFake(async () => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return {};
    });
    const signals = Array.from({ length: 7 }, (_, index) => success({ code: `signal-${index}` }));

    await createStore({ writeConcurrency: 3 }).recordSignals(VEHICLE_ID, EVENT_ID, signals);

    expect(peak).toBe(3);
    expect(documents).toHaveReceivedCommandTimes(UpdateCommand, 7);
  });
});

describe('latest-state store: reads', () => {
  it('queries the vehicle’s partition page by page and merges the pages', async () => {
    const lastKey = { vehicleId: VEHICLE_ID, signalCode: 'charge-ischarging' };
    documents
      .on(QueryCommand)
      .resolvesOnce({ Items: [storedItem('charge-ischarging')], LastEvaluatedKey: lastKey })
      .resolvesOnce({ Items: [storedItem('odometer-traveleddistance')] });

    const state = await createStore().getVehicleState(VEHICLE_ID);

    expect(Object.keys(state)).toEqual(['charge-ischarging', 'odometer-traveleddistance']);
    expect(documents).toHaveReceivedCommandTimes(QueryCommand, 2);
    expect(documents).toHaveReceivedNthSpecificCommandWith(1, QueryCommand, {
      TableName: TABLE_NAME,
      KeyConditionExpression: '#vehicleId = :vehicleId',
      ExpressionAttributeNames: { '#vehicleId': 'vehicleId' },
      ExpressionAttributeValues: { ':vehicleId': VEHICLE_ID },
      ConsistentRead: true,
      ExclusiveStartKey: undefined,
    });
    expect(documents).toHaveReceivedNthSpecificCommandWith(2, QueryCommand, { ExclusiveStartKey: lastKey });
  });

  it('returns a signal’s state from a consistent GetItem', async () => {
    documents.on(GetCommand).resolves({ Item: storedItem('charge-ischarging', { value: { value: true } }) });

    const state = await createStore().getSignal(VEHICLE_ID, 'charge-ischarging');

    expect(state).toEqual({
      status: 'SUCCESS',
      value: { value: true },
      observedAt: OBSERVED_AT,
      eventId: EVENT_ID,
      updatedAt: NOW,
    });
    expect(documents).toHaveReceivedCommandWith(GetCommand, {
      TableName: TABLE_NAME,
      Key: { vehicleId: VEHICLE_ID, signalCode: 'charge-ischarging' },
      ConsistentRead: true,
    });
  });

  it('returns undefined for a signal never recorded', async () => {
    documents.on(GetCommand).resolves({});

    await expect(createStore().getSignal(VEHICLE_ID, 'charge-ischarging')).resolves.toBeUndefined();
  });
});

describe('createLatestStateStore', () => {
  it('fails at creation without a table name', () => {
    expect(() => createStore({ tableName: '' })).toThrow(ConfigurationError);
  });

  it('fails at creation with a writeConcurrency below 1', () => {
    expect(() => createStore({ writeConcurrency: 0 })).toThrow(ConfigurationError);
  });
});
