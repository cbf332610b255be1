import { randomUUID } from 'node:crypto';
import {
  type QuarantinedReason,
  type QuarantineRecord,
  quarantineObjectKey,
} from '../../lambdas/contract/quarantine';
import { computeSignature } from '../../lambdas/receiver/verify-signature';
import type { QuarantineItem } from '../../local/quarantine/quarantine-store';

/** How a quarantined delivery arrived; everything else is a valid Smartcar delivery's. */
export interface QuarantinedDelivery {
  /** Signs the body with this token; ignored when `signature` is given. */
  token?: string;
  /** The SC-Signature header as it arrived; `null` for none. */
  signature?: string | null;
  reason?: QuarantinedReason;
  /** When the receiver refused it. @default now */
  atMs?: number;
  /** The id in its key. @default a random UUID */
  id?: string;
  overrides?: Partial<QuarantineRecord>;
}

/** The ids the receiver reads off a refused body (strings only). */
function idsOf(
  body: Buffer,
): Pick<QuarantineRecord, 'event_id' | 'event_type' | 'delivery_id' | 'envelope_version'> {
  try {
    const document = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const meta = (document.meta ?? {}) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    return {
      event_id: text(document.eventId),
      event_type: text(document.eventType),
      delivery_id: text(meta.deliveryId),
      envelope_version: text(meta.version),
    };
  } catch {
    return {};
  }
}

/**
 * A quarantined delivery of `body` as the receiver stores it (lambdas/receiver/quarantine.ts): a
 * signature refusal unless `reason` says otherwise, signed with `token` when one is given.
 */
export function quarantineRecord(
  body: string | Buffer,
  delivery: QuarantinedDelivery = {},
): QuarantineRecord {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const signature =
    delivery.signature === null
      ? undefined
      : (delivery.signature ??
        (delivery.token === undefined ? undefined : computeSignature(delivery.token, bytes)));
  const reason = delivery.reason ?? (signature === undefined ? 'SIGNATURE_MISSING' : 'SIGNATURE_MISMATCH');
  return {
    quarantined_at: new Date(delivery.atMs ?? Date.now()).toISOString(),
    reason,
    message: `refused: ${reason}`,
    status_code: reason === 'PAYLOAD_TOO_LARGE' ? 413 : 401,
    signed: reason === 'OUTSIDE_REPLAY_WINDOW' || reason === 'PAYLOAD_TOO_LARGE',
    headers: {
      'user-agent': 'Smartcar/webhooks (v3)',
      'content-type': 'application/json',
      'content-length': String(bytes.length),
      ...(signature === undefined ? {} : { 'sc-signature': signature }),
    },
    body_base64: bytes.toString('base64'),
    body_bytes: bytes.length,
    is_base64_encoded: false,
    ...idsOf(bytes),
    request_id: randomUUID(),
    ...delivery.overrides,
  };
}

/** {@link quarantineRecord} with the key the receiver would have written it under. */
export function quarantineItem(body: string | Buffer, delivery: QuarantinedDelivery = {}): QuarantineItem {
  const record = quarantineRecord(body, delivery);
  const id = delivery.id ?? randomUUID();
  return { key: quarantineObjectKey(Date.parse(record.quarantined_at), record.reason, id), id, record };
}
