import { signal } from './event-parts';
import { vehicleStateEvent } from './events';
import type { Json } from './json';

/**
 * The body of a VEHICLE_STATE of at least `minBytes` (and within ~300 bytes of it): the test event
 * with more signals, the way a fleet subscribed to many signals grows its deliveries. Fresh ids and
 * a current `meta.deliveredAt`, so it passes the replay window.
 */
export function vehicleStateOfSize(minBytes: number, overrides: Json = {}): string {
  const event = vehicleStateEvent(overrides);
  const signals = event.data.signals;
  // A 1 KB body is smaller than the test event's four signals: keep only what fits.
  while (JSON.stringify(event).length > minBytes && signals.length > 1) signals.pop();
  for (let i = 0; JSON.stringify(event).length < minBytes; i++) {
    signals.push(
      signal(
        `charge-chargingsignal${i}`,
        `ChargingSignal${i}`,
        'Charge',
        { value: i * 0.5, unit: 'kilowatt' },
        { oemUpdatedAt: 1769937933000 + i, retrievedAt: 1769937943244 + i },
      ),
    );
  }
  event.meta = { ...event.meta, signalCount: signals.length };
  return JSON.stringify(event);
}
