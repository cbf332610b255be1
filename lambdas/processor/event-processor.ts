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
import { type EventSummary, type JsonObject, parseJsonObject, summarizeEvent } from '../shared/envelope';
import { InvalidRecordError } from '../shared/errors';
import type { EventHandlers } from './event-handlers';
import { type QueuedEvent, selectHandler } from './route-event';
import { LOG_MESSAGES } from '../shared/log-messages';

/** What happened to one record that did not fail. */
export const OUTCOMES = {
  processed: 'processed',
  duplicate: 'duplicate',
  ignored: 'ignored',
} as const;

/** One of {@link OUTCOMES}. */
export type Outcome = (typeof OUTCOMES)[keyof typeof OUTCOMES];

/** Settings of {@link createEventProcessor}. */
export interface EventProcessorOptions {
  handlers: EventHandlers;
  persistenceStore: BasePersistenceLayer;
  expirySeconds: number;
  logger: Logger;
  metrics: MetricsRecorder;
  /** Milliseconds clock. @default Date.now */
  now?: () => number;
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
  const { handlers, persistenceStore, expirySeconds, logger, metrics } = options;
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
    const handle = selectHandler(event, handlers);
    if (handle === undefined) {
      log.warn(LOG_MESSAGES.noHandler);
      return OUTCOMES.ignored;
    }
    try {
      const { outcome } = await runOnce({
        eventKey: event.summary.eventKey,
        run: () => handle({ eventKey: event.summary.eventKey, attempt, logger: log }),
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
      if (error instanceof IdempotencyAlreadyInProgressError) {
        log.warn(LOG_MESSAGES.eventLocked, {
          attempt,
        });
      } else {
        log.error(LOG_MESSAGES.processingFailed, { attempt, error: describe(error) });
      }
      throw error;
    }
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
  const keys: Record<string, string> = { eventId: summary.eventKey, eventType: summary.eventType };
  if (summary.deliveryId !== undefined) keys.deliveryId = summary.deliveryId;
  if (summary.vehicleId !== undefined) keys.vehicleId = summary.vehicleId;
  return keys;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
