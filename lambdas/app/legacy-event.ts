import type { HandlerContext } from '../processor/event-handlers';
import type { LegacyEvent } from '../shared/smartcar-event';

/** YOUR CODE: runs once per legacy v2.0 delivery (`eventName` eventBased, schedule or dynamic). */
export async function onLegacyEvent(event: LegacyEvent, { logger }: HandlerContext): Promise<void> {
  logger.info('Legacy v2.0 event received', { eventName: event.eventName, mode: event.mode });
}
