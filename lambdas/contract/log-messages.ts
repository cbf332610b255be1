/**
 * Messages of the log lines that mark an event's progress. The local emulator turns these lines
 * into its activity display and counters, and they are what a CloudWatch Logs Insights query
 * filters on, so they are defined once.
 */
export const LOG_MESSAGES = {
  verifyAnswered: 'Answered VERIFY challenge',
  /**
   * The `message` of an accepted delivery's EMF document, the receiver's one line for it (with
   * `eventId` and `deliveryId`), not of a logger line.
   */
  deliveryEnqueued: 'Delivery enqueued',
  requestRefused: 'Request refused',
  /** With `errorCode` and the object `key`: `doctor` explains it, `quarantine release` releases it. */
  deliveryQuarantined: 'Refused delivery kept in the quarantine',
  /** With `cause` (QUARANTINE_MISS_CAUSES) and `detail`. */
  quarantineMissed: 'Refused delivery NOT kept in the quarantine; only a Smartcar retry can bring it back',
  eventProcessed: 'Event processed',
  duplicateSkipped: 'Duplicate event skipped',
  processingFailed: 'Event processing failed; SQS will redeliver it',
  eventLocked:
    'Event is locked by a run still in progress (a copy in this batch or another invocation); will retry',
  archiveWriteFailed:
    'The batch could not be archived; every record of it is left on the queue for retry, unprocessed',
  verifyNotProcessed: 'VERIFY reached the queue; it carries no data, acknowledged without processing',
  /** With `reason` (one of UNPROCESSABLE_REASONS) and `detail`. */
  sentToDeadLetterQueue: 'Unprocessable event parked in the dead-letter queue',
} as const;
