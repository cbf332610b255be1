/**
 * The event types, envelope versions and modes this project knows, in one place. Kept apart from
 * the zod schemas so the receiver can read them without loading zod.
 */

/** `eventType` of the current envelope. */
export const CURRENT_EVENT_TYPES = {
  verify: 'VERIFY',
  vehicleState: 'VEHICLE_STATE',
  vehicleError: 'VEHICLE_ERROR',
} as const;

/** `meta.version` values read as the current envelope: "4.0" today, "3.0" on an older doc page. */
export const ENVELOPE_VERSIONS = { current: '4.0', previous: '3.0' } as const;

/** `meta.mode`: live traffic or a test delivery sent from the Dashboard. */
export const EVENT_MODES = { live: 'LIVE', test: 'TEST' } as const;

/** `eventName` of the legacy v2.0 envelope. */
export const LEGACY_EVENT_NAMES = {
  verify: 'verify',
  eventBased: 'eventBased',
  schedule: 'schedule',
  /** One doc page spells `schedule` this way. */
  scheduled: 'scheduled',
  dynamic: 'dynamic',
} as const;

/** `payload.eventType` of an `eventBased` delivery. */
export const LEGACY_EVENT_TYPES = {
  chargingStarted: 'CHARGING_STARTED',
  chargingStopped: 'CHARGING_STOPPED',
  chargingCompleted: 'CHARGING_COMPLETED',
} as const;

/** `mode` of a legacy envelope, lower-case unlike the current `meta.mode`. */
export const LEGACY_MODES = { live: 'live', test: 'test', simulated: 'simulated' } as const;
