import type { Trigger, VehicleError, VehicleRef, VehicleSignal } from '../../lambdas/sdk';
import type { Json } from './json';

/**
 * The parts every sample delivery is made of (vehicles, signals, triggers, vehicle errors), shaped
 * as in the protocol reference (../shared/smartcar-webhooks.md, sections 4 and 8), each built in
 * one place. Every call returns a fresh object, so a test may mutate it.
 */

/** A vehicle of the sample fleet, with the user who connected it. */
export interface SampleVehicle extends Required<VehicleRef> {
  userId: string;
}

/**
 * A small fixed fleet, the vehicles of the protocol reference first: the same few vehicle ids
 * recur across `send`s, as they would in a real application, so local logs can be followed per
 * vehicle.
 */
export const SAMPLE_FLEET: readonly [SampleVehicle, SampleVehicle, SampleVehicle] = [
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

/** `data.user` and `data.vehicle` of a delivery about `vehicle`. */
export function vehicleData(vehicle: SampleVehicle) {
  return {
    user: { id: vehicle.userId },
    vehicle: { id: vehicle.id, make: vehicle.make, model: vehicle.model, year: vehicle.year },
  };
}

/** A VIN from the samples: personal data that must never appear in a log line or an error message. */
export const SAMPLE_VIN = '5YJ3E1EA7KF000316';
/** A latitude from the samples: a location, which must never be logged either. */
export const SAMPLE_LATITUDE = 61.1111;

/** When a signal was read: epoch milliseconds, `oemUpdatedAt` 0 for static signals. */
export interface SignalTimes {
  oemUpdatedAt: number;
  retrievedAt: number;
}

/** A successful signal in the real shape. */
export function signal(
  code: string,
  name: string,
  group: string,
  body: Json,
  meta: Json = {},
): VehicleSignal {
  return { code, name, group, body, meta, status: { value: 'SUCCESS' } };
}

/** The sample fleet's signals by what they are. */
export const SAMPLE_SIGNALS = {
  stateOfCharge: (percent: number, times: SignalTimes) =>
    signal(
      'tractionbattery-stateofcharge',
      'StateOfCharge',
      'TractionBattery',
      { value: percent, unit: 'percent' },
      { ...times },
    ),
  isCharging: (charging: boolean, times: SignalTimes) =>
    signal('charge-ischarging', 'IsCharging', 'Charge', { value: charging }, { ...times }),
  preciseLocation: (times: SignalTimes) =>
    signal(
      'location-preciselocation',
      'PreciseLocation',
      'Location',
      { latitude: SAMPLE_LATITUDE, longitude: 23.3333, locationType: 'LAST_PARKED' },
      { ...times },
    ),
  traveledDistance: (times: SignalTimes) =>
    signal(
      'odometer-traveleddistance',
      'TraveledDistance',
      'Odometer',
      { value: 42506.3, unit: 'km' },
      { ...times },
    ),
  vin: (retrievedAt: number) =>
    signal(
      'vehicleidentification-vin',
      'VIN',
      'VehicleIdentification',
      { value: SAMPLE_VIN },
      { oemUpdatedAt: 0, retrievedAt },
    ),
  /** A signal in ERROR state, as real deliveries carry one: no body, no meta. */
  isAtHomeNotCapable: (): VehicleSignal => ({
    code: 'location-isathome',
    name: 'IsAtHome',
    group: 'Location',
    status: { value: 'ERROR', error: { type: 'COMPATIBILITY', code: 'VEHICLE_NOT_CAPABLE' } },
  }),
} as const;

/** The trigger that says `source` changed, naming it as triggers do. */
export function signalUpdated(source: VehicleSignal): Trigger {
  return { type: 'SIGNAL_UPDATED', signal: { name: source.name, code: source.code, group: source.group } };
}

/** The two most common vehicle errors: a signal the vehicle cannot read, a missing permission. */
export const SAMPLE_VEHICLE_ERRORS = {
  notCapable: (): VehicleError => ({
    type: 'COMPATIBILITY',
    code: 'VEHICLE_NOT_CAPABLE',
    state: 'ERROR',
    description: 'The vehicle is incapable of performing your request.',
    suggestedUserMessage: 'Your car is unable to perform this request.',
    resolution: { type: 'CONTACT_SUPPORT' },
    signals: [{ code: 'location-preciselocation', name: 'PreciseLocation', group: 'Location' }],
  }),
  missingPermission: (): VehicleError => ({
    type: 'PERMISSION',
    code: null,
    state: 'ERROR',
    description: 'Your application has insufficient permissions to access the requested resource.',
    resolution: { type: 'REAUTHENTICATE' },
    signals: [{ code: 'closure-islocked', name: 'IsLocked', group: 'Closure' }],
  }),
} as const;
