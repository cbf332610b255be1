import { type VehicleErrorEvent, classifyVehicleError, type EventContext } from '../sdk';

/**
 * Example: each error classified by type (compatibility, permission, account, vehicle state,
 * upstream, rate limit, server) and state (ERROR while active, RESOLVED when it cleared), with the
 * recommended action from Smartcar's guidance.
 */
export async function onVehicleError(event: VehicleErrorEvent, { logger }: EventContext): Promise<void> {
  for (const error of event.data.errors) {
    const { category, state, action, resolution, signalCodes } = classifyVehicleError(error);
    logger.warn('Vehicle error reported', { category, state, action, resolution, signals: signalCodes });
  }
}
