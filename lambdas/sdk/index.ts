/**
 * The public surface for your code in lambdas/app: everything a handler needs, from one module.
 * `import { WebhookApp, readSignals, UnprocessableEventError } from '../sdk';` Anything not
 * exported here is internal and may change.
 */

// Registering handlers, and what they are handed.
export { type EventContext, type SignalContext, type VehicleStateContext, WebhookApp } from './webhook-app';
export { SmartcarEventError, SmartcarEventValidationError, UnprocessableEventError } from './errors';

// The events, typed.
export {
  CURRENT_EVENT_TYPES,
  EVENT_MODES,
  type CurrentEvent,
  type EventMeta,
  type VehicleErrorEvent,
  type VehicleRef,
  type VehicleStateEvent,
  type VerifyEvent,
} from './events/current-event-schema';
export {
  LEGACY_EVENT_NAMES,
  LEGACY_EVENT_TYPES,
  LEGACY_MODES,
  type LegacyDynamicEvent,
  type LegacyEvent,
  type LegacyEventBased,
  type LegacyScheduleEvent,
} from './events/legacy-event-schema';
export { isEventType, isLegacyEvent, type SmartcarEvent, vehicleIdOf } from './events/smartcar-event-schema';
export { type EventIssue } from './events/issues';
export {
  parseSmartcarEvent,
  parseSmartcarEventOrThrow,
  type ParseSmartcarEventResult,
} from './events/parse-event';
export { SCHEMA_DRIFT, type SchemaDriftCode } from './events/schema-drift';

// Signals, triggers and errors, read without surprises.
export {
  findSignal,
  readSignal,
  readSignals,
  SIGNAL_ERROR_SOURCES,
  type SignalReadError,
  type SignalReading,
  signalTimestamp,
} from './events/signals';
export { type KnownSignalCode, type SignalBodies } from './events/signal-bodies';
export { SIGNAL_STATUSES, type VehicleSignal } from './events/signal-schema';
export { toSignalCode } from './events/signal-code';
export { TRIGGER_TYPES, type Trigger } from './events/trigger-schema';
export { firedTriggers, isFirstDelivery } from './events/triggers';
export {
  RESOLUTION_TYPES,
  VEHICLE_ERROR_STATES,
  VEHICLE_ERROR_TYPES,
  type VehicleError,
  type VehicleErrorState,
} from './events/vehicle-error-schema';
export {
  classifyVehicleError,
  VEHICLE_ERROR_ACTIONS,
  VEHICLE_ERROR_CATEGORIES,
  type VehicleErrorCategory,
  type VehicleErrorClassification,
} from './events/classify-vehicle-error';
export { deliveredAtMs, toEpochMs } from './events/delivered-at';

// For tests and tools that play Smartcar.
export { signDelivery } from './sign-delivery';
