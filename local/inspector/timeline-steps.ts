import { LOG_MESSAGES } from '../../lambdas/contract';
import type { LogRecord } from '../activity';

/** Where an event stands after one step through the pipeline. */
export const DELIVERY_STATES = {
  /** Seen in a log line, no outcome yet. */
  received: 'received',
  enqueued: 'enqueued',
  challengeAnswered: 'challenge-answered',
  refused: 'refused',
  quarantined: 'quarantined',
  processed: 'processed',
  duplicate: 'duplicate',
  failed: 'failed',
  parked: 'parked',
  deadLettered: 'dead-lettered',
  released: 'released',
  replayed: 'replayed',
} as const;

/** One of {@link DELIVERY_STATES}. */
export type DeliveryState = (typeof DELIVERY_STATES)[keyof typeof DELIVERY_STATES];

/** One step of an event through the pipeline. */
export interface TimelineStep {
  /** ISO time of the step: a request's arrival, a log record's timestamp, or when it was observed. */
  at: string;
  state: DeliveryState;
  /** What a reader needs next to the state: the answer, the error, the replay or release id. */
  detail?: string;
  /** The receiver's error code of a refusal. */
  errorCode?: string;
  /** The SQS receive count of a processing attempt. */
  attempt?: number;
}

/** The step a processor or receiver log record stands for, if it stands for one. */
export function stepOf(record: LogRecord, maxReceiveCount: number): Omit<TimelineStep, 'at'> | undefined {
  const replayId = typeof record.replayId === 'string' ? record.replayId : undefined;
  const releaseId = typeof record.releaseId === 'string' ? record.releaseId : undefined;
  const attempt = Number(record.attempt) || undefined;
  const errorCode = typeof record.errorCode === 'string' ? record.errorCode : undefined;
  switch (record.message) {
    case LOG_MESSAGES.eventProcessed:
    case LOG_MESSAGES.duplicateSkipped: {
      const outcome = record.message === LOG_MESSAGES.eventProcessed ? 'processed' : 'duplicate, skipped';
      if (replayId !== undefined)
        return { state: DELIVERY_STATES.replayed, attempt, detail: `${outcome} (replay ${replayId})` };
      if (releaseId !== undefined) {
        return {
          state: DELIVERY_STATES.released,
          attempt,
          detail: `${outcome} (release ${releaseId}, verified with ${String(record.verifiedWith)})`,
        };
      }
      return record.message === LOG_MESSAGES.eventProcessed
        ? { state: DELIVERY_STATES.processed, attempt }
        : { state: DELIVERY_STATES.duplicate, attempt, detail: 'skipped: already processed' };
    }
    case LOG_MESSAGES.deliveryQuarantined:
      return {
        state: DELIVERY_STATES.quarantined,
        errorCode,
        detail: `${errorCode ?? 'refused'}: kept in the quarantine (release it once it verifies)`,
      };
    case LOG_MESSAGES.quarantineMissed:
      return {
        state: DELIVERY_STATES.refused,
        errorCode,
        detail: `${errorCode ?? 'refused'}, NOT quarantined: ${String(record.detail)}`,
      };
    case LOG_MESSAGES.sentToDeadLetterQueue:
      return {
        state: DELIVERY_STATES.parked,
        attempt,
        detail: `${String(record.reason)} (${String(record.detail)})`,
      };
    case LOG_MESSAGES.processingFailed:
    case LOG_MESSAGES.eventLocked: {
      const reason =
        typeof record.error === 'string'
          ? record.error
          : typeof record.reason === 'string'
            ? `${record.reason}: ${String(record.detail)}`
            : String(record.message);
      return {
        state: DELIVERY_STATES.failed,
        attempt,
        detail: `attempt ${attempt ?? '?'}/${maxReceiveCount}: ${reason}`,
      };
    }
    default:
      return undefined;
  }
}
