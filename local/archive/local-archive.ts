import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ARCHIVE_PREFIX, QUARANTINE_DELIVERIES_PREFIX } from '../../lambdas/contract';
import { LOCAL_AWS } from '../local-aws';
import { startSwitchableProxy, type SwitchableProxy } from '../switchable-proxy';

/** The bucket `npm start` archives to. */
export const LOCAL_ARCHIVE_BUCKET = 'smartcar-webhooks-archive';

/** fauxqs's S3 behind a switch that can take the archive "down", its objects kept on disk. */
export interface LocalArchive {
  /** What AWS_ENDPOINT_URL_S3 must hold (an IP address: the SDK addresses buckets path-style). */
  endpoint: string;
  region: string;
  bucket: string;
  /** Where the objects are kept; undefined: in memory only. */
  directory?: string;
  proxy: SwitchableProxy;
  /** Objects under events/, counted on fauxqs directly, so also while the switch is off. */
  objectCount(): Promise<number>;
  /** Quarantined deliveries (under quarantine/deliveries/), counted the same way. */
  quarantineCount(): Promise<number>;
  /**
   * Brings the directory up to date with what was put and deleted since the last call. Calls run
   * one after the other, so a receiver's write and a processor's never interleave.
   */
  persist(): Promise<void>;
  stop(): Promise<void>;
}

/** Settings of {@link startLocalArchive}. */
export interface LocalArchiveOptions {
  /** @default LOCAL_ARCHIVE_BUCKET */
  bucket?: string;
  /** Keep the objects here (loaded at start, written after each invocation). @default in memory only */
  directory?: string;
}

/**
 * Puts a switchable proxy in front of fauxqs's S3 (`s3Endpoint`, fauxqs's own port, past any other
 * switch), creates the bucket and loads what an earlier run kept in `directory`. Objects are written
 * to the directory by {@link LocalArchive.persist}, from the keys the proxy saw being put, read back
 * through the S3 API: exactly the bytes S3 holds, whatever encoding the upload used.
 */
export async function startLocalArchive(
  s3Endpoint: string,
  options: LocalArchiveOptions = {},
): Promise<LocalArchive> {
  const bucket = options.bucket ?? LOCAL_ARCHIVE_BUCKET;
  const { directory } = options;
  const direct = new S3Client({
    region: LOCAL_AWS.region,
    endpoint: s3Endpoint,
    credentials: LOCAL_AWS.credentials,
    forcePathStyle: true,
  });
  try {
    await direct.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (!(error instanceof Error && /BucketAlreadyOwnedByYou|BucketAlreadyExists/.test(error.name)))
      throw error;
  }
  if (directory !== undefined) await load(direct, bucket, directory);

  // Keys put or deleted since the last persist; either way the file follows what S3 holds then.
  const pending = new Set<string>();
  const objectPath = `/${bucket}/`;
  const proxy = await startSwitchableProxy(s3Endpoint, {
    intercept: async (req) => {
      const url = new URL(req.url ?? '/', 'http://local');
      const isObject = url.pathname.startsWith(objectPath) && url.pathname.length > objectPath.length;
      if (
        isObject &&
        (req.method === 'PUT' || req.method === 'DELETE') &&
        !url.searchParams.has('uploadId')
      ) {
        pending.add(decodeURIComponent(url.pathname.slice(objectPath.length)));
      }
      return undefined;
    },
  });

  const persistPending = async () => {
    if (directory === undefined) return;
    for (const key of [...pending]) {
      pending.delete(key);
      const object = await direct
        .send(new GetObjectCommand({ Bucket: bucket, Key: key }))
        .catch((error: unknown) => (isNoSuchKey(error) ? null : undefined));
      const file = fileOf(directory, key);
      // Deleted (a released quarantine item): its file goes too, or a restart would bring it back.
      if (object === null) {
        await rm(file, { force: true });
        continue;
      }
      const bytes = await object?.Body?.transformToByteArray();
      // A put that failed left nothing to keep.
      if (bytes === undefined) continue;
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, bytes);
    }
  };
  let persisting: Promise<void> = Promise.resolve();
  const persist = () => {
    persisting = persisting.catch(() => undefined).then(persistPending);
    return persisting;
  };
  const countUnder = async (prefix: string) => {
    let count = 0;
    let token: string | undefined;
    do {
      const page = await direct.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      count += page.KeyCount ?? page.Contents?.length ?? 0;
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return count;
  };

  return {
    endpoint: proxy.endpoint,
    region: LOCAL_AWS.region,
    bucket,
    directory,
    proxy,
    objectCount: () => countUnder(ARCHIVE_PREFIX),
    quarantineCount: () => countUnder(QUARANTINE_DELIVERIES_PREFIX),
    persist,
    async stop() {
      await persist().catch(() => undefined);
      direct.destroy();
      await proxy.close();
    },
  };
}

function isNoSuchKey(error: unknown): boolean {
  return error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound');
}

/** The file that keeps `key`; keys with `..` or an absolute path never leave the directory. */
function fileOf(directory: string, key: string): string {
  const file = path.resolve(directory, key);
  if (!file.startsWith(path.resolve(directory) + path.sep)) throw new Error(`unsafe archive key: ${key}`);
  return file;
}

/** Puts every file under `directory` back into the bucket, under its path as the key. */
async function load(client: S3Client, bucket: string, directory: string): Promise<void> {
  await mkdir(directory, { recursive: true });
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const key = path.relative(directory, file).split(path.sep).join('/');
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await readFile(file) }));
  }
}
