import { type MessageAttributeValue, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type ArchiveRecord, BASE64_BODY_ENCODING, MESSAGE_ATTRIBUTES } from '../../lambdas/contract';

/** Settings of {@link replayRecords}. */
export interface ReplayOptions {
  client: Pick<SQSClient, 'send'>;
  queueUrl: string;
  /** Marks every message of this run; with `reprocess`, it scopes the idempotency key. */
  replayId: string;
  /** Run the handlers again for events that completed (a backfill, a fix); else a catch-up. */
  reprocess: boolean;
  /** Messages per second at most; undefined: as fast as SQS takes them. */
  ratePerSecond?: number;
  /** Told after every batch sent. */
  onProgress?: (progress: ReplayProgress) => void;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** How far a replay got. */
export interface ReplayProgress {
  sent: number;
  failed: number;
  total: number;
}

/** What SQS refused, by event key, with its reason. */
export interface ReplayResult extends ReplayProgress {
  failures: { eventKey: string; reason: string }[];
}

/** SQS takes at most this many messages per SendMessageBatch. */
const BATCH = 10;

/**
 * Puts archived deliveries back on the main queue, byte for byte, with the attributes the
 * receiver gave them plus the replay marks, in batches of 10 and at most `ratePerSecond`.
 */
export async function replayRecords(
  records: readonly ArchiveRecord[],
  options: ReplayOptions,
): Promise<ReplayResult> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const result: ReplayResult = { sent: 0, failed: 0, total: records.length, failures: [] };
  const started = now();
  for (let offset = 0; offset < records.length; offset += BATCH) {
    const batch = records.slice(offset, offset + BATCH);
    if (options.ratePerSecond !== undefined) {
      // Pace by the whole run, not per batch: a slow SendMessageBatch is not followed by a burst.
      const due = started + (offset / options.ratePerSecond) * 1000;
      if (due > now()) await sleep(due - now());
    }
    const response = await options.client.send(
      new SendMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: batch.map((record, index) => ({
          Id: String(index),
          MessageBody: record.body,
          MessageAttributes: attributesOf(record, options),
        })),
      }),
    );
    for (const failure of response.Failed ?? []) {
      const record = batch[Number(failure.Id)];
      result.failures.push({
        eventKey: record?.event_key ?? '?',
        reason: `${failure.Code ?? 'Error'}: ${failure.Message ?? 'refused'}`,
      });
    }
    result.failed += response.Failed?.length ?? 0;
    result.sent += response.Successful?.length ?? 0;
    options.onProgress?.({ sent: result.sent, failed: result.failed, total: result.total });
  }
  return result;
}

function attributesOf(record: ArchiveRecord, options: ReplayOptions): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  const set = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== '') attributes[name] = { DataType: 'String', StringValue: value };
  };
  set(MESSAGE_ATTRIBUTES.eventKey, record.event_key);
  set(MESSAGE_ATTRIBUTES.eventType, record.event_type);
  set(MESSAGE_ATTRIBUTES.deliveryId, record.delivery_id);
  set(MESSAGE_ATTRIBUTES.verifiedWith, record.verified_with);
  if (record.body_encoding === 'base64') set(MESSAGE_ATTRIBUTES.bodyEncoding, BASE64_BODY_ENCODING);
  set(MESSAGE_ATTRIBUTES.replayId, options.replayId);
  if (options.reprocess) set(MESSAGE_ATTRIBUTES.replayReprocess, 'true');
  return attributes;
}
