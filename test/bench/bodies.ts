import { randomUUID } from 'node:crypto';
import { sign, vehicleStateEvent } from '../support/builders';

/** A VEHICLE_STATE body and its SC-Signature, as Smartcar sends it. */
export interface SignedBody {
  body: string;
  signature: string;
}

/** Body sizes the receiver benchmark measures, in bytes (Smartcar's largest delivery is ~50 KB). */
export const BODY_SIZES = { '1 KB': 1_000, '10 KB': 10_000, '50 KB': 50_000 } as const;

/** One of {@link BODY_SIZES}' keys. */
export type BodySize = keyof typeof BODY_SIZES;

/**
 * A VEHICLE_STATE of at least `minBytes` (and within ~300 bytes of it): the builder's event with
 * more signals, the way a fleet subscribed to many signals grows its deliveries. Fresh ids and a
 * current `meta.deliveredAt`, so it passes the replay window.
 */
export function vehicleStateOfSize(minBytes: number, overrides: Record<string, unknown> = {}): string {
  const event = vehicleStateEvent(overrides);
  const data = event.data as { signals: Record<string, unknown>[] };
  // The 1 KB body is smaller than the builder's four signals: keep only what fits.
  while (JSON.stringify(event).length > minBytes && data.signals.length > 1) data.signals.pop();
  for (let i = 0; JSON.stringify(event).length < minBytes; i++) {
    data.signals.push({
      code: `charge-chargingsignal${i}`,
      name: `ChargingSignal${i}`,
      group: 'Charge',
      body: { value: i * 0.5, unit: 'kilowatt' },
      meta: { oemUpdatedAt: 1769937933000 + i, retrievedAt: 1769937943244 + i },
      status: { value: 'SUCCESS' },
    });
  }
  (event.meta as Record<string, unknown>).signalCount = data.signals.length;
  return JSON.stringify(event);
}

/** `count` distinct signed bodies of about `minBytes` each (distinct ids, so nothing is cached). */
export function signedBodies(minBytes: number, count: number, token?: string): SignedBody[] {
  return Array.from({ length: count }, () => {
    const body = vehicleStateOfSize(minBytes, { eventId: randomUUID() });
    return { body, signature: sign(body, token) };
  });
}
