import type { HandlerContext } from '../processor/event-handlers';
import type { VehicleErrorEvent } from '../shared/smartcar-event';

/**
 * YOUR CODE: runs once per VEHICLE_ERROR event. Each error has a `type` (PERMISSION,
 * CONNECTED_SERVICES_ACCOUNT, COMPATIBILITY, VEHICLE_STATE, UPSTREAM, RATE_LIMIT, SERVER), a
 * `state` (ERROR while active, RESOLVED when it cleared) and usually a suggested `resolution`.
 */
export async function onVehicleError(event: VehicleErrorEvent, { logger }: HandlerContext): Promise<void> {
  for (const error of event.data?.errors ?? []) {
    logger.warn('Vehicle error reported', {
      errorType: error.type,
      errorCode: error.code,
      state: error.state,
      resolution: error.resolution?.type ?? null,
    });
  }
}
