/**
 * Messages of the log lines that mark an event's progress. The local emulator turns these lines
 * into its activity display and counters, and they are what a CloudWatch Logs Insights query
 * filters on, so they are defined once.
 */
export const LOG_MESSAGES = {
  verifyAnswered: 'Answered VERIFY challenge',
  deliveryEnqueued: 'Delivery enqueued',
  requestRefused: 'Request refused',
  eventProcessed: 'Event processed',
  duplicateSkipped: 'Duplicate event skipped',
  processingFailed: 'Event processing failed; SQS will redeliver it',
  unreadableMessage: 'Unreadable message; it will reach the DLQ after its retries',
  eventLocked:
    'Event is locked by a run still in progress (a copy in this batch or another invocation); will retry',
  noHandler: 'No handler for this event type; acknowledged without processing',
  sentToDeadLetterQueue: 'Unprocessable event sent to the dead-letter queue',
} as const;
