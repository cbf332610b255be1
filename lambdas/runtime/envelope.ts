import { createHash } from 'node:crypto';
import { InvalidChallengeError } from '../receiver/errors';

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

/**
 * Challenges we are willing to sign: the characters of UUIDs, tokens and base64. Answering a VERIFY
 * returns HMAC(token, challenge), which is exactly a valid SC-Signature for a body equal to the
 * challenge. No string in this alphabet can be a JSON object, and deliveries must be JSON objects,
 * so the answer can never be replayed as a signature for a forged delivery.
 */
const CHALLENGE_PATTERN = /^[A-Za-z0-9\-_.~+/=]{1,512}$/;

const BYTE_ORDER_MARK = 0xfeff;

/**
 * True when `text` is a string this receiver would sign as a VERIFY challenge. A valid signature
 * over such a body proves nothing about its sender: anyone can obtain it by sending it as a challenge.
 */
export function isSignableChallenge(text: string): boolean {
  return CHALLENGE_PATTERN.test(text);
}

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

/**
 * True for a body shaped like a Smartcar event (a current `eventType` or a legacy `eventName` with
 * its `version`), whether or not its signature holds. With a `Smartcar/` User-Agent (see
 * {@link isSmartcarUserAgent}) this is what a genuine delivery refused for its signature looks like.
 */
export function looksLikeSmartcarEvent(document: JsonObject | undefined): boolean {
  if (document === undefined) return false;
  if (nonEmptyString(document.eventType) !== undefined) return true;
  return nonEmptyString(document.eventName) !== undefined && nonEmptyString(document.version) !== undefined;
}

/** True for Smartcar's `User-Agent: Smartcar/<version>`. */
export function isSmartcarUserAgent(userAgent: string | undefined): boolean {
  return userAgent !== undefined && /^\s*smartcar\//i.test(userAgent);
}
