/** SQS message attribute names of queued deliveries. */
export const MESSAGE_ATTRIBUTES = {
  /** Set by the receiver: the event key (`eventId`, or a `sha256:` hash of the body). */
  eventKey: 'eventKey',
  /** Set by the receiver when the delivery names one. */
  eventType: 'eventType',
  /** Set by the receiver when the delivery names one. */
  deliveryId: 'deliveryId',
  /**
   * Set by the receiver to `base64` when the body holds characters an SQS message cannot carry
   * (U+FFFE, U+FFFF): the message body is then the base64 of the signed bytes.
   */
  bodyEncoding: 'bodyEncoding',
  /** Set by the receiver: which token the signature matched, `current` or `previous` (VERIFIED_WITH). */
  verifiedWith: 'verifiedWith',
  /**
   * Set by `replay`: the id of the replay run that put this archived delivery back on the queue.
   * A replayed message is no new delivery: it is not archived again.
   */
  replayId: 'replayId',
  /**
   * Set by `replay --reprocess` to `true`: run the handlers again, once per replay run (the replay
   * id scopes the idempotency key). Without it a replay of an event that completed is a duplicate.
   */
  replayReprocess: 'replayReprocess',
  /**
   * Set by `quarantine release`: the id of the release run that enqueued this quarantined delivery.
   * The delivery was never accepted before, so it is archived and processed like a new one.
   */
  releaseId: 'releaseId',
  /** Set by the processor on events it parks in the DLQ: one of {@link UNPROCESSABLE_REASONS}. */
  unprocessableReason: 'unprocessableReason',
  /** Set with `unprocessableReason`: what exactly is wrong, for people (field paths, never values). */
  unprocessableDetail: 'unprocessableDetail',
} as const;

/** The value of {@link MESSAGE_ATTRIBUTES.bodyEncoding} for a base64-encoded body. */
export const BASE64_BODY_ENCODING = 'base64';

/**
 * Why the processor parked an event in the dead-letter queue at once instead of retrying it: the
 * value of its `unprocessableReason` message attribute and the `reason` of `EventsParked`. Retrying
 * cannot fix any of these; each waits in the DLQ for a fix and a redrive.
 */
export const UNPROCESSABLE_REASONS = {
  /** An `eventType` (or legacy `eventName`) this version does not know, e.g. from a new Smartcar API. */
  unknownEventType: 'UNKNOWN_EVENT_TYPE',
  /** A `meta.version` (or legacy `version`) this version does not know. */
  unknownEnvelopeVersion: 'UNKNOWN_ENVELOPE_VERSION',
  /** A known event type missing what a handler cannot do without; the detail names the fields. */
  schemaInvalid: 'SCHEMA_INVALID',
  /** The message is not a JSON object with an `eventType` or `eventName`. */
  notASmartcarEvent: 'NOT_A_SMARTCAR_EVENT',
  /** A handler threw `UnprocessableEventError`. */
  handlerRefused: 'HANDLER_REFUSED',
} as const;

/** One of {@link UNPROCESSABLE_REASONS}. */
export type UnprocessableReason = (typeof UNPROCESSABLE_REASONS)[keyof typeof UNPROCESSABLE_REASONS];
