import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import 'aws-sdk-client-mock-jest';
import type { DeadLetterSender } from '../../lambdas/processor/dead-letter';
import { OUTCOMES } from '../../lambdas/processor/event-processor';
import {
  type SignalContext,
  UnprocessableEventError,
  type VehicleStateContext,
  WebhookApp,
} from '../../lambdas/sdk';
import type { LatestStateStore, RecordResult } from '../../lambdas/latest-state';
import { LOG_MESSAGES, IDEMPOTENCY_TABLE, METRICS } from '../../lambdas/contract';
import { captureOutput, sqsRecord, vehicleErrorEvent, vehicleStateEvent } from '../support/builders';
import { appWith, fakeHandlers, type MockedHandlers } from '../support/handlers';
import { recordingMetrics } from '../support/metrics';
import {
  buildProcessor,
  IDEMPOTENCY_TABLE_NAME,
  keysWritten,
  logLines,
  mockIdempotencyTable,
} from '../support/processor';

/**
 * The processor's fast path to the dead-letter queue (events that can never succeed), the context
 * it hands VEHICLE_STATE handlers, and its use of the latest-state store. Wired as
 * event-processor.test.ts wires it: the real Powertools persistence layer over a mocked DynamoDB
 * client, records run through BatchProcessor + processPartialResponse.
 */

const VIN = '5YJ3E1EA7KF000316';
const LATITUDE = '61.1111';
const DELIVERED_AT = 1769937950000;

const dynamodb = mockIdempotencyTable();

type FakeLatestState = {
  [K in keyof LatestStateStore]: jest.Mock<ReturnType<LatestStateStore[K]>, Parameters<LatestStateStore[K]>>;
};

/** A latest-state store that writes every signal unless told otherwise. */
function fakeLatestState(): FakeLatestState {
  return {
    recordSignals: jest.fn<
      ReturnType<LatestStateStore['recordSignals']>,
      Parameters<LatestStateStore['recordSignals']>
    >(async (_vehicleId, _eventId, signals) =>
      signals.map((signal) => ({ code: signal.code, written: true })),
    ),
    getVehicleState: jest.fn<
      ReturnType<LatestStateStore['getVehicleState']>,
      Parameters<LatestStateStore['getVehicleState']>
    >(async () => ({})),
    getSignal: jest.fn<ReturnType<LatestStateStore['getSignal']>, Parameters<LatestStateStore['getSignal']>>(
      async () => undefined,
    ),
  };
}

interface ProcessorOptions {
  app?: WebhookApp;
  handlers?: MockedHandlers;
  deadLetter?: DeadLetterSender;
  latestState?: LatestStateStore;
  metrics?: ReturnType<typeof recordingMetrics>;
}

function createProcessor(options: ProcessorOptions = {}) {
  return buildProcessor({ ...options, app: options.app ?? appWith(options.handlers ?? fakeHandlers()) });
}

function fakeDeadLetter() {
  return jest.fn<ReturnType<DeadLetterSender>, Parameters<DeadLetterSender>>(async () => undefined);
}

function recordOf(event: Record<string, unknown>): SQSRecord {
  return sqsRecord(JSON.stringify(event));
}

/** The builder's VEHICLE_STATE with one change to its data. */
function withData(
  change: (data: Record<string, unknown>) => Record<string, unknown>,
): Record<string, unknown> {
  const event = vehicleStateEvent();
  return { ...event, data: change({ ...(event.data as Record<string, unknown>) }) };
}

/** A VEHICLE_STATE whose envelope is valid but whose data.signals is missing. */
function withoutSignals(): Record<string, unknown> {
  return withData(({ signals: _removed, ...data }) => data);
}

/** A VEHICLE_STATE whose first signal's code is a number. */
function withNumericSignalCode(): Record<string, unknown> {
  return withData((data) => {
    const [first, ...rest] = data.signals as Record<string, unknown>[];
    return { ...data, signals: [{ ...first, code: 42 }, ...rest] };
  });
}

/** The builder's VEHICLE_STATE with a fixed delivery time. */
function stateEventDeliveredAt(deliveredAt = DELIVERED_AT): Record<string, unknown> {
  const event = vehicleStateEvent();
  return { ...event, meta: { ...(event.meta as object), deliveredAt } };
}

function vehicleIdOf(event: Record<string, unknown>): string {
  return (event.data as { vehicle: { id: string } }).vehicle.id;
}

/** The context the VEHICLE_STATE handler of `handlers` was called with. */
function stateContextOf(handlers: MockedHandlers): VehicleStateContext {
  const context = handlers.onVehicleState.mock.calls[0]?.[1];
  if (context === undefined) throw new Error('onVehicleState was not called');
  return context;
}

describe('processor: a VEHICLE_STATE that fails the schema', () => {
  it.each([
    { change: 'data.signals missing', build: withoutSignals, path: 'data.signals' },
    { change: 'a signal code that is a number', build: withNumericSignalCode, path: 'data.signals[0].code' },
  ])(
    'sends a VEHICLE_STATE with $change to the dead-letter queue once, SCHEMA_INVALID, with a detail naming $path',
    async ({ build, path }) => {
      const deadLetter = fakeDeadLetter();
      const record = recordOf(build());

      const outcome = await createProcessor({ deadLetter }).recordHandler(record);

      expect(outcome).toBe(OUTCOMES.deadLettered);
      expect(deadLetter).toHaveBeenCalledTimes(1);
      expect(deadLetter).toHaveBeenCalledWith(record, 'SCHEMA_INVALID', expect.stringContaining(`${path}: `));
    },
  );

  it('acknowledges the record it sent to the dead-letter queue', async () => {
    const record = recordOf(withNumericSignalCode());

    const response = await createProcessor({ deadLetter: fakeDeadLetter() }).processBatch([record]);

    expect(response).toEqual({ batchItemFailures: [] });
  });

  it('runs no handler for the event', async () => {
    const handlers = fakeHandlers();

    await createProcessor({ handlers, deadLetter: fakeDeadLetter() }).processBatch([
      recordOf(withoutSignals()),
    ]);

    expect(handlers.onVehicleState).not.toHaveBeenCalled();
    expect(handlers.onVehicleError).not.toHaveBeenCalled();
    expect(handlers.onLegacyEvent).not.toHaveBeenCalled();
  });

  it('writes no idempotency record for the event', async () => {
    await createProcessor({ deadLetter: fakeDeadLetter() }).processBatch([recordOf(withoutSignals())]);

    expect(dynamodb).not.toHaveReceivedCommand(PutItemCommand);
  });

  it('records no latest state for the event', async () => {
    const latestState = fakeLatestState();

    await createProcessor({ deadLetter: fakeDeadLetter(), latestState }).processBatch([
      recordOf(withNumericSignalCode()),
    ]);

    expect(latestState.recordSignals).not.toHaveBeenCalled();
  });

  it('reports the event as failed when no dead-letter sender is configured, so it takes the retry path to the DLQ', async () => {
    const record = recordOf(withoutSignals());

    const response = await createProcessor().processBatch([record]);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
  });

  it('reports the event as failed when the dead-letter sender fails, so it is retried rather than lost', async () => {
    const deadLetter = fakeDeadLetter().mockRejectedValue(new Error('SQS unavailable'));
    const record = recordOf(withoutSignals());

    const response = await createProcessor({ deadLetter }).processBatch([record]);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
  });

  it('logs an error naming the message when the dead-letter sender fails', async () => {
    const deadLetter = fakeDeadLetter().mockRejectedValue(new Error('SQS unavailable'));
    const record = recordOf(withoutSignals());
    const processor = createProcessor({ deadLetter });

    const { output } = await captureOutput(() => processor.processBatch([record]));

    expect(logLines(output)).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        messageId: record.messageId,
        error: expect.stringContaining('SQS unavailable'),
      }),
    );
  });

  it('processes the valid records of a batch that also carries one for the dead-letter queue', async () => {
    const handlers = fakeHandlers();
    const deadLetter = fakeDeadLetter();
    const invalid = recordOf(withoutSignals());
    const records = [recordOf(vehicleStateEvent()), invalid, recordOf(vehicleStateEvent())];

    const response = await createProcessor({ handlers, deadLetter }).processBatch(records);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(handlers.onVehicleState).toHaveBeenCalledTimes(2);
    expect(deadLetter).toHaveBeenCalledTimes(1);
    expect(deadLetter).toHaveBeenCalledWith(invalid, 'SCHEMA_INVALID', expect.any(String));
  });

  it('logs the parked event as an error with its reason and detail, without the VIN or a location', async () => {
    const record = recordOf(withNumericSignalCode());
    const processor = createProcessor({ deadLetter: fakeDeadLetter() });

    const { output } = await captureOutput(() => processor.processBatch([record]));

    expect(logLines(output)).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: LOG_MESSAGES.sentToDeadLetterQueue,
        messageId: record.messageId,
        reason: 'SCHEMA_INVALID',
        detail: expect.stringContaining('data.signals[0].code'),
      }),
    );
    expect(output).not.toContain(VIN);
    expect(output).not.toContain(LATITUDE);
  });
});

describe('processor: a handler that throws UnprocessableEventError', () => {
  const unprocessable = new UnprocessableEventError('Vehicle is not registered in the fleet database.');

  it('sends the record to the dead-letter queue once, HANDLER_REFUSED, with the error message as the detail', async () => {
    const handlers = fakeHandlers();
    handlers.onVehicleState.mockRejectedValue(unprocessable);
    const deadLetter = fakeDeadLetter();
    const record = recordOf(vehicleStateEvent());

    const outcome = await createProcessor({ handlers, deadLetter }).recordHandler(record);

    expect(outcome).toBe(OUTCOMES.deadLettered);
    expect(deadLetter).toHaveBeenCalledTimes(1);
    expect(deadLetter).toHaveBeenCalledWith(record, 'HANDLER_REFUSED', unprocessable.message);
  });

  it('acknowledges the record', async () => {
    const handlers = fakeHandlers();
    handlers.onVehicleError.mockRejectedValue(unprocessable);

    const response = await createProcessor({ handlers, deadLetter: fakeDeadLetter() }).processBatch([
      recordOf(vehicleErrorEvent()),
    ]);

    expect(response).toEqual({ batchItemFailures: [] });
  });

  it('deletes its idempotency record and never marks it COMPLETED, so a redriven copy runs the handler again', async () => {
    const handlers = fakeHandlers();
    handlers.onVehicleState.mockRejectedValueOnce(unprocessable);
    const processor = createProcessor({ handlers, deadLetter: fakeDeadLetter() });
    const body = JSON.stringify(vehicleStateEvent());

    await processor.recordHandler(sqsRecord(body));
    const [key] = keysWritten(dynamodb);
    expect(dynamodb).toHaveReceivedCommandWith(DeleteItemCommand, {
      TableName: IDEMPOTENCY_TABLE_NAME,
      Key: { [IDEMPOTENCY_TABLE.partitionKey]: { S: key } },
    });
    expect(dynamodb).not.toHaveReceivedCommand(UpdateItemCommand);

    const redriven = await processor.recordHandler(sqsRecord(body));

    expect(redriven).toBe(OUTCOMES.processed);
    expect(handlers.onVehicleState).toHaveBeenCalledTimes(2);
  });

  it('reports the record as failed when the dead-letter sender fails, so it is retried rather than lost', async () => {
    const handlers = fakeHandlers();
    handlers.onVehicleState.mockRejectedValue(unprocessable);
    const deadLetter = fakeDeadLetter().mockRejectedValue(new Error('SQS unavailable'));
    const record = recordOf(vehicleStateEvent());

    const response = await createProcessor({ handlers, deadLetter }).processBatch([record]);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
  });

  it('reports the record as failed, like any failure, when no dead-letter sender is configured', async () => {
    const handlers = fakeHandlers();
    handlers.onVehicleState.mockRejectedValue(unprocessable);
    const record = recordOf(vehicleStateEvent());

    const response = await createProcessor({ handlers }).processBatch([record]);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
  });

  it('does not send a record to the dead-letter queue when its handler throws any other error', async () => {
    const handlers = fakeHandlers();
    handlers.onVehicleState.mockRejectedValue(new Error('downstream unavailable'));
    const deadLetter = fakeDeadLetter();
    const record = recordOf(vehicleStateEvent());

    const response = await createProcessor({ handlers, deadLetter }).processBatch([record]);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    expect(deadLetter).not.toHaveBeenCalled();
  });
});

describe('processor: metrics of unprocessable events', () => {
  it('counts a schema-invalid event parked in the dead-letter queue under its reason, not as a processing failure', async () => {
    const metrics = recordingMetrics();

    await createProcessor({ metrics, deadLetter: fakeDeadLetter() }).processBatch([
      recordOf(withoutSignals()),
    ]);

    expect(metrics.counts).toEqual([
      { name: METRICS.eventsParked, dimensions: { reason: 'SCHEMA_INVALID' } },
    ]);
  });

  it('counts an event whose handler threw UnprocessableEventError as parked, HANDLER_REFUSED', async () => {
    const metrics = recordingMetrics();
    const handlers = fakeHandlers();
    handlers.onVehicleState.mockRejectedValue(new UnprocessableEventError('unknown vehicle'));

    await createProcessor({ metrics, handlers, deadLetter: fakeDeadLetter() }).processBatch([
      recordOf(vehicleStateEvent()),
    ]);

    expect(metrics.counts).toEqual([
      { name: METRICS.eventsParked, dimensions: { reason: 'HANDLER_REFUSED' } },
    ]);
  });

  it('counts an unprocessable event as a processing failure when it cannot be parked, since it is retried', async () => {
    const metrics = recordingMetrics();
    const deadLetter = fakeDeadLetter().mockRejectedValue(new Error('SQS unavailable'));

    await createProcessor({ metrics, deadLetter }).processBatch([recordOf(withoutSignals())]);

    expect(metrics.counts).toEqual([{ name: METRICS.processingFailures, dimensions: undefined }]);
  });
});

describe('processor: the context of VEHICLE_STATE handlers', () => {
  it('carries the codes of the signals whose trigger fired', async () => {
    const handlers = fakeHandlers();

    await createProcessor({ handlers }).recordHandler(recordOf(vehicleStateEvent()));

    expect(stateContextOf(handlers).firedTriggers).toEqual(['tractionbattery-stateofcharge']);
  });

  it('marks an event whose trigger is FIRST_DELIVERY as the first delivery', async () => {
    const handlers = fakeHandlers();

    await createProcessor({ handlers }).recordHandler(
      recordOf(vehicleStateEvent({ triggers: [{ type: 'FIRST_DELIVERY' }] })),
    );

    expect(stateContextOf(handlers).isFirstDelivery).toBe(true);
  });

  it('does not mark an event triggered by a signal change as the first delivery', async () => {
    const handlers = fakeHandlers();

    await createProcessor({ handlers }).recordHandler(recordOf(vehicleStateEvent()));

    expect(stateContextOf(handlers).isFirstDelivery).toBe(false);
  });

  it('answers isNewest true for every code when no latest-state store is configured', async () => {
    const handlers = fakeHandlers();

    await createProcessor({ handlers }).recordHandler(recordOf(vehicleStateEvent()));

    expect(stateContextOf(handlers).isNewest('tractionbattery-stateofcharge')).toBe(true);
  });
});

describe('processor: the latest-state store', () => {
  it('records the signals of a VEHICLE_STATE under its vehicle id and event id, one report per signal', async () => {
    const latestState = fakeLatestState();
    const event = stateEventDeliveredAt();

    await createProcessor({ latestState }).recordHandler(recordOf(event));

    expect(latestState.recordSignals).toHaveBeenCalledTimes(1);
    expect(latestState.recordSignals).toHaveBeenCalledWith(vehicleIdOf(event), event.eventId, [
      expect.objectContaining({ code: 'tractionbattery-stateofcharge' }),
      expect.objectContaining({ code: 'location-preciselocation' }),
      expect.objectContaining({ code: 'vehicleidentification-vin' }),
      expect.objectContaining({ code: 'location-isathome' }),
    ]);
  });

  it('reports each successful signal with its body, observed at its meta.oemUpdatedAt', async () => {
    const latestState = fakeLatestState();

    await createProcessor({ latestState }).recordHandler(recordOf(stateEventDeliveredAt()));

    const reports = latestState.recordSignals.mock.calls[0]?.[2];
    expect(reports?.slice(0, 2)).toEqual([
      {
        code: 'tractionbattery-stateofcharge',
        observedAt: 1769937933000,
        body: { value: 89, unit: 'percent' },
      },
      {
        code: 'location-preciselocation',
        observedAt: 1769852864000,
        body: { latitude: 61.1111, longitude: 23.3333, locationType: 'LAST_PARKED' },
      },
    ]);
  });

  it('reports the VIN, whose oemUpdatedAt is 0, as observed at its retrievedAt', async () => {
    const latestState = fakeLatestState();

    await createProcessor({ latestState }).recordHandler(recordOf(stateEventDeliveredAt()));

    const reports = latestState.recordSignals.mock.calls[0]?.[2];
    expect(reports?.find((report) => report.code === 'vehicleidentification-vin')).toEqual({
      code: 'vehicleidentification-vin',
      observedAt: 1769937942671,
      body: { value: VIN },
    });
  });

  it('reports a signal that carries an error as an error, observed at the delivery time, without a body', async () => {
    const latestState = fakeLatestState();

    await createProcessor({ latestState }).recordHandler(recordOf(stateEventDeliveredAt()));

    const report = latestState.recordSignals.mock.calls[0]?.[2].find((r) => r.code === 'location-isathome');
    expect(report).toEqual({
      code: 'location-isathome',
      observedAt: DELIVERED_AT,
      error: expect.objectContaining({ type: 'COMPATIBILITY', code: 'VEHICLE_NOT_CAPABLE' }),
    });
  });

  it('reports a signal that carries an error, in an event without meta, as observed when SQS received it', async () => {
    const latestState = fakeLatestState();
    const { meta: _removed, ...event } = vehicleStateEvent();
    const record = recordOf(event);
    record.attributes.SentTimestamp = '1769937999000';

    await createProcessor({ latestState }).recordHandler(record);

    const report = latestState.recordSignals.mock.calls[0]?.[2].find((r) => r.code === 'location-isathome');
    expect(report?.observedAt).toBe(1769937999000);
  });

  it('records the signals before the handlers run', async () => {
    const latestState = fakeLatestState();
    const handlers = fakeHandlers();

    await createProcessor({ latestState, handlers }).recordHandler(recordOf(vehicleStateEvent()));

    const [recorded] = latestState.recordSignals.mock.invocationCallOrder;
    const [handled] = handlers.onVehicleState.mock.invocationCallOrder;
    expect(recorded).toBeLessThan(handled ?? 0);
  });

  it('answers isNewest false exactly for the codes the store reported stale', async () => {
    const latestState = fakeLatestState();
    latestState.recordSignals.mockImplementation(async (_vehicleId, _eventId, signals) =>
      signals.map((signal): RecordResult =>
        ['tractionbattery-stateofcharge', 'location-isathome'].includes(signal.code)
          ? { code: signal.code, written: false, reason: 'stale' }
          : { code: signal.code, written: true },
      ),
    );
    const handlers = fakeHandlers();

    await createProcessor({ latestState, handlers }).recordHandler(recordOf(vehicleStateEvent()));

    const { isNewest } = stateContextOf(handlers);
    const codes = [
      'tractionbattery-stateofcharge',
      'location-preciselocation',
      'vehicleidentification-vin',
      'location-isathome',
    ];
    expect(Object.fromEntries(codes.map((code) => [code, isNewest(code)]))).toEqual({
      'tractionbattery-stateofcharge': false,
      'location-preciselocation': true,
      'vehicleidentification-vin': true,
      'location-isathome': false,
    });
  });

  it('hands a signal handler the same isNewest answer', async () => {
    const latestState = fakeLatestState();
    latestState.recordSignals.mockResolvedValue([
      { code: 'tractionbattery-stateofcharge', written: false, reason: 'stale' },
    ]);
    const seen: boolean[] = [];
    const app = new WebhookApp().onSignal(
      'tractionbattery-stateofcharge',
      async (reading, context: SignalContext) => {
        seen.push(context.isNewest(reading.code));
      },
    );

    await createProcessor({ latestState, app }).recordHandler(recordOf(vehicleStateEvent()));

    expect(seen).toEqual([false]);
  });

  it('gives the handlers the store to read from', async () => {
    const latestState = fakeLatestState();
    const handlers = fakeHandlers();

    await createProcessor({ latestState, handlers }).recordHandler(recordOf(vehicleStateEvent()));

    expect(stateContextOf(handlers).latestState).toBe(latestState);
  });

  it('reports the record as failed, without running the handlers, when recording the signals fails', async () => {
    const latestState = fakeLatestState();
    latestState.recordSignals.mockRejectedValue(new Error('ProvisionedThroughputExceededException'));
    const handlers = fakeHandlers();
    const record = recordOf(vehicleStateEvent());

    const response = await createProcessor({ latestState, handlers }).processBatch([record]);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    expect(handlers.onVehicleState).not.toHaveBeenCalled();
  });

  it('deletes the idempotency record when recording the signals fails, so the retry records them again', async () => {
    const latestState = fakeLatestState();
    latestState.recordSignals.mockRejectedValueOnce(new Error('ProvisionedThroughputExceededException'));

    await createProcessor({ latestState }).processBatch([recordOf(vehicleStateEvent())]);

    const [key] = keysWritten(dynamodb);
    expect(dynamodb).toHaveReceivedCommandWith(DeleteItemCommand, {
      Key: { [IDEMPOTENCY_TABLE.partitionKey]: { S: key } },
    });
  });

  it('does not send a record whose signals could not be recorded to the dead-letter queue', async () => {
    const latestState = fakeLatestState();
    latestState.recordSignals.mockRejectedValue(new Error('ProvisionedThroughputExceededException'));
    const deadLetter = fakeDeadLetter();

    await createProcessor({ latestState, deadLetter }).processBatch([recordOf(vehicleStateEvent())]);

    expect(deadLetter).not.toHaveBeenCalled();
  });

  it('records nothing for a VEHICLE_ERROR', async () => {
    const latestState = fakeLatestState();

    await createProcessor({ latestState }).recordHandler(recordOf(vehicleErrorEvent()));

    expect(latestState.recordSignals).not.toHaveBeenCalled();
  });
});
