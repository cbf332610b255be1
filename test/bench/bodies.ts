import { randomUUID } from 'node:crypto';
import { sign, vehicleStateOfSize } from '../../local/kit';

/** A VEHICLE_STATE body and its SC-Signature, as Smartcar sends it. */
export interface SignedBody {
  body: string;
  signature: string;
}

/** Body sizes the receiver benchmark measures, in bytes (Smartcar's largest delivery is ~50 KB). */
export const BODY_SIZES = { '1 KB': 1_000, '10 KB': 10_000, '50 KB': 50_000 } as const;

/** One of {@link BODY_SIZES}' keys. */
export type BodySize = keyof typeof BODY_SIZES;

/** `count` distinct signed bodies of about `minBytes` each (distinct ids, so nothing is cached). */
export function signedBodies(minBytes: number, count: number, token?: string): SignedBody[] {
  return Array.from({ length: count }, () => {
    const body = vehicleStateOfSize(minBytes, { eventId: randomUUID() });
    return { body, signature: sign(body, token) };
  });
}
