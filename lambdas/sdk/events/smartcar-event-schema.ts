import * as z from 'zod';
import {
  CURRENT_EVENT_TYPES,
  currentEventSchema,
  type CurrentEvent,
  type VehicleErrorEvent,
  type VehicleStateEvent,
} from './current-event-schema';
import { LEGACY_EVENT_NAMES, legacyEventSchema, type LegacyEvent } from './legacy-event-schema';

/**
 * Any Smartcar delivery, current or legacy. For readable error paths parse with
 * `parseSmartcarEvent()`, which picks the envelope first; this union suits tools that want one
 * schema (for example Powertools' parser).
 */
export const smartcarEventSchema = z.union([currentEventSchema, legacyEventSchema]);

/** {@link smartcarEventSchema}'s type: narrow it with {@link isEventType} or {@link isLegacyEvent}. */
export type SmartcarEvent = CurrentEvent | LegacyEvent;

/** True for a legacy v2.0 envelope (`eventName`, no `eventType`). */
export function isLegacyEvent(event: SmartcarEvent): event is LegacyEvent {
  return !('eventType' in event);
}

/**
 * Narrows an event to one current `eventType`. Needed because unknown fields are kept: a legacy
 * envelope may hold any key, so comparing `event.eventType` alone does not narrow the union.
 * @example if (isEventType(event, 'VEHICLE_STATE')) findSignal(event, 'charge-ischarging');
 */
export function isEventType<T extends CurrentEvent['eventType']>(
  event: SmartcarEvent,
  type: T,
): event is Extract<CurrentEvent, { eventType: T }> {
  return !isLegacyEvent(event) && event.eventType === type;
}

/**
 * The vehicle an event is about: `data.vehicle.id`, else the top-level `vehicleId` (current), or
 * `payload.vehicleId` (legacy eventBased). A parsed VEHICLE_STATE or VEHICLE_ERROR always has one.
 * @returns undefined for VERIFY and for legacy deliveries that cover several vehicles
 */
export function vehicleIdOf(event: VehicleStateEvent | VehicleErrorEvent): string;
export function vehicleIdOf(event: SmartcarEvent): string | undefined;
export function vehicleIdOf(event: SmartcarEvent): string | undefined {
  if (isLegacyEvent(event)) {
    return event.eventName === LEGACY_EVENT_NAMES.eventBased ? event.payload.vehicleId : undefined;
  }
  if (event.eventType === CURRENT_EVENT_TYPES.verify) return undefined;
  return event.data.vehicle?.id ?? event.vehicleId;
}
