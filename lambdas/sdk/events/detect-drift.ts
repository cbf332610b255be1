import {
  CURRENT_EVENT_TYPES,
  type CurrentEvent,
  ENVELOPE_VERSIONS,
  type VehicleErrorEvent,
  type VehicleStateEvent,
} from './current-event-schema';
import { EPOCH_SECONDS_BELOW } from './delivered-at';
import { hasDroppedValue } from './dropped-values';
import type { LegacyEvent } from './legacy-event-schema';
import { SCHEMA_DRIFT, type SchemaDriftCode } from './schema-drift';
import { isJsonObject } from './schema-helpers';
import { isSignalUnreadable } from './signal-schema';
import { isLegacyEvent, type SmartcarEvent } from './smartcar-event-schema';
import { allTriggers } from './triggers';
import { VEHICLE_ERROR_ALIAS_TYPES, VEHICLE_ERROR_STATES, VEHICLE_ERROR_TYPES } from './vehicle-error-schema';

type Found = Set<SchemaDriftCode>;

const ALL_CODES: readonly SchemaDriftCode[] = Object.values(SCHEMA_DRIFT);
const KNOWN_STATES: readonly unknown[] = Object.values(VEHICLE_ERROR_STATES);
const REAL_TYPES: readonly unknown[] = Object.values(VEHICLE_ERROR_TYPES);
const ALIAS_TYPES: readonly unknown[] = Object.values(VEHICLE_ERROR_ALIAS_TYPES);

/**
 * The tolerances a parsed event needed, once each, in the order of {@link SCHEMA_DRIFT}.
 * @param document the document as it was parsed, for what the schema normalized away
 * @param event what the schema made of it
 */
export function detectDrift(document: Record<string, unknown>, event: SmartcarEvent): SchemaDriftCode[] {
  const found: Found = new Set();
  if (isLegacyEvent(event)) legacyDrift(event, found);
  else currentDrift(document, event, found);
  if (hasDroppedValue(document, event)) found.add(SCHEMA_DRIFT.optionalFieldInvalid);
  return ALL_CODES.filter((code) => found.has(code));
}

function legacyDrift(event: LegacyEvent, found: Found): void {
  if (event.webhookId === undefined) found.add(SCHEMA_DRIFT.webhookIdMissing);
}

function currentDrift(document: Record<string, unknown>, event: CurrentEvent, found: Found): void {
  metaDrift(event.meta, found);
  if (event.eventType === CURRENT_EVENT_TYPES.verify) {
    if (event.eventId === undefined) found.add(SCHEMA_DRIFT.eventIdMissing);
    return;
  }
  if (event.data.vehicle === undefined) found.add(SCHEMA_DRIFT.vehicleIdTopLevel);
  if (event.eventType === CURRENT_EVENT_TYPES.vehicleState) stateDrift(document, event, found);
  else errorDrift(event, found);
}

function metaDrift(meta: CurrentEvent['meta'], found: Found): void {
  if (meta === undefined) {
    found.add(SCHEMA_DRIFT.metaMissing);
    return;
  }
  if (meta.version === undefined) found.add(SCHEMA_DRIFT.metaVersionMissing);
  if (meta.version === ENVELOPE_VERSIONS.previous) found.add(SCHEMA_DRIFT.metaVersion3);
  if (meta.webhookId === undefined) found.add(SCHEMA_DRIFT.webhookIdMissing);
  if (meta.deliveryId === undefined) found.add(SCHEMA_DRIFT.deliveryIdMissing);
  const { deliveredAt } = meta;
  if (deliveredAt === undefined) found.add(SCHEMA_DRIFT.deliveredAtMissing);
  else if (typeof deliveredAt === 'string') found.add(SCHEMA_DRIFT.deliveredAtIsoString);
  else if (deliveredAt < EPOCH_SECONDS_BELOW) found.add(SCHEMA_DRIFT.deliveredAtEpochSeconds);
}

function stateDrift(document: Record<string, unknown>, event: VehicleStateEvent, found: Found): void {
  const data = isJsonObject(document.data) ? document.data : {};
  if (!Array.isArray(data.signals)) found.add(SCHEMA_DRIFT.signalsAsObject);
  for (const signal of event.data.signals) {
    if (isSignalUnreadable(signal)) found.add(SCHEMA_DRIFT.signalUnreadable);
    const meta = signal.meta;
    if (isJsonObject(meta) && meta.fetchedAt !== undefined && meta.retrievedAt === undefined) {
      found.add(SCHEMA_DRIFT.signalFetchedAt);
    }
  }
  if (event.data.triggers !== undefined) found.add(SCHEMA_DRIFT.triggersInData);
  for (const trigger of allTriggers(event)) {
    if (typeof trigger.signal === 'string') found.add(SCHEMA_DRIFT.triggerSignalDotted);
    if (trigger.type === undefined) found.add(SCHEMA_DRIFT.triggerCodeForm);
  }
}

function errorDrift(event: VehicleErrorEvent, found: Found): void {
  for (const error of event.data.errors) {
    if (error.signals?.some((signal) => typeof signal === 'string')) {
      found.add(SCHEMA_DRIFT.errorSignalsDotted);
    }
    if (error.state === undefined) found.add(SCHEMA_DRIFT.errorStateMissing);
    else if (!KNOWN_STATES.includes(error.state)) found.add(SCHEMA_DRIFT.errorStateUnknown);
    if (ALIAS_TYPES.includes(error.type) && !REAL_TYPES.includes(error.type)) {
      found.add(SCHEMA_DRIFT.errorAliasType);
    }
  }
}
