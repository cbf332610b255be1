import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { type ArchiveRecord, archiveHourPrefix, archivePartitionPrefix } from '../../lambdas/contract';
import { type ArchiveSelection, isSelected, selectedKind } from './selection';

const HOUR_MS = 3_600_000;

/** Where an archive is, and the client to read it with (the caller's credentials). */
export interface ArchiveLocation {
  client: Pick<S3Client, 'send'>;
  bucket: string;
}

/**
 * The keys of every archive object that may hold a selected delivery, oldest first. Straight from
 * the partitioned layout, one listing per hour of the range (and kind, when the type is known), so
 * a few hours or days need no Athena.
 */
export async function listArchiveObjects(
  location: ArchiveLocation,
  selection: ArchiveSelection,
): Promise<string[]> {
  const kind = selectedKind(selection);
  const keys: string[] = [];
  const firstHour = Math.floor(selection.sinceMs / HOUR_MS) * HOUR_MS;
  for (let hour = firstHour; hour <= selection.untilMs; hour += HOUR_MS) {
    const prefix = kind === undefined ? archiveHourPrefix(hour) : archivePartitionPrefix(hour, kind);
    let continuationToken: string | undefined;
    do {
      const page = await location.client.send(
        new ListObjectsV2Command({
          Bucket: location.bucket,
          Prefix: prefix,
          ContinuationToken: continuationToken,
        }),
      );
      for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
      continuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
  }
  // File names start with the time of their earliest delivery: sorting by name sorts by time.
  return keys.sort((a, b) => fileName(a).localeCompare(fileName(b)));
}

const fileName = (key: string) => key.slice(key.lastIndexOf('/') + 1);

/** The lines of one archive object. */
export async function readArchiveObject(location: ArchiveLocation, key: string): Promise<ArchiveRecord[]> {
  const object = await location.client.send(new GetObjectCommand({ Bucket: location.bucket, Key: key }));
  const bytes = await object.Body?.transformToByteArray();
  if (bytes === undefined) return [];
  return gunzipSync(bytes)
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ArchiveRecord);
}

/**
 * The selected deliveries, each once (the archive is a delivery log: a retried batch or a Smartcar
 * retry is archived twice; the earliest copy wins), oldest first.
 */
export async function readSelection(
  location: ArchiveLocation,
  selection: ArchiveSelection,
): Promise<ArchiveRecord[]> {
  const byKey = new Map<string, ArchiveRecord>();
  for (const key of await listArchiveObjects(location, selection)) {
    for (const record of await readArchiveObject(location, key)) {
      if (!isSelected(record, selection)) continue;
      const seen = byKey.get(record.event_key);
      if (seen === undefined || record.received_at < seen.received_at) byKey.set(record.event_key, record);
    }
  }
  return [...byKey.values()].sort((a, b) => a.received_at.localeCompare(b.received_at));
}
