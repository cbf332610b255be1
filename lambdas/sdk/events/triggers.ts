import type { VehicleStateEvent } from './current-event-schema';
import { toSignalCode } from './signal-code';
import { isTriggerType, TRIGGER_TYPES, type Trigger } from './trigger-schema';

/** Triggers wherever they came: top-level `triggers` (real payloads) and `data.triggers` (a variant). */
export function allTriggers(event: VehicleStateEvent): Trigger[] {
  return [...(event.triggers ?? []), ...(event.data.triggers ?? [])];
}

/** The signal a trigger names: its `signal`, else a `code` that is a signal code, not a trigger type. */
function signalOf(trigger: Trigger): string | undefined {
  if (trigger.signal !== undefined) return toSignalCode(trigger.signal);
  const { code } = trigger;
  return code === undefined || code === '' || isTriggerType(code) ? undefined : toSignalCode(code);
}

/**
 * Kebab-case codes of the signals whose change sent this VEHICLE_STATE, without duplicates,
 * whichever form named them: `signal: { code }`, a dotted `signal: "Charge.IsCharging"`, or the
 * `data.triggers` variant `{ code: "charge-ischarging", name, group }`. Triggers that name no
 * signal (FIRST_DELIVERY) add nothing; see {@link isFirstDelivery}.
 */
export function firedTriggers(event: VehicleStateEvent): string[] {
  const codes = new Set<string>();
  for (const trigger of allTriggers(event)) {
    const code = signalOf(trigger);
    if (code !== undefined) codes.add(code);
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
