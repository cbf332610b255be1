import { type ArchiveRecord, archivedEventType, type ArchivedEventType } from '../../lambdas/contract';

/** Which archived deliveries a command is about. Every field narrows; none given: all of them. */
export interface ArchiveSelection {
  /** Epoch ms, inclusive: deliveries received at or after. */
  sinceMs: number;
  /** Epoch ms, inclusive: deliveries received at or before. */
  untilMs: number;
  /** The exact event type (`VEHICLE_STATE`, `eventBased`, or a type this version does not know). */
  eventType?: string;
  vehicleId?: string;
  /** An `eventId` or event key (`sha256:…`). */
  eventId?: string;
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A point in time from the command line: an ISO 8601 time (`2026-12-01T08:00:00Z`, or a date), or
 * a duration back from now (`90s`, `10m`, `2h`, `7d`, `1w`).
 * @returns epoch milliseconds, or undefined when `text` is neither
 */
export function parseTimeArgument(text: string, nowMs: number): number | undefined {
  const trimmed = text.trim();
  const duration = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(trimmed);
  if (duration !== undefined && duration !== null) {
    return nowMs - Number(duration[1]) * (UNITS[(duration[2] ?? '').toLowerCase()] ?? Number.NaN);
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return undefined;
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? undefined : ms;
}

/** True when the record is one the selection names. */
export function isSelected(record: ArchiveRecord, selection: ArchiveSelection): boolean {
  const receivedAt = Date.parse(record.received_at);
  if (!(receivedAt >= selection.sinceMs && receivedAt <= selection.untilMs)) return false;
  if (selection.eventType !== undefined && record.event_type !== selection.eventType) return false;
  if (selection.vehicleId !== undefined && record.vehicle_id !== selection.vehicleId) return false;
  if (
    selection.eventId !== undefined &&
    record.event_id !== selection.eventId &&
    record.event_key !== selection.eventId
  ) {
    return false;
  }
  return true;
}

/** The partition kind a type-selection can be narrowed to, so listing skips the others. */
export function selectedKind(selection: ArchiveSelection): ArchivedEventType | undefined {
  return selection.eventType === undefined ? undefined : archivedEventType(selection.eventType);
}
