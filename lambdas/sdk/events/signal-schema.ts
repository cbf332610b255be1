import * as z from 'zod';
import { isJsonObject, lenient, nonEmptyString } from './schema-helpers';

/** `status.value` of a signal. Older payloads omit `status` on success. */
export const SIGNAL_STATUSES = {
  success: 'SUCCESS',
  error: 'ERROR',
} as const;

/** `name` and `group`: display parts only, so a mistyped one is dropped rather than refused. */
const displayShape = {
  name: lenient(z.string()),
  group: lenient(z.string()),
};

/**
 * A reference to a signal as triggers and VEHICLE_ERROR list it. `code` is kebab-case
 * (`charge-ischarging`); `name` and `group` are the display parts (`IsCharging`, `Charge`).
 */
export const signalRefSchema = z.looseObject({ code: nonEmptyString, ...displayShape });

/** A reference to a signal: an object, or a dotted string such as `"Charge.IsCharging"`. */
export const signalRefOrPathSchema = z.union([signalRefSchema, nonEmptyString], {
  error: 'Invalid input: expected a signal { code, name, group } or a dotted signal name',
});

/**
 * When the value was read. Epoch milliseconds; `oemUpdatedAt` is 0 for static signals (VIN), some
 * pages call `retrievedAt` `fetchedAt`, and the whole object may be `{}`. A mistyped timestamp is
 * dropped: the value stays readable and `signalTimestamp()` falls back to the next one.
 */
export const signalMetaSchema = z.looseObject({
  oemUpdatedAt: lenient(z.number().nonnegative()),
  retrievedAt: lenient(z.number().nonnegative()),
  fetchedAt: lenient(z.number().nonnegative()),
});

/** Why Smartcar could not read a signal, e.g. `{ type: 'COMPATIBILITY', code: 'VEHICLE_NOT_CAPABLE' }`. */
export const signalStatusErrorSchema = z.looseObject({
  type: nonEmptyString,
  code: z.string().nullish(),
});

/** A signal Smartcar read: `body` holds the value; its shape depends on the code (see `signal-bodies.ts`). */
export const signalSuccessSchema = z.looseObject({
  code: nonEmptyString,
  ...displayShape,
  body: z.looseObject({}),
  meta: lenient(signalMetaSchema),
  status: z.looseObject({ value: z.literal(SIGNAL_STATUSES.success) }).optional(),
});

/** A signal Smartcar could not read: no value, only `status.error`. */
export const signalFailureSchema = z.looseObject({
  code: nonEmptyString,
  ...displayShape,
  status: z.looseObject({ value: z.literal(SIGNAL_STATUSES.error), error: signalStatusErrorSchema }),
});

/**
 * A signal entry that names itself (`code`) but is neither of the two above: no `body` and no
 * error status, a `body` that is not an object, an unknown `status.value`. Kept so one odd entry
 * does not cost the event its other signals; `readSignal()` reads it as `{ ok: false }`.
 */
export const signalUnreadableSchema = z.looseObject({
  code: nonEmptyString,
  ...displayShape,
  // Typed so that `signal.status?.value` reads the same on every entry; a non-object is dropped.
  status: lenient(z.looseObject({ value: z.unknown() })),
});

/** A value or a Smartcar error: the two documented forms, used to explain an unreadable entry. */
export const readableSignalSchema = z.union([signalSuccessSchema, signalFailureSchema], {
  error: 'Invalid input: expected a signal object with a body or an error status',
});

/**
 * One entry of `data.signals[]`. The `code` is required: it is what handlers, `findSignal()` and
 * the latest-state table key a signal by, so an entry without one cannot be placed anywhere.
 */
export const vehicleSignalSchema = z.union(
  [signalSuccessSchema, signalFailureSchema, signalUnreadableSchema],
  {
    error: 'Invalid input: expected a signal object with a code',
  },
);

/**
 * `data.signals`: a list, or (one doc page) an object of signals keyed by name, normalized to the
 * list of its values. Anything else leaves handlers nothing to read.
 */
export const vehicleSignalsSchema = z
  .union([z.array(vehicleSignalSchema), z.record(z.string(), vehicleSignalSchema)], {
    error: 'Invalid input: expected a list of signals (or an object of signals keyed by name)',
  })
  .transform((signals) => (Array.isArray(signals) ? signals : Object.values(signals)));

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
/** {@link signalUnreadableSchema}'s type. */
export type SignalUnreadable = z.infer<typeof signalUnreadableSchema>;
/** {@link vehicleSignalSchema}'s type. */
export type VehicleSignal = z.infer<typeof vehicleSignalSchema>;

/** True when Smartcar reported an error instead of a value for this signal. */
export function isSignalFailure(signal: VehicleSignal): signal is SignalFailure {
  // The cheap check first: most signals are values, and it spares them a schema run.
  const status = signal.status;
  return (
    isJsonObject(status) &&
    status.value === SIGNAL_STATUSES.error &&
    signalFailureSchema.safeParse(signal).success
  );
}

/** True when the signal carries a value in `body`. */
export function isSignalSuccess(signal: VehicleSignal): signal is SignalSuccess {
  return isJsonObject(signal.body) && signalSuccessSchema.safeParse(signal).success;
}

/** True for an entry that is neither a value nor a Smartcar error (see {@link signalUnreadableSchema}). */
export function isSignalUnreadable(signal: VehicleSignal): boolean {
  return !isSignalSuccess(signal) && !isSignalFailure(signal);
}
