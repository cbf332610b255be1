import { CURRENT_EVENT_TYPES, LEGACY_EVENT_NAMES } from '../sdk/events/event-types';
import { field, type JsonObject } from '../runtime/envelope';
import { InvalidChallengeError } from './errors';

/**
 * VERIFY, and what a VERIFY answer must never sign. Answering a VERIFY returns HMAC(token,
 * challenge), which is exactly a valid SC-Signature for a body equal to the challenge, so only
 * challenges that can never be a delivery are answered.
 */

/**
 * Challenges we are willing to sign: the characters of UUIDs, tokens and base64. Answering a VERIFY
 * returns HMAC(token, challenge), which is exactly a valid SC-Signature for a body equal to the
 * challenge. No string in this alphabet can be a JSON object, and deliveries must be JSON objects,
 * so the answer can never be replayed as a signature for a forged delivery.
 */
const CHALLENGE_PATTERN = /^[A-Za-z0-9\-_.~+/=]{1,512}$/;

/**
 * True when `text` is a string this receiver would sign as a VERIFY challenge. A valid signature
 * over such a body proves nothing about its sender: anyone can obtain it by sending it as a challenge.
 */
export function isSignableChallenge(text: string): boolean {
  return CHALLENGE_PATTERN.test(text);
}

/** True for both VERIFY shapes: `eventType: "VERIFY"` and legacy `eventName: "verify"`. */
export function isVerifyEnvelope(document: JsonObject): boolean {
  return (
    document.eventType === CURRENT_EVENT_TYPES.verify || document.eventName === LEGACY_EVENT_NAMES.verify
  );
}

/**
 * The challenge of a VERIFY envelope, provided it is one we may sign.
 * @throws InvalidChallengeError when it is missing or outside the safe alphabet
 */
export function readChallenge(document: JsonObject): string {
  const isCurrent = document.eventType === CURRENT_EVENT_TYPES.verify;
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
