import type { VehicleStateEvent } from './current-event-schema';
import { toSignalCode } from './signal-code';
import { TRIGGER_TYPES, type Trigger } from './trigger-schema';

/** Triggers wherever they came: top-level `triggers` (real payloads) and `data.triggers` (a variant). */
function allTriggers(event: VehicleStateEvent): Trigger[] {
  return [...(event.triggers ?? []), ...(event.data.triggers ?? [])];
}

/**
 * Kebab-case codes of the signals whose change sent this VEHICLE_STATE, without duplicates. Dotted
 * names (`"Charge.IsCharging"`) are mapped to codes (`"charge-ischarging"`). Triggers that name no
 * signal (FIRST_DELIVERY, the `{ code }` variant) add nothing; see {@link isFirstDelivery}.
 */
export function firedTriggers(event: VehicleStateEvent): string[] {
  const codes = new Set<string>();
  for (const trigger of allTriggers(event)) {
    if (trigger.signal !== undefined) codes.add(toSignalCode(trigger.signal));
  }
  return [...codes];
}

/**
 * True on the first delivery after the vehicle was subscribed, resubscribed or re-enabled: the
 * event then carries a full snapshot rather than a change, whichever trigger form it used.
 */
export function isFirstDelivery(event: VehicleStateEvent): boolean {
  return allTriggers(event).some(
    (trigger) => trigger.type === TRIGGER_TYPES.firstDelivery || trigger.code === TRIGGER_TYPES.firstDelivery,
  );
}
