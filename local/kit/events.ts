import { randomUUID } from 'node:crypto';
import {
  CURRENT_EVENT_TYPES,
  type EventMeta,
  type LegacyEvent,
  type LegacyEventBased,
  type VehicleError,
  type VehicleErrorEvent,
  type VehicleSignal,
  type VehicleStateEvent,
  type VerifyEvent,
} from '../../lambdas/sdk';
import {
  SAMPLE_FLEET,
  SAMPLE_SIGNALS,
  SAMPLE_VEHICLE_ERRORS,
  type SampleVehicle,
  signalUpdated,
  vehicleData,
} from './event-parts';
import type { Json } from './json';

/**
 * Events as tests build them: the documented shapes with fresh ids and `meta.deliveredAt` now (so
 * they pass the replay window), `...overrides` last so a negative test breaks exactly one field.
 * The envelopes themselves are assembled here once, for these, for the protocol reference's
 * known-answer samples (`reference-events.ts`) and for the deliveries `send` makes (`deliveries.ts`).
 */

/** A legacy v2.0 VERIFY envelope. */
export type LegacyVerifyEvent = Extract<LegacyEvent, { eventName: 'verify' }>;

/** What sets one delivery apart from another. */
export interface DeliveryStamp {
  eventId: string;
  deliveryId: string;
  webhookId: string;
  /** Epoch milliseconds. */
  deliveredAt: number;
}

/** Fresh ids, delivered at `now`: a new event, as Smartcar sends each one. */
export function freshStamp(now = Date.now()): DeliveryStamp {
  return { eventId: randomUUID(), deliveryId: randomUUID(), webhookId: randomUUID(), deliveredAt: now };
}

/** `meta` of a current ("4.0") envelope. */
export function currentMeta(stamp: DeliveryStamp, extra: EventMeta = {}): EventMeta {
  return {
    deliveryId: stamp.deliveryId,
    deliveredAt: stamp.deliveredAt,
    version: '4.0',
    webhookId: stamp.webhookId,
    ...extra,
  };
}

/** A VEHICLE_STATE about `vehicle` carrying `signals`, sent because `trigger` changed. */
export function vehicleStateOf(
  stamp: DeliveryStamp,
  vehicle: SampleVehicle,
  signals: VehicleSignal[],
  trigger: VehicleSignal,
  meta: EventMeta,
): VehicleStateEvent {
  return {
    eventId: stamp.eventId,
    eventType: CURRENT_EVENT_TYPES.vehicleState,
    data: { ...vehicleData(vehicle), signals },
    triggers: [signalUpdated(trigger)],
    meta: currentMeta(stamp, { ...meta, signalCount: signals.length }),
  };
}

/** A VEHICLE_ERROR about `vehicle`. */
export function vehicleErrorOf(
  stamp: DeliveryStamp,
  vehicle: SampleVehicle,
  errors: VehicleError[],
  meta: EventMeta,
): VehicleErrorEvent {
  return {
    eventId: stamp.eventId,
    eventType: CURRENT_EVENT_TYPES.vehicleError,
    data: { ...vehicleData(vehicle), errors },
    meta: currentMeta(stamp, meta),
  };
}

/** A current-format VERIFY. */
export function verifyOf(stamp: DeliveryStamp, challenge: string, meta: EventMeta = {}): VerifyEvent {
  return {
    eventId: stamp.eventId,
    eventType: CURRENT_EVENT_TYPES.verify,
    data: { challenge },
    meta: currentMeta(stamp, meta),
  };
}

/** A legacy v2.0 eventBased envelope: a charging session completed. */
export function legacyEventBasedOf(ids: {
  webhookId: string;
  eventId: string;
  vehicleId: string;
}): LegacyEventBased {
  return {
    version: '2.0',
    webhookId: ids.webhookId,
    eventName: 'eventBased',
    mode: 'test',
    payload: {
      eventId: ids.eventId,
      vehicleId: ids.vehicleId,
      eventType: 'CHARGING_COMPLETED',
      eventTime: '2023-08-24T15:49:24.855Z',
    },
  };
}

/** A legacy v2.0 VERIFY envelope. */
export function legacyVerifyOf(webhookId: string, challenge: string): LegacyVerifyEvent {
  return { version: '2.0', webhookId, eventName: 'verify', payload: { challenge } };
}

/** Signal times of the protocol reference's VEHICLE_STATE (epoch ms, early 2026). */
export const REFERENCE_SIGNAL_TIMES = {
  fresh: { oemUpdatedAt: 1769937933000, retrievedAt: 1769937943244 },
  parked: { oemUpdatedAt: 1769852864000, retrievedAt: 1769937942671 },
  odometer: { oemUpdatedAt: 1769852860000, retrievedAt: 1769937942628 },
} as const;

/** A fleet vehicle with fresh ids for it and its user, so tests never share one by accident. */
function freshVehicle(model: SampleVehicle): SampleVehicle {
  return { ...model, id: randomUUID(), userId: randomUUID() };
}

/**
 * A current-format VEHICLE_STATE with fresh ids: state of charge (the trigger), a location, the VIN
 * and one signal in ERROR state, LIVE mode.
 */
export function vehicleStateEvent(overrides: Json = {}): VehicleStateEvent {
  const { fresh, parked } = REFERENCE_SIGNAL_TIMES;
  const stateOfCharge = SAMPLE_SIGNALS.stateOfCharge(89, fresh);
  const signals = [
    stateOfCharge,
    SAMPLE_SIGNALS.preciseLocation(parked),
    SAMPLE_SIGNALS.vin(parked.retrievedAt),
    SAMPLE_SIGNALS.isAtHomeNotCapable(),
  ];
  const event = vehicleStateOf(freshStamp(), freshVehicle(SAMPLE_FLEET[0]), signals, stateOfCharge, {
    webhookName: 'Fleet',
    mode: 'LIVE',
  });
  return { ...event, ...overrides };
}

/** A current-format VEHICLE_ERROR with fresh ids: a missing permission, LIVE mode. */
export function vehicleErrorEvent(overrides: Json = {}): VehicleErrorEvent {
  const errors = [SAMPLE_VEHICLE_ERRORS.missingPermission()];
  return {
    ...vehicleErrorOf(freshStamp(), freshVehicle(SAMPLE_FLEET[1]), errors, { mode: 'LIVE' }),
    ...overrides,
  };
}

/**
 * A current-format VERIFY with fresh ids. `challenge` may be anything: Smartcar sends a string,
 * tests send other values to see them refused.
 */
export function verifyEvent(challenge: unknown = randomUUID()): VerifyEvent {
  return verifyOf(freshStamp(), challenge as string, { webhookName: 'Fleet' });
}

/** A legacy v2.0 eventBased envelope with fresh ids. */
export function legacyEvent(overrides: Json = {}): LegacyEventBased {
  const ids = { webhookId: randomUUID(), eventId: randomUUID(), vehicleId: randomUUID() };
  return { ...legacyEventBasedOf(ids), ...overrides };
}

/** A legacy v2.0 VERIFY envelope; `challenge` may be anything, as for {@link verifyEvent}. */
export function legacyVerifyEvent(challenge: unknown = randomUUID()): LegacyVerifyEvent {
  return legacyVerifyOf(randomUUID(), challenge as string);
}
