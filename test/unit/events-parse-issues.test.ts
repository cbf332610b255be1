import { parseSmartcarEvent } from '../../lambdas/shared/events/parse-event';
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

function issuePaths(document: unknown): string[] {
  const result = parseSmartcarEvent(document);
  if (result.success) throw new Error('expected the document to be refused');
  return result.issues.map((issue) => issue.path);
}

function broken([sample, path, value]: BrokenField): Json {
  return value === undefined ? removeAt(sample(), path) : setAt(sample(), path, value);
}

const state = vehicleStateSample;
const error = vehicleErrorSample;
const CASES: Record<string, BrokenField> = {
  'eventId is a number': [state, ['eventId'], 42, 'eventId'],
  'eventId is missing': [state, ['eventId'], undefined, 'eventId'],
  'eventId is empty': [state, ['eventId'], '', 'eventId'],
  'eventType is unknown': [state, ['eventType'], 'VEHICLE_COMMAND', 'eventType'],
  'meta is missing': [state, ['meta'], undefined, 'meta'],
  'meta.deliveryId is missing': [state, ['meta', 'deliveryId'], undefined, 'meta.deliveryId'],
  'meta.webhookId is a number': [state, ['meta', 'webhookId'], 7, 'meta.webhookId'],
  'meta.deliveredAt is not a date': [state, ['meta', 'deliveredAt'], 'yesterday', 'meta.deliveredAt'],
  'meta.deliveredAt is a boolean': [state, ['meta', 'deliveredAt'], true, 'meta.deliveredAt'],
  'meta.deliveredAt is negative': [state, ['meta', 'deliveredAt'], -1, 'meta.deliveredAt'],
  'meta.signalCount is a string': [state, ['meta', 'signalCount'], '5', 'meta.signalCount'],
  'data is missing': [state, ['data'], undefined, 'data'],
  'data.signals is missing': [state, ['data', 'signals'], undefined, 'data.signals'],
  'data.signals[0].code is missing': [
    state,
    ['data', 'signals', 0, 'code'],
    undefined,
    'data.signals[0].code',
  ],
  'data.signals[2].code is a number': [state, ['data', 'signals', 2, 'code'], 3, 'data.signals[2].code'],
  'data.signals[1].name is a number': [state, ['data', 'signals', 1, 'name'], 3, 'data.signals[1].name'],
  'data.signals[0].body is missing': [
    state,
    ['data', 'signals', 0, 'body'],
    undefined,
    'data.signals[0].body',
  ],
  'data.signals[0].body is a number': [state, ['data', 'signals', 0, 'body'], 89, 'data.signals[0].body'],
  'data.signals[3].meta.oemUpdatedAt is a string': [
    state,
    ['data', 'signals', 3, 'meta', 'oemUpdatedAt'],
    '1769852860000',
    'data.signals[3].meta.oemUpdatedAt',
  ],
  'data.signals[4].status.value is unknown': [
    state,
    ['data', 'signals', 4, 'status', 'value'],
    'PENDING',
    'data.signals[4].status.value',
  ],
  'data.signals[4].status.error.type is missing': [
    state,
    ['data', 'signals', 4, 'status', 'error', 'type'],
    undefined,
    'data.signals[4].status.error.type',
  ],
  'data.vehicle.id is missing': [state, ['data', 'vehicle', 'id'], undefined, 'data.vehicle.id'],
  'data.vehicle is missing (no vehicleId either)': [state, ['data', 'vehicle'], undefined, 'data.vehicle.id'],
  'data.vehicle.year is a string': [state, ['data', 'vehicle', 'year'], '2024', 'data.vehicle.year'],
  'data.user.id is missing': [state, ['data', 'user', 'id'], undefined, 'data.user.id'],
  'triggers is an object': [state, ['triggers'], {}, 'triggers'],
  'triggers[0].signal.code is missing': [
    state,
    ['triggers', 0, 'signal', 'code'],
    undefined,
    'triggers[0].signal.code',
  ],
  'triggers[0] has neither type nor code': [state, ['triggers', 0, 'type'], undefined, 'triggers[0].type'],
  'data.errors is missing': [error, ['data', 'errors'], undefined, 'data.errors'],
  'data.errors[1].type is missing': [error, ['data', 'errors', 1, 'type'], undefined, 'data.errors[1].type'],
  'data.errors[0].state is unknown': [error, ['data', 'errors', 0, 'state'], 'OPEN', 'data.errors[0].state'],
  'data.errors[0].state is missing': [
    error,
    ['data', 'errors', 0, 'state'],
    undefined,
    'data.errors[0].state',
  ],
  'data.errors[0].resolution.type is a number': [
    error,
    ['data', 'errors', 0, 'resolution', 'type'],
    1,
    'data.errors[0].resolution.type',
  ],
  'data.errors[0].signals[0].code is missing': [
    error,
    ['data', 'errors', 0, 'signals', 0, 'code'],
    undefined,
    'data.errors[0].signals[0].code',
  ],
  'data.challenge of a VERIFY is missing': [verifySample, ['data', 'challenge'], undefined, 'data.challenge'],
  'legacy version is not 2.0': [legacyEventBasedSample, ['version'], '3.0', 'version'],
  'legacy eventName is unknown': [legacyEventBasedSample, ['eventName'], 'weekly', 'eventName'],
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

describe('parseSmartcarEvent: issues name the failing field', () => {
  it.each(Object.entries(CASES))('reports only the field when %s', (_name, field) => {
    expect(issuePaths(broken(field))).toEqual([field[3]]);
  });

  it.each([
    ['an array', []],
    ['null', null],
    ['a string', '{"eventId":"x"}'],
  ])('reports the root when the document is %s', (_name, document) => {
    expect(issuePaths(document)).toEqual(['(root)']);
  });

  it('says what a signal must look like when an entry is not an object', () => {
    const result = parseSmartcarEvent(
      setAt(vehicleStateSample(), ['data', 'signals', 0], 'charge-ischarging'),
    );
    expect(result).toEqual({
      success: false,
      issues: [
        {
          path: 'data.signals[0]',
          message: 'Invalid input: expected a signal object with a body or an error status',
        },
      ],
    });
  });

  it('reports every broken field, not only the first', () => {
    const document = setAt(removeAt(vehicleStateSample(), ['eventId']), ['data', 'signals', 1, 'code'], 1);
    expect(issuePaths(document)).toEqual(['eventId', 'data.signals[1].code']);
  });
});
