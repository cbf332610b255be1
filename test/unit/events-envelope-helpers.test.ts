import { parseSmartcarEventOrThrow as parse } from '../../lambdas/sdk/events/parse-event';
import { isEventType, isLegacyEvent, vehicleIdOf } from '../../lambdas/sdk/events/smartcar-event-schema';
import {
  legacyDynamicSample,
  legacyEventBasedSample,
  removeAt,
  setAt,
  vehicleErrorSample,
  vehicleStateSample,
  verifySample,
} from './events-fixtures';

describe('vehicleIdOf', () => {
  it('reads data.vehicle.id', () => {
    const event = parse(vehicleStateSample());
    expect(vehicleIdOf(event)).toBe('875d9333-bbbb-4444-aaaa-17be22ebe970');
  });

  it('falls back to the top-level vehicleId', () => {
    const event = parse(setAt(removeAt(vehicleErrorSample(), ['data', 'vehicle']), ['vehicleId'], 'v-1'));
    expect(vehicleIdOf(event)).toBe('v-1');
  });

  it('reads payload.vehicleId of a legacy eventBased event', () => {
    const event = parse(legacyEventBasedSample());
    expect(vehicleIdOf(event)).toBe('00000000-0000-4000-A000-000000000000');
  });

  it.each([
    ['VERIFY', verifySample],
    ['a legacy dynamic event', legacyDynamicSample],
  ])('is undefined for %s', (_name, sample) => {
    expect(vehicleIdOf(parse(sample()))).toBeUndefined();
  });
});

describe('isLegacyEvent', () => {
  it('tells a legacy envelope from a current one', () => {
    expect(isLegacyEvent(parse(legacyEventBasedSample()))).toBe(true);
    expect(isLegacyEvent(parse(vehicleStateSample()))).toBe(false);
  });
});

describe('isEventType', () => {
  it.each([
    ['VERIFY', verifySample, 'VERIFY', true],
    ['VEHICLE_STATE', vehicleStateSample, 'VEHICLE_STATE', true],
    ['VEHICLE_ERROR', vehicleErrorSample, 'VEHICLE_STATE', false],
    ['legacy eventBased', legacyEventBasedSample, 'VEHICLE_STATE', false],
  ] as const)('answers for a %s event asked about %s', (_name, sample, type, expected) => {
    expect(isEventType(parse(sample()), type)).toBe(expected);
  });
});
