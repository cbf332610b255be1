import * as z from 'zod';
import { openEnum } from './schema-helpers';
import { signalRefOrPathSchema } from './signal-schema';

/** Why a VEHICLE_STATE was sent. */
export const TRIGGER_TYPES = {
  /** A subscribed trigger signal changed; `signal` names it. */
  signalUpdated: 'SIGNAL_UPDATED',
  /** The first delivery after the vehicle was subscribed, resubscribed or re-enabled. */
  firstDelivery: 'FIRST_DELIVERY',
} as const;

/**
 * One trigger of a VEHICLE_STATE, in any of the forms seen: the documented `{ type, signal? }`
 * (`signal` an object or a dotted string such as `"Charge.IsCharging"`) and the variants found
 * inside `data.triggers`, identified by `code` alone: a trigger type (`{ code: 'FIRST_DELIVERY' }`)
 * or the code of the signal that changed (`{ code: 'charge-ischarging', name, group }`). One of
 * `type` and `code` is required. Read triggers with `firedTriggers()` and `isFirstDelivery()`.
 */
export const triggerSchema = z
  .looseObject({
    type: openEnum(Object.values(TRIGGER_TYPES)).optional(),
    // Typed as the trigger types for autocompletion; a signal code is any other string.
    code: openEnum(Object.values(TRIGGER_TYPES)).optional(),
    signal: signalRefOrPathSchema.optional(),
  })
  .refine((trigger) => trigger.type !== undefined || trigger.code !== undefined, {
    path: ['type'],
    message: 'Invalid input: expected a trigger type in type (or code)',
  });

/** {@link triggerSchema}'s type. */
export type Trigger = z.infer<typeof triggerSchema>;

/** True when `value` is one of {@link TRIGGER_TYPES} rather than a signal code. */
export function isTriggerType(value: string): boolean {
  return value === TRIGGER_TYPES.signalUpdated || value === TRIGGER_TYPES.firstDelivery;
}
