import { createHash } from 'node:crypto';
import { InvalidChallengeError, InvalidPayloadError } from './errors';

/**
 * Reading Smartcar envelopes just far enough to route, key and log them. Deeper validation of the
 * event data belongs to the processor's handlers; the receiver only needs to know what it holds.
 */

/** Event types of the current (v4) envelope that the project knows. */
export const EVENT_TYPES = {
  verify: 'VERIFY',
  vehicleState: 'VEHICLE_STATE',
  vehicleError: 'VEHICLE_ERROR',
} as const;

/** `eventName` values of the legacy v2 envelope. */
export const LEGACY_EVENT_NAMES = {
  verify: 'verify',
  eventBased: 'eventBased',
  schedule: 'schedule',
  dynamic: 'dynamic',
} as const;

/** A JSON object whose fields are not yet trusted. */
export type JsonObject = Record<string, unknown>;

/** What the receiver and processor need to know about a delivery, whichever envelope it came in. */
export interface EventSummary {
  format: 'current' | 'legacy';
  /** Idempotency key: stable across Smartcar's retries of one event. */
  eventKey: string;
  /** `eventType` of a current envelope, `eventName` of a legacy one. */
  eventType: string;
  /** Changes on every delivery attempt; absent on legacy envelopes. */
  deliveryId?: string;
  vehicleId?: string;
}

/**
 * Challenges we are willing to sign: the characters of UUIDs, tokens and base64. Answering a VERIFY
 * returns HMAC(token, challenge), which is exactly a valid SC-Signature for a body equal to the
 * challenge. No string in this alphabet can be a JSON object, and deliveries must be JSON objects,
 * so the answer can never be replayed as a signature for a forged delivery.
 */
const CHALLENGE_PATTERN = /^[A-Za-z0-9\-_.~+/=]{1,512}$/;

/** The body parsed as JSON when it is a JSON object, otherwise undefined. */
export function parseJsonObject(text: string): JsonObject | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isObject(value) ? value : undefined;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function field(object: unknown, key: string): unknown {
  return isObject(object) ? object[key] : undefined;
}

/** True for both VERIFY shapes: `eventType: "VERIFY"` and legacy `eventName: "verify"`. */
export function isVerifyEnvelope(document: JsonObject): boolean {
  return document.eventType === EVENT_TYPES.verify || document.eventName === LEGACY_EVENT_NAMES.verify;
}

/**
 * The challenge of a VERIFY envelope, provided it is one we may sign.
 * @throws InvalidChallengeError when it is missing or outside the safe alphabet
 */
export function readChallenge(document: JsonObject): string {
  const isCurrent = document.eventType === EVENT_TYPES.verify;
  const path = isCurrent ? 'data.challenge' : 'payload.challenge';
  const challenge = field(isCurrent ? document.data : document.payload, 'challenge');
  if (typeof challenge !== 'string') {
    throw new InvalidChallengeError(`VERIFY must carry a string at ${path}.`);
  }
  if (!CHALLENGE_PATTERN.test(challenge)) {
    throw new InvalidChallengeError(
      `${path} must be 1 to 512 characters from A-Z a-z 0-9 - _ . ~ + / =; other challenges are not signed ` +
        'because the answer could be replayed as a signature.',
    );
  }
  return challenge;
}

/**
 * Identifies a (non-VERIFY) delivery: a current envelope (`eventId` and `eventType`) or a legacy
 * one (`eventName`).
 * @param body the raw body bytes, hashed into the key when a legacy event carries no `eventId`
 * @throws InvalidPayloadError naming the missing or mistyped field
 */
export function summarizeEvent(document: JsonObject | undefined, body: Uint8Array): EventSummary {
  if (document === undefined) {
    throw new InvalidPayloadError('The body must be a JSON object (a Smartcar event envelope).');
  }
  if ('eventType' in document || 'eventId' in document) return summarizeCurrent(document);
  if ('eventName' in document) return summarizeLegacy(document, body);
  throw new InvalidPayloadError(
    'The body is not a Smartcar event: expected eventId and eventType (current format) or eventName (v2.0).',
  );
}

function summarizeCurrent(document: JsonObject): EventSummary {
  const eventId = nonEmptyString(document.eventId);
  if (eventId === undefined) throw new InvalidPayloadError('eventId must be a non-empty string.');
  const eventType = nonEmptyString(document.eventType);
  if (eventType === undefined) throw new InvalidPayloadError('eventType must be a non-empty string.');
  return {
    format: 'current',
    eventKey: eventId,
    eventType,
    deliveryId: nonEmptyString(field(document.meta, 'deliveryId')),
    vehicleId:
      nonEmptyString(field(field(document.data, 'vehicle'), 'id')) ?? nonEmptyString(document.vehicleId),
  };
}

function summarizeLegacy(document: JsonObject, body: Uint8Array): EventSummary {
  const eventName = nonEmptyString(document.eventName);
  if (eventName === undefined) throw new InvalidPayloadError('eventName must be a non-empty string.');
  const payload = document.payload;
  return {
    format: 'legacy',
    eventKey:
      nonEmptyString(field(payload, 'eventId')) ??
      `sha256:${createHash('sha256').update(body).digest('hex')}`,
    eventType: eventName,
    vehicleId: nonEmptyString(field(payload, 'vehicleId')),
  };
}
