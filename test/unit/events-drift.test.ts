import { parseSmartcarEvent, parseSmartcarEventOrThrow } from '../../lambdas/sdk/events/parse-event';
import type { VehicleSignal } from '../../lambdas/sdk/events/signal-schema';
import { isEventType } from '../../lambdas/sdk/events/smartcar-event-schema';
import { SCHEMA_DRIFT, type SchemaDriftCode } from '../../lambdas/sdk/events/schema-drift';
import {
  dashboardTestMeta,
  type Json,
  legacyEventBasedSample,
  removeAt,
  setAt,
  vehicleErrorSample,
  vehicleStateSample,
  verifySample,
  withSignalsKeyedByName,
} from './events-fixtures';

/** The drift codes of `document`, which must be accepted. */
function driftOf(document: unknown): SchemaDriftCode[] {
  const result = parseSmartcarEvent(document);
  if (!result.success)
    throw new Error(`expected the document to be accepted: ${JSON.stringify(result.issues)}`);
  return result.drift;
}

/** The signals of `document`, a VEHICLE_STATE that must be accepted. */
function signalsOf(document: Json): VehicleSignal[] {
  const event = parseSmartcarEventOrThrow(document);
  if (!isEventType(event, 'VEHICLE_STATE')) throw new Error('expected a VEHICLE_STATE');
  return event.data.signals;
}

const state = vehicleStateSample;
const error = vehicleErrorSample;
const { triggers: _dropped, ...withoutTopLevelTriggers } = vehicleStateSample();
const stateWithDataTriggers = (triggers: Json[]) =>
  setAt(structuredClone(withoutTopLevelTriggers), ['data', 'triggers'], triggers);

/** One case per tolerance: a valid sample with exactly that one drift, and the code it must report. */
const TOLERANCES: [string, () => Json, SchemaDriftCode][] = [
  ['meta is missing', () => removeAt(state(), ['meta']), SCHEMA_DRIFT.metaMissing],
  ['meta is null', () => setAt(state(), ['meta'], null), SCHEMA_DRIFT.metaMissing],
  ['meta.version is missing', () => removeAt(state(), ['meta', 'version']), SCHEMA_DRIFT.metaVersionMissing],
  ['meta.version is "3.0"', () => setAt(state(), ['meta', 'version'], '3.0'), SCHEMA_DRIFT.metaVersion3],
  [
    'meta.webhookId is missing',
    () => removeAt(state(), ['meta', 'webhookId']),
    SCHEMA_DRIFT.webhookIdMissing,
  ],
  [
    'meta.deliveryId is missing',
    () => removeAt(state(), ['meta', 'deliveryId']),
    SCHEMA_DRIFT.deliveryIdMissing,
  ],
  [
    'meta.deliveredAt is missing',
    () => removeAt(state(), ['meta', 'deliveredAt']),
    SCHEMA_DRIFT.deliveredAtMissing,
  ],
  [
    'meta.deliveredAt is an ISO-8601 string',
    () => setAt(state(), ['meta', 'deliveredAt'], '2026-02-01T09:25:43.464Z'),
    SCHEMA_DRIFT.deliveredAtIsoString,
  ],
  [
    'meta.deliveredAt is an ISO-8601 string with an offset',
    () => setAt(state(), ['meta', 'deliveredAt'], '2026-02-01T10:25:43+01:00'),
    SCHEMA_DRIFT.deliveredAtIsoString,
  ],
  [
    'meta.deliveredAt is in epoch seconds',
    () => setAt(state(), ['meta', 'deliveredAt'], 1769937943),
    SCHEMA_DRIFT.deliveredAtEpochSeconds,
  ],
  [
    'the vehicle id is only in a top-level vehicleId',
    () => setAt(removeAt(state(), ['data', 'vehicle']), ['vehicleId'], 'v-1'),
    SCHEMA_DRIFT.vehicleIdTopLevel,
  ],
  [
    'data.vehicle.year is a string',
    () => setAt(state(), ['data', 'vehicle', 'year'], '2024'),
    SCHEMA_DRIFT.optionalFieldInvalid,
  ],
  [
    'meta.signalCount is a string',
    () => setAt(state(), ['meta', 'signalCount'], '5'),
    SCHEMA_DRIFT.optionalFieldInvalid,
  ],
  ['data.user has no id', () => removeAt(state(), ['data', 'user', 'id']), SCHEMA_DRIFT.optionalFieldInvalid],
  [
    'a signal name is a number',
    () => setAt(state(), ['data', 'signals', 1, 'name'], 3),
    SCHEMA_DRIFT.optionalFieldInvalid,
  ],
  [
    'a signal meta.oemUpdatedAt is a string',
    () => setAt(state(), ['data', 'signals', 3, 'meta', 'oemUpdatedAt'], '1769852860000'),
    SCHEMA_DRIFT.optionalFieldInvalid,
  ],
  [
    'data.signals is an object keyed by name',
    () => withSignalsKeyedByName(state()),
    SCHEMA_DRIFT.signalsAsObject,
  ],
  [
    'a signal has a code but neither body nor error status',
    () => removeAt(state(), ['data', 'signals', 0, 'body']),
    SCHEMA_DRIFT.signalUnreadable,
  ],
  [
    'a signal body is not an object',
    () => setAt(state(), ['data', 'signals', 0, 'body'], 89),
    SCHEMA_DRIFT.signalUnreadable,
  ],
  [
    'a signal status.value is unknown',
    () => setAt(state(), ['data', 'signals', 4, 'status', 'value'], 'PENDING'),
    SCHEMA_DRIFT.signalUnreadable,
  ],
  [
    'a signal error status has no type',
    () => removeAt(state(), ['data', 'signals', 4, 'status', 'error', 'type']),
    SCHEMA_DRIFT.signalUnreadable,
  ],
  [
    'a signal has fetchedAt instead of retrievedAt',
    () =>
      setAt(state(), ['data', 'signals', 0, 'meta'], {
        oemUpdatedAt: 1769937933000,
        fetchedAt: 1769937943244,
      }),
    SCHEMA_DRIFT.signalFetchedAt,
  ],
  [
    'a trigger signal is a dotted string',
    () => setAt(state(), ['triggers', 0, 'signal'], 'Charge.IsCharging'),
    SCHEMA_DRIFT.triggerSignalDotted,
  ],
  [
    'the documented triggers are inside data',
    () => stateWithDataTriggers([{ type: 'SIGNAL_UPDATED', signal: { code: 'charge-ischarging' } }]),
    SCHEMA_DRIFT.triggersInData,
  ],
  [
    'a top-level trigger is identified by code alone',
    () => setAt(state(), ['triggers'], [{ code: 'charge-ischarging', name: 'IsCharging', group: 'Charge' }]),
    SCHEMA_DRIFT.triggerCodeForm,
  ],
  [
    'error signals are dotted strings',
    () => setAt(error(), ['data', 'errors', 0, 'signals'], ['Location.PreciseLocation']),
    SCHEMA_DRIFT.errorSignalsDotted,
  ],
  [
    'an error state is unknown',
    () => setAt(error(), ['data', 'errors', 0, 'state'], 'OPEN'),
    SCHEMA_DRIFT.errorStateUnknown,
  ],
  [
    'an error state is missing',
    () => removeAt(error(), ['data', 'errors', 0, 'state']),
    SCHEMA_DRIFT.errorStateMissing,
  ],
  [
    'an error type is a best-practices alias (with its state)',
    () =>
      setAt(error(), ['data', 'errors', 0], {
        type: 'PERMISSION_ERROR',
        state: 'ERROR',
        signalPath: 'Closure.IsLocked',
      }),
    SCHEMA_DRIFT.errorAliasType,
  ],
  [
    'an error description is a number',
    () => setAt(error(), ['data', 'errors', 0, 'description'], 42),
    SCHEMA_DRIFT.optionalFieldInvalid,
  ],
  [
    'an error resolution.type is a number',
    () => setAt(error(), ['data', 'errors', 0, 'resolution', 'type'], 1),
    SCHEMA_DRIFT.optionalFieldInvalid,
  ],
  [
    'a VERIFY has no eventId (it has its meta)',
    () => removeAt(verifySample(), ['eventId']),
    SCHEMA_DRIFT.eventIdMissing,
  ],
  [
    'a legacy envelope has no webhookId',
    () => removeAt(legacyEventBasedSample(), ['webhookId']),
    SCHEMA_DRIFT.webhookIdMissing,
  ],
];

describe('parseSmartcarEvent: each tolerance is applied and reported', () => {
  it.each(TOLERANCES)('accepts an event where %s and reports only its drift code', (_name, build, code) => {
    expect(driftOf(build())).toEqual([code]);
  });

  it('has a case for every drift code', () => {
    const covered = new Set(TOLERANCES.map(([, , code]) => code));
    expect(Object.values(SCHEMA_DRIFT).filter((code) => !covered.has(code))).toEqual([]);
  });

  it('reports each code once, however many entries needed it', () => {
    const document = setAt(error(), ['data', 'errors', 0, 'state'], 'OPEN');
    setAt(document, ['data', 'errors', 1, 'state'], 'CLEARED');
    expect(driftOf(document)).toEqual([SCHEMA_DRIFT.errorStateUnknown]);
  });

  it('reports several tolerances in the order SCHEMA_DRIFT declares them', () => {
    const document = setAt(
      removeAt(state(), ['meta', 'webhookId']),
      ['triggers', 0, 'signal'],
      'Charge.IsCharging',
    );
    removeAt(document, ['meta', 'version']);
    expect(driftOf(document)).toEqual([
      SCHEMA_DRIFT.metaVersionMissing,
      SCHEMA_DRIFT.webhookIdMissing,
      SCHEMA_DRIFT.triggerSignalDotted,
    ]);
  });

  it('reports a mistyped delivery time as dropped and missing, not as refused', () => {
    const document = setAt(state(), ['meta', 'deliveredAt'], 'yesterday');
    expect(driftOf(document)).toEqual([SCHEMA_DRIFT.deliveredAtMissing, SCHEMA_DRIFT.optionalFieldInvalid]);
  });

  it('counts null in an optional meta field as missing, not as invalid', () => {
    expect(driftOf(setAt(state(), ['meta', 'deliveryId'], null))).toEqual([SCHEMA_DRIFT.deliveryIdMissing]);
  });
});

describe('parseSmartcarEvent: deliveries shaped like the ones dead-lettered before', () => {
  it.each([
    ['VEHICLE_STATE', state],
    ['VEHICLE_ERROR', error],
  ])('accepts a Dashboard test %s whose meta has no version and no webhookId', (_name, sample) => {
    const document = setAt(sample(), ['meta'], dashboardTestMeta());
    expect(parseSmartcarEvent(document)).toEqual({
      success: true,
      event: document,
      drift: [SCHEMA_DRIFT.metaVersionMissing, SCHEMA_DRIFT.webhookIdMissing],
    });
  });

  it.each([
    ['VEHICLE_STATE', state],
    ['VEHICLE_ERROR', error],
  ])('accepts a %s without meta', (_name, sample) => {
    const document = removeAt(sample(), ['meta']);
    expect(parseSmartcarEvent(document)).toEqual({
      success: true,
      event: document,
      drift: [SCHEMA_DRIFT.metaMissing],
    });
  });

  it('accepts a VERIFY with neither eventId nor meta', () => {
    const document = { eventType: 'VERIFY', data: { challenge: '3a5c8f72-e6d9-4b1a-9f2e-8c7d6a5b4e3f' } };
    expect(driftOf(document)).toEqual([SCHEMA_DRIFT.metaMissing, SCHEMA_DRIFT.eventIdMissing]);
  });

  it('accepts the data.triggers variant with a signal code and with FIRST_DELIVERY', () => {
    const document = stateWithDataTriggers([
      { code: 'charge-ischarging', name: 'IsCharging', group: 'Charge' },
      { code: 'FIRST_DELIVERY' },
    ]);
    expect(driftOf(document)).toEqual([SCHEMA_DRIFT.triggersInData, SCHEMA_DRIFT.triggerCodeForm]);
  });

  it('accepts error signals mixing dotted strings and objects', () => {
    const signals = [
      'Location.PreciseLocation',
      { code: 'closure-islocked', name: 'IsLocked', group: 'Closure' },
    ];
    expect(driftOf(setAt(error(), ['data', 'errors', 0, 'signals'], signals))).toEqual([
      SCHEMA_DRIFT.errorSignalsDotted,
    ]);
  });

  it('accepts the best-practices error shape, which has no state', () => {
    const document = setAt(error(), ['data', 'errors', 0], {
      type: 'VEHICLE_NOT_CAPABLE',
      signalPath: 'Location.PreciseLocation',
      message: 'Not capable.',
    });
    expect(driftOf(document)).toEqual([SCHEMA_DRIFT.errorStateMissing, SCHEMA_DRIFT.errorAliasType]);
  });

  it('normalizes signals keyed by name to the list of their values, in order', () => {
    expect(signalsOf(withSignalsKeyedByName(state()))).toEqual((state().data as { signals: Json[] }).signals);
  });

  it('keeps an unreadable signal, and the other signals, in the event', () => {
    const document = setAt(state(), ['data', 'signals', 0], {
      code: 'climate-cabintemperature',
      name: 'CabinTemperature',
    });
    const result = parseSmartcarEvent(document);
    expect(result).toEqual({ success: true, event: document, drift: [SCHEMA_DRIFT.signalUnreadable] });
  });

  it('leaves a dropped value out of the event, with the rest of the entry intact', () => {
    const [, entry] = signalsOf(setAt(state(), ['data', 'signals', 1, 'name'], 3));
    expect(entry).toMatchObject({ code: 'charge-ischarging', name: undefined, body: { value: true } });
  });
});
