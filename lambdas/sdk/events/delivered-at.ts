/**
 * Epoch values below this are read as seconds, at or above it as milliseconds. 1e12 ms is
 * 2001-09-09 and 1e12 s is the year 33658, so no real delivery time falls on the wrong side: every
 * plausible time in milliseconds is above it and every plausible time in seconds is far below it.
 */
export const EPOCH_SECONDS_BELOW = 1e12;

/**
 * A Smartcar timestamp as epoch milliseconds.
 * @param value epoch milliseconds, epoch seconds (below {@link EPOCH_SECONDS_BELOW}) or an ISO-8601
 *   string; parsed events only hold values the schema accepted
 * @returns milliseconds since the epoch, or `NaN` for a string that is not a date
 */
export function toEpochMs(value: number | string): number {
  if (typeof value === 'string') return Date.parse(value);
  return value < EPOCH_SECONDS_BELOW ? Math.round(value * 1000) : value;
}

/** What {@link deliveredAtMs} reads: a parsed event's `meta`, which may be missing or lack the field. */
export interface DeliveredAtSource {
  deliveredAt?: number | string | undefined;
}

/**
 * When Smartcar sent this delivery attempt, in epoch milliseconds, whichever of the three forms
 * `meta.deliveredAt` came in. It changes on every retry: use it for latency, not for identity.
 * @param meta the event's `meta`; Dashboard test deliveries and some makes send none, or one
 *   without `deliveredAt`
 * @returns undefined when there is no `deliveredAt` (fall back, e.g., to SQS's SentTimestamp)
 */
export function deliveredAtMs(meta: { deliveredAt: number | string }): number;
export function deliveredAtMs(meta: DeliveredAtSource | undefined): number | undefined;
export function deliveredAtMs(meta: DeliveredAtSource | undefined): number | undefined {
  const deliveredAt = meta?.deliveredAt;
  return deliveredAt === undefined ? undefined : toEpochMs(deliveredAt);
}

/**
 * {@link toEpochMs} for a value not validated yet (the receiver reads `meta.deliveredAt` before
 * any schema runs): undefined unless it is a positive number or a date string.
 */
export function epochMsOrUndefined(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return toEpochMs(value);
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const ms = toEpochMs(value);
  return Number.isNaN(ms) ? undefined : ms;
}
