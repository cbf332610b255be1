import { LATEST_STATE_TABLE } from '../contract';
/**
 * What goes into the latest-state store (a {@link SignalReport}) and what comes out (a
 * {@link SignalState}), plus the one ordering rule both the conditional writes and the reads use.
 */
import { CorruptStateItemError } from './errors';

/** A signal's status: whether its newest report carried a value or an error. */
export const SIGNAL_STATUS = {
  success: 'SUCCESS',
  error: 'ERROR',
} as const;

/** One of {@link SIGNAL_STATUS}. */
export type SignalStatus = (typeof SIGNAL_STATUS)[keyof typeof SIGNAL_STATUS];

/** Smartcar's error of a signal that could not be read (`status.error` of the signal). */
export interface SignalError {
  type: string;
  code: string | null;
}

/**
 * One signal of one event, as the store needs it. The caller picks `observedAt`: the signal's
 * `meta.oemUpdatedAt` when above 0, else `meta.retrievedAt` (or `fetchedAt`), else the event's
 * `meta.deliveredAt`, in epoch milliseconds.
 */
export interface SignalReport {
  /** The signal's kebab-case code, e.g. `location-preciselocation`. */
  code: string;
  /** When the vehicle observed the value or error, epoch ms. */
  observedAt: number;
  /** The signal's `body` when it succeeded. @default {} for a success without a body */
  body?: Record<string, unknown>;
  /** Present for a failed signal; the report then counts as an error and `body` is ignored. */
  error?: SignalError;
}

/** An error report as stored: the error plus the time and event it came from. */
export interface RecordedError extends SignalError {
  observedAt: number;
  eventId: string;
}

/**
 * A signal's latest state. `value`, `observedAt` and `eventId` always belong together: the newest
 * successful report. A later error does not erase them; it shows in `status` and `lastError`.
 */
export interface SignalState {
  /** `ERROR` when `lastError` is newer than `value` (or there is no value), else `SUCCESS`. */
  status: SignalStatus;
  /** Body of the newest successful report; absent while the signal has only ever failed. */
  value?: Record<string, unknown>;
  /** When `value` was observed, epoch ms. */
  observedAt?: number;
  /** The event that delivered `value`. */
  eventId?: string;
  /** The newest error report. Kept after the signal recovers; compare with `observedAt`. */
  lastError?: RecordedError;
  /** Wall-clock time of the item's last write, epoch ms. Not part of the ordering. */
  updatedAt: number;
}

/** Outcome of one signal of a `recordSignals` call. */
export type RecordResult =
  | { code: string; written: true }
  /** The store already holds this report or a newer one; nothing changed. */
  | { code: string; written: false; reason: 'stale' };

/** Attribute names of a latest-state item besides the key (see LATEST_STATE_DEFAULTS). */
export const STATE_ATTRIBUTES = {
  value: 'value',
  observedAt: 'observedAt',
  eventId: 'eventId',
  lastError: 'lastError',
  updatedAt: 'updatedAt',
} as const;

/** The point in time a report is ordered by: its timestamp, ties broken by event id. */
export interface ReportVersion {
  observedAt: number;
  eventId: string;
}

/**
 * Orders two reports exactly as the conditional writes do: by `observedAt`, then by `eventId`
 * compared as UTF-8 bytes, which is how DynamoDB compares strings. Negative when `a` is older.
 */
export function compareVersions(a: ReportVersion, b: ReportVersion): number {
  if (a.observedAt !== b.observedAt) return a.observedAt < b.observedAt ? -1 : 1;
  return Buffer.compare(Buffer.from(a.eventId, 'utf8'), Buffer.from(b.eventId, 'utf8'));
}

/** Reads an item written by the store; throws {@link CorruptStateItemError} naming the bad field. */
export function toSignalState(item: Record<string, unknown>): SignalState {
  const vehicleId = String(item[LATEST_STATE_TABLE.partitionKey]);
  const signalCode = String(item[LATEST_STATE_TABLE.sortKey]);
  const corrupt = (field: string) => new CorruptStateItemError(vehicleId, signalCode, field);

  const { updatedAt, value, observedAt, eventId, lastError } = item;
  if (typeof updatedAt !== 'number') throw corrupt(STATE_ATTRIBUTES.updatedAt);
  const state: SignalState = { status: SIGNAL_STATUS.success, updatedAt };

  if (observedAt !== undefined) {
    if (typeof observedAt !== 'number') throw corrupt(STATE_ATTRIBUTES.observedAt);
    if (typeof eventId !== 'string') throw corrupt(STATE_ATTRIBUTES.eventId);
    if (!isRecord(value)) throw corrupt(STATE_ATTRIBUTES.value);
    Object.assign(state, { value, observedAt, eventId });
  }
  if (lastError !== undefined) {
    const recorded = toRecordedError(lastError);
    if (recorded === undefined) throw corrupt(STATE_ATTRIBUTES.lastError);
    state.lastError = recorded;
  }

  if (state.lastError === undefined) {
    if (state.observedAt === undefined) throw corrupt(STATE_ATTRIBUTES.observedAt);
  } else if (
    state.observedAt === undefined ||
    state.eventId === undefined ||
    compareVersions(state.lastError, { observedAt: state.observedAt, eventId: state.eventId }) > 0
  ) {
    state.status = SIGNAL_STATUS.error;
  }
  return state;
}

function toRecordedError(stored: unknown): RecordedError | undefined {
  if (!isRecord(stored)) return undefined;
  const { type, code, observedAt, eventId } = stored;
  if (typeof type !== 'string' || typeof observedAt !== 'number' || typeof eventId !== 'string') {
    return undefined;
  }
  if (code !== null && typeof code !== 'string') return undefined;
  return { type, code, observedAt, eventId };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
