import { type VehicleStateEvent, readSignals, type VehicleStateContext } from '../sdk';

/**
 * Example: a VEHICLE_STATE carries every subscribed signal; some may carry an error instead of a
 * value (e.g. a signal the vehicle cannot provide). Process the good ones, note the others.
 */
export async function onVehicleState(event: VehicleStateEvent, context: VehicleStateContext): Promise<void> {
  const readings = readSignals(event);
  const failed = readings.filter((reading) => !reading.ok).map((reading) => reading.code);
  // Codes and counts only: signal bodies hold locations and VINs, which must not reach the logs.
  context.logger.info('Vehicle state received', {
    signalCount: readings.length,
    failedSignals: failed,
    firedTriggers: context.firedTriggers,
    firstDelivery: context.isFirstDelivery,
    mode: event.meta?.mode,
  });
}
