import * as z from 'zod';
import { isoDateTimeSchema, lenient, nonEmptyString, openEnum } from './schema-helpers';
import { LEGACY_EVENT_NAMES, LEGACY_EVENT_TYPES, LEGACY_MODES } from './event-types';

export { LEGACY_EVENT_NAMES, LEGACY_EVENT_TYPES, LEGACY_MODES } from './event-types';

const legacyShape = {
  version: z.literal('2.0'),
  // Nothing is keyed on it: like the current meta.webhookId, it may be missing.
  webhookId: lenient(nonEmptyString),
  mode: openEnum(Object.values(LEGACY_MODES)).optional(),
};

/** One API response inside a `dynamic` delivery: `code` is its HTTP status, `body` its JSON. */
export const legacyDataItemSchema = z.looseObject({
  path: z.string(),
  code: z.union([z.number(), z.string()]),
  body: z.unknown(),
});

/** One vehicle of a `dynamic` (or `schedule`) delivery. */
export const legacyVehicleSchema = z.looseObject({
  vehicleId: nonEmptyString,
  requestId: z.string().optional(),
  data: z.array(legacyDataItemSchema),
});

/** v2.0 callback verification. */
export const legacyVerifyEventSchema = z.looseObject({
  ...legacyShape,
  eventName: z.literal(LEGACY_EVENT_NAMES.verify),
  payload: z.looseObject({ challenge: z.string() }),
});

/** v2.0 charging event. */
export const legacyEventBasedSchema = z.looseObject({
  ...legacyShape,
  eventName: z.literal(LEGACY_EVENT_NAMES.eventBased),
  payload: z.looseObject({
    eventId: nonEmptyString,
    vehicleId: nonEmptyString,
    eventType: openEnum(Object.values(LEGACY_EVENT_TYPES)),
    eventTime: isoDateTimeSchema,
  }),
});

/** v2.0 scheduled delivery. The vehicles' shape is not documented; they are kept as loose objects. */
export const legacyScheduleEventSchema = z.looseObject({
  ...legacyShape,
  eventName: z.literal([LEGACY_EVENT_NAMES.schedule, LEGACY_EVENT_NAMES.scheduled]),
  payload: z.looseObject({ vehicles: z.array(z.looseObject({})) }),
});

/** v2.0 dynamic delivery: API responses per vehicle. */
export const legacyDynamicEventSchema = z.looseObject({
  ...legacyShape,
  eventName: z.literal(LEGACY_EVENT_NAMES.dynamic),
  payload: z.looseObject({ vehicles: z.array(legacyVehicleSchema) }),
});

/** Any legacy v2.0 envelope, told apart by `eventName`. */
export const legacyEventSchema = z.discriminatedUnion('eventName', [
  legacyVerifyEventSchema,
  legacyEventBasedSchema,
  legacyScheduleEventSchema,
  legacyDynamicEventSchema,
]);

/** {@link legacyVerifyEventSchema}'s type. */
export type LegacyVerifyEvent = z.infer<typeof legacyVerifyEventSchema>;
/** {@link legacyEventBasedSchema}'s type. */
export type LegacyEventBased = z.infer<typeof legacyEventBasedSchema>;
/** {@link legacyScheduleEventSchema}'s type. */
export type LegacyScheduleEvent = z.infer<typeof legacyScheduleEventSchema>;
/** {@link legacyDynamicEventSchema}'s type. */
export type LegacyDynamicEvent = z.infer<typeof legacyDynamicEventSchema>;
/** {@link legacyEventSchema}'s type. */
export type LegacyEvent = z.infer<typeof legacyEventSchema>;
