import type { EventHandlers } from '../processor/event-handlers';
import { onLegacyEvent } from './legacy-event';
import { onVehicleError } from './vehicle-error';
import { onVehicleState } from './vehicle-state';

/**
 * The business logic the processor runs, one function per event type. Edit the files in this
 * folder; the processor takes care of parsing, idempotency, batching and retries.
 */
export const eventHandlers: EventHandlers = { onVehicleState, onVehicleError, onLegacyEvent };
