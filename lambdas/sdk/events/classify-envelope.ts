import { UNPROCESSABLE_REASONS } from '../../contract';
import { CURRENT_EVENT_TYPES, ENVELOPE_VERSIONS } from './current-event-schema';
import { type EventIssue, ROOT_PATH } from './issues';
import { LEGACY_EVENT_NAMES } from './legacy-event-schema';
import { isJsonObject } from './schema-helpers';

/** Why `parseSmartcarEvent()` refused a document: one of `UNPROCESSABLE_REASONS`, except HANDLER_REFUSED. */
export type ParseFailureReason = Exclude<
  (typeof UNPROCESSABLE_REASONS)[keyof typeof UNPROCESSABLE_REASONS],
  typeof UNPROCESSABLE_REASONS.handlerRefused
>;

/** A refused document: the reason and the fields that caused it (paths and expectations, never values). */
export interface ParseFailure {
  success: false;
  reason: ParseFailureReason;
  issues: EventIssue[];
}

/** Which schema a document goes to, or why it goes to none. */
export type EnvelopeKind = { format: 'current' | 'legacy' } | ParseFailure;

/** The only legacy envelope version. */
export const LEGACY_VERSION = '2.0';

const CURRENT_TYPES: readonly unknown[] = Object.values(CURRENT_EVENT_TYPES);
const CURRENT_VERSIONS: readonly unknown[] = Object.values(ENVELOPE_VERSIONS);
const LEGACY_NAMES: readonly unknown[] = Object.values(LEGACY_EVENT_NAMES);

function refused(reason: ParseFailureReason, issues: EventIssue[]): ParseFailure {
  return { success: false, reason, issues };
}

function oneOf(values: readonly unknown[]): string {
  const listed = values.map((value) => JSON.stringify(value));
  return listed.length === 1 ? `${listed[0]}` : `one of ${listed.join(', ')}`;
}

/**
 * Sorts a document into an envelope before any schema runs, so that what a newer Smartcar sends
 * (API v3 announced new event types and envelope versions) is told apart from a broken event:
 * the first waits in the DLQ for an upgrade, the second for a fix. `eventType` present → current
 * envelope; else `eventName` → legacy v2.0; else not a Smartcar event.
 */
export function classifyEnvelope(json: unknown): EnvelopeKind {
  if (!isJsonObject(json)) {
    return refused(UNPROCESSABLE_REASONS.notASmartcarEvent, [
      { path: ROOT_PATH, message: 'Invalid input: expected a JSON object' },
    ]);
  }
  if ('eventType' in json) return classifyCurrent(json);
  if ('eventName' in json) return classifyLegacy(json);
  return refused(UNPROCESSABLE_REASONS.notASmartcarEvent, [
    { path: ROOT_PATH, message: 'Invalid input: expected an eventType (or the legacy eventName)' },
  ]);
}

function classifyCurrent(json: Record<string, unknown>): EnvelopeKind {
  const { eventType } = json;
  if (typeof eventType !== 'string') {
    return refused(UNPROCESSABLE_REASONS.schemaInvalid, [
      { path: 'eventType', message: 'Invalid input: expected string' },
    ]);
  }
  const version = isJsonObject(json.meta) ? json.meta.version : undefined;
  // An absent version is drift (Dashboard tests send none); null is how some serializers write absent.
  const versionKnown = version === undefined || version === null || CURRENT_VERSIONS.includes(version);
  const typeKnown = CURRENT_TYPES.includes(eventType);
  const issues: EventIssue[] = [];
  if (!versionKnown) {
    issues.push({
      path: 'meta.version',
      message: `Unknown envelope version: expected ${oneOf(CURRENT_VERSIONS)}, or none`,
    });
  }
  if (!typeKnown) {
    issues.push({ path: 'eventType', message: `Unknown event type: expected ${oneOf(CURRENT_TYPES)}` });
  }
  // A new envelope version may move or rename anything, the event type included: it decides.
  if (!versionKnown) return refused(UNPROCESSABLE_REASONS.unknownEnvelopeVersion, issues);
  if (!typeKnown) return refused(UNPROCESSABLE_REASONS.unknownEventType, issues);
  return { format: 'current' };
}

function classifyLegacy(json: Record<string, unknown>): EnvelopeKind {
  if (typeof json.eventName !== 'string') {
    return refused(UNPROCESSABLE_REASONS.schemaInvalid, [
      { path: 'eventName', message: 'Invalid input: expected string' },
    ]);
  }
  const versionKnown = json.version === LEGACY_VERSION;
  const nameKnown = LEGACY_NAMES.includes(json.eventName);
  const issues: EventIssue[] = [];
  if (!versionKnown) {
    issues.push({
      path: 'version',
      message: `Unknown envelope version: expected ${oneOf([LEGACY_VERSION])}`,
    });
  }
  if (!nameKnown) {
    issues.push({ path: 'eventName', message: `Unknown event name: expected ${oneOf(LEGACY_NAMES)}` });
  }
  if (!versionKnown) return refused(UNPROCESSABLE_REASONS.unknownEnvelopeVersion, issues);
  if (!nameKnown) return refused(UNPROCESSABLE_REASONS.unknownEventType, issues);
  return { format: 'legacy' };
}
