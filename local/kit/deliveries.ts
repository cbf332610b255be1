import { randomInt, randomUUID } from 'node:crypto';
import {
  CURRENT_EVENT_TYPES,
  type EventMeta,
  type VehicleErrorEvent,
  type VehicleStateEvent,
  type VerifyEvent,
} from '../../lambdas/sdk';
import { SAMPLE_FLEET, SAMPLE_SIGNALS, SAMPLE_VEHICLE_ERRORS, type SampleVehicle } from './event-parts';
import { type DeliveryStamp, vehicleErrorOf, vehicleStateOf, verifyOf } from './events';

/**
 * Realistic deliveries for `smartcar-webhooks send` and the local emulator: the protocol
 * reference's shapes with fresh eventId and deliveryId (as separate events from Smartcar have), a
 * vehicle of {@link SAMPLE_FLEET}, times around now, and `meta.mode` TEST like the Dashboard's
 * "send test event".
 */

/** Event types `send` can build. */
export type SampleEventType = (typeof CURRENT_EVENT_TYPES)[keyof typeof CURRENT_EVENT_TYPES];

/** The webhook the sample deliveries claim to come from. */
export const SAMPLE_WEBHOOK = {
  id: '7ff798f5-bbce-4300-a1f4-d553d0fb23b0',
  name: 'Local test webhook',
} as const;

/** Options shared by the sample deliveries; tests pin them, `send` takes the defaults. */
export interface SampleEventOptions {
  /** @default a random vehicle of {@link SAMPLE_FLEET} */
  vehicle?: SampleVehicle;
  /** Epoch milliseconds of the delivery. @default Date.now() */
  now?: number;
}

// VERIFY carries no mode.
const TEST_MODE: EventMeta = { mode: 'TEST' };

function stampOf(options: SampleEventOptions): DeliveryStamp {
  return {
    eventId: randomUUID(),
    deliveryId: randomUUID(),
    webhookId: SAMPLE_WEBHOOK.id,
    deliveredAt: options.now ?? Date.now(),
  };
}

function vehicleOf(options: SampleEventOptions): SampleVehicle {
  return options.vehicle ?? (SAMPLE_FLEET[randomInt(SAMPLE_FLEET.length)] as SampleVehicle);
}

/** A VERIFY as the Dashboard sends it when a webhook is created or "Verify this webhook" is clicked. */
export function sampleVerifyEvent(
  challenge: string = randomUUID(),
  options: SampleEventOptions = {},
): VerifyEvent {
  return verifyOf(stampOf(options), challenge, { webhookName: SAMPLE_WEBHOOK.name });
}

/**
 * A VEHICLE_STATE carrying every subscribed signal: values with their OEM timestamps, and one
 * signal in ERROR state (no body, no meta), as real deliveries have.
 */
export function sampleVehicleStateEvent(options: SampleEventOptions = {}): VehicleStateEvent {
  const stamp = stampOf(options);
  const now = stamp.deliveredAt;
  // The OEM reports a few seconds before Smartcar reads it, and Smartcar reads just before delivering.
  const fresh = { oemUpdatedAt: now - 10_000, retrievedAt: now - 200 };
  const parked = { oemUpdatedAt: now - 3_600_000, retrievedAt: now - 700 };
  const isCharging = SAMPLE_SIGNALS.isCharging(true, fresh);
  const signals = [
    SAMPLE_SIGNALS.stateOfCharge(randomInt(20, 101), fresh),
    isCharging,
    SAMPLE_SIGNALS.preciseLocation(parked),
    SAMPLE_SIGNALS.traveledDistance(parked),
    SAMPLE_SIGNALS.isAtHomeNotCapable(),
  ];
  return vehicleStateOf(stamp, vehicleOf(options), signals, isCharging, {
    webhookName: SAMPLE_WEBHOOK.name,
    ...TEST_MODE,
  });
}

/** A VEHICLE_ERROR with an incapable signal and a missing permission, the two most common errors. */
export function sampleVehicleErrorEvent(options: SampleEventOptions = {}): VehicleErrorEvent {
  const errors = [SAMPLE_VEHICLE_ERRORS.notCapable(), SAMPLE_VEHICLE_ERRORS.missingPermission()];
  return vehicleErrorOf(stampOf(options), vehicleOf(options), errors, {
    webhookName: SAMPLE_WEBHOOK.name,
    ...TEST_MODE,
  });
}

/** A sample delivery of the given type. */
export function sampleEvent(
  type: SampleEventType,
  options: SampleEventOptions = {},
): VerifyEvent | VehicleStateEvent | VehicleErrorEvent {
  switch (type) {
    case CURRENT_EVENT_TYPES.verify:
      return sampleVerifyEvent(undefined, options);
    case CURRENT_EVENT_TYPES.vehicleState:
      return sampleVehicleStateEvent(options);
    case CURRENT_EVENT_TYPES.vehicleError:
      return sampleVehicleErrorEvent(options);
  }
}
