/**
 * The quarantine: deliveries the receiver refused although they look like Smartcar's (a wrong
 * token, most often), kept in the archive bucket so they can be diagnosed (`doctor`) and released
 * once the cause is fixed (`quarantine release`). Smartcar has no resend: without this, the
 * events of a wrong-token incident are gone. One small JSON object per refused delivery:
 *
 *   quarantine/deliveries/dt=2026-12-01/20261201T213015123Z-SIGNATURE_MISMATCH-<id>.json
 *
 * and one object per `quarantine release` run (who, why, what), under `quarantine/releases/`.
 * Everything under {@link QUARANTINE_PREFIX} expires after the quarantine's retention.
 */

/** Everything quarantined lives under this prefix (one lifecycle rule expires it). */
export const QUARANTINE_PREFIX = 'quarantine/';
/** The refused deliveries. The receiver may write here, and nowhere else in the bucket. */
export const QUARANTINE_DELIVERIES_PREFIX = `${QUARANTINE_PREFIX}deliveries/`;
/** The release log: one object per `quarantine release` run. */
export const QUARANTINE_RELEASES_PREFIX = `${QUARANTINE_PREFIX}releases/`;

/**
 * The refusals whose delivery is kept (ERROR_CODES values): each can be a genuine event lost to a
 * configuration problem, and each can be released once that is fixed. Anything else refused is
 * either not a delivery (a bad VERIFY, a wrong method) or answered 5xx, which Smartcar retries.
 */
export const QUARANTINED_REASONS = [
  'SIGNATURE_MISSING',
  'SIGNATURE_MALFORMED',
  'SIGNATURE_MISMATCH',
  'OUTSIDE_REPLAY_WINDOW',
  'PAYLOAD_TOO_LARGE',
] as const;

/** One of {@link QUARANTINED_REASONS}. */
export type QuarantinedReason = (typeof QUARANTINED_REASONS)[number];

/**
 * The request headers a quarantined delivery keeps, lower-case: what the doctor needs to explain a
 * refusal. Never credentials (there are none in a Smartcar delivery; an `authorization` header from
 * a proxy is not kept), never the caller's address.
 */
export const QUARANTINED_HEADERS = [
  'user-agent',
  'sc-signature',
  'content-type',
  'content-length',
  'content-encoding',
] as const;

/** One quarantined delivery, as stored (snake_case, like the archive's lines). */
export interface QuarantineRecord {
  /** ISO 8601, UTC: when the receiver refused it. */
  quarantined_at: string;
  reason: QuarantinedReason;
  /** The message the refusal answered with. */
  message: string;
  status_code: number;
  /** Whether its SC-Signature held (a replay-window or size refusal of a genuine delivery: true). */
  signed: boolean;
  /** Of {@link QUARANTINED_HEADERS}, those the request had. */
  headers: Partial<Record<(typeof QUARANTINED_HEADERS)[number], string>>;
  /** The body's bytes exactly as they arrived (after API Gateway's base64, if any), in base64. */
  body_base64: string;
  body_bytes: number;
  /** Whether API Gateway handed the body over base64-encoded. */
  is_base64_encoded: boolean;
  /** Ids the body names (unverified: read from a refused body, strings only). */
  event_id?: string;
  event_type?: string;
  delivery_id?: string;
  /** `meta.version` (or legacy `version`): "4.0" bodies after a v3 migration are a known failure. */
  envelope_version?: string;
  /** The Lambda request id of the refusal, to find its log line. */
  request_id?: string;
}

/** The prefix of one UTC day's quarantined deliveries, for listing a range day by day. */
export function quarantineDayPrefix(atMs: number): string {
  return `${QUARANTINE_DELIVERIES_PREFIX}dt=${new Date(atMs).toISOString().slice(0, 10)}/`;
}

/**
 * The key of one quarantined delivery. The name starts with the compact time, so keys sort by
 * time; the reason is in the name so `ls` can count by reason without reading every object.
 */
export function quarantineObjectKey(atMs: number, reason: QuarantinedReason, id: string): string {
  const compact = new Date(atMs).toISOString().replace(/[-:.]/g, '');
  return `${quarantineDayPrefix(atMs)}${compact}-${reason}-${id}.json`;
}

const KEY_PATTERN = /\/(\d{8}T\d{9}Z)-([A-Z_]+)-([A-Za-z0-9-]+)\.json$/;

/** The parts of a key {@link quarantineObjectKey} made, or undefined for any other key. */
export function parseQuarantineKey(
  key: string,
): { atMs: number; reason: QuarantinedReason; id: string } | undefined {
  const match = KEY_PATTERN.exec(key);
  if (match === null || !key.startsWith(QUARANTINE_DELIVERIES_PREFIX)) return undefined;
  const [, compact = '', reason = '', id = ''] = match;
  if (!(QUARANTINED_REASONS as readonly string[]).includes(reason)) return undefined;
  const iso = `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}T${compact.slice(9, 11)}:${compact.slice(11, 13)}:${compact.slice(13, 15)}.${compact.slice(15, 18)}Z`;
  const atMs = Date.parse(iso);
  return Number.isNaN(atMs) ? undefined : { atMs, reason: reason as QuarantinedReason, id };
}

/** The key of one release run's log object. */
export function quarantineReleaseKey(atMs: number, releaseId: string): string {
  const compact = new Date(atMs).toISOString().replace(/[-:.]/g, '');
  return `${QUARANTINE_RELEASES_PREFIX}dt=${new Date(atMs).toISOString().slice(0, 10)}/${compact}-${releaseId}.json`;
}

/** One `quarantine release` run, as logged in the bucket. */
export interface QuarantineReleaseLog {
  release_id: string;
  released_at: string;
  /** The operating-system user who ran it, and the AWS identity when known. */
  released_by: string;
  /** With `--accept-unverified`: the reason given. */
  note?: string;
  accept_unverified: boolean;
  /** Per item: its key and what happened to it. */
  items: { key: string; event_key?: string; outcome: 'released' | 'kept' | 'failed'; detail: string }[];
}

/** Why a refused Smartcar-shaped delivery was not quarantined: the `cause` of QuarantineMisses. */
export const QUARANTINE_MISS_CAUSES = {
  /** This environment's rate bound was spent (a flood, or a big fleet's incident: see the README). */
  rateBound: 'RATE_BOUND',
  /** Larger than the quarantine keeps. */
  tooLarge: 'TOO_LARGE',
  /** S3 refused the write or did not answer within the budget. */
  writeFailed: 'WRITE_FAILED',
} as const;
