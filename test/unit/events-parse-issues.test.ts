import { parseSmartcarEvent } from '../../lambdas/sdk/events/parse-event';
import {
  type Json,
  type JsonPath,
  legacyDynamicSample,
  legacyEventBasedSample,
  removeAt,
  setAt,
  vehicleErrorSample,
  vehicleStateSample,
  verifySample,
} from './events-fixtures';

/** `undefined` as the new value means: remove the field. */
type BrokenField = [sample: () => Json, path: JsonPath, value: unknown, expectedPath: string];

/** The refusal of `document`, which must be refused as SCHEMA_INVALID. */
function schemaIssuePaths(document: unknown): string[] {
  const result = parseSmartcarEvent(document);
  if (result.success) throw new Error('expected the document to be refused');
  expect(result.reason).toBe('SCHEMA_INVALID');
  return result.issues.map((issue) => issue.path);
}

function broken([sample, path, value]: BrokenField): Json {
  return value === undefined ? removeAt(sample(), path) : setAt(sample(), path, value);
}

const state = vehicleStateSample;
const error = vehicleErrorSample;
/**
 * What handlers cannot do without: the event's identity, its data, the vehicle, each signal's
 * `code`, each error's `type`, a readable trigger list. Everything else drifts (events-drift).
 */
const CASES: Record<string, BrokenField> = {
  'eventId is a number': [state, ['eventId'], 42, 'eventId'],
  'eventId is missing': [state, ['eventId'], undefined, 'eventId'],
  'eventId is empty': [state, ['eventId'], '', 'eventId'],
  'eventType is not a string': [state, ['eventType'], 7, 'eventType'],
  'meta is a string': [state, ['meta'], 'LIVE', 'meta'],
  'data is missing': [state, ['data'], undefined, 'data'],
  'data.signals is missing': [state, ['data', 'signals'], undefined, 'data.signals'],
  'data.signals is neither a list nor an object of signals': [state, ['data', 'signals'], 5, 'data.signals'],
  'data.signals is an object whose values are not signals': [
    state,
    ['data', 'signals'],
    { StateOfCharge: 89 },
    'data.signals.StateOfCharge',
  ],
  'data.signals[0].code is missing': [
    state,
    ['data', 'signals', 0, 'code'],
    undefined,
    'data.signals[0].code',
  ],
  'data.signals[2].code is a number': [state, ['data', 'signals', 2, 'code'], 3, 'data.signals[2].code'],
  'data.vehicle.id is missing': [state, ['data', 'vehicle', 'id'], undefined, 'data.vehicle.id'],
  'data.vehicle is missing (no vehicleId either)': [state, ['data', 'vehicle'], undefined, 'data.vehicle.id'],
  'triggers is an object': [state, ['triggers'], {}, 'triggers'],
  'triggers[0].signal.code is missing': [
    state,
    ['triggers', 0, 'signal', 'code'],
    undefined,
    'triggers[0].signal.code',
  ],
  'triggers[0] has neither type nor code': [state, ['triggers', 0, 'type'], undefined, 'triggers[0].type'],
  'data.errors is missing': [error, ['data', 'errors'], undefined, 'data.errors'],
  'data.errors[0] is not an object': [error, ['data', 'errors', 0], 'VEHICLE_NOT_CAPABLE', 'data.errors[0]'],
  'data.errors[1].type is missing': [error, ['data', 'errors', 1, 'type'], undefined, 'data.errors[1].type'],
  'data.errors[0].signals[0].code is missing': [
    error,
    ['data', 'errors', 0, 'signals', 0, 'code'],
    undefined,
    'data.errors[0].signals[0].code',
  ],
  'data.vehicle of a VEHICLE_ERROR is missing': [error, ['data', 'vehicle'], undefined, 'data.vehicle.id'],
  'data.challenge of a VERIFY is missing': [verifySample, ['data', 'challenge'], undefined, 'data.challenge'],
  'legacy eventName is not a string': [legacyEventBasedSample, ['eventName'], 2, 'eventName'],
  'legacy payload.eventId is missing': [
    legacyEventBasedSample,
    ['payload', 'eventId'],
    undefined,
    'payload.eventId',
  ],
  'legacy payload.eventTime is not ISO-8601': [
    legacyEventBasedSample,
    ['payload', 'eventTime'],
    'Aug 24 2023',
    'payload.eventTime',
  ],
  'legacy dynamic data[0].path is missing': [
    legacyDynamicSample,
    ['payload', 'vehicles', 0, 'data', 0, 'path'],
    undefined,
    'payload.vehicles[0].data[0].path',
  ],
};

describe('parseSmartcarEvent: SCHEMA_INVALID issues name the failing field', () => {
  it.each(Object.entries(CASES))('reports only the field when %s', (_name, field) => {
    expect(schemaIssuePaths(broken(field))).toEqual([field[3]]);
  });

  it('says what a signal must look like when an entry is not an object', () => {
    const result = parseSmartcarEvent(
      setAt(vehicleStateSample(), ['data', 'signals', 0], 'charge-ischarging'),
    );
    expect(result).toEqual({
      success: false,
      reason: 'SCHEMA_INVALID',
      issues: [{ path: 'data.signals[0]', message: 'Invalid input: expected a signal object with a code' }],
    });
  });

  it('reports every broken field, not only the first', () => {
    const document = setAt(removeAt(vehicleStateSample(), ['eventId']), ['data', 'signals', 1, 'code'], 1);
    expect(schemaIssuePaths(document)).toEqual(['eventId', 'data.signals[1].code']);
  });
});
