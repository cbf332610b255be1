import { randomUUID } from 'node:crypto';
import { type PipelineStatus, startPipelineProcess } from '../integration/support/local-pipeline';
import { sign, vehicleStateEvent } from '../../local/kit';
import { msSince, percentile, progress, round } from './stats';

/** How to load the local pipeline. */
export interface PipelineLoadOptions {
  /** HTTP deliveries in total, duplicates included. */
  deliveries: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Share of deliveries that repeat an earlier eventId (Smartcar's at-least-once retries). */
  duplicateShare: number;
  /** Share of deliveries the processor can never handle (sent to the DLQ at once). */
  poisonShare: number;
}

/** One check of the end state, with what was expected and what the status endpoint said. */
export interface PipelineCheck {
  name: string;
  expected: number;
  actual: number;
  ok: boolean;
}

/** What {@link measurePipeline} reports. */
export interface PipelineLoadResult {
  deliveries: number;
  concurrency: number;
  uniqueValid: number;
  duplicates: number;
  poison: number;
  bodyBytes: number;
  /** Deliveries answered per second while sending (client side). */
  deliveriesPerSecond: number;
  /** Unique events processed per second, from the first send to the last event processed. */
  processedPerSecond: number;
  sendSeconds: number;
  drainSeconds: number;
  receiverLatencyMs: { p50: number; p99: number };
  /** From the start of the HTTP request to the processor's "processed" line (ms resolution). */
  deliveryToProcessedLagMs: { p50: number; p99: number; matched: number };
  /** Records that failed an attempt and were retried (e.g. a duplicate seen while the first was in progress). */
  retriedAttempts: number;
  non2xxResponses: number;
  status: PipelineStatus;
  checks: PipelineCheck[];
}

interface Send {
  event: number;
  duplicate: boolean;
}

/**
 * Sends signed VEHICLE_STATE deliveries over HTTP into `npm start`'s pipeline (child process, SQS
 * visibility timeout 1 s, not watching the sources), some of them repeated and some of them
 * poison, waits until every event has settled and checks the counts: every unique valid event
 * processed exactly once, every repeat skipped as a duplicate, every poison event in the DLQ.
 */
export async function measurePipeline(options: PipelineLoadOptions): Promise<PipelineLoadResult> {
  const token = `bench-${randomUUID()}`;
  const duplicates = Math.round(options.deliveries * options.duplicateShare);
  const unique = options.deliveries - duplicates;
  const poison = Math.round(options.deliveries * options.poisonShare);
  const isPoison = (event: number) =>
    poison > 0 && event % Math.floor(unique / poison) === 0 && event / Math.floor(unique / poison) < poison;
  const plan = sendPlan(unique, duplicates, isPoison);

  // The first 8 characters of the eventId are unique: they identify the event in the pipeline's log.
  const eventIds = Array.from(
    { length: unique },
    (_, i) => `${i.toString(16).padStart(8, '0')}${randomUUID().slice(8)}`,
  );
  const bodies = new Map<number, string>();
  const bodyOf = (event: number): string => {
    let body = bodies.get(event);
    if (body === undefined) {
      const document = vehicleStateEvent({ eventId: eventIds[event] });
      if (isPoison(event))
        (document.data as Record<string, unknown>).signals = 'not a list: fails the schema';
      body = JSON.stringify(document);
      bodies.set(event, body);
    }
    return body;
  };

  progress(
    `pipeline: starting npm start (${options.deliveries} deliveries, concurrency ${options.concurrency})`,
  );
  // --no-watch: a save under lambdas/ during the run would restart every environment (cold starts
  // in the middle of the figures), and a half-written file would fail invocations.
  const pipeline = await startPipelineProcess(token, ['--visibility-timeout', '1', '--no-watch']);
  try {
    const sentAt = new Map<number, number>();
    const latencies: number[] = [];
    let non2xx = 0;
    let next = 0;
    const start = process.hrtime.bigint();
    const startedAt = Date.now();
    const worker = async () => {
      for (;;) {
        const send = plan[next++];
        if (send === undefined) return;
        const body = bodyOf(send.event);
        if (!send.duplicate) sentAt.set(send.event, Date.now());
        const t = process.hrtime.bigint();
        const response = await fetch(pipeline.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'sc-signature': sign(body, token) },
          body,
        });
        await response.arrayBuffer();
        latencies.push(msSince(t));
        if (response.status !== 200) non2xx++;
        if (next % 1000 === 0) progress(`pipeline: ${next} sent`);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const sendSeconds = msSince(start) / 1000;
    progress(`pipeline: all sent in ${sendSeconds.toFixed(1)} s; waiting for the queue to drain`);

    const uniqueValid = unique - poison;
    const settled = (s: PipelineStatus) =>
      s.processed >= uniqueValid &&
      s.duplicates >= duplicates &&
      s.deadLetterQueue.visible >= poison &&
      s.queue.visible === 0 &&
      s.queue.inFlight === 0;
    await pipeline.waitFor(settled, 120_000 + options.deliveries * 100);
    const drainSeconds = msSince(start) / 1000;
    // Anything processed twice would show up after a redelivery: wait past the visibility timeout.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const status = await pipeline.status();

    const processedAt = parseProcessedTimes(pipeline.output(), startedAt);
    const lags: number[] = [];
    for (const [event, sent] of sentAt) {
      const done = processedAt.get(eventIds[event]?.slice(0, 8) ?? '');
      if (done !== undefined && !isPoison(event)) lags.push(done - sent);
    }
    const check = (name: string, expected: number, actual: number): PipelineCheck => ({
      name,
      expected,
      actual,
      ok: expected === actual,
    });
    return {
      deliveries: options.deliveries,
      concurrency: options.concurrency,
      uniqueValid,
      duplicates,
      poison,
      bodyBytes: bodyOf(1).length,
      deliveriesPerSecond: round(options.deliveries / sendSeconds, 1),
      processedPerSecond: round(uniqueValid / drainSeconds, 1),
      sendSeconds: round(sendSeconds, 2),
      drainSeconds: round(drainSeconds, 2),
      receiverLatencyMs: {
        p50: round(percentile(latencies, 50), 2),
        p99: round(percentile(latencies, 99), 2),
      },
      deliveryToProcessedLagMs: {
        p50: round(percentile(lags, 50), 1),
        p99: round(percentile(lags, 99), 1),
        matched: lags.length,
      },
      retriedAttempts: status.failed,
      non2xxResponses: non2xx,
      status,
      checks: [
        check('deliveries received by the API', options.deliveries, status.received),
        check('deliveries enqueued (answered 200)', options.deliveries, status.enqueued),
        check('processed == unique valid events', uniqueValid, status.processed),
        check('duplicates skipped == duplicated sends', duplicates, status.duplicates),
        check('dead-letter queue == poison events', poison, status.deadLetterQueue.visible),
        check('main queue empty (visible + in flight)', 0, status.queue.visible + status.queue.inFlight),
      ],
    };
  } finally {
    await pipeline.stop();
  }
}

/**
 * The send order: every unique event once, in order, and each repeat 50–500 sends after its
 * original (so the original has been answered; the processor may still be working on it, which
 * the idempotency lock turns into a retry). Poison events are never repeated, so the DLQ count is
 * exact.
 */
function sendPlan(unique: number, duplicates: number, isPoison: (event: number) => boolean): Send[] {
  const candidates: number[] = [];
  for (let event = 0; event < unique; event++) if (!isPoison(event)) candidates.push(event);
  const repeated = new Set<number>();
  for (let i = 0; i < duplicates; i++) {
    // Evenly spread, deterministic: the i-th repeat duplicates the event at the i-th stride.
    repeated.add(candidates[Math.floor((i * candidates.length) / duplicates)] as number);
  }
  const slots: Send[][] = Array.from({ length: unique + 1 }, () => []);
  for (let event = 0; event < unique; event++) {
    (slots[event] as Send[]).push({ event, duplicate: false });
    if (repeated.has(event)) {
      const later = Math.min(unique, event + 50 + Math.floor(Math.random() * 450));
      (slots[later] as Send[]).push({ event, duplicate: true });
    }
  }
  return slots.flat();
}

/**
 * Epoch ms of each event's first "processed" line in the pipeline's output (`HH:MM:SS.mmm
 * VEHICLE_STATE 0000002a processed`), keyed by the eventId's first 8 characters.
 */
function parseProcessedTimes(output: string, startedAt: number): Map<string, number> {
  const day = new Date(startedAt);
  const midnight = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate());
  const times = new Map<string, number>();
  for (const match of output.matchAll(
    /^(\d\d):(\d\d):(\d\d)\.(\d{3}) VEHICLE_STATE\s+([0-9a-f]{8}) processed$/gm,
  )) {
    const [, h, m, s, ms, id] = match;
    let at = midnight + ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000 + Number(ms);
    if (at < startedAt - 3_600_000) at += 86_400_000; // the run crossed midnight UTC
    if (id !== undefined && !times.has(id)) times.set(id, at);
  }
  return times;
}
