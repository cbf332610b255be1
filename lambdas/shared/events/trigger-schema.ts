import { z } from 'zod';
import { openEnum } from './schema-helpers';
import { signalRefOrPathSchema } from './signal-schema';

/** Why a VEHICLE_STATE was sent. */
export const TRIGGER_TYPES = {
  /** A subscribed trigger signal changed; `signal` names it. */
  signalUpdated: 'SIGNAL_UPDATED',
  /** The first delivery after the vehicle was subscribed, resubscribed or re-enabled. */
  firstDelivery: 'FIRST_DELIVERY',
} as const;

const triggerTypeSchema = openEnum(Object.values(TRIGGER_TYPES));

/**
 * One trigger of a VEHICLE_STATE, in any of the forms seen: the documented `{ type, signal? }`
 * (`signal` an object or a dotted string such as `"Charge.IsCharging"`) and the variant
 * `{ code: 'FIRST_DELIVERY' }` found inside `data.triggers`. One of `type` and `code` is required.
 * Read triggers with `firedTriggers()` and `isFirstDelivery()`.
 */
export const triggerSchema = z
  .looseObject({
    type: triggerTypeSchema.optional(),
    code: triggerTypeSchema.optional(),
    signal: signalRefOrPathSchema.optional(),
  })
  .refine((trigger) => trigger.type !== undefined || trigger.code !== undefined, {
    path: ['type'],
    message: 'Invalid input: expected a trigger type in type (or code)',
  });

/** {@link triggerSchema}'s type. */
export type Trigger = z.infer<typeof triggerSchema>;
