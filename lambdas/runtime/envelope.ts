import { createHash } from 'node:crypto';

/**
 * Reading Smartcar envelopes just far enough to route, key and log them. Deeper validation of the
 * event data belongs to the processor's handlers; the receiver only needs to know what it holds.
 */

/** A JSON object whose fields are not yet trusted. */
export type JsonObject = Record<string, unknown>;

/** What the receiver and processor need to know about a delivery, whichever envelope it came in. */
export interface EventSummary {
  /** `current` with `eventType` (or only `eventId`), `legacy` with `eventName` and no `eventType`, else `unknown`. */
  format: 'current' | 'legacy' | 'unknown';
  /**
   * Idempotency key, stable across Smartcar's retries of one event: `eventId` (legacy:
   * `payload.eventId`); without one, a `sha256:` hash of the body bytes, which is stable only
   * while retries resend identical bytes (legacy envelopes do; current ones change `meta.deliveryId`).
   */
  eventKey: string;
  /** `eventType` of a current envelope, `eventName` of a legacy one; absent when it names neither. */
  eventType?: string;
  /** Changes on every delivery attempt; absent on legacy envelopes. */
  deliveryId?: string;
  vehicleId?: string;
}

const BYTE_ORDER_MARK = 0xfeff;

/**
 * The body parsed as JSON when it is a JSON object, otherwise undefined. A leading byte-order mark
 * is read past (RFC 8259 lets parsers ignore it); the text itself, and what is enqueued, keep it.
 */
export function parseJsonObject(text: string): JsonObject | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text);
  } catch {
    return undefined;
  }
  return isObject(value) ? value : undefined;
}

/** True for a JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value when it is a non-empty string. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** `object[key]` when `object` is a JSON object. */
export function field(object: unknown, key: string): unknown {
  return isObject(object) ? object[key] : undefined;
}

/**
 * Identifies a (non-VERIFY) delivery as far as it can be identified, and never refuses one: a
 * signed JSON object is genuine whatever its shape, so it is enqueued, and the processor parks in
 * the dead-letter queue what it cannot handle. Only string fields are read; others count as absent.
 * @param body the raw body bytes, hashed into the key when the event carries no id
 */
export function summarizeEvent(document: JsonObject, body: Uint8Array): EventSummary {
  // The processor's classifyEnvelope() decides the same way: eventType first, then eventName.
  const isLegacy = !('eventType' in document) && 'eventName' in document;
  if (!isLegacy && ('eventType' in document || 'eventId' in document)) {
    return {
      format: 'current',
      eventKey: nonEmptyString(document.eventId) ?? bodyHashKey(body),
      eventType: nonEmptyString(document.eventType),
      deliveryId: nonEmptyString(field(document.meta, 'deliveryId')),
      vehicleId:
        nonEmptyString(field(field(document.data, 'vehicle'), 'id')) ?? nonEmptyString(document.vehicleId),
    };
  }
  if (isLegacy) {
    return {
      format: 'legacy',
      eventKey: nonEmptyString(field(document.payload, 'eventId')) ?? bodyHashKey(body),
      eventType: nonEmptyString(document.eventName),
      vehicleId: nonEmptyString(field(document.payload, 'vehicleId')),
    };
  }
  return { format: 'unknown', eventKey: bodyHashKey(body) };
}

function bodyHashKey(body: Uint8Array): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}
