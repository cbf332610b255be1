import { type VehicleStateEvent } from './current-event-schema';
import { type DeliveredAtSource, deliveredAtMs, toEpochMs } from './delivered-at';
import { type EventIssue, toEventIssues } from './issues';
import {
  isKnownSignalCode,
  type KnownSignalCode,
  SIGNAL_BODY_SCHEMAS,
  type SignalBodies,
  type UnknownSignalBody,
} from './signal-bodies';
import {
  isSignalFailure,
  isSignalSuccess,
  readableSignalSchema,
  type SignalMeta,
  signalMetaSchema,
  type VehicleSignal,
} from './signal-schema';

/** Where a {@link SignalReadError} comes from. */
export const SIGNAL_ERROR_SOURCES = {
  /** Smartcar could not read the signal (`status.value: 'ERROR'`). */
  smartcar: 'SMARTCAR',
  /** Smartcar sent a body that does not match the signal's schema in `signal-bodies.ts`. */
  invalidBody: 'INVALID_BODY',
  /**
   * The entry has a `code` but neither a value nor a Smartcar error: no `body`, a `body` that is
   * not an object, an unknown `status.value`. `issues` say what was missing.
   */
  unreadable: 'UNREADABLE',
} as const;

/** Why a signal has no usable value. */
export interface SignalReadError {
  source: (typeof SIGNAL_ERROR_SOURCES)[keyof typeof SIGNAL_ERROR_SOURCES];
  /** Smartcar's `status.error.type` (e.g. `COMPATIBILITY`), else `INVALID_BODY` or `UNREADABLE`. */
  type: string;
  /** Smartcar's `status.error.code` (e.g. `VEHICLE_NOT_CAPABLE`); null when absent or not Smartcar's. */
  code: string | null;
  /** For invalid bodies and unreadable entries, the failing fields (`body.value`); never values. */
  issues: EventIssue[];
}

/** Fields every {@link SignalReading} has. */
interface SignalReadingBase {
  code: string;
  name?: string | undefined;
  group?: string | undefined;
  /** `oemUpdatedAt` / `retrievedAt`; undefined for signals without a value. */
  meta?: SignalMeta | undefined;
  /** The signal as delivered, with any fields this model does not know. */
  signal: VehicleSignal;
}

/** A signal, normalized: a typed value (`ok: true`) or an error (`ok: false`), never a throw. */
export type SignalReading<Body = UnknownSignalBody> =
  | (SignalReadingBase & { ok: true; body: Body })
  | (SignalReadingBase & { ok: false; error: SignalReadError });

/**
 * Normalizes one signal. Known codes (see `SIGNAL_BODY_SCHEMAS`) have their body validated; a body
 * that does not match becomes an `INVALID_BODY` error, and an entry that is neither a value nor a
 * Smartcar error an `UNREADABLE` one, rather than an exception.
 */
export function readSignal(signal: VehicleSignal): SignalReading {
  const base = { code: signal.code, name: signal.name, group: signal.group, signal };
  if (isSignalFailure(signal)) {
    const { type, code } = signal.status.error;
    const error = { source: SIGNAL_ERROR_SOURCES.smartcar, type, code: code ?? null, issues: [] };
    return { ...base, ok: false, error };
  }
  if (!isSignalSuccess(signal)) {
    const issues = toEventIssues(readableSignalSchema.safeParse(signal).error?.issues ?? []);
    const error = { source: SIGNAL_ERROR_SOURCES.unreadable, type: 'UNREADABLE', code: null, issues };
    return { ...base, ok: false, error };
  }
  const withMeta = { ...base, meta: signal.meta };
  if (!isKnownSignalCode(signal.code)) return { ...withMeta, ok: true, body: signal.body };
  const result = SIGNAL_BODY_SCHEMAS[signal.code].safeParse(signal.body);
  if (result.success) return { ...withMeta, ok: true, body: result.data };
  const issues = toEventIssues(result.error.issues, ['body']);
  const error = { source: SIGNAL_ERROR_SOURCES.invalidBody, type: 'INVALID_BODY', code: null, issues };
  return { ...withMeta, ok: false, error };
}

/** Every signal of a VEHICLE_STATE, normalized by {@link readSignal}. */
export function readSignals(event: VehicleStateEvent): SignalReading[] {
  return event.data.signals.map(readSignal);
}

/**
 * The signal with this kebab-case code, normalized by {@link readSignal}; for common codes the body
 * is typed, e.g. `findSignal(event, 'tractionbattery-stateofcharge')` gives `{ value, unit }`.
 * @returns undefined when the event does not carry the signal (the webhook does not subscribe to it)
 */
export function findSignal<C extends KnownSignalCode>(
  event: VehicleStateEvent,
  code: C,
): SignalReading<SignalBodies[C]> | undefined;
export function findSignal(event: VehicleStateEvent, code: string): SignalReading | undefined;
export function findSignal(event: VehicleStateEvent, code: string): SignalReading | undefined {
  const signal = event.data.signals.find((candidate) => candidate.code === code);
  return signal === undefined ? undefined : readSignal(signal);
}

/**
 * When a signal's value was true, in epoch milliseconds, for out-of-order protection: keep a stored
 * value unless the new one is newer. `meta.oemUpdatedAt` when positive (static signals such as the
 * VIN send 0), else `retrievedAt` (or `fetchedAt`), else the delivery time `meta.deliveredAt`, else
 * `fallbackMs`. Epoch seconds are converted like `deliveredAt`.
 * @param fallbackMs for events without `meta.deliveredAt` (Dashboard tests, some makes): the best
 *   time the caller has, e.g. the SQS message's SentTimestamp, which is close to the delivery
 */
export function signalTimestamp(
  signal: VehicleSignal | SignalReading<unknown>,
  event: { meta?: DeliveredAtSource | undefined },
  fallbackMs: number,
): number {
  // A failure signal has no meta; should one carry something else under that name, it is ignored.
  const meta = signalMetaSchema.safeParse(signal.meta);
  const { oemUpdatedAt, retrievedAt, fetchedAt } = meta.success ? meta.data : {};
  const first = [oemUpdatedAt, retrievedAt, fetchedAt].find((value) => value !== undefined && value > 0);
  if (first !== undefined) return toEpochMs(first);
  return deliveredAtMs(event.meta) ?? fallbackMs;
}
