import type { SignalRef } from './signal-schema';

/** `Group.Name` with at least one dot, e.g. `Charge.IsCharging` or `TractionBattery.StateOfCharge`. */
const DOTTED_PATH = /^[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)+$/;

/**
 * The kebab-case code of a signal reference. Objects give their `code`; dotted strings seen in some
 * payloads (`"Charge.IsCharging"`) become the code Smartcar uses elsewhere (`"charge-ischarging"`);
 * any other string is returned unchanged, since guessing would invent codes.
 */
export function toSignalCode(ref: SignalRef | string): string {
  if (typeof ref !== 'string') return ref.code;
  return DOTTED_PATH.test(ref) ? ref.split('.').join('-').toLowerCase() : ref;
}
