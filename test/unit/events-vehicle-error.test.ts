import {
  classifyVehicleError,
  VEHICLE_ERROR_ACTIONS,
  type VehicleErrorCategory,
} from '../../lambdas/sdk/events/classify-vehicle-error';
import { parseSmartcarEventOrThrow } from '../../lambdas/sdk/events/parse-event';
import { isEventType } from '../../lambdas/sdk/events/smartcar-event-schema';
import type { VehicleError } from '../../lambdas/sdk/events/vehicle-error-schema';
import { type Json, setAt, vehicleErrorSample } from './events-fixtures';

/** The first error of a VEHICLE_ERROR sample whose first error is replaced by `error`, after parsing. */
function parsedError(error: Json): VehicleError {
  const event = parseSmartcarEventOrThrow(setAt(vehicleErrorSample(), ['data', 'errors', 0], error));
  const first = isEventType(event, 'VEHICLE_ERROR') ? event.data.errors[0] : undefined;
  if (first === undefined) throw new Error('no error parsed');
  return first;
}

function realError(type: string, code: string | null, extra: Json = {}): Json {
  return {
    type,
    code,
    state: 'ERROR',
    description: 'Something happened.',
    resolution: { type: 'RETRY_LATER' },
    ...extra,
  };
}

describe('classifyVehicleError', () => {
  it.each<[string, string | null, VehicleErrorCategory]>([
    ['CONNECTED_SERVICES_ACCOUNT', 'VIRTUAL_KEY_REQUIRED', 'ACCOUNT'],
    ['VEHICLE_STATE', 'ASLEEP', 'VEHICLE_STATE'],
    ['COMPATIBILITY', 'VEHICLE_NOT_CAPABLE', 'COMPATIBILITY'],
    ['PERMISSION', null, 'PERMISSION'],
    ['UPSTREAM', 'RATE_LIMIT', 'UPSTREAM'],
    ['RATE_LIMIT', 'VEHICLE', 'RATE_LIMIT'],
    ['SERVER', 'INTERNAL', 'SERVER'],
    ['SOMETHING_NEW', 'WHATEVER', 'UNKNOWN'],
  ])('maps type %s (code %s) to %s with its action', (type, code, category) => {
    expect(classifyVehicleError(parsedError(realError(type, code)))).toEqual({
      category,
      state: 'ERROR',
      action: VEHICLE_ERROR_ACTIONS[category],
      resolution: 'RETRY_LATER',
      signalCodes: [],
    });
  });

  it.each<[string, VehicleErrorCategory]>([
    ['VEHICLE_NOT_CAPABLE', 'COMPATIBILITY'],
    ['PERMISSION_ERROR', 'PERMISSION'],
    ['UPSTREAM_ERROR', 'UPSTREAM'],
    ['RATE_LIMIT', 'RATE_LIMIT'],
  ])('maps the best-practices alias %s to %s, counting a missing state as ERROR', (type, category) => {
    const error = parsedError({ type, signalPath: 'Location.PreciseLocation', message: 'Not available.' });
    expect(classifyVehicleError(error)).toEqual({
      category,
      state: 'ERROR',
      action: VEHICLE_ERROR_ACTIONS[category],
      resolution: null,
      signalCodes: ['location-preciselocation'],
    });
  });

  it('classifies the reference sample: a COMPATIBILITY error naming its signal', () => {
    const event = parseSmartcarEventOrThrow(vehicleErrorSample());
    const errors = isEventType(event, 'VEHICLE_ERROR') ? event.data.errors : [];
    expect(
      errors
        .map(classifyVehicleError)
        .map(({ category, resolution, signalCodes }) => [category, resolution, signalCodes]),
    ).toEqual([
      ['COMPATIBILITY', 'CONTACT_SUPPORT', ['location-preciselocation']],
      ['PERMISSION', 'REAUTHENTICATE', ['closure-islocked']],
    ]);
  });

  it('reports RESOLVED with a null resolution when resolution is absent', () => {
    const error = parsedError({
      type: 'VEHICLE_STATE',
      code: 'ASLEEP',
      state: 'RESOLVED',
      description: 'Awake again.',
    });
    expect(classifyVehicleError(error)).toMatchObject({
      category: 'VEHICLE_STATE',
      state: 'RESOLVED',
      resolution: null,
    });
  });

  it('passes on a state this version does not know rather than guessing', () => {
    expect(
      classifyVehicleError(parsedError(realError('SERVER', 'INTERNAL', { state: 'CLEARED' }))),
    ).toMatchObject({
      category: 'SERVER',
      state: 'CLEARED',
    });
  });

  it('counts a missing state as ERROR', () => {
    const { state: _dropped, ...withoutState } = realError('UPSTREAM', 'NO_RESPONSE');
    expect(classifyVehicleError(parsedError(withoutState)).state).toBe('ERROR');
  });

  it.each<[string, Json]>([
    ['resolution is null', { resolution: null }],
    ['resolution.type is null', { resolution: { type: null } }],
    ['resolution was mistyped and dropped', { resolution: 'RETRY_LATER' }],
  ])('reports a null resolution when %s', (_name, extra) => {
    expect(classifyVehicleError(parsedError(realError('SERVER', 'INTERNAL', extra))).resolution).toBeNull();
  });

  it('maps signals given as objects and as dotted strings to codes, once each', () => {
    const signals = [
      { code: 'closure-islocked', name: 'IsLocked', group: 'Closure' },
      'Closure.IsLocked',
      'Charge.IsCharging',
    ];
    const error = parsedError(realError('PERMISSION', null, { signals }));
    expect(classifyVehicleError(error).signalCodes).toEqual(['closure-islocked', 'charge-ischarging']);
  });
});
