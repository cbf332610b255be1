import { type SignalBodies, type SignalReading, type SignalContext } from '../sdk';

/** Below this state of charge the driver is notified. */
const LOW_BATTERY_PERCENT = 20;

/**
 * Example: "battery below 20% → notify the driver". Skips readings that are errors, and readings
 * older than what the latest-state store already holds (an event that arrived out of order).
 */
export async function onStateOfCharge(
  reading: SignalReading<SignalBodies['tractionbattery-stateofcharge']>,
  context: SignalContext,
): Promise<void> {
  if (!reading.ok || !context.isNewest(reading.code)) return;
  if (reading.body.value < LOW_BATTERY_PERCENT) {
    // Replace with your notification; keep it idempotent or let the processor's eventId check do it.
    context.logger.info('Battery low: notify the driver', { stateOfCharge: reading.body.value });
  }
}
