import { UNPROCESSABLE_REASONS } from '../../contract';
import { classifyEnvelope, type ParseFailure } from './classify-envelope';
import { currentEventSchema } from './current-event-schema';
import { detectDrift } from './detect-drift';
import { SmartcarEventValidationError } from './errors';
import { toEventIssues } from './issues';
import { legacyEventSchema } from './legacy-event-schema';
import type { SchemaDriftCode } from './schema-drift';
import type { SmartcarEvent } from './smartcar-event-schema';

/** An accepted document: the typed event and the tolerances it needed (`SCHEMA_DRIFT` codes, once each). */
export interface ParseSuccess {
  success: true;
  event: SmartcarEvent;
  drift: SchemaDriftCode[];
}

/** What {@link parseSmartcarEvent} returns: the typed event, or why the document was refused. */
export type ParseSmartcarEventResult = ParseSuccess | ParseFailure;

/**
 * Validates a parsed JSON document as a Smartcar event and returns it typed. Unknown fields are
 * kept. Liberal by design, since Smartcar drops what it cannot deliver: every event with a usable
 * `eventId`, `eventType` and `data` is accepted, optional metadata may be missing or mistyped, and
 * one odd signal does not cost the others (see `SCHEMA_DRIFT` for each tolerance). Refused, by
 * `reason`:
 * - `NOT_A_SMARTCAR_EVENT`: not a JSON object, or neither `eventType` nor `eventName`;
 * - `UNKNOWN_ENVELOPE_VERSION`: `meta.version` other than "4.0"/"3.0", or a legacy `version`
 *   other than "2.0" (this reason wins when the event type is unknown too);
 * - `UNKNOWN_EVENT_TYPE`: an `eventType` other than VERIFY, VEHICLE_STATE, VEHICLE_ERROR, or an
 *   unknown legacy `eventName`;
 * - `SCHEMA_INVALID`: a known event without what handlers need (the issues name the fields).
 * @param json the value of `JSON.parse(body)`, not the body string
 */
export function parseSmartcarEvent(json: unknown): ParseSmartcarEventResult {
  const kind = classifyEnvelope(json);
  if ('success' in kind) return kind;
  const document = json as Record<string, unknown>;
  const schema = kind.format === 'legacy' ? legacyEventSchema : currentEventSchema;
  const result = schema.safeParse(document);
  if (!result.success) {
    return {
      success: false,
      reason: UNPROCESSABLE_REASONS.schemaInvalid,
      issues: toEventIssues(result.error.issues),
    };
  }
  return { success: true, event: result.data, drift: detectDrift(document, result.data) };
}

/**
 * {@link parseSmartcarEvent} for code that prefers exceptions; the drift codes are not returned.
 * @throws SmartcarEventValidationError carrying the `reason` and the failing paths (never values)
 */
export function parseSmartcarEventOrThrow(json: unknown): SmartcarEvent {
  const result = parseSmartcarEvent(json);
  if (!result.success) throw new SmartcarEventValidationError(result.issues, result.reason);
  return result.event;
}
