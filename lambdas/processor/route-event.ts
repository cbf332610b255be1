import { EVENT_TYPES, type EventSummary, type JsonObject, LEGACY_EVENT_NAMES } from '../shared/envelope';
import type { LegacyEvent, VehicleErrorEvent, VehicleStateEvent } from '../shared/smartcar-event';
import type { EventHandlers, HandlerContext } from './event-handlers';

/** A queued delivery, parsed and identified. */
export interface QueuedEvent {
  summary: EventSummary;
  document: JsonObject;
}

/** Picks the handler for an event, or undefined when no handler applies (VERIFY, unknown types). */
export function selectHandler(
  { summary, document }: QueuedEvent,
  handlers: EventHandlers,
): ((context: HandlerContext) => Promise<void>) | undefined {
  if (summary.format === 'legacy') {
    if (summary.eventType === LEGACY_EVENT_NAMES.verify) return undefined;
    return (context) => handlers.onLegacyEvent(document as unknown as LegacyEvent, context);
  }
  switch (summary.eventType) {
    case EVENT_TYPES.vehicleState:
      return (context) => handlers.onVehicleState(document as unknown as VehicleStateEvent, context);
    case EVENT_TYPES.vehicleError:
      return (context) => handlers.onVehicleError(document as unknown as VehicleErrorEvent, context);
    default:
      return undefined;
  }
}
