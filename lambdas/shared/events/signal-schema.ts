import { z } from 'zod';
import { nonEmptyString } from './schema-helpers';

/** `status.value` of a signal. Older payloads omit `status` on success. */
export const SIGNAL_STATUSES = {
  success: 'SUCCESS',
  error: 'ERROR',
} as const;

/**
 * A reference to a signal as triggers and VEHICLE_ERROR list it. `code` is kebab-case
 * (`charge-ischarging`); `name` and `group` are the display parts (`IsCharging`, `Charge`).
 */
export const signalRefSchema = z.looseObject({
  code: nonEmptyString,
  name: z.string().optional(),
  group: z.string().optional(),
});

/** A reference to a signal: an object, or a dotted string such as `"Charge.IsCharging"`. */
export const signalRefOrPathSchema = z.union([signalRefSchema, nonEmptyString], {
  error: 'Invalid input: expected a signal { code, name, group } or a dotted signal name',
});

/**
 * When the value was read. Epoch milliseconds; `oemUpdatedAt` is 0 for static signals (VIN), some
 * pages call `retrievedAt` `fetchedAt`, and the whole object may be `{}`.
 */
export const signalMetaSchema = z.looseObject({
  oemUpdatedAt: z.number().nonnegative().optional(),
  retrievedAt: z.number().nonnegative().optional(),
  fetchedAt: z.number().nonnegative().optional(),
});

/** Why Smartcar could not read a signal, e.g. `{ type: 'COMPATIBILITY', code: 'VEHICLE_NOT_CAPABLE' }`. */
export const signalStatusErrorSchema = z.looseObject({
  type: nonEmptyString,
  code: z.string().nullish(),
});

/** A signal Smartcar read: `body` holds the value; its shape depends on the code (see `signal-bodies.ts`). */
export const signalSuccessSchema = z.looseObject({
  ...signalRefSchema.shape,
  body: z.looseObject({}),
  meta: signalMetaSchema.optional(),
  status: z.looseObject({ value: z.literal(SIGNAL_STATUSES.success) }).optional(),
});

/** A signal Smartcar could not read: no value, only `status.error`. */
export const signalFailureSchema = z.looseObject({
  ...signalRefSchema.shape,
  status: z.looseObject({ value: z.literal(SIGNAL_STATUSES.error), error: signalStatusErrorSchema }),
});

/** One entry of `data.signals[]`: a value or an error, never both. */
export const vehicleSignalSchema = z.union([signalSuccessSchema, signalFailureSchema], {
  error: 'Invalid input: expected a signal object with a body or an error status',
});

/** {@link signalRefSchema}'s type. */
export type SignalRef = z.infer<typeof signalRefSchema>;
/** {@link signalMetaSchema}'s type. */
export type SignalMeta = z.infer<typeof signalMetaSchema>;
/** {@link signalStatusErrorSchema}'s type. */
export type SignalStatusError = z.infer<typeof signalStatusErrorSchema>;
/** {@link signalSuccessSchema}'s type. */
export type SignalSuccess = z.infer<typeof signalSuccessSchema>;
/** {@link signalFailureSchema}'s type. */
export type SignalFailure = z.infer<typeof signalFailureSchema>;
/** {@link vehicleSignalSchema}'s type. */
export type VehicleSignal = z.infer<typeof vehicleSignalSchema>;

/** True when Smartcar reported an error instead of a value for this signal. */
export function isSignalFailure(signal: VehicleSignal): signal is SignalFailure {
  return signal.status?.value === SIGNAL_STATUSES.error;
}
