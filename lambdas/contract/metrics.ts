/** Powertools service names: the `service` key of log lines and dimension of custom metrics. */
export const SERVICE_NAMES = {
  receiver: 'smartcar-webhook-receiver',
  processor: 'smartcar-webhook-processor',
} as const;

/**
 * Custom metrics, emitted by the Lambdas in embedded metric format (no API calls) and read by the
 * alarms and the dashboard. Every metric carries the dimension set `[service]`, which is what the
 * alarms read. A metric with a breakdown (see {@link METRIC_BREAKDOWNS}) carries a second set,
 * `[service, <breakdown>]`, in the same EMF document, which the dashboard reads.
 */
export const METRICS = {
  namespace: 'SmartcarWebhooks',
  /** Receiver: deliveries accepted and enqueued. Count, by `eventType`. */
  deliveries: 'Deliveries',
  /** Receiver: VERIFY challenges answered. Count. */
  verifyChallenges: 'VerifyChallenges',
  /** Receiver: every answer that was not 2xx. Count, by `reason` (the error code answered). */
  requestsRefused: 'RequestsRefused',
  /** Receiver: requests refused for a missing, malformed or wrong SC-Signature. Count. */
  signatureFailures: 'SignatureFailures',
  /**
   * Receiver: signature failures of requests that look like genuine Smartcar deliveries (a
   * `Smartcar/` User-Agent and a body shaped like a Smartcar event): most likely a wrong token. Count.
   */
  smartcarSignatureFailures: 'SmartcarSignatureFailures',
  /**
   * Receiver: deliveries refused although their SC-Signature was valid (outside the replay window,
   * too large, not a JSON object): genuine events about to be lost. Count, by `reason`.
   */
  signedDeliveriesRefused: 'SignedDeliveriesRefused',
  /**
   * Receiver: refused Smartcar-shaped deliveries kept in the quarantine (to diagnose with `doctor`
   * and release once fixed). Count, by `reason`.
   */
  deliveriesQuarantined: 'DeliveriesQuarantined',
  /**
   * Receiver: refused Smartcar-shaped deliveries not quarantined: the write failed or timed out, or
   * the environment's quarantine rate bound was spent. They are lost unless Smartcar retries. Count,
   * by `cause` (QUARANTINE_MISS_CAUSES).
   */
  quarantineMisses: 'QuarantineMisses',
  /** Receiver: deliveries answered 5xx because SQS did not take them. Count. */
  enqueueFailures: 'EnqueueFailures',
  /** Processor: deliveries written to the archive (replays are not written again). Count. */
  eventsArchived: 'EventsArchived',
  /**
   * Processor: batches it could not archive; their records are reported as failed and retried, so
   * nothing leaves the queue unarchived, but nothing is processed either until the archive is back. Count.
   */
  archiveWriteFailures: 'ArchiveWriteFailures',
  /** Processor: events whose handler ran to completion. Count. */
  processed: 'EventsProcessed',
  /** Processor: replayed events (put back from the archive by `replay`) whose handlers ran. Count. */
  replayed: 'EventsReplayed',
  /**
   * Processor: events released from the quarantine (`quarantine release`) whose handlers ran;
   * also counted in EventsProcessed. Count, by `verifiedWith` (`unverified`: released with
   * `--accept-unverified`).
   */
  released: 'EventsReleased',
  /** Processor: redeliveries skipped because their eventId already completed. Count. */
  duplicates: 'DuplicatesSkipped',
  /** Processor: records reported as failed (they come back for another attempt). Count. */
  processingFailures: 'ProcessingFailures',
  /**
   * Processor: events it cannot handle, sent to the dead-letter queue at once to be kept (see
   * UNPROCESSABLE_REASONS). Count, by `reason`.
   */
  eventsParked: 'EventsParked',
  /** Processor: tolerances applied to events whose shape drifted from the documented one. Count, by `drift`. */
  schemaDrift: 'SchemaDrift',
  /** Processor: processing time minus the delivery's meta.deliveredAt. Milliseconds. */
  endToEndLag: 'EndToEndLag',
  /**
   * API Gateway: requests its stage throttle answered 429 (Smartcar counts them as failed). Written
   * by a metric filter on the access log, not by the Lambdas, and without dimensions. Count.
   */
  throttledRequests: 'ThrottledRequests',
} as const;

/** The breakdown dimension of each metric that has one, next to `[service]`. */
export const METRIC_BREAKDOWNS = {
  [METRICS.deliveries]: 'eventType',
  [METRICS.requestsRefused]: 'reason',
  [METRICS.signedDeliveriesRefused]: 'reason',
  [METRICS.eventsParked]: 'reason',
  [METRICS.schemaDrift]: 'drift',
  [METRICS.deliveriesQuarantined]: 'reason',
  [METRICS.quarantineMisses]: 'cause',
  [METRICS.released]: 'verifiedWith',
} as const;
