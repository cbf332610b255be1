import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import {
  type QuarantinedReason,
  type QuarantineRecord,
  type QuarantineReleaseLog,
  parseQuarantineKey,
  quarantineDayPrefix,
  quarantineReleaseKey,
} from '../../lambdas/contract';
import type { ArchiveLocation } from '../archive/archive-reader';

const DAY_MS = 86_400_000;

/** Which quarantined deliveries a command works on. */
export interface QuarantineSelection {
  sinceMs: number;
  untilMs: number;
  /** One item: its id (the last part of its key), or its eventId or deliveryId. */
  id?: string;
  reason?: QuarantinedReason;
}

/** One quarantined delivery and where it is. */
export interface QuarantineItem {
  key: string;
  /** The id in its key: what `--id` takes. */
  id: string;
  record: QuarantineRecord;
}

/**
 * The quarantined deliveries of the selection, oldest first: listed day by day from the key
 * layout (reason and time are in the name, so only the selected objects are read).
 */
export async function readQuarantine(
  location: ArchiveLocation,
  selection: QuarantineSelection,
): Promise<QuarantineItem[]> {
  const keys: { key: string; id: string }[] = [];
  const firstDay = Math.floor(selection.sinceMs / DAY_MS) * DAY_MS;
  for (let day = firstDay; day <= selection.untilMs; day += DAY_MS) {
    let continuationToken: string | undefined;
    do {
      const page = await location.client.send(
        new ListObjectsV2Command({
          Bucket: location.bucket,
          Prefix: quarantineDayPrefix(day),
          ContinuationToken: continuationToken,
        }),
      );
      for (const object of page.Contents ?? []) {
        const parsed = object.Key === undefined ? undefined : parseQuarantineKey(object.Key);
        if (parsed === undefined || object.Key === undefined) continue;
        if (parsed.atMs < selection.sinceMs || parsed.atMs > selection.untilMs) continue;
        if (selection.reason !== undefined && parsed.reason !== selection.reason) continue;
        keys.push({ key: object.Key, id: parsed.id });
      }
      continuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
  }
  keys.sort((a, b) => a.key.localeCompare(b.key));
  const items: QuarantineItem[] = [];
  for (const { key, id } of keys) {
    const record = await readRecord(location, key);
    if (record === undefined) continue;
    if (selection.id !== undefined && !matchesId(selection.id, id, record)) continue;
    items.push({ key, id, record });
  }
  return items;
}

function matchesId(wanted: string, id: string, record: QuarantineRecord): boolean {
  return wanted === id || wanted === record.event_id || wanted === record.delivery_id;
}

async function readRecord(location: ArchiveLocation, key: string): Promise<QuarantineRecord | undefined> {
  const object = await location.client
    .send(new GetObjectCommand({ Bucket: location.bucket, Key: key }))
    .catch((error: unknown) => {
      // Released (deleted) between the listing and the read.
      if (error instanceof Error && error.name === 'NoSuchKey') return undefined;
      throw error;
    });
  const text = await object?.Body?.transformToString('utf8');
  return text === undefined ? undefined : (JSON.parse(text) as QuarantineRecord);
}

/** Removes a released item: the archive holds it from now on. */
export async function removeQuarantined(location: ArchiveLocation, key: string): Promise<void> {
  await location.client.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: key }));
}

/** Keeps the log of one release run next to the quarantine; returns its key. */
export async function writeReleaseLog(location: ArchiveLocation, log: QuarantineReleaseLog): Promise<string> {
  const key = quarantineReleaseKey(Date.parse(log.released_at), log.release_id);
  await location.client.send(
    new PutObjectCommand({
      Bucket: location.bucket,
      Key: key,
      Body: JSON.stringify(log),
      ContentType: 'application/json',
    }),
  );
  return key;
}
