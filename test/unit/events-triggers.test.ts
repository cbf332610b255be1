import type { VehicleStateEvent } from '../../lambdas/sdk/events/current-event-schema';
import { parseSmartcarEventOrThrow } from '../../lambdas/sdk/events/parse-event';
import { toSignalCode } from '../../lambdas/sdk/events/signal-code';
import { isEventType } from '../../lambdas/sdk/events/smartcar-event-schema';
import { firedTriggers, isFirstDelivery } from '../../lambdas/sdk/events/triggers';
import { type Json, removeAt, setAt, vehicleStateSample } from './events-fixtures';

function withTriggers(triggers: Json[] | undefined, dataTriggers?: Json[]): VehicleStateEvent {
  const document = vehicleStateSample();
  if (triggers === undefined) removeAt(document, ['triggers']);
  else setAt(document, ['triggers'], triggers);
  if (dataTriggers !== undefined) setAt(document, ['data', 'triggers'], dataTriggers);
  const event = parseSmartcarEventOrThrow(document);
  if (!isEventType(event, 'VEHICLE_STATE')) throw new Error('not a VEHICLE_STATE');
  return event;
}

const isCharging = {
  type: 'SIGNAL_UPDATED',
  signal: { code: 'charge-ischarging', name: 'IsCharging', group: 'Charge' },
};

describe('firedTriggers', () => {
  it('lists the code of a SIGNAL_UPDATED trigger', () => {
    expect(firedTriggers(withTriggers([isCharging]))).toEqual(['charge-ischarging']);
  });

  it('maps a dotted signal name to its kebab-case code', () => {
    const event = withTriggers([{ type: 'SIGNAL_UPDATED', signal: 'TractionBattery.StateOfCharge' }]);
    expect(firedTriggers(event)).toEqual(['tractionbattery-stateofcharge']);
  });

  it('merges top-level and data triggers without duplicates', () => {
    const event = withTriggers([isCharging], [{ type: 'SIGNAL_UPDATED', signal: 'Charge.IsCharging' }]);
    expect(firedTriggers(event)).toEqual(['charge-ischarging']);
  });

  it('lists the signal code of the data.triggers variant { code, name, group }', () => {
    const event = withTriggers(undefined, [
      { code: 'charge-ischarging', name: 'IsCharging', group: 'Charge' },
    ]);
    expect(firedTriggers(event)).toEqual(['charge-ischarging']);
  });

  it('lists signal codes of the { code } variant next to a FIRST_DELIVERY, without the trigger type', () => {
    const event = withTriggers(undefined, [
      { code: 'FIRST_DELIVERY' },
      { code: 'tractionbattery-stateofcharge', name: 'StateOfCharge', group: 'TractionBattery' },
    ]);
    expect(firedTriggers(event)).toEqual(['tractionbattery-stateofcharge']);
  });

  it.each<[string, Json[] | undefined, Json[] | undefined]>([
    ['there are no triggers', undefined, undefined],
    ['the only trigger is FIRST_DELIVERY', [{ type: 'FIRST_DELIVERY' }], undefined],
    ['the only trigger is the { code } variant', undefined, [{ code: 'FIRST_DELIVERY' }]],
  ])('is empty when %s', (_name, triggers, dataTriggers) => {
    expect(firedTriggers(withTriggers(triggers, dataTriggers))).toEqual([]);
  });
});

describe('isFirstDelivery', () => {
  it.each<[string, Json[] | undefined, Json[] | undefined, boolean]>([
    ['a top-level { type: FIRST_DELIVERY }', [{ type: 'FIRST_DELIVERY' }], undefined, true],
    ['a { code: FIRST_DELIVERY } inside data', undefined, [{ code: 'FIRST_DELIVERY' }], true],
    ['a { type: FIRST_DELIVERY } inside data', [isCharging], [{ type: 'FIRST_DELIVERY' }], true],
    ['only a SIGNAL_UPDATED trigger', [isCharging], undefined, false],
    ['only a { code } trigger naming a signal', undefined, [{ code: 'charge-ischarging' }], false],
    ['no triggers', undefined, undefined, false],
  ])('answers for %s', (_name, triggers, dataTriggers, expected) => {
    expect(isFirstDelivery(withTriggers(triggers, dataTriggers))).toBe(expected);
  });
});

describe('toSignalCode', () => {
  it.each([
    ['Charge.IsCharging', 'charge-ischarging'],
    ['TractionBattery.StateOfCharge', 'tractionbattery-stateofcharge'],
    ['charge-ischarging', 'charge-ischarging'],
    ['not a path', 'not a path'],
  ])('maps %s to %s', (input, expected) => {
    expect(toSignalCode(input)).toBe(expected);
  });

  it('returns the code of a signal object', () => {
    expect(toSignalCode({ code: 'closure-islocked', name: 'IsLocked' })).toBe('closure-islocked');
  });
});
