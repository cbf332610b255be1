import { type JsonObject, nonEmptyString } from '../runtime/envelope';

/**
 * What a genuine Smartcar delivery looks like before its signature is checked: a refusal of such a
 * request (a wrong token, most likely) is counted apart from internet noise and alarms at once.
 */

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
