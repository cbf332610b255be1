import * as z from 'zod';
import { lenient, nonEmptyString, nullAsAbsent, openEnum, timestampSchema } from './schema-helpers';
import { vehicleSignalsSchema } from './signal-schema';
import { triggerSchema } from './trigger-schema';
import { vehicleErrorSchema } from './vehicle-error-schema';
import { CURRENT_EVENT_TYPES, ENVELOPE_VERSIONS, EVENT_MODES } from './event-types';

export { CURRENT_EVENT_TYPES, ENVELOPE_VERSIONS, EVENT_MODES } from './event-types';

/**
 * `meta` of the current envelope. Every field may be missing (Dashboard test deliveries carry
 * neither `version` nor `webhookId`), and one of the wrong type is dropped: handlers can do without
 * all of it. `deliveryId` and `deliveredAt` change on every attempt; read `deliveredAt` with
 * `deliveredAtMs()`. An unknown `version` is refused: the envelope may have changed under it.
 */
export const eventMetaSchema = z.looseObject({
  version: nullAsAbsent(z.enum(Object.values(ENVELOPE_VERSIONS))),
  webhookId: lenient(nonEmptyString),
  webhookName: lenient(z.string()),
  deliveryId: lenient(nonEmptyString),
  deliveredAt: lenient(timestampSchema),
  mode: lenient(openEnum(Object.values(EVENT_MODES))),
  signalCount: lenient(z.number().int().nonnegative()),
});

/** The vehicle an event is about; only `id` is always there. */
export const vehicleRefSchema = z.looseObject({
  id: nonEmptyString,
  make: lenient(z.string()),
  model: lenient(z.string()),
  year: lenient(z.number().int()),
});

/** The Smartcar user who connected the vehicle. */
export const userRefSchema = z.looseObject({ id: nonEmptyString });

/** `meta`, which may be missing altogether. */
const metaField = nullAsAbsent(eventMetaSchema);

/** Fields of events about a vehicle; the id sits in `data.vehicle.id`, some pages put it in `vehicleId`. */
const vehicleDataShape = {
  // Handlers key on the vehicle, never on the user, so a user without a usable id is dropped.
  user: lenient(userRefSchema),
  vehicle: vehicleRefSchema.optional(),
};

/** A vehicle event must name its vehicle in one of the two places. */
function hasVehicleId(event: {
  vehicleId?: string | undefined;
  data: { vehicle?: { id: string } | undefined };
}) {
  return event.data.vehicle?.id !== undefined || event.vehicleId !== undefined;
}
const vehicleIdRequired = {
  path: ['data', 'vehicle', 'id'],
  message: 'Invalid input: expected the vehicle id in data.vehicle.id (or a top-level vehicleId)',
};

/**
 * Callback verification: answer HMAC(token, `data.challenge`). Section 8 shows VERIFY without
 * `eventId` and `meta`; nothing is keyed on a VERIFY, so both are optional here.
 */
export const verifyEventSchema = z.looseObject({
  eventId: nonEmptyString.optional(),
  eventType: z.literal(CURRENT_EVENT_TYPES.verify),
  data: z.looseObject({ challenge: z.string() }),
  meta: metaField,
});

/**
 * All subscribed signals, sent because a trigger fired. Read them with `findSignal()`. `signals`
 * keyed by name (one doc page) arrive here as a list.
 */
export const vehicleStateEventSchema = z
  .looseObject({
    eventId: nonEmptyString,
    eventType: z.literal(CURRENT_EVENT_TYPES.vehicleState),
    vehicleId: nonEmptyString.optional(),
    data: z.looseObject({
      ...vehicleDataShape,
      signals: vehicleSignalsSchema,
      triggers: z.array(triggerSchema).optional(),
    }),
    triggers: z.array(triggerSchema).optional(),
    meta: metaField,
  })
  .refine(hasVehicleId, vehicleIdRequired);

/** Errors about a vehicle or its account, and their resolution. Read them with `classifyVehicleError()`. */
export const vehicleErrorEventSchema = z
  .looseObject({
    eventId: nonEmptyString,
    eventType: z.literal(CURRENT_EVENT_TYPES.vehicleError),
    vehicleId: nonEmptyString.optional(),
    data: z.looseObject({
      ...vehicleDataShape,
      errors: z.array(vehicleErrorSchema),
    }),
    meta: metaField,
  })
  .refine(hasVehicleId, vehicleIdRequired);

/** Any current envelope, told apart by `eventType`. */
export const currentEventSchema = z.discriminatedUnion('eventType', [
  verifyEventSchema,
  vehicleStateEventSchema,
  vehicleErrorEventSchema,
]);

/** {@link eventMetaSchema}'s type. */
export type EventMeta = z.infer<typeof eventMetaSchema>;
/** {@link vehicleRefSchema}'s type. */
export type VehicleRef = z.infer<typeof vehicleRefSchema>;
/** {@link verifyEventSchema}'s type. */
export type VerifyEvent = z.infer<typeof verifyEventSchema>;
/** {@link vehicleStateEventSchema}'s type. */
export type VehicleStateEvent = z.infer<typeof vehicleStateEventSchema>;
/** {@link vehicleErrorEventSchema}'s type. */
export type VehicleErrorEvent = z.infer<typeof vehicleErrorEventSchema>;
/** {@link currentEventSchema}'s type. */
export type CurrentEvent = z.infer<typeof currentEventSchema>;
