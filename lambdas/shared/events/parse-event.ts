import { currentEventSchema } from './current-event-schema';
import { SmartcarEventValidationError } from './errors';
import { type EventIssue, ROOT_PATH, toEventIssues } from './issues';
import { legacyEventSchema } from './legacy-event-schema';
import type { SmartcarEvent } from './smartcar-event-schema';

/** What {@link parseSmartcarEvent} returns: the typed event, or why the document was refused. */
export type ParseSmartcarEventResult =
  { success: true; event: SmartcarEvent } | { success: false; issues: EventIssue[] };

/**
 * Validates a parsed JSON document as a Smartcar event and returns it typed. Unknown fields are
 * kept. The envelope is chosen first, as the protocol reference describes (`eventType` or `eventId`
 * → current, `eventName` → legacy v2.0), so issue paths name the field that failed in that
 * envelope instead of "matches neither".
 * @param json the value of `JSON.parse(body)`, not the body string
 */
export function parseSmartcarEvent(json: unknown): ParseSmartcarEventResult {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return {
      success: false,
      issues: [{ path: ROOT_PATH, message: 'Invalid input: expected a JSON object' }],
    };
  }
  const isLegacy = !('eventType' in json) && !('eventId' in json) && 'eventName' in json;
  const result = isLegacy ? legacyEventSchema.safeParse(json) : currentEventSchema.safeParse(json);
  if (result.success) return { success: true, event: result.data };
  return { success: false, issues: toEventIssues(result.error.issues) };
}

/**
 * {@link parseSmartcarEvent} for code that prefers exceptions.
 * @throws SmartcarEventValidationError listing the failing paths (never their values)
 */
export function parseSmartcarEventOrThrow(json: unknown): SmartcarEvent {
  const result = parseSmartcarEvent(json);
  if (!result.success) throw new SmartcarEventValidationError(result.issues);
  return result.event;
}
