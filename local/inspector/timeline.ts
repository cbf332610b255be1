import { LOG_MESSAGES } from '../../lambdas/contract';
import { parseJsonObject, summarizeEvent } from '../../lambdas/runtime/envelope';
import { PROCESSOR_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import type { DeliveryResult, LogRecord } from '../activity';
import type { RecordResult } from '../event-source';
import { DELIVERY_STATES, type DeliveryState, stepOf, type TimelineStep } from './timeline-steps';

/** An event as the inspector's list shows it. */
export interface TimelineSummary {
  /** The idempotency key: the `eventId`, or `sha256:` of the body. */
  key: string;
  eventType?: string;
  vehicleId?: string;
  firstSeenAt: string;
  lastSeenAt: string;
  /** The state of the latest step. */
  state: DeliveryState;
  detail?: string;
  errorCode?: string;
  attempt?: number;
  /** Requests to the webhook path that carried this event (Smartcar retries, resends). */
  deliveries: number;
  /** Refused and kept in the quarantine, not released since. */
  quarantined: boolean;
  /** The last request body is kept, so it can be shown and resent. */
  hasBody: boolean;
}

/** An event with what the inspector shows when it is opened. */
export interface TimelineEntry extends TimelineSummary {
  steps: readonly TimelineStep[];
  /** The functions' log records that carry this event's id, oldest first. */
  logs: readonly LogRecord[];
  /** Records left out of `logs` to keep it bounded. */
  logsDropped: number;
  /** The last request body as text, unless it was larger than the store keeps. */
  body?: string;
  /** Why `body` is missing. */
  bodyNote?: string;
}

/** Settings of {@link DeliveryTimeline}. */
export interface DeliveryTimelineOptions {
  /** @default 1000 events; the oldest is dropped first */
  maxEvents?: number;
  /** Bodies larger than this are not kept (the archive and the quarantine still have them). @default 256 KiB */
  maxBodyBytes?: number;
  /** @default 100 log records per event; the latest are kept */
  maxLogsPerEvent?: number;
  /** @default PROCESSOR_DEFAULTS.maxReceiveCount */
  maxReceiveCount?: number;
  /** @default Date.now */
  now?: () => number;
}

interface Entry {
  key: string;
  eventType?: string;
  vehicleId?: string;
  firstSeenMs: number;
  lastSeenMs: number;
  steps: (TimelineStep & { atMs: number })[];
  logs: LogRecord[];
  logsDropped: number;
  deliveries: number;
  quarantined: boolean;
  body?: string;
  bodyNote?: string;
}

const NOT_SEEN = 'not seen in this run: it reached the processor only (a replay, a release or a redrive)';

/**
 * The last events through the local pipeline, each with its steps (refused, enqueued, processed,
 * duplicate, failed attempt n, parked, dead-lettered, quarantined, released, replayed), its last
 * body and its log records: what the inspector (`/_local/`) shows. It reads exactly what the
 * console display `Activity` reads, handed over at the same calls (see `ObservedActivity`), so the
 * two never disagree about what happened. Bounded: the oldest events go first.
 */
export class DeliveryTimeline {
  private readonly entries = new Map<string, Entry>();
  /** SQS message id → event key, from the processor's log records (a failed record has only its id). */
  private readonly messageKeys = new Map<string, string>();
  /** Why the batch being processed fails as a whole (it was not archived), for its records. */
  private batchFailure: { reason: string; records: number } | undefined;
  /** Events that ran out of retries or were parked, not in the DLQ yet, oldest first. */
  private readonly awaitingDeadLetter: { key: string; detail: string }[] = [];
  private readonly maxEvents: number;
  private readonly maxBodyBytes: number;
  private readonly maxLogsPerEvent: number;
  private readonly maxReceiveCount: number;
  private readonly now: () => number;

  constructor(options: DeliveryTimelineOptions = {}) {
    this.maxEvents = options.maxEvents ?? 1000;
    this.maxBodyBytes = options.maxBodyBytes ?? 256 * 1024;
    this.maxLogsPerEvent = options.maxLogsPerEvent ?? 100;
    this.maxReceiveCount = options.maxReceiveCount ?? PROCESSOR_DEFAULTS.maxReceiveCount;
    this.now = options.now ?? Date.now;
  }

  /** A request to the webhook path and the receiver's answer (what `Activity.delivery` gets). */
  delivery(result: DeliveryResult): void {
    const bytes = Buffer.from(result.requestBody, 'utf8');
    const document = parseJsonObject(result.requestBody);
    const summary = summarizeEvent(document ?? {}, bytes);
    // The request arrived before the receiver ran (and before anything it logged).
    const atMs = this.now() - result.durationMs - (result.waitedMs ?? 0);
    const entry = this.entry(summary.eventKey, atMs, summary);
    entry.deliveries++;
    if (bytes.length <= this.maxBodyBytes) {
      entry.body = result.requestBody;
      entry.bodyNote = undefined;
    } else {
      entry.body = undefined;
      entry.bodyNote = `${bytes.length} bytes: larger than the inspector keeps (${this.maxBodyBytes})`;
    }
    const response = parseJsonObject(result.responseBody);
    const timing = `${result.statusCode}, ${result.durationMs} ms`;
    if (response?.status === 'accepted') {
      this.step(entry, atMs, { state: DELIVERY_STATES.enqueued, detail: `received → enqueued (${timing})` });
    } else if (typeof response?.challenge === 'string') {
      this.step(entry, atMs, { state: DELIVERY_STATES.challengeAnswered, detail: `VERIFY (${timing})` });
    } else {
      const errorCode = typeof response?.error === 'string' ? response.error : String(result.statusCode);
      const message = typeof response?.message === 'string' ? `: ${response.message}` : '';
      this.step(entry, atMs, {
        state: DELIVERY_STATES.refused,
        errorCode,
        detail: `${errorCode} (${timing})${message}`,
      });
    }
  }

  /** A record the event source handed to the processor (what `Activity.record` gets). */
  record(result: RecordResult): void {
    if (!result.failed) return;
    const key = this.messageKeys.get(result.messageId) ?? keyOfQueuedBody(result.body);
    const entry = this.entry(key, this.now(), summaryOfQueuedBody(result.body));
    const last = entry.steps.at(-1);
    // The processor logged this attempt's failure, with its reason, unless the invocation crashed
    // or the batch was not archived: one step per attempt either way.
    if (last?.state !== DELIVERY_STATES.failed || last.attempt !== result.attempt) {
      const reason = result.invocationError ?? this.takeBatchFailure() ?? 'reported as failed';
      this.followingStep(entry, {
        state: DELIVERY_STATES.failed,
        attempt: result.attempt,
        detail: `attempt ${result.attempt}/${this.maxReceiveCount}: ${reason}`,
      });
    }
    if (result.attempt >= this.maxReceiveCount) {
      this.awaitingDeadLetter.push({ key, detail: `after ${result.attempt} attempts` });
    }
  }

  /** The DLQ grew by `count` messages (what `Activity.deadLettered` gets): the oldest waiting arrived. */
  deadLettered(count: number): void {
    for (let i = 0; i < count; i++) {
      const next = this.awaitingDeadLetter.shift();
      const entry = next === undefined ? undefined : this.entries.get(next.key);
      if (next === undefined || entry === undefined) continue;
      this.followingStep(entry, { state: DELIVERY_STATES.deadLettered, detail: next.detail });
    }
  }

  /** One log record a function wrote (what `Activity.log` gets). */
  log(record: LogRecord): void {
    if (record.message === LOG_MESSAGES.archiveWriteFailed) {
      this.batchFailure = {
        reason: `not archived, so not processed; left on the queue (${String(record.error)})`,
        records: Number(record.records) || 1,
      };
    }
    const key = typeof record.eventId === 'string' && record.eventId !== '' ? record.eventId : undefined;
    if (key === undefined) return;
    const atMs = timestampOf(record) ?? this.now();
    const entry = this.entry(key, atMs, {
      eventType: typeof record.eventType === 'string' ? record.eventType : undefined,
      vehicleId: typeof record.vehicleId === 'string' ? record.vehicleId : undefined,
    });
    if (typeof record.messageId === 'string') this.rememberMessage(record.messageId, key);
    entry.logs.push(record);
    if (entry.logs.length > this.maxLogsPerEvent) {
      entry.logs.shift();
      entry.logsDropped++;
    }
    const step = stepOf(record, this.maxReceiveCount);
    if (step === undefined) return;
    if (step.state === DELIVERY_STATES.quarantined) entry.quarantined = true;
    if (step.state === DELIVERY_STATES.released) entry.quarantined = false;
    if (step.state === DELIVERY_STATES.parked) {
      this.awaitingDeadLetter.push({ key, detail: `parked: ${step.detail ?? ''}` });
    }
    this.step(entry, atMs, step);
  }

  /** The events, newest first, of one event type and one vehicle when given (exact, type in any case). */
  list(filter: { type?: string; vehicle?: string } = {}): TimelineSummary[] {
    const type = filter.type?.toUpperCase();
    const summaries: TimelineSummary[] = [];
    for (const entry of [...this.entries.values()].reverse()) {
      if (type !== undefined && entry.eventType?.toUpperCase() !== type) continue;
      if (filter.vehicle !== undefined && entry.vehicleId !== filter.vehicle) continue;
      summaries.push(summaryOf(entry));
    }
    return summaries;
  }

  /** The event types seen, sorted: what the type filter offers. */
  eventTypes(): string[] {
    const types = new Set<string>();
    for (const entry of this.entries.values()) if (entry.eventType !== undefined) types.add(entry.eventType);
    return [...types].sort();
  }

  /** Events held now, and at most. */
  size(): { events: number; maxEvents: number } {
    return { events: this.entries.size, maxEvents: this.maxEvents };
  }

  /** One event in full, by its key (`eventId` or `sha256:…`). */
  get(key: string): TimelineEntry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    return {
      ...summaryOf(entry),
      steps: entry.steps.map(({ atMs: _atMs, ...step }) => step),
      logs: [...entry.logs],
      logsDropped: entry.logsDropped,
      body: entry.body,
      bodyNote: entry.body === undefined ? (entry.bodyNote ?? NOT_SEEN) : undefined,
    };
  }

  private entry(key: string, atMs: number, ids: { eventType?: string; vehicleId?: string }): Entry {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = {
        key,
        firstSeenMs: atMs,
        lastSeenMs: atMs,
        steps: [],
        logs: [],
        logsDropped: 0,
        deliveries: 0,
        quarantined: false,
      };
      this.entries.set(key, entry);
      // A Map iterates in insertion order: the first key is the oldest event.
      if (this.entries.size > this.maxEvents) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    }
    entry.eventType ??= ids.eventType;
    entry.vehicleId ??= ids.vehicleId;
    return entry;
  }

  /**
   * Adds a step in time order. The inputs do not arrive in it: what the receiver logs reaches us
   * before its answer does, and on a busy machine the processor's log can beat it too.
   */
  private step(entry: Entry, atMs: number, step: Omit<TimelineStep, 'at'>): void {
    let index = entry.steps.length;
    while (index > 0 && (entry.steps[index - 1]?.atMs ?? 0) > atMs) index--;
    entry.steps.splice(index, 0, { at: new Date(atMs).toISOString(), ...step, atMs });
    entry.firstSeenMs = Math.min(entry.firstSeenMs, atMs);
    entry.lastSeenMs = Math.max(entry.lastSeenMs, atMs);
  }

  /**
   * Adds a step that follows from the steps before it (a failed record, a DLQ arrival): last,
   * whatever the clocks of the log records before it said.
   */
  private followingStep(entry: Entry, step: Omit<TimelineStep, 'at'>): void {
    this.step(entry, Math.max(this.now(), entry.steps.at(-1)?.atMs ?? 0), step);
  }

  private rememberMessage(messageId: string, key: string): void {
    this.messageKeys.set(messageId, key);
    if (this.messageKeys.size > this.maxEvents * 5) {
      const oldest = this.messageKeys.keys().next().value;
      if (oldest !== undefined) this.messageKeys.delete(oldest);
    }
  }

  private takeBatchFailure(): string | undefined {
    const failure = this.batchFailure;
    if (failure === undefined) return undefined;
    failure.records -= 1;
    if (failure.records <= 0) this.batchFailure = undefined;
    return failure.reason;
  }
}

function summaryOf(entry: Entry): TimelineSummary {
  const last = entry.steps.at(-1);
  return {
    key: entry.key,
    eventType: entry.eventType,
    vehicleId: entry.vehicleId,
    firstSeenAt: new Date(entry.firstSeenMs).toISOString(),
    lastSeenAt: new Date(entry.lastSeenMs).toISOString(),
    // Known only from log lines that are no steps (the receiver's, before its answer arrives).
    state: last?.state ?? DELIVERY_STATES.received,
    detail: last?.detail,
    errorCode: last?.errorCode,
    attempt: last?.attempt,
    deliveries: entry.deliveries,
    quarantined: entry.quarantined,
    hasBody: entry.body !== undefined,
  };
}

/** Powertools' `timestamp` (ISO) in epoch ms, when the record has a valid one. */
function timestampOf(record: LogRecord): number | undefined {
  if (typeof record.timestamp !== 'string') return undefined;
  const ms = Date.parse(record.timestamp);
  return Number.isNaN(ms) ? undefined : ms;
}

function summaryOfQueuedBody(body: string): { eventType?: string; vehicleId?: string } {
  const { eventType, vehicleId } = summarizeEvent(parseJsonObject(body) ?? {}, Buffer.from(body, 'utf8'));
  return { eventType, vehicleId };
}

function keyOfQueuedBody(body: string): string {
  return summarizeEvent(parseJsonObject(body) ?? {}, Buffer.from(body, 'utf8')).eventKey;
}
