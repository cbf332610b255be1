import { type LegacyEvent, type EventContext } from '../sdk';

/** Example: a legacy v2.0 delivery (`eventName` eventBased, schedule or dynamic). */
export async function onLegacyEvent(event: LegacyEvent, { logger }: EventContext): Promise<void> {
  logger.info('Legacy v2.0 event received', { eventName: event.eventName, mode: event.mode });
}
