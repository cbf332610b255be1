import type { Logger } from '@aws-lambda-powertools/logger';
import type { LegacyEvent, VehicleErrorEvent, VehicleStateEvent } from '../shared/smartcar-event';

/** What a handler gets besides the event. */
export interface HandlerContext {
  /** The idempotency key: `eventId`, or for legacy events `payload.eventId` or a hash of the body. */
  eventKey: string;
  /** 1 on the first attempt; after `maxReceiveCount` failed attempts the message goes to the DLQ. */
  attempt: number;
  /** Logger with this event's ids already attached. */
  logger: Logger;
}

/**
 * Your business logic. Each function runs at most once to completion per event (per idempotency
 * window); throwing fails only this event, which SQS then redelivers.
 */
export interface EventHandlers {
  onVehicleState(event: VehicleStateEvent, context: HandlerContext): Promise<void>;
  onVehicleError(event: VehicleErrorEvent, context: HandlerContext): Promise<void>;
  onLegacyEvent(event: LegacyEvent, context: HandlerContext): Promise<void>;
}
