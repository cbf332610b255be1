import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSRecord } from 'aws-lambda';
import { IDEMPOTENCY_DEFAULTS, METRICS } from '../../lib/smartcar-webhooks-defaults';
import { epochMsOrUndefined } from '../shared/events/delivered-at';
import type { MetricsRecorder } from '../shared/metrics';
import {
  EVENT_TYPES,
  type EventSummary,
  type JsonObject,
  LEGACY_EVENT_NAMES,
  parseJsonObject,
  summarizeEvent,
} from '../shared/envelope';
import { parseSmartcarEvent } from '../shared/events/parse-event';
import { readSignals, signalTimestamp } from '../shared/events/signals';
import {
  isEventType,
  isLegacyEvent,
  type SmartcarEvent,
  vehicleIdOf,
} from '../shared/events/smartcar-event-schema';
import { firedTriggers, isFirstDelivery } from '../shared/events/triggers';
import type { LatestStateStore } from '../shared/latest-state';
import type { DeadLetterSender } from './dead-letter';
import { type EventContext, UnprocessableEventError, type WebhookApp } from './webhook-app';
import { InvalidRecordError } from '../shared/errors';
import { LOG_MESSAGES } from '../shared/log-messages';

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
    { persistenceStore, config, keyPrefix: IDEMPOTENCY_DEFAULTS.keyPrefix },
  );

  const recordHandler = async (record: SQSRecord): Promise<Outcome> => {
    const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
    let event: QueuedEvent;
    try {
      event = parseRecord(record);
    } catch (error) {
      metrics.count(METRICS.processingFailures);
      // The batch processor logs nothing; without this line a poison message is silent until the DLQ.
      logger.error(LOG_MESSAGES.unreadableMessage, {
        messageId: record.messageId,
        attempt,
        error: describe(error),
      });
      throw error;
    }
    const log = logger.createChild({
      persistentKeys: { ...logKeys(event.summary), messageId: record.messageId },
    });
    if (!isProcessable(event.summary)) {
      log.warn(LOG_MESSAGES.noHandler);
      return OUTCOMES.ignored;
    }
    try {
      const parsed = validate(event.document);
      const { outcome } = await runOnce({
        eventKey: event.summary.eventKey,
        run: () => process(parsed, { eventKey: event.summary.eventKey, attempt, logger: log }),
      });
      if (outcome === OUTCOMES.duplicate) {
        metrics.count(METRICS.duplicates);
        log.info(LOG_MESSAGES.duplicateSkipped, { attempt });
      } else {
        metrics.count(METRICS.processed);
        const lagMs = endToEndLagMs(event.document, now());
        if (lagMs !== undefined) metrics.duration(METRICS.endToEndLag, lagMs);
        log.info(LOG_MESSAGES.eventProcessed, { attempt, lagMs });
      }
      return outcome;
    } catch (error) {
      metrics.count(METRICS.processingFailures);
      if (error instanceof UnprocessableEventError && deadLetter !== undefined) {
        try {
          await deadLetter(record, error.message);
        } catch (sendError) {
          // Retried like any failure, so nothing is lost; the log says why it did not go to the DLQ.
          log.error(LOG_MESSAGES.processingFailed, {
            attempt,
            error: describe(sendError),
            reason: error.message,
          });
          throw sendError;
        }
        log.error(LOG_MESSAGES.sentToDeadLetterQueue, { attempt, reason: error.message });
        return OUTCOMES.deadLettered;
      }
      if (error instanceof IdempotencyAlreadyInProgressError) {
        log.warn(LOG_MESSAGES.eventLocked, { attempt });
      } else {
        log.error(LOG_MESSAGES.processingFailed, { attempt, error: describe(error) });
      }
      throw error;
    }
  };

  /** Records the latest state (when on), then runs the handlers. */
  const process = async (event: SmartcarEvent, base: EventContext): Promise<void> => {
    const stale = new Set<string>();
    if (latestState !== undefined && isEventType(event, 'VEHICLE_STATE')) {
      const reports = readSignals(event).map((reading) => ({
        code: reading.code,
        // Stopgap for events without meta.deliveredAt until the SQS SentTimestamp is passed here.
        observedAt: signalTimestamp(reading, event, now()),
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
function endToEndLagMs(document: JsonObject, nowMs: number): number | undefined {
  const meta = document.meta;
  const deliveredAt = epochMsOrUndefined(
    typeof meta === 'object' && meta !== null ? (meta as JsonObject).deliveredAt : undefined,
  );
  return deliveredAt === undefined ? undefined : Math.max(0, nowMs - deliveredAt);
}

/** Events the handlers can have: VEHICLE_STATE, VEHICLE_ERROR and legacy data events (not VERIFY, not unknown types). */
function isProcessable(summary: EventSummary): boolean {
  if (summary.format === 'legacy') return summary.eventType !== LEGACY_EVENT_NAMES.verify;
  return summary.eventType === EVENT_TYPES.vehicleState || summary.eventType === EVENT_TYPES.vehicleError;
}

/**
 * The typed event, or UnprocessableEventError naming the fields that fail: retrying cannot fix a
 * body, so such an event goes to the DLQ to wait for a fix (and a redrive) instead of its retries.
 */
function validate(document: JsonObject): SmartcarEvent {
  const result = parseSmartcarEvent(document);
  if (result.success) return result.event;
  const fields = result.issues.slice(0, 5).map((issue) => `${issue.path}: ${issue.message}`);
  throw new UnprocessableEventError(`The event does not match the Smartcar schema (${fields.join('; ')}).`);
}

/** A queued delivery, parsed and identified. */
interface QueuedEvent {
  summary: EventSummary;
  document: JsonObject;
}

function parseRecord(record: SQSRecord): QueuedEvent {
  const document = parseJsonObject(record.body);
  if (document === undefined) {
    throw new InvalidRecordError(`Message ${record.messageId} is not a JSON object; it will end in the DLQ.`);
  }
  try {
    return { summary: summarizeEvent(document, Buffer.from(record.body, 'utf8')), document };
  } catch (error) {
    throw new InvalidRecordError(`Message ${record.messageId} is not a Smartcar event: ${describe(error)}`, {
      cause: error,
    });
  }
}

function logKeys(summary: EventSummary): Record<string, string> {
  const keys: Record<string, string> = { eventId: summary.eventKey };
  if (summary.eventType !== undefined) keys.eventType = summary.eventType;
  if (summary.deliveryId !== undefined) keys.deliveryId = summary.deliveryId;
  if (summary.vehicleId !== undefined) keys.vehicleId = summary.vehicleId;
  return keys;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
