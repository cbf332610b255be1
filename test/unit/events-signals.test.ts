import type { VehicleStateEvent } from '../../lambdas/sdk/events/current-event-schema';
import { parseSmartcarEventOrThrow } from '../../lambdas/sdk/events/parse-event';
import {
  findSignal,
  readSignals,
  SIGNAL_ERROR_SOURCES,
  signalTimestamp,
} from '../../lambdas/sdk/events/signals';
import {
  type Json,
  removeAt,
  SAMPLE_LATITUDE,
  SAMPLE_VIN,
  setAt,
  signal,
  vehicleStateSample,
} from './events-fixtures';
import { isEventType } from '../../lambdas/sdk/events/smartcar-event-schema';

/** Compiles only when `value` is assignable to `T`: pins the types `findSignal` returns. */
function assertType<T>(value: T): T {
  return value;
}

function stateEvent(document: Json = vehicleStateSample()): VehicleStateEvent {
  const event = parseSmartcarEventOrThrow(document);
  if (!isEventType(event, 'VEHICLE_STATE')) throw new Error('not a VEHICLE_STATE');
  return event;
}

function withSignal(entry: Json): VehicleStateEvent {
  return stateEvent(setAt(vehicleStateSample(), ['data', 'signals'], [entry]));
}

describe('findSignal', () => {
  it('types and returns the body of a common signal', () => {
    const reading = findSignal(stateEvent(), 'tractionbattery-stateofcharge');
    if (!reading?.ok) throw new Error('expected a value');
    const body = assertType<{ value: number; unit: string }>(reading.body);
    expect(body).toEqual({ value: 89, unit: 'percent' });
    expect(reading).toMatchObject({
      code: 'tractionbattery-stateofcharge',
      name: 'StateOfCharge',
      group: 'TractionBattery',
    });
  });

  it('types a location body with its optional fields', () => {
    const reading = findSignal(stateEvent(), 'location-preciselocation');
    if (!reading?.ok) throw new Error('expected a value');
    const latitude = assertType<number>(reading.body.latitude);
    const heading = assertType<number | undefined>(reading.body.heading);
    expect([latitude, heading, reading.body.locationType]).toEqual([
      SAMPLE_LATITUDE,
      undefined,
      'LAST_PARKED',
    ]);
  });

  it('types a boolean signal', () => {
    const reading = findSignal(stateEvent(), 'charge-ischarging');
    expect(reading?.ok && assertType<boolean>(reading.body.value)).toBe(true);
  });

  it('returns the body of a signal without a schema as a plain object', () => {
    const event = withSignal(
      signal('climate-cabintemperature', 'CabinTemperature', 'Climate', { value: 21, unit: 'C' }),
    );
    const reading = findSignal(event, 'climate-cabintemperature');
    expect(reading?.ok && assertType<Record<string, unknown>>(reading.body)).toEqual({
      value: 21,
      unit: 'C',
    });
  });

  it('returns undefined when the event does not carry the signal', () => {
    expect(findSignal(stateEvent(), 'closure-islocked')).toBeUndefined();
  });

  it('represents a signal Smartcar could not read as an error', () => {
    expect(findSignal(stateEvent(), 'location-isathome')).toMatchObject({
      ok: false,
      code: 'location-isathome',
      error: {
        source: SIGNAL_ERROR_SOURCES.smartcar,
        type: 'COMPATIBILITY',
        code: 'VEHICLE_NOT_CAPABLE',
        issues: [],
      },
    });
  });

  it('gives a null error code when Smartcar sent none', () => {
    const event = withSignal({
      code: 'closure-islocked',
      status: { value: 'ERROR', error: { type: 'PERMISSION' } },
    });
    expect(findSignal(event, 'closure-islocked')).toMatchObject({
      ok: false,
      error: { type: 'PERMISSION', code: null },
    });
  });

  it('reports a body that does not match its schema as an error naming the field, without its value', () => {
    const event = withSignal(
      signal('vehicleidentification-vin', 'VIN', 'VehicleIdentification', { vin: SAMPLE_VIN }),
    );
    const reading = findSignal(event, 'vehicleidentification-vin');
    expect(reading).toMatchObject({
      ok: false,
      error: { source: SIGNAL_ERROR_SOURCES.invalidBody, code: null },
    });
    expect(reading?.ok === false && reading.error.issues.map((issue) => issue.path)).toEqual(['body.value']);
    expect(JSON.stringify(reading?.ok === false && reading.error)).not.toContain(SAMPLE_VIN);
  });

  it.each<[string, Json]>([
    [
      'an odometer in miles',
      signal('odometer-traveleddistance', 'TraveledDistance', 'Odometer', { value: 1, unit: 'miles' }),
    ],
    [
      'a range without additionalValues',
      signal('tractionbattery-range', 'Range', 'TractionBattery', { value: 300, unit: 'km' }),
    ],
    [
      'charge limits with only activeLimit',
      signal('charge-chargelimits', 'ChargeLimits', 'Charge', { activeLimit: 80 }),
    ],
    [
      'doors without counts',
      signal('closure-doors', 'Doors', 'Closure', { values: [{ row: 0, column: 0, isOpen: false }] }),
    ],
    [
      'a fuel level as a fraction without unit',
      signal('internalcombustionengine-fuellevel', 'FuelLevel', 'ICE', { value: 0.4 }),
    ],
    [
      'an undocumented charging status',
      signal('charge-detailedchargingstatus', 'Status', 'Charge', { value: 'PAUSED' }),
    ],
  ])('accepts %s', (_name, entry) => {
    const event = withSignal(entry);
    expect(findSignal(event, entry.code as string)).toMatchObject({ ok: true, body: entry.body });
  });

  it('keeps fields a body schema does not know', () => {
    const event = withSignal(
      signal('charge-voltage', 'Voltage', 'Charge', { value: 230, unit: 'V', phase: 3 }),
    );
    expect(findSignal(event, 'charge-voltage')).toMatchObject({
      ok: true,
      body: { value: 230, unit: 'V', phase: 3 },
    });
  });
});

describe('readSignals', () => {
  it('normalizes every signal of the event in order', () => {
    expect(readSignals(stateEvent()).map((reading) => [reading.code, reading.ok])).toEqual([
      ['tractionbattery-stateofcharge', true],
      ['charge-ischarging', true],
      ['location-preciselocation', true],
      ['odometer-traveleddistance', true],
      ['location-isathome', false],
    ]);
  });
});

describe('signalTimestamp', () => {
  const event = stateEvent();
  const delivered = 1769937943464;
  const SENT_TIMESTAMP = 1769937944000;

  it.each<[string, Json | undefined, number]>([
    [
      'oemUpdatedAt when positive',
      { oemUpdatedAt: 1769937933000, retrievedAt: 1769937943244 },
      1769937933000,
    ],
    [
      'retrievedAt when oemUpdatedAt is 0 (static signal)',
      { oemUpdatedAt: 0, retrievedAt: 1769937943244 },
      1769937943244,
    ],
    ['fetchedAt when that is the name used', { oemUpdatedAt: 0, fetchedAt: 1769937943000 }, 1769937943000],
    ['epoch seconds converted to milliseconds', { oemUpdatedAt: 1769937933 }, 1769937933000],
    [
      'retrievedAt when oemUpdatedAt was mistyped and dropped',
      { oemUpdatedAt: '1769937933000', retrievedAt: 1769937943244 },
      1769937943244,
    ],
    ['the delivery time when meta is {}', {}, delivered],
    ['the delivery time when meta is absent', undefined, delivered],
  ])('uses %s', (_name, meta, expected) => {
    const entry = { code: 'charge-voltage', body: { value: 230, unit: 'V' }, ...(meta && { meta }) };
    const [parsed] = withSignal(entry).data.signals;
    expect(parsed && signalTimestamp(parsed, event, SENT_TIMESTAMP)).toBe(expected);
  });

  it('uses the delivery time for a signal Smartcar could not read', () => {
    const reading = findSignal(event, 'location-isathome');
    expect(reading && signalTimestamp(reading, event, SENT_TIMESTAMP)).toBe(delivered);
  });

  it('reads a raw signal from the event as well as a reading', () => {
    const [first] = event.data.signals;
    expect(first && signalTimestamp(first, event, SENT_TIMESTAMP)).toBe(1769937933000);
  });

  it.each<[string, (document: Json) => Json]>([
    ['without meta', (document) => removeAt(document, ['meta'])],
    ['whose meta has no deliveredAt', (document) => removeAt(document, ['meta', 'deliveredAt'])],
  ])('uses the fallback for a signal without timestamps in an event %s', (_name, change) => {
    const metaless = stateEvent(change(vehicleStateSample()));
    const reading = findSignal(metaless, 'location-isathome');
    expect(reading && signalTimestamp(reading, metaless, SENT_TIMESTAMP)).toBe(SENT_TIMESTAMP);
  });
});

describe('readSignal: entries that are neither a value nor a Smartcar error', () => {
  it('reads a signal with a code but neither body nor error status as UNREADABLE, naming what is missing', () => {
    const event = withSignal({
      code: 'climate-cabintemperature',
      name: 'CabinTemperature',
      group: 'Climate',
    });
    expect(findSignal(event, 'climate-cabintemperature')).toEqual({
      ok: false,
      code: 'climate-cabintemperature',
      name: 'CabinTemperature',
      group: 'Climate',
      signal: { code: 'climate-cabintemperature', name: 'CabinTemperature', group: 'Climate' },
      error: {
        source: SIGNAL_ERROR_SOURCES.unreadable,
        type: 'UNREADABLE',
        code: null,
        issues: [{ path: 'body', message: expect.stringContaining('expected object') }],
      },
    });
  });

  it.each<[string, Json]>([
    ['a body that is not an object', { code: 'charge-ischarging', body: true }],
    ['an unknown status', { code: 'charge-ischarging', status: { value: 'PENDING' } }],
    ['an error status without type', { code: 'charge-ischarging', status: { value: 'ERROR', error: {} } }],
  ])('reads an entry with %s as UNREADABLE', (_name, entry) => {
    expect(findSignal(withSignal(entry), 'charge-ischarging')).toMatchObject({
      ok: false,
      error: { source: SIGNAL_ERROR_SOURCES.unreadable },
    });
  });

  it('never puts the value of an unreadable entry into its issues', () => {
    const event = withSignal({ code: 'vehicleidentification-vin', body: SAMPLE_VIN });
    const reading = findSignal(event, 'vehicleidentification-vin');
    expect(reading?.ok === false && JSON.stringify(reading.error)).not.toContain(SAMPLE_VIN);
  });

  it('reads the other signals of the event as usual', () => {
    const document = removeAt(vehicleStateSample(), ['data', 'signals', 0, 'body']);
    expect(readSignals(stateEvent(document)).map((reading) => reading.ok)).toEqual([
      false,
      true,
      true,
      true,
      false,
    ]);
  });

  it('reads a signal whose name was mistyped as a value without a name', () => {
    const document = setAt(vehicleStateSample(), ['data', 'signals', 1, 'name'], 7);
    const reading = findSignal(stateEvent(document), 'charge-ischarging');
    expect(reading).toMatchObject({ ok: true, name: undefined, body: { value: true } });
  });
});
