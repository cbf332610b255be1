import { createHash, randomUUID } from 'node:crypto';
import type { PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import {
  QUARANTINE_MISS_CAUSES,
  QUARANTINED_HEADERS,
  QUARANTINED_REASONS,
  type QuarantinedReason,
  type QuarantineRecord,
  quarantineObjectKey,
} from '../contract';
import { describeError, withDeadline } from '../runtime/deadline';
import { findHeader } from './verify-signature';

/** A refused delivery that looks like Smartcar's, as the receiver knew it when it answered. */
export interface RefusedDelivery {
  /** The error code answered; only {@link QUARANTINED_REASONS} are kept. */
  reason: string;
  message: string;
  statusCode: number;
  signed: boolean;
  body: Buffer;
  headers: Readonly<Record<string, string | undefined>>;
  isBase64Encoded: boolean;
  ids: { eventId?: string; eventType?: string; deliveryId?: string; envelopeVersion?: string };
  requestId?: string;
}

/** What became of a refused delivery: kept (under `key`), or missed and why. */
export type QuarantineOutcome =
  | { kept: true; key: string }
  | {
      kept: false;
      cause: (typeof QUARANTINE_MISS_CAUSES)[keyof typeof QUARANTINE_MISS_CAUSES];
      detail: string;
    }
  | { kept: false; cause: 'NOT_QUARANTINED' | 'ALREADY_KEPT'; detail: string };

/** Keeps a refused delivery; never throws, and resolves within its write budget. */
export type Quarantine = (refusal: RefusedDelivery) => Promise<QuarantineOutcome>;

/** Settings of {@link createS3Quarantine}. */
export interface S3QuarantineOptions {
  /** Made on first use: a receiver that refuses nothing never loads the S3 client. */
  client: () => Pick<S3Client, 'send'>;
  bucket: string;
  /** Sustained writes per second of this environment. */
  writesPerSecond: number;
  /** Writes at once before the rate applies. */
  burst: number;
  writeTimeoutMs: number;
  maxBodyBytes: number;
  /** A body spends one write of the bound per this many bytes. */
  bytesPerWrite: number;
  /** Deliveries remembered, so Smartcar's retries of one already kept are not written again. */
  recentDeliveries: number;
  now?: () => number;
}

/**
 * A {@link Quarantine} that writes one JSON object per refused delivery to the archive bucket,
 * within a per-environment rate bound (a token bucket), a size cap and a write deadline.
 */
export function createS3Quarantine(options: S3QuarantineOptions): Quarantine {
  const now = options.now ?? Date.now;
  const bound = new TokenBucket(options.burst, options.writesPerSecond, now());
  const recent = new RecentSet(options.recentDeliveries);
  return async (refusal) => {
    if (!(QUARANTINED_REASONS as readonly string[]).includes(refusal.reason)) {
      return { kept: false, cause: 'NOT_QUARANTINED', detail: `${refusal.reason} refusals are not kept` };
    }
    if (refusal.body.length > options.maxBodyBytes) {
      return {
        kept: false,
        cause: QUARANTINE_MISS_CAUSES.tooLarge,
        detail: `${refusal.body.length} bytes; the quarantine keeps bodies up to ${options.maxBodyBytes}`,
      };
    }
    // The same bytes with the same signature are a retry of a delivery already kept.
    const fingerprint = createHash('sha256')
      .update(refusal.body)
      .update('\0')
      .update(findHeader(refusal.headers, 'sc-signature') ?? '')
      .digest('base64url');
    if (recent.has(fingerprint)) {
      return { kept: false, cause: 'ALREADY_KEPT', detail: 'a retry of a delivery already quarantined' };
    }
    const cost = Math.max(1, Math.ceil(refusal.body.length / options.bytesPerWrite));
    if (!bound.take(cost, now())) {
      return {
        kept: false,
        cause: QUARANTINE_MISS_CAUSES.rateBound,
        detail: `more than ${options.writesPerSecond}/s (burst ${options.burst}) in this environment`,
      };
    }
    const atMs = now();
    const key = quarantineObjectKey(atMs, refusal.reason as QuarantinedReason, randomUUID());
    const input: PutObjectCommandInput = {
      Bucket: options.bucket,
      Key: key,
      Body: JSON.stringify(quarantineRecord(refusal, atMs)),
      ContentType: 'application/json',
    };
    try {
      const client = options.client();
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the S3 SDK loads only when something is refused
      const { PutObjectCommand } = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
      await withDeadline(options.writeTimeoutMs, (signal) =>
        client.send(new PutObjectCommand(input), { abortSignal: signal }),
      );
    } catch (error) {
      return { kept: false, cause: QUARANTINE_MISS_CAUSES.writeFailed, detail: describeError(error) };
    }
    recent.add(fingerprint);
    return { kept: true, key };
  };
}

/** The stored form of a refusal: the exact bytes, the headers that explain it, no credentials. */
export function quarantineRecord(refusal: RefusedDelivery, atMs: number): QuarantineRecord {
  const headers: QuarantineRecord['headers'] = {};
  for (const name of QUARANTINED_HEADERS) {
    const value = findHeader(refusal.headers, name);
    if (value !== undefined) headers[name] = value;
  }
  return {
    quarantined_at: new Date(atMs).toISOString(),
    reason: refusal.reason as QuarantinedReason,
    message: refusal.message,
    status_code: refusal.statusCode,
    signed: refusal.signed,
    headers,
    body_base64: refusal.body.toString('base64'),
    body_bytes: refusal.body.length,
    is_base64_encoded: refusal.isBase64Encoded,
    event_id: refusal.ids.eventId,
    event_type: refusal.ids.eventType,
    delivery_id: refusal.ids.deliveryId,
    envelope_version: refusal.ids.envelopeVersion,
    request_id: refusal.requestId,
  };
}

/** A token bucket: `capacity` at once, refilled at `ratePerSecond`. */
class TokenBucket {
  private tokens: number;
  private updatedMs: number;

  constructor(
    private readonly capacity: number,
    private readonly ratePerSecond: number,
    nowMs: number,
  ) {
    this.tokens = capacity;
    this.updatedMs = nowMs;
  }

  take(cost: number, nowMs: number): boolean {
    const elapsedSeconds = Math.max(0, nowMs - this.updatedMs) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsedSeconds * this.ratePerSecond);
    this.updatedMs = nowMs;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}

/** The last `size` values added, oldest forgotten first. */
class RecentSet {
  private readonly values = new Set<string>();

  constructor(private readonly size: number) {}

  has(value: string): boolean {
    return this.values.has(value);
  }

  add(value: string): void {
    this.values.add(value);
    if (this.values.size > this.size) {
      const oldest = this.values.values().next();
      if (oldest.done !== true) this.values.delete(oldest.value);
    }
  }
}
