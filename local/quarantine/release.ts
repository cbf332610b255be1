import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  LIMITS,
  type QuarantineReleaseLog,
  quarantineReleaseKey,
  VERIFIED_WITH,
  type VerifiedWith,
} from '../../lambdas/contract';
import { createSqsEnqueue, type QueuedBody, toQueuedBody } from '../../lambdas/receiver/enqueue';
import { PayloadTooLargeError } from '../../lambdas/receiver/errors';
import { parseSignatureHeader, signatureMatches } from '../../lambdas/receiver/verify-signature';
import { parseJsonObject, summarizeEvent } from '../../lambdas/runtime/envelope';
import type { ArchiveLocation } from '../archive/archive-reader';
import { type QuarantineItem, removeQuarantined, writeReleaseLog } from './quarantine-store';
import { describeError } from '../../lambdas/runtime/deadline';

/** The tokens a release verifies with: the stored secret's current and previous versions. */
export interface ReleaseTokens {
  current: string;
  previous?: string;
}

/** Settings of {@link releaseQuarantined}. */
export interface ReleaseOptions {
  archive: ArchiveLocation;
  sqs: Pick<SQSClient, 'send'>;
  queueUrl: string;
  tokens: ReleaseTokens;
  releaseId: string;
  /** Enqueue what still does not verify too, marked `unverified`: the owner vouches for it. */
  acceptUnverified: boolean;
  /** Who released (logged with the run); with `acceptUnverified`, `note` says why. */
  releasedBy: string;
  note?: string;
  now?: () => number;
}

/** What a release run did, item by item, and where its log is. */
export interface ReleaseResult {
  log: QuarantineReleaseLog;
  /** Where the log is, or was to be written when {@link ReleaseResult.logError} is set. */
  logKey: string;
  /**
   * Why the log could not be written. The items were sent and deleted before, so the run stands
   * and the caller reports it; undefined once the log is in the bucket.
   */
  logError?: unknown;
  released: number;
  kept: number;
  failed: number;
}

// A person waits for it, not Smartcar: room for SDK retries.
const RELEASE_SEND_TIMEOUT_MS = 30_000;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Re-verifies each item with the current and the previous token and puts those that verify on the
 * main queue, byte for byte, marked with the release id (and `unverified` ones only with
 * `acceptUnverified`). A released item leaves the quarantine once SQS holds it; the processor
 * archives it and runs it once (idempotency by eventId). Every outcome goes to the release log.
 */
export async function releaseQuarantined(
  items: readonly QuarantineItem[],
  options: ReleaseOptions,
): Promise<ReleaseResult> {
  const now = options.now ?? Date.now;
  const outcomes: QuarantineReleaseLog['items'] = [];
  for (const item of items) outcomes.push(await releaseOne(item, options));
  const log: QuarantineReleaseLog = {
    release_id: options.releaseId,
    released_at: new Date(now()).toISOString(),
    released_by: options.releasedBy,
    note: options.note,
    accept_unverified: options.acceptUnverified,
    items: outcomes,
  };
  const count = (outcome: string) => outcomes.filter((entry) => entry.outcome === outcome).length;
  const counts = { released: count('released'), kept: count('kept'), failed: count('failed') };
  try {
    return { log, logKey: await writeReleaseLog(options.archive, log), ...counts };
  } catch (error) {
    // Thrown, this would hide what was already enqueued and deleted: the caller says so instead.
    const logKey = quarantineReleaseKey(Date.parse(log.released_at), log.release_id);
    return { log, logKey, logError: error, ...counts };
  }
}

async function releaseOne(
  item: QuarantineItem,
  options: ReleaseOptions,
): Promise<QuarantineReleaseLog['items'][number]> {
  const bytes = Buffer.from(item.record.body_base64, 'base64');
  const text = decode(bytes);
  const document = text === undefined ? undefined : parseJsonObject(text);
  const summary = summarizeEvent(document ?? {}, bytes);
  const base = { key: item.key, event_key: summary.eventKey };
  const verifiedWith = verifiedWithOf(item, options.tokens);
  if (verifiedWith === undefined && !options.acceptUnverified) {
    return {
      ...base,
      outcome: 'kept',
      detail: 'does not verify with the current or the previous token (doctor says why)',
    };
  }
  if (text === undefined || document === undefined) {
    return {
      ...base,
      outcome: 'kept',
      detail: 'not a JSON object in UTF-8: the receiver would refuse it too',
    };
  }
  let message: QueuedBody;
  try {
    message = {
      ...toQueuedBody(text, bytes),
      verifiedWith: verifiedWith ?? VERIFIED_WITH.unverified,
      releaseId: options.releaseId,
    };
  } catch (error) {
    if (!(error instanceof PayloadTooLargeError)) throw error;
    return { ...base, outcome: 'kept', detail: `${error.message} Read it with quarantine show.` };
  }
  if (Buffer.byteLength(message.body) > LIMITS.maxBodyBytes) {
    return {
      ...base,
      outcome: 'kept',
      detail: `${bytes.length} bytes: larger than one SQS message holds (${LIMITS.maxBodyBytes}); read it with quarantine show.`,
    };
  }
  // The receiver's own enqueue: the same attributes, cleaned and cut the same way.
  const enqueue = createSqsEnqueue({
    client: options.sqs,
    queueUrl: options.queueUrl,
    totalTimeoutMs: RELEASE_SEND_TIMEOUT_MS,
  });
  try {
    await enqueue(message, summary);
  } catch (error) {
    return {
      ...base,
      outcome: 'failed',
      detail: `SQS did not take it (${error instanceof Error && error.cause instanceof Error ? describeError(error.cause) : describeError(error)}); still quarantined`,
    };
  }
  // On the queue now: a failed delete only leaves a copy that a later release skips as a duplicate.
  const removed = await removeQuarantined(options.archive, item.key).then(
    () => true,
    () => false,
  );
  return {
    ...base,
    outcome: 'released',
    detail:
      (verifiedWith === undefined
        ? 'unverified, released as accepted'
        : `verified with the ${verifiedWith} token`) +
      (removed ? '' : '; could not be removed from the quarantine'),
  };
}

/** Which stored token the item's signature matches on its raw bytes, if any: what release checks. */
export function verifiedWithOf(item: QuarantineItem, tokens: ReleaseTokens): VerifiedWith | undefined {
  const body = Buffer.from(item.record.body_base64, 'base64');
  const header = item.record.headers['sc-signature'];
  let signature: Buffer;
  try {
    signature = parseSignatureHeader(header);
  } catch {
    return undefined;
  }
  if (signatureMatches(tokens.current, body, signature)) return VERIFIED_WITH.current;
  if (tokens.previous !== undefined && signatureMatches(tokens.previous, body, signature)) {
    return VERIFIED_WITH.previous;
  }
  return undefined;
}

function decode(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
