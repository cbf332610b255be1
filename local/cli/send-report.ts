import type { Delivery, Verdict } from './delivery';
import { type Exchange, preview } from './http';
import { type CliIo, writeLine } from './io';
import { countByOutcome, latencyLine } from './summary';

/** One request of `send` and what it meant. */
export interface Outcome {
  delivery: Delivery;
  exchange: Exchange;
  verdict: Verdict;
}

/** Status, answer and verdict of one request: what a single `send` shows. */
export function printOutcome(io: CliIo, { exchange, verdict }: Outcome): void {
  if (exchange.kind === 'answer') {
    writeLine(io.stdout, `← ${exchange.status} in ${exchange.elapsedMs} ms: ${preview(exchange.body)}`);
  }
  writeLine(io.stdout, verdict.line);
  if (verdict.advice !== undefined) writeLine(io.stdout, `  → ${verdict.advice}`);
}

const MAX_FAILURES_SHOWN = 10;

/** The failed requests of a batch, capped, with the advice of the first that has one. */
export function printFailures(io: CliIo, failed: readonly Outcome[]): void {
  for (const { delivery, verdict } of failed.slice(0, MAX_FAILURES_SHOWN)) {
    writeLine(io.stdout, `${verdict.line} [eventId ${delivery.eventId ?? '(none)'}]`);
  }
  if (failed.length > MAX_FAILURES_SHOWN) {
    writeLine(io.stdout, `… and ${failed.length - MAX_FAILURES_SHOWN} more`);
  }
  // One piece of advice: a batch usually fails for one reason.
  const advice = failed.find((outcome) => outcome.verdict.advice !== undefined)?.verdict.advice;
  if (advice !== undefined) writeLine(io.stdout, `  → ${advice}`);
}

/**
 * Counts by status and latency for a batch (`seconds` given), then the overall verdict, including
 * how many duplicates the processor should find when eventIds repeat.
 */
export function printSummary(
  io: CliIo,
  outcomes: readonly Outcome[],
  failures: number,
  seconds: number | undefined,
): void {
  const exchanges = outcomes.map((outcome) => outcome.exchange);
  if (seconds !== undefined) {
    writeLine(
      io.stdout,
      `${outcomes.length} requests in ${seconds.toFixed(2)} s: ${countByOutcome(exchanges)}`,
    );
    const latency = latencyLine(exchanges);
    if (latency !== undefined) writeLine(io.stdout, latency);
  }
  if (failures > 0) {
    if (outcomes.length > 1) writeLine(io.stdout, `✘ ${failures} of ${outcomes.length} requests failed`);
    return;
  }
  const eventIds = outcomes.map((outcome) => outcome.delivery.eventId);
  const events = new Set(eventIds).size;
  const duplicates = outcomes.length - events;
  if (duplicates > 0 && !eventIds.includes(undefined)) {
    const subject =
      outcomes.length === 2
        ? `both deliveries of eventId ${eventIds[0]}`
        : `all ${outcomes.length} deliveries`;
    const once = events === 1 ? 'it once' : `${events} events once each`;
    const counted = duplicates === 1 ? 'one duplicate' : `${duplicates} duplicates`;
    writeLine(io.stdout, `✔ ${subject} accepted: the processor should handle ${once} and count ${counted}.`);
  } else if (outcomes.length > 1) {
    writeLine(io.stdout, `✔ all ${outcomes.length} accepted`);
  }
}
