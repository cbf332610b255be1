import { type VehicleStateEvent, readSignals, type VehicleStateContext } from '../sdk';

/**
 * Example: a VEHICLE_STATE carries every subscribed signal; some may carry an error instead of a
 * value (e.g. a signal the vehicle cannot provide). Process the good ones, note the others.
 */
export async function onVehicleState(event: VehicleStateEvent, context: VehicleStateContext): Promise<void> {
  const readings = readSignals(event);
  const failed = readings.filter((reading) => !reading.ok).map((reading) => reading.code);
  // Codes and counts only: signal bodies hold locations and VINs, which must not reach the logs.
  const summary = {
    signalCount: readings.length,
    failedSignals: failed,
    firedTriggers: context.firedTriggers,
    firstDelivery: context.isFirstDelivery,
    mode: event.meta?.mode,
  };
  // An INFO line on every event costs as much CloudWatch ingestion as the pipeline's own line, and
  // the processor's "Event processed" already says it was handled: INFO only when a signal needs a look.
  if (failed.length > 0) context.logger.info('Vehicle state received', summary);
  else context.logger.debug('Vehicle state received', summary);
}
