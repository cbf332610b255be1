/**
 * The layout of the delivery archive on S3: what the processor writes, what the Glue table reads
 * (its partition keys and projection come from here, not from a second copy) and what the CLI
 * lists. One gzip JSON Lines object per batch and partition, under keys that sort by time:
 *
 *   events/dt=2026-12-01/hour=21/kind=VEHICLE_STATE/20261201T213015123Z-<object id>.jsonl.gz
 */

/** Where the archived deliveries live in the bucket. */
export const ARCHIVE_PREFIX = 'events/';

/**
 * The partition keys, outermost first, as they appear in object keys (`name=value/`) and as Glue
 * columns. `dt` and `hour` are UTC, from when the receiver enqueued the delivery.
 */
export const ARCHIVE_PARTITIONS = {
  /** `yyyy-MM-dd`. */
  date: 'dt',
  /** `00`-`23`. */
  hour: 'hour',
  /**
   * One of {@link ARCHIVED_EVENT_TYPES}: the event type, or `other` for anything else. Not called
   * `event_type`: that column holds the exact type the delivery named, and a partition key may not
   * share a column's name.
   */
  eventType: 'kind',
} as const;

/**
 * The event-type partitions. A partition per known type keeps queries of one type cheap; whatever
 * else arrives (a new type, a body that names none) is still archived, under `other`.
 */
export const ARCHIVED_EVENT_TYPES = [
  'VEHICLE_STATE',
  'VEHICLE_ERROR',
  'VERIFY',
  'eventBased',
  'schedule',
  'scheduled',
  'dynamic',
  'other',
] as const;

/** One of {@link ARCHIVED_EVENT_TYPES}. */
export type ArchivedEventType = (typeof ARCHIVED_EVENT_TYPES)[number];

/** The first day partition projection needs to know of; nothing can be archived before it. */
export const ARCHIVE_FIRST_DATE = '2025-01-01';

/**
 * One line of an archive object: the delivery as it arrived, and its receipt. Column names are
 * snake_case, as Athena expects them; `body` is the exact text that was signed (or its bytes in
 * base64, when `body_encoding` says so).
 */
export interface ArchiveRecord {
  /** ISO 8601, UTC: when the receiver enqueued the delivery (SQS SentTimestamp). */
  received_at: string;
  /** The idempotency key: `eventId`, or a `sha256:` hash of the body. */
  event_key: string;
  event_id?: string;
  event_type?: string;
  delivery_id?: string;
  vehicle_id?: string;
  /** `LIVE` or `TEST` (current envelope), `live`/`test`/`simulated` (legacy). */
  mode?: string;
  /**
   * Which token the signature matched: the current one, or the previous one during a rotation;
   * `unverified` for a quarantined delivery released with `--accept-unverified`.
   */
  verified_with?: VerifiedWith;
  /** The `quarantine release` run that enqueued it, for a delivery the receiver first refused. */
  release_id?: string;
  body: string;
  body_encoding?: 'base64';
}

/**
 * The columns of an archive line, in the Glue table's order: every field of {@link ArchiveRecord},
 * and only those (the `satisfies` below fails to compile when one is added to one and not the other).
 */
export const ARCHIVE_COLUMNS = [
  'received_at',
  'event_key',
  'event_id',
  'event_type',
  'delivery_id',
  'vehicle_id',
  'mode',
  'verified_with',
  'release_id',
  'body',
  'body_encoding',
] as const satisfies readonly (keyof ArchiveRecord)[];

// Every field of ArchiveRecord is a column: this is `never` unless one is missing above.
type MissingColumn = Exclude<keyof ArchiveRecord, (typeof ARCHIVE_COLUMNS)[number]>;
const everyFieldIsAColumn: MissingColumn extends never ? true : MissingColumn = true;
void everyFieldIsAColumn;

/** What `verified_with` (and the `verifiedWith` message attribute) holds. */
export const VERIFIED_WITH = { current: 'current', previous: 'previous', unverified: 'unverified' } as const;

/** One of {@link VERIFIED_WITH}. */
export type VerifiedWith = (typeof VERIFIED_WITH)[keyof typeof VERIFIED_WITH];

/** The partition an archived delivery belongs to: its type, or `other`. */
export function archivedEventType(eventType: string | undefined): ArchivedEventType {
  return (ARCHIVED_EVENT_TYPES as readonly string[]).includes(eventType ?? '')
    ? (eventType as ArchivedEventType)
    : 'other';
}

/** `events/dt=…/hour=…/`: every partition of one hour (UTC), for listing an hour of all kinds. */
export function archiveHourPrefix(receivedAtMs: number): string {
  const iso = new Date(receivedAtMs).toISOString();
  return `${ARCHIVE_PREFIX}${ARCHIVE_PARTITIONS.date}=${iso.slice(0, 10)}/${ARCHIVE_PARTITIONS.hour}=${iso.slice(11, 13)}/`;
}

/** `events/dt=…/hour=…/kind=…/`: the folder of a partition, for writing and for listing. */
export function archivePartitionPrefix(receivedAtMs: number, eventType: ArchivedEventType): string {
  return `${archiveHourPrefix(receivedAtMs)}${ARCHIVE_PARTITIONS.eventType}=${eventType}/`;
}

/**
 * The key of one archive object. The file name starts with the compact time of its earliest
 * delivery, so keys sort by time within a partition; `batchId` (unique per batch, e.g. its first
 * SQS message id) keeps two batches of the same millisecond apart.
 */
export function archiveObjectKey(
  receivedAtMs: number,
  eventType: ArchivedEventType,
  batchId: string,
): string {
  const compact = new Date(receivedAtMs).toISOString().replace(/[-:.]/g, '');
  return `${archivePartitionPrefix(receivedAtMs, eventType)}${compact}-${batchId}.jsonl.gz`;
}
