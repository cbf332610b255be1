/**
 * `meta.deliveredAt` appears as epoch milliseconds (real payloads), an ISO-8601 string (some doc
 * pages) and once as epoch seconds. Below 1e12 a number is read as seconds: 1e12 ms is 2001-09-09,
 * long before Smartcar sent webhooks, while 1e12 s lies 30,000 years ahead.
 */
const SECONDS_BELOW = 1e12;

/** Milliseconds since the epoch, or undefined when `value` is absent or not a timestamp. */
export function deliveredAtMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    return value < SECONDS_BELOW ? value * 1000 : value;
  }
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}
