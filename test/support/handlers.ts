import type { LegacyEvent } from '../../lambdas/sdk/events/legacy-event-schema';
import type { VehicleErrorEvent, VehicleStateEvent } from '../../lambdas/sdk/events/current-event-schema';
import { type EventContext, type VehicleStateContext, WebhookApp } from '../../lambdas/sdk';

/** One handler per event type, as tests mock them. */
export interface EventHandlers {
  onVehicleState(event: VehicleStateEvent, context: VehicleStateContext): Promise<void>;
  onVehicleError(event: VehicleErrorEvent, context: EventContext): Promise<void>;
  onLegacyEvent(event: LegacyEvent, context: EventContext): Promise<void>;
}

/**
 * A WebhookApp that calls these handlers. Calls go through the object, so a handler replaced
 * later (jest.spyOn, mockImplementation) is the one that runs.
 */
export function appWith(handlers: EventHandlers): WebhookApp {
  return new WebhookApp()
    .onVehicleState((event, context) => handlers.onVehicleState(event, context))
    .onVehicleError((event, context) => handlers.onVehicleError(event, context))
    .onLegacyEvent((event, context) => handlers.onLegacyEvent(event, context));
}

/** Each handler a jest mock, so tests can assert calls and replace implementations. */
export type MockedHandlers = {
  [K in keyof EventHandlers]: jest.Mock<Promise<void>, Parameters<EventHandlers[K]>>;
};

/** Handlers that resolve and record their calls. */
export function fakeHandlers(): MockedHandlers {
  return {
    onVehicleState: jest.fn<Promise<void>, Parameters<EventHandlers['onVehicleState']>>(
      async () => undefined,
    ),
    onVehicleError: jest.fn<Promise<void>, Parameters<EventHandlers['onVehicleError']>>(
      async () => undefined,
    ),
    onLegacyEvent: jest.fn<Promise<void>, Parameters<EventHandlers['onLegacyEvent']>>(async () => undefined),
  };
}
