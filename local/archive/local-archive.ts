import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ARCHIVE_PREFIX } from '../../lambdas/contract';
import { LOCAL_AWS } from '../local-aws';
import { startSwitchableProxy, type SwitchableProxy } from '../switchable-proxy';

/** The bucket `npm start` archives to. */
export const LOCAL_ARCHIVE_BUCKET = 'smartcar-webhooks-archive';

/**
 * Where `npm start` keeps the archive's objects, relative to the working directory (git-ignored):
 * files, so the archive survives a restart, as the real one outlives deployments.
 */
export const LOCAL_ARCHIVE_DIR = '.local/archive';

/** fauxqs's S3, behind a switch that can take the archive "down". */
export interface LocalArchive {
  /** What AWS_ENDPOINT_URL_S3 must hold (path-style: it is an IP address). */
  endpoint: string;
  region: string;
  bucket: string;
  proxy: SwitchableProxy;
  /** Objects under events/, counted on fauxqs directly, so also while the switch is off. */
  objectCount(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Puts a switchable proxy in front of fauxqs's S3 (`s3Endpoint`, which fauxqs serves on its SQS
 * port) and creates the archive bucket there unless a previous run left it.
 */
export async function startLocalArchive(
  s3Endpoint: string,
  bucket = LOCAL_ARCHIVE_BUCKET,
): Promise<LocalArchive> {
  const direct = new S3Client({
    region: LOCAL_AWS.region,
    endpoint: s3Endpoint,
    credentials: LOCAL_AWS.credentials,
    forcePathStyle: true,
  });
  try {
    await direct.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    // Kept on disk from an earlier run: that is the point.
    if (!(error instanceof Error && /BucketAlreadyOwnedByYou|BucketAlreadyExists/.test(error.name)))
      throw error;
  }
  const proxy = await startSwitchableProxy(s3Endpoint);
  return {
    endpoint: proxy.endpoint,
    region: LOCAL_AWS.region,
    bucket,
    proxy,
    async objectCount() {
      let count = 0;
      let token: string | undefined;
      do {
        const page = await direct.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: ARCHIVE_PREFIX, ContinuationToken: token }),
        );
        count += page.KeyCount ?? page.Contents?.length ?? 0;
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return count;
    },
    async stop() {
      direct.destroy();
      await proxy.close();
    },
  };
}
