import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSRecord } from 'aws-lambda';
import {
  type ArchiveRecord,
  archivedEventType,
  archiveObjectKey,
  archivePartitionPrefix,
  MESSAGE_ATTRIBUTES,
  VERIFIED_WITH,
  type VerifiedWith,
} from '../contract';
import { field, nonEmptyString } from '../runtime/envelope';
import { SmartcarWebhooksError } from '../runtime/errors';
import { readRecord } from './queued-record';
import { describeError } from '../runtime/deadline';

/** Writes a batch of deliveries to the archive; resolves only once S3 holds every one of them. */
export interface ArchiveWriter {
  archive(records: readonly SQSRecord[]): Promise<ArchiveReceipt>;
}

/** What one {@link ArchiveWriter.archive} call wrote. */
export interface ArchiveReceipt {
  /** The keys of the objects written, one per partition the batch touched. */
  keys: string[];
  /** Deliveries archived. */
  records: number;
}

/** The archive could not be written: the batch must not be acknowledged, so SQS keeps it. */
export class ArchiveWriteError extends SmartcarWebhooksError {
  override readonly name = 'ArchiveWriteError';
}

/** Settings of {@link createArchiveWriter}. */
export interface ArchiveWriterOptions {
  client: Pick<S3Client, 'send'>;
  bucket: string;
}

/**
 * An {@link ArchiveWriter} over S3: one gzip JSON Lines object per partition (day, hour, event
 * type) a batch touches, each line the delivery as it arrived plus its receipt. Objects are
 * written in parallel; a batch is archived only when all of them are, and writing it again (a
 * retried batch) adds a second copy, which queries dedupe by `event_key`.
 */
export function createArchiveWriter({ client, bucket }: ArchiveWriterOptions): ArchiveWriter {
  return {
    async archive(records) {
      const partitions = new Map<string, ArchiveRecord[]>();
      // A replay puts back what the archive already holds: no new delivery to keep.
      const deliveries = records.filter((record) => !isReplay(record));
      for (const record of deliveries) {
        const line = toArchiveRecord(record);
        const prefix = archivePartitionPrefix(
          Date.parse(line.received_at),
          archivedEventType(line.event_type),
        );
        partitions.set(prefix, [...(partitions.get(prefix) ?? []), line]);
      }
      const keys = await Promise.all(
        [...partitions.values()].map((lines) => putObject(client, bucket, lines)),
      );
      return { keys, records: deliveries.length };
    },
  };
}

async function putObject(
  client: Pick<S3Client, 'send'>,
  bucket: string,
  lines: ArchiveRecord[],
): Promise<string> {
  const earliest = Math.min(...lines.map((line) => Date.parse(line.received_at)));
  // A fresh id per object: a retried batch is written again beside the first copy, never over it
  // (a batch made of other records under the same name would erase what the first one archived).
  const key = archiveObjectKey(earliest, archivedEventType(lines[0]?.event_type), randomUUID());
  const body = gzipSync(`${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
  // Required here, not imported, so a processor with the archive off never evaluates the S3 SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above and ./s3-archive-sdk.ts
  const { PutObjectCommand } = require('./s3-archive-sdk') as typeof import('./s3-archive-sdk');
  try {
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/gzip' }),
    );
  } catch (error) {
    throw new ArchiveWriteError(
      `The archive could not be written (s3://${bucket}/${key}): ${describeError(error)}. The batch stays on the ` +
        'queue and is retried; check the bucket, its policy and the processor role.',
      { cause: error },
    );
  }
  return key;
}

/** The delivery as it arrived (the signed text, or its bytes in base64) and its receipt. */
export function toArchiveRecord(record: SQSRecord): ArchiveRecord {
  const { summary, document, base64 } = readRecord(record);
  const sentMs = Number(record.attributes.SentTimestamp);
  const verifiedWith = record.messageAttributes?.[MESSAGE_ATTRIBUTES.verifiedWith]?.stringValue;
  const line: ArchiveRecord = {
    received_at: new Date(Number.isFinite(sentMs) && sentMs > 0 ? sentMs : Date.now()).toISOString(),
    event_key: summary.eventKey,
    event_id: nonEmptyString(document?.eventId) ?? nonEmptyString(field(document?.payload, 'eventId')),
    event_type: summary.eventType,
    delivery_id: summary.deliveryId,
    vehicle_id: summary.vehicleId,
    mode: nonEmptyString(field(document?.meta, 'mode')) ?? nonEmptyString(document?.mode),
    verified_with: isVerifiedWith(verifiedWith) ? verifiedWith : undefined,
    release_id: nonEmptyString(record.messageAttributes?.[MESSAGE_ATTRIBUTES.releaseId]?.stringValue),
    body: record.body,
  };
  if (base64) line.body_encoding = 'base64';
  return line;
}

function isReplay(record: SQSRecord): boolean {
  return (record.messageAttributes?.[MESSAGE_ATTRIBUTES.replayId]?.stringValue ?? '') !== '';
}

function isVerifiedWith(value: string | undefined): value is VerifiedWith {
  return (Object.values(VERIFIED_WITH) as readonly string[]).includes(value ?? '');
}
