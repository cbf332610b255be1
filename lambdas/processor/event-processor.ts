import { IDEMPOTENCY_TABLE, LOG_MESSAGES, METRICS, UNPROCESSABLE_REASONS } from '../contract';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSRecord } from 'aws-lambda';
import type { EventSummary, JsonObject } from '../runtime/envelope';
import { epochMsOrUndefined } from '../sdk/events/delivered-at';
import type { EventIssue } from '../sdk/events/issues';
import { LEGACY_EVENT_NAMES } from '../sdk/events/legacy-event-schema';
import { parseSmartcarEvent } from '../sdk/events/parse-event';
import { readSignals, signalTimestamp } from '../sdk/events/signals';
import {
  isEventType,
  isLegacyEvent,
  type SmartcarEvent,
  vehicleIdOf,
} from '../sdk/events/smartcar-event-schema';
import { firedTriggers, isFirstDelivery } from '../sdk/events/triggers';
import type { LatestStateStore } from '../latest-state';
import type { MetricsRecorder } from '../runtime/metrics';
import type { DeadLetterSender } from './dead-letter';
import { readRecord } from './queued-record';
import { UnprocessableEventError } from '../sdk/errors';
import type { EventContext, WebhookApp } from '../sdk/webhook-app';

/** One of UNPROCESSABLE_REASONS: why an event was parked. */
export type UnprocessableReason = (typeof UNPROCESSABLE_REASONS)[keyof typeof UNPROCESSABLE_REASONS];

/** What happened to one record that did not fail. */
export const OUTCOMES = {
  processed: 'processed',
  duplicate: 'duplicate',
  ignored: 'ignored',
  /** Unprocessable: sent to the dead-letter queue at once, without its retries. */
  deadLettered: 'dead-lettered',
} as const;

/** One of {@link OUTCOMES}. */
export type Outcome = (typeof OUTCOMES)[keyof typeof OUTCOMES];

/** Settings of {@link createEventProcessor}. */
export interface EventProcessorOptions {
  /** Your handlers (lambdas/app). */
  app: WebhookApp;
  persistenceStore: BasePersistenceLayer;
  expirySeconds: number;
  logger: Logger;
  metrics: MetricsRecorder;
  /** Milliseconds clock. @default Date.now */
  now?: () => number;
  /** Records each VEHICLE_STATE's signals before the handlers run. @default off */
  latestState?: LatestStateStore;
  /**
   * Sends an unprocessable event to the dead-letter queue at once. @default - none: such events
   * are retried like any failure and reach the DLQ after maxReceiveCount
   */
  deadLetter?: DeadLetterSender;
}

/** The processor's per-record work, ready for Powertools' `processPartialResponse`. */
export interface EventProcessor {
  /** Call once per invocation: in-progress locks then expire with the invocation, not after days. */
  registerLambdaContext(context: Context): void;
  /** Resolves with the outcome, or throws so the batch reports this record as failed. */
  recordHandler(record: SQSRecord): Promise<Outcome>;
}

interface IdempotentWork {
  eventKey: string;
  run: () => Promise<void>;
}

/**
 * Parses a queued delivery, skips it when its eventKey already completed, otherwise runs the
 * matching handler. A handler that throws leaves no completed record, so the retry runs it again.
 */
export function createEventProcessor(options: EventProcessorOptions): EventProcessor {
  const { app, persistenceStore, expirySeconds, logger, metrics, latestState, deadLetter } = options;
  const now = options.now ?? Date.now;
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'eventKey',
    expiresAfterSeconds: expirySeconds,
    throwOnNoIdempotencyKey: true,
    // Runs only when a completed record was found, i.e. the handler did not run this time.
    responseHook: () => ({ outcome: OUTCOMES.duplicate }),
  });
  const runOnce = makeIdempotent(
    async (work: IdempotentWork): Promise<{ outcome: Outcome }> => {
      await work.run();
      return { outcome: OUTCOMES.processed };
    },
    { persistenceStore, config, keyPrefix: IDEMPOTENCY_TABLE.keyPrefix },
  );

  const recordHandler = async (record: SQSRecord): Promise<Outcome> => {
    const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
    const queued = readRecord(record);
    const { replay, release } = queued;
    const log = logger.createChild({
      persistentKeys: {
        ...eventLogKeys(queued.summary),
        ...(replay === undefined ? {} : { replayId: replay.id }),
        ...(release === undefined ? {} : { releaseId: release.id, verifiedWith: release.verifiedWith }),
      },
    });
    // Only on the rare lines (failed, parked, locked, ignored), which are read one by one: the SQS
    // message to look for and the delivery attempt behind it. A processed event's line is one per
    // event, and its eventId finds the rest (the receiver's line, the archive).
    const investigation: InvestigationKeys = {
      attempt,
      messageId: record.messageId,
      deliveryId: queued.summary.deliveryId,
      vehicleId: queued.summary.vehicleId,
    };
    const parsed = parseSmartcarEvent(queued.document);
    if (!parsed.success) {
      return park(record, parsed.reason, describeIssues(parsed.issues), { log, investigation });
    }
    for (const drift of parsed.drift) metrics.count(METRICS.schemaDrift, { drift });
    const { event } = parsed;
    if (!isLegacyEvent(event) && isEventType(event, 'VERIFY')) {
      // The receiver answers VERIFY itself; one that reached the queue (a redrive from elsewhere,
      // say) carries no vehicle data, so there is nothing to keep.
      log.info(LOG_MESSAGES.verifyNotProcessed, investigation);
      return OUTCOMES.ignored;
    }
    if (isLegacyEvent(event) && event.eventName === LEGACY_EVENT_NAMES.verify) {
      log.info(LOG_MESSAGES.verifyNotProcessed, investigation);
      return OUTCOMES.ignored;
    }
    const eventKey = queued.summary.eventKey;
    const receivedAtMs = Number(record.attributes.SentTimestamp) || now();
    try {
      const { outcome } = await runOnce({
        // A reprocessing replay runs the handlers once more per replay run, however often it is
        // redelivered; any other replay is a duplicate of the event it repeats.
        eventKey: replay?.reprocess === true ? `${eventKey}#replay:${replay.id}` : eventKey,
        run: () => handleEvent(event, receivedAtMs, { eventKey, attempt, logger: log, replay }),
      });
      if (outcome === OUTCOMES.duplicate) {
        metrics.count(METRICS.duplicates);
        log.info(LOG_MESSAGES.duplicateSkipped, { attempt });
      } else {
        metrics.count(METRICS.processed);
        if (replay !== undefined) metrics.count(METRICS.replayed);
        if (release !== undefined) metrics.count(METRICS.released, { verifiedWith: release.verifiedWith });
        // A replayed or released event was delivered hours or days ago: its lag would say nothing
        // about the pipeline.
        const lagMs =
          replay === undefined && release === undefined ? endToEndLagMs(queued.document, now()) : undefined;
        if (lagMs !== undefined) metrics.duration(METRICS.endToEndLag, lagMs);
        log.info(LOG_MESSAGES.eventProcessed, { attempt, lagMs });
      }
      return outcome;
    } catch (error) {
      if (error instanceof UnprocessableEventError) {
        return park(record, UNPROCESSABLE_REASONS.handlerRefused, error.message, { log, investigation });
      }
      metrics.count(METRICS.processingFailures);
      if (error instanceof IdempotencyAlreadyInProgressError) {
        log.warn(LOG_MESSAGES.eventLocked, investigation);
      } else {
        log.error(LOG_MESSAGES.processingFailed, { ...investigation, error: describe(error) });
      }
      throw error;
    }
  };

  /**
   * Sends an event that retrying cannot help to the dead-letter queue at once, with its reason, and
   * acknowledges it: kept, counted and alarmed instead of retried into the DLQ or dropped. Should
   * the send fail (or no DLQ be configured), the record fails and SQS's redrive policy keeps it.
   */
  const park = async (
    record: SQSRecord,
    reason: UnprocessableReason,
    detail: string,
    { log, investigation }: { log: Logger; investigation: InvestigationKeys },
  ): Promise<Outcome> => {
    if (deadLetter === undefined) {
      metrics.count(METRICS.processingFailures);
      log.error(LOG_MESSAGES.processingFailed, { ...investigation, reason, detail });
      throw new UnprocessableEventError(`${reason}: ${detail}`);
    }
    try {
      await deadLetter(record, reason, detail);
    } catch (sendError) {
      metrics.count(METRICS.processingFailures);
      log.error(LOG_MESSAGES.processingFailed, {
        ...investigation,
        error: describe(sendError),
        reason,
        detail,
      });
      throw sendError;
    }
    metrics.count(METRICS.eventsParked, { reason });
    log.error(LOG_MESSAGES.sentToDeadLetterQueue, { ...investigation, reason, detail });
    return OUTCOMES.deadLettered;
  };

  /** Records the latest state (when on), then runs the handlers. */
  const handleEvent = async (
    event: SmartcarEvent,
    receivedAtMs: number,
    base: EventContext,
  ): Promise<void> => {
    const stale = new Set<string>();
    if (latestState !== undefined && isEventType(event, 'VEHICLE_STATE')) {
      const reports = readSignals(event).map((reading) => ({
        code: reading.code,
        // Stopgap for events without meta.deliveredAt until the SQS SentTimestamp is passed here.
        observedAt: signalTimestamp(reading, event, receivedAtMs),
        ...(reading.ok ? { body: reading.body as Record<string, unknown> } : { error: reading.error }),
      }));
      for (const result of await latestState.recordSignals(vehicleIdOf(event), event.eventId, reports)) {
        if (!result.written) stale.add(result.code);
      }
    }
    const isState = !isLegacyEvent(event) && isEventType(event, 'VEHICLE_STATE');
    await app.dispatch(event, {
      ...base,
      latestState,
      firedTriggers: isState ? firedTriggers(event) : [],
      isFirstDelivery: isState ? isFirstDelivery(event) : false,
      isNewest: (code) => !stale.has(code),
    });
  };

  return {
    registerLambdaContext: (context) => config.registerLambdaContext(context),
    recordHandler,
  };
}

/** Processing time minus the delivery's `meta.deliveredAt`: how far behind Smartcar we are. */
function endToEndLagMs(document: JsonObject | undefined, nowMs: number): number | undefined {
  const meta = document?.meta;
  const deliveredAt = epochMsOrUndefined(
    typeof meta === 'object' && meta !== null ? (meta as JsonObject).deliveredAt : undefined,
  );
  return deliveredAt === undefined ? undefined : Math.max(0, nowMs - deliveredAt);
}

/** The first issues as `path: message`; never values, which may hold VINs or locations. */
function describeIssues(issues: readonly EventIssue[]): string {
  const listed = issues.slice(0, 5).map((issue) => `${issue.path}: ${issue.message}`);
  const more = issues.length > 5 ? `; and ${issues.length - 5} more` : '';
  return `${listed.join('; ')}${more}`;
}

/** Keys on every line about the event, its handlers' lines included. */
function eventLogKeys(summary: EventSummary): Record<string, string> {
  const keys: Record<string, string> = { eventId: summary.eventKey };
  if (summary.eventType !== undefined) keys.eventType = summary.eventType;
  return keys;
}

/**
 * What a failed, parked or locked record's line carries besides {@link eventLogKeys}. A type, not
 * an interface, so that it is assignable to the logger's attributes (an index signature).
 */
type InvestigationKeys = {
  attempt: number;
  messageId: string;
  deliveryId?: string;
  vehicleId?: string;
};

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
