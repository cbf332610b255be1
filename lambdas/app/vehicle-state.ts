import type { HandlerContext } from '../processor/event-handlers';
import type { VehicleStateEvent } from '../shared/smartcar-event';

/**
 * YOUR CODE: runs once per VEHICLE_STATE event (all subscribed signals, sent when a trigger signal
 * changed). Throw to have the event retried; it reaches the dead-letter queue after the retries.
 * Events arrive in no particular order: compare each signal's `meta.oemUpdatedAt` with what you
 * stored before overwriting it.
 */
export async function onVehicleState(event: VehicleStateEvent, { logger }: HandlerContext): Promise<void> {
  const signals = event.data?.signals ?? [];
  const failed = signals.filter((signal) => signal.status?.value === 'ERROR').map((signal) => signal.code);
  // Codes and counts only: signal bodies hold locations and VINs, which must not reach the logs.
  logger.info('Vehicle state received', {
    signalCount: signals.length,
    failedSignals: failed,
    mode: event.meta?.mode,
  });
}
