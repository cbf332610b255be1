import { randomInt, randomUUID } from 'node:crypto';
import { CURRENT_EVENT_TYPES } from '../lambdas/sdk/events/event-types';
import type {
  EventMeta,
  VehicleErrorEvent,
  VehicleRef,
  VehicleStateEvent,
} from '../lambdas/sdk/events/current-event-schema';
import type { VehicleSignal as Signal } from '../lambdas/sdk/events/signal-schema';

/**
 * Realistic Smartcar deliveries for `npm run send` and the local emulator, shaped like the samples
 * in the protocol reference (current `meta.version` "4.0" envelopes). Every call gets a fresh
 * eventId and deliveryId, as separate events from Smartcar would.
 */

/** A current-format VERIFY envelope. */
export interface VerifyEvent {
  eventId: string;
  eventType: 'VERIFY';
  data: { challenge: string };
  meta: EventMeta;
}

/** Event types `send` can build. */
export type SampleEventType = (typeof CURRENT_EVENT_TYPES)[keyof typeof CURRENT_EVENT_TYPES];

/** A vehicle of the sample fleet, with the user who connected it. */
export interface SampleVehicle extends Required<VehicleRef> {
  userId: string;
}

/**
 * A small fixed fleet: the same few vehicle ids recur across sends, as they would in a real
 * application, so local logs can be followed per vehicle.
 */
export const SAMPLE_FLEET: readonly SampleVehicle[] = [
  {
    id: '875d9333-bbbb-4444-aaaa-17be22ebe970',
    make: 'POLESTAR',
    model: 'Polestar 2',
    year: 2024,
    userId: '9c9cde56-3333-5555-6666-7e50207e6e64',
  },
  {
    id: '123e4567-e89b-12d3-a456-426614174000',
    make: 'TESLA',
    model: 'Model 3',
    year: 2020,
    userId: '93b3ea96-ca37-43a9-9073-f4334719a0c7',
  },
  {
    id: '4f2a9c1e-7d3b-4e8a-9b6c-0d1e2f3a4b5c',
    make: 'VOLKSWAGEN',
    model: 'ID.4',
    year: 2023,
    userId: 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e',
  },
];

/** The webhook the sample deliveries claim to come from. */
export const SAMPLE_WEBHOOK = {
  id: '7ff798f5-bbce-4300-a1f4-d553d0fb23b0',
  name: 'Local test webhook',
} as const;

/** Options shared by the builders; tests pin them, `send` takes the defaults. */
export interface SampleEventOptions {
  /** @default a random vehicle of {@link SAMPLE_FLEET} */
  vehicle?: SampleVehicle;
  /** Epoch milliseconds of the delivery. @default Date.now() */
  now?: number;
}

function pickVehicle(options: SampleEventOptions): SampleVehicle {
  return options.vehicle ?? (SAMPLE_FLEET[randomInt(SAMPLE_FLEET.length)] as SampleVehicle);
}

function deliveryMeta(now: number): EventMeta {
  return {
    deliveryId: randomUUID(),
    deliveredAt: now,
    version: '4.0',
    webhookId: SAMPLE_WEBHOOK.id,
    webhookName: SAMPLE_WEBHOOK.name,
  };
}

// Marks deliveries as test ones, like the Dashboard's "send test event" (VERIFY carries no mode).
const TEST_MODE = { mode: 'TEST' } as const;

function vehicleFields(vehicle: SampleVehicle) {
  return {
    user: { id: vehicle.userId },
    vehicle: { id: vehicle.id, make: vehicle.make, model: vehicle.model, year: vehicle.year },
  };
}

/** A VERIFY as the Dashboard sends it when a webhook is created or "Verify this webhook" is clicked. */
export function sampleVerifyEvent(
  challenge: string = randomUUID(),
  options: SampleEventOptions = {},
): VerifyEvent {
  const meta = deliveryMeta(options.now ?? Date.now());
  return { eventId: randomUUID(), eventType: CURRENT_EVENT_TYPES.verify, data: { challenge }, meta };
}

/**
 * A VEHICLE_STATE carrying every subscribed signal: values with their OEM timestamps, and one
 * signal in ERROR state (no body, no meta), as real deliveries have.
 */
export function sampleVehicleStateEvent(options: SampleEventOptions = {}): VehicleStateEvent {
  const now = options.now ?? Date.now();
  const vehicle = pickVehicle(options);
  // The OEM reports a few seconds before Smartcar reads it, and Smartcar reads just before delivering.
  const fresh = { oemUpdatedAt: now - 10_000, retrievedAt: now - 200 };
  const parked = { oemUpdatedAt: now - 3_600_000, retrievedAt: now - 700 };
  const signals: Signal[] = [
    {
      code: 'tractionbattery-stateofcharge',
      name: 'StateOfCharge',
      group: 'TractionBattery',
      body: { value: randomInt(20, 101), unit: 'percent' },
      meta: fresh,
      status: { value: 'SUCCESS' },
    },
    {
      code: 'charge-ischarging',
      name: 'IsCharging',
      group: 'Charge',
      body: { value: true },
      meta: fresh,
      status: { value: 'SUCCESS' },
    },
    {
      code: 'location-preciselocation',
      name: 'PreciseLocation',
      group: 'Location',
      body: { latitude: 61.1111, longitude: 23.3333, locationType: 'LAST_PARKED' },
      meta: parked,
      status: { value: 'SUCCESS' },
    },
    {
      code: 'odometer-traveleddistance',
      name: 'TraveledDistance',
      group: 'Odometer',
      body: { value: 42506.3, unit: 'km' },
      meta: parked,
      status: { value: 'SUCCESS' },
    },
    {
      code: 'location-isathome',
      name: 'IsAtHome',
      group: 'Location',
      status: { value: 'ERROR', error: { type: 'COMPATIBILITY', code: 'VEHICLE_NOT_CAPABLE' } },
    },
  ];
  return {
    eventId: randomUUID(),
    eventType: CURRENT_EVENT_TYPES.vehicleState,
    data: { ...vehicleFields(vehicle), signals },
    triggers: [
      { type: 'SIGNAL_UPDATED', signal: { name: 'IsCharging', code: 'charge-ischarging', group: 'Charge' } },
    ],
    meta: { ...deliveryMeta(now), ...TEST_MODE, signalCount: signals.length },
  };
}

/** A VEHICLE_ERROR with an incapable signal and a missing permission, the two most common errors. */
export function sampleVehicleErrorEvent(options: SampleEventOptions = {}): VehicleErrorEvent {
  const vehicle = pickVehicle(options);
  return {
    eventId: randomUUID(),
    eventType: CURRENT_EVENT_TYPES.vehicleError,
    data: {
      ...vehicleFields(vehicle),
      errors: [
        {
          type: 'COMPATIBILITY',
          code: 'VEHICLE_NOT_CAPABLE',
          state: 'ERROR',
          description: 'The vehicle is incapable of performing your request.',
          suggestedUserMessage: 'Your car is unable to perform this request.',
          resolution: { type: 'CONTACT_SUPPORT' },
          signals: [{ code: 'location-preciselocation', name: 'PreciseLocation', group: 'Location' }],
        },
        {
          type: 'PERMISSION',
          code: null,
          state: 'ERROR',
          description: 'Your application has insufficient permissions to access the requested resource.',
          resolution: { type: 'REAUTHENTICATE' },
          signals: [{ code: 'closure-islocked', name: 'IsLocked', group: 'Closure' }],
        },
      ],
    },
    meta: { ...deliveryMeta(options.now ?? Date.now()), ...TEST_MODE },
  };
}

/** A sample event of the given type. */
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
