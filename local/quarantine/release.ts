import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  BASE64_BODY_ENCODING,
  LIMITS,
  MESSAGE_ATTRIBUTES,
  type QuarantineReleaseLog,
  VERIFIED_WITH,
  type VerifiedWith,
} from '../../lambdas/contract';
import { parseSignatureHeader, signatureMatches } from '../../lambdas/receiver/verify-signature';
import { parseJsonObject, summarizeEvent } from '../../lambdas/runtime/envelope';
import type { ArchiveLocation } from '../archive/archive-reader';
import { type QuarantineItem, removeQuarantined, writeReleaseLog } from './quarantine-store';

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
  logKey: string;
  released: number;
  kept: number;
  failed: number;
}

// The characters the receiver sends as base64 because an SQS body cannot hold them.
const NOT_STORABLE_IN_SQS = /[\uFFFE\uFFFF]/;
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
  const logKey = await writeReleaseLog(options.archive, log);
  const count = (outcome: string) => outcomes.filter((entry) => entry.outcome === outcome).length;
  return { log, logKey, released: count('released'), kept: count('kept'), failed: count('failed') };
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
  const verifiedWith = verify(bytes, item.record.headers['sc-signature'], options.tokens);
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
  const base64 = NOT_STORABLE_IN_SQS.test(text);
  const body = base64 ? bytes.toString('base64') : text;
  if (Buffer.byteLength(body) > LIMITS.maxBodyBytes) {
    return {
      ...base,
      outcome: 'kept',
      detail: `${bytes.length} bytes: larger than one SQS message holds (${LIMITS.maxBodyBytes}); read it with quarantine show`,
    };
  }
  const attributes: Record<string, MessageAttributeValue> = {};
  const set = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== '') attributes[name] = { DataType: 'String', StringValue: value };
  };
  set(MESSAGE_ATTRIBUTES.eventKey, summary.eventKey);
  set(MESSAGE_ATTRIBUTES.eventType, summary.eventType);
  set(MESSAGE_ATTRIBUTES.deliveryId, summary.deliveryId);
  set(MESSAGE_ATTRIBUTES.verifiedWith, verifiedWith ?? VERIFIED_WITH.unverified);
  set(MESSAGE_ATTRIBUTES.releaseId, options.releaseId);
  if (base64) set(MESSAGE_ATTRIBUTES.bodyEncoding, BASE64_BODY_ENCODING);
  try {
    await options.sqs.send(
      new SendMessageCommand({
        QueueUrl: options.queueUrl,
        MessageBody: body,
        MessageAttributes: attributes,
      }),
    );
  } catch (error) {
    return {
      ...base,
      outcome: 'failed',
      detail: `SQS did not take it (${describe(error)}); still quarantined`,
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

function verify(body: Buffer, header: string | undefined, tokens: ReleaseTokens): VerifiedWith | undefined {
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

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
