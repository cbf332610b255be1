import { PROCESSOR_DEFAULTS } from '../lib/smartcar-webhooks-defaults';
import { LOG_MESSAGES, UNPROCESSABLE_REASONS } from '../lambdas/contract';
import type { RecordResult } from './event-source';

/** Counters shown on `GET /_local/status`. */
export interface ActivityCounts {
  received: number;
  enqueued: number;
  processed: number;
  duplicates: number;
  failed: number;
  deadLettered: number;
  /** Requests answered anything but 2xx. */
  refused: number;
  /** Of `refused`, by the error code answered: on AWS each SIGNATURE_* one that looks like Smartcar's pages. */
  refusedByReason: Record<string, number>;
}

/** What the quarantine did in this run, shown on `GET /_local/status`. */
export interface QuarantineCounts {
  /** Refused Smartcar-shaped deliveries kept (`npm run cli -- doctor` explains them). */
  kept: number;
  /** Refused Smartcar-shaped deliveries not kept (rate bound, size, S3 down): lost unless Smartcar retries. */
  missed: number;
  /** Events released from the quarantine and processed. */
  released: number;
}

/** What the local API saw of one request to the webhook path. */
export interface DeliveryResult {
  statusCode: number;
  /** The receiver invocation's own duration, as Lambda's REPORT line gives it. */
  durationMs: number;
  /**
   * How long the request waited for a free receiver environment before the invocation started
   * (see `--receiver-concurrency`). Kept out of `durationMs`, as Lambda reports a cold start's Init
   * Duration apart from the invocation's Duration.
   */
  waitedMs?: number;
  /** The request started a new receiver environment: `waitedMs` was its cold start. */
  coldStart?: boolean;
  requestBody: string;
  responseBody: string;
}

/** A log record a function printed, as the observation channel hands it over. */
export type LogRecord = Record<string, unknown>;

/**
 * Turns the pipeline's happenings into one readable line per step (received → enqueued →
 * processed / duplicate / failed (attempt n) / dead-lettered) and the status counters. Processing
 * outcomes come from the processor's own log records, the ones a CloudWatch query would read,
 * handed over as they are printed (lambdas/runtime/observation.ts): however Powertools prints
 * them (POWERTOOLS_DEV pretty-prints), the display is the same.
 */
export class Activity {
  private readonly totals: ActivityCounts = {
    received: 0,
    enqueued: 0,
    processed: 0,
    duplicates: 0,
    failed: 0,
    deadLettered: 0,
    refused: 0,
    refusedByReason: {},
  };
  private readonly quarantine: QuarantineCounts = { kept: 0, missed: 0, released: 0 };
  /** Last processing error per SQS message, from the processor's log, shown with the failure. */
  private readonly errors = new Map<string, string>();
  /**
   * Why the records of the batch being processed fail all at once (it could not be archived), and
   * how many of them are still to be reported: the processor logs it once for the whole batch.
   */
  private batchFailure: { reason: string; records: number } | undefined;
  /**
   * Events that failed their last attempt or were parked and have not shown up in the DLQ yet,
   * oldest first, with what to do about each once it is there.
   */
  private readonly awaitingDeadLetter: { label: string; attempts: number; hint: string }[] = [];

  /**
   * @param print writes one line of the display
   * @param options `verbose` when the functions' own output is shown too, which makes the display's
   *   short form of their errors redundant
   */
  constructor(
    private readonly print: (line: string) => void,
    private readonly options: { verbose: boolean; maxReceiveCount?: number } = { verbose: false },
  ) {}

  counts(): ActivityCounts {
    return { ...this.totals, refusedByReason: { ...this.totals.refusedByReason } };
  }

  quarantineCounts(): QuarantineCounts {
    return { ...this.quarantine };
  }

  /** A request to the webhook path and the receiver's answer. */
  delivery(result: DeliveryResult): void {
    this.totals.received++;
    const request = parse(result.requestBody);
    const response = parse(result.responseBody);
    const label = describeEvent(request);
    const waited = !result.waitedMs
      ? ''
      : result.coldStart
        ? `, after a ${result.waitedMs} ms cold start`
        : `, after ${result.waitedMs} ms waiting for a free receiver`;
    const timing = `(${result.statusCode}, ${result.durationMs} ms${waited})`;
    if (response?.status === 'accepted') {
      this.totals.enqueued++;
      this.print(`${label} received → enqueued ${timing}`);
    } else if (typeof response?.challenge === 'string') {
      this.print(`${label} received → challenge answered ${timing}`);
    } else {
      const reason = [response?.error, response?.message]
        .filter((part) => typeof part === 'string')
        .join(': ');
      this.totals.refused++;
      const code = typeof response?.error === 'string' ? response.error : String(result.statusCode);
      this.totals.refusedByReason[code] = (this.totals.refusedByReason[code] ?? 0) + 1;
      this.print(`${label} received → refused ${timing} ${reason}`);
    }
  }

  /** A record the event source handed to the processor. */
  record(result: RecordResult): void {
    if (!result.failed) return;
    this.totals.failed++;
    const maxReceiveCount = this.options.maxReceiveCount ?? PROCESSOR_DEFAULTS.maxReceiveCount;
    const label = describeEvent(parse(result.body));
    const reason =
      result.invocationError ??
      this.errors.get(result.messageId) ??
      this.takeBatchFailure() ??
      'reported as failed';
    this.errors.delete(result.messageId);
    this.print(`${label} failed (attempt ${result.attempt}/${maxReceiveCount}): ${reason}`);
    if (result.attempt >= maxReceiveCount) {
      // SQS moves it on the receive after this one, once the visibility timeout has passed.
      this.awaitingDeadLetter.push({ label, attempts: result.attempt, hint: RETRIES_EXHAUSTED_HINT });
      this.print(`${label} no retries left: SQS moves it to the DLQ when its visibility timeout ends`);
    }
  }

  private takeBatchFailure(): string | undefined {
    const failure = this.batchFailure;
    if (failure === undefined) return undefined;
    failure.records -= 1;
    if (failure.records <= 0) this.batchFailure = undefined;
    return failure.reason;
  }

  /** The DLQ grew by `count` messages: the oldest events that ran out of retries arrived there. */
  deadLettered(count: number): void {
    for (let i = 0; i < count; i++) {
      this.totals.deadLettered++;
      const next = this.awaitingDeadLetter.shift();
      const label = next?.label ?? `${time()} ${'?'.padEnd(13)} --------`;
      const attempts =
        next === undefined || next.hint !== RETRIES_EXHAUSTED_HINT ? '' : ` after ${next.attempts} attempts`;
      this.print(`${label} dead-lettered${attempts} (${next?.hint ?? RETRIES_EXHAUSTED_HINT})`);
    }
  }

  /** One record a function logged. */
  log(entry: LogRecord): void {
    const label = describeEvent(entry);
    switch (entry.message) {
      case LOG_MESSAGES.eventProcessed:
        this.totals.processed++;
        if (typeof entry.releaseId === 'string') this.quarantine.released++;
        this.print(`${label} processed${replayOf(entry)}`);
        return;
      case LOG_MESSAGES.deliveryQuarantined:
        this.quarantine.kept++;
        this.print(
          `${label} refused (${String(entry.errorCode)}), kept in the quarantine: npm run cli -- doctor`,
        );
        return;
      case LOG_MESSAGES.quarantineMissed:
        this.quarantine.missed++;
        this.print(
          `${label} refused (${String(entry.errorCode)}) and NOT quarantined: ${String(entry.detail)}`,
        );
        return;
      case LOG_MESSAGES.duplicateSkipped:
        this.totals.duplicates++;
        this.print(`${label} duplicate, skipped (already processed)${replayOf(entry)}`);
        return;
      case LOG_MESSAGES.archiveWriteFailed:
        this.batchFailure = {
          reason: `not archived, so not processed; left on the queue (${String(entry.error)})`,
          records: Number(entry.records) || 1,
        };
        return;
      case LOG_MESSAGES.sentToDeadLetterQueue:
        // Sent by the processor itself; the DLQ watch reports it when it arrives there.
        this.print(
          `${label} unprocessable, parked in the DLQ at once: ${String(entry.reason)} (${String(entry.detail)})`,
        );
        this.awaitingDeadLetter.push({
          label,
          attempts: Number(entry.attempt) || 1,
          hint: parkedHint(String(entry.reason)),
        });
        return;
      case LOG_MESSAGES.processingFailed:
      case LOG_MESSAGES.eventLocked:
        if (typeof entry.messageId === 'string') {
          this.errors.set(
            entry.messageId,
            typeof entry.error === 'string' ? entry.error : String(entry.message),
          );
        }
        return;
      default:
        // With --verbose the records are printed as they are; here, each in one short line.
        if (this.options.verbose) return;
        if (typeof entry.eventId !== 'string' || PIPELINE_MESSAGES.has(String(entry.message))) {
          // Not about one event (a cold-start problem, say), or a step the display showed already.
          if (entry.level === 'ERROR')
            this.print(`  error: ${String(entry.message)}${entry.cause ? ` (${String(entry.cause)})` : ''}`);
          else if (entry.level === 'WARN' && !PIPELINE_MESSAGES.has(String(entry.message)))
            this.print(`  warning: ${String(entry.message)}`);
          return;
        }
        this.print(handlerLine(label, entry));
    }
  }
}

/** What the display shows itself (a step of an event), so it does not print them twice. */
const PIPELINE_MESSAGES: ReadonlySet<string> = new Set(Object.values(LOG_MESSAGES));

const RETRIES_EXHAUSTED_HINT = 'fix the cause, then: npm run cli -- redrive';

/** What to do about a parked event, by why it was parked: a redrive alone helps with none of them. */
function parkedHint(reason: string): string {
  switch (reason) {
    case UNPROCESSABLE_REASONS.unknownEventType:
    case UNPROCESSABLE_REASONS.unknownEnvelopeVersion:
      return 'this version does not know it: add a handler for it (or update the project), then: npm run cli -- redrive';
    case UNPROCESSABLE_REASONS.schemaInvalid:
    case UNPROCESSABLE_REASONS.notASmartcarEvent:
      return (
        'a redrive will not help: the event itself lacks what a handler needs, so it would be parked ' +
        'again; it is kept as it arrived (DLQ and archive) until the code accepts that shape'
      );
    case UNPROCESSABLE_REASONS.handlerRefused:
      return 'your handler refused it (UnprocessableEventError): change the handler, then: npm run cli -- redrive';
    default:
      return RETRIES_EXHAUSTED_HINT;
  }
}

/** Keys every record has, or that the event's label already shows. */
const STANDARD_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
  'correlation_id',
  'eventId',
  'eventType',
  'deliveryId',
  'vehicleId',
  'messageId',
  'replayId',
  'releaseId',
  'verifiedWith',
]);
const MAX_KEYS = 5;
const MAX_VALUE_LENGTH = 40;

/**
 * A handler's log record in one line under its event's label: level (unless INFO), message and
 * its first few keys, each value cut short. `--verbose` shows the record whole.
 */
function handlerLine(label: string, entry: LogRecord): string {
  const level = typeof entry.level === 'string' && entry.level !== 'INFO' ? `${entry.level} ` : '';
  const keys = Object.entries(entry).filter(([key]) => !STANDARD_KEYS.has(key));
  const shown = keys.slice(0, MAX_KEYS).map(([key, value]) => `${key}=${shortValue(value)}`);
  if (keys.length > MAX_KEYS) shown.push('…');
  return `${label}   ↳ ${level}${String(entry.message ?? '')}${shown.length > 0 ? `  ${shown.join(' ')}` : ''}`;
}

function shortValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

/** ` (replay replay-…)` / ` (released release-…)`, so a replay or a release run can be followed. */
function replayOf(entry: LogRecord): string {
  if (typeof entry.replayId === 'string') return ` (replay ${entry.replayId})`;
  return typeof entry.releaseId === 'string'
    ? ` (released ${entry.releaseId}, ${String(entry.verifiedWith)})`
    : '';
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `VEHICLE_STATE 2b65f4e6`: enough to follow one event down the log. */
function describeEvent(source: Record<string, unknown> | undefined): string {
  const type = source?.eventType ?? source?.eventName ?? '?';
  const id = typeof source?.eventId === 'string' ? source.eventId.slice(0, 8) : '--------';
  return `${time()} ${String(type).padEnd(13)} ${id}`;
}

function time(): string {
  return new Date().toISOString().slice(11, 23);
}
