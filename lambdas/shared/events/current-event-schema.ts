import { z } from 'zod';
import { nonEmptyString, openEnum, timestampSchema } from './schema-helpers';
import { vehicleSignalSchema } from './signal-schema';
import { triggerSchema } from './trigger-schema';
import { vehicleErrorSchema } from './vehicle-error-schema';

/** `eventType` of the current envelope. */
export const CURRENT_EVENT_TYPES = {
  verify: 'VERIFY',
  vehicleState: 'VEHICLE_STATE',
  vehicleError: 'VEHICLE_ERROR',
} as const;

/** `meta.mode`: live traffic or a test delivery sent from the Dashboard. */
export const EVENT_MODES = { live: 'LIVE', test: 'TEST' } as const;

/**
 * `meta` of the current envelope. `deliveryId` and `deliveredAt` change on every attempt; read
 * `deliveredAt` with `deliveredAtMs()`. `version` is "4.0" today; other strings are accepted.
 */
export const eventMetaSchema = z.looseObject({
  version: openEnum(['4.0']),
  webhookId: nonEmptyString,
  webhookName: z.string().optional(),
  deliveryId: nonEmptyString,
  deliveredAt: timestampSchema,
  mode: openEnum(Object.values(EVENT_MODES)).optional(),
  signalCount: z.number().int().nonnegative().optional(),
});

/** The vehicle an event is about; only `id` is always there. */
export const vehicleRefSchema = z.looseObject({
  id: nonEmptyString,
  make: z.string().optional(),
  model: z.string().optional(),
  year: z.number().int().optional(),
});

/** The Smartcar user who connected the vehicle. */
export const userRefSchema = z.looseObject({ id: nonEmptyString });

/** Fields every current envelope has. */
const envelopeShape = {
  eventId: nonEmptyString,
  meta: eventMetaSchema,
};

/** Fields of events about a vehicle; the id sits in `data.vehicle.id`, some pages put it in `vehicleId`. */
const vehicleDataShape = {
  user: userRefSchema.optional(),
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

/** Callback verification: answer HMAC(token, `data.challenge`). */
export const verifyEventSchema = z.looseObject({
  ...envelopeShape,
  eventType: z.literal(CURRENT_EVENT_TYPES.verify),
  data: z.looseObject({ challenge: z.string() }),
});

/** All subscribed signals, sent because a trigger fired. Read them with `findSignal()`. */
export const vehicleStateEventSchema = z
  .looseObject({
    ...envelopeShape,
    eventType: z.literal(CURRENT_EVENT_TYPES.vehicleState),
    vehicleId: nonEmptyString.optional(),
    data: z.looseObject({
      ...vehicleDataShape,
      signals: z.array(vehicleSignalSchema),
      triggers: z.array(triggerSchema).optional(),
    }),
    triggers: z.array(triggerSchema).optional(),
  })
  .refine(hasVehicleId, vehicleIdRequired);

/** Errors about a vehicle or its account, and their resolution. Read them with `classifyVehicleError()`. */
export const vehicleErrorEventSchema = z
  .looseObject({
    ...envelopeShape,
    eventType: z.literal(CURRENT_EVENT_TYPES.vehicleError),
    vehicleId: nonEmptyString.optional(),
    data: z.looseObject({
      ...vehicleDataShape,
      errors: z.array(vehicleErrorSchema),
    }),
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
