import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startLocalArchive } from '../../local/archive/local-archive';
import { LOCAL_AWS } from '../../local/local-aws';
import { type LocalSqsProcess, startLocalSqsProcess } from './support/local-sqs';

/** The local pipeline's archive: fauxqs's S3 behind the switch the `archive` fault turns. */
let sqs: LocalSqsProcess;

beforeAll(async () => {
  sqs = await startLocalSqsProcess();
}, 120_000);

afterAll(async () => {
  await sqs?.stop();
});

describe('the local archive', () => {
  it('creates its bucket, or finds the one an earlier run left, and counts what is archived', async () => {
    const first = await startLocalArchive(sqs.endpoint, 'local-archive-test');
    const client = new S3Client({
      region: LOCAL_AWS.region,
      endpoint: first.endpoint,
      credentials: LOCAL_AWS.credentials,
      forcePathStyle: true,
    });
    await client.send(
      new PutObjectCommand({ Bucket: first.bucket, Key: 'events/dt=2026-12-01/a.jsonl.gz', Body: 'x' }),
    );
    await client.send(
      new PutObjectCommand({ Bucket: first.bucket, Key: 'athena-results/not-counted', Body: 'x' }),
    );
    await first.stop();

    const again = await startLocalArchive(sqs.endpoint, 'local-archive-test');

    expect(await again.objectCount()).toBe(1);
    await again.stop();
    client.destroy();
  });

  it('refuses writes while switched off, as an unreachable S3 does, and still counts', async () => {
    const archive = await startLocalArchive(sqs.endpoint, 'local-archive-switch');
    const client = new S3Client({
      region: LOCAL_AWS.region,
      endpoint: archive.endpoint,
      credentials: LOCAL_AWS.credentials,
      forcePathStyle: true,
      maxAttempts: 1,
    });
    archive.proxy.setAvailable(false);

    await expect(
      client.send(new PutObjectCommand({ Bucket: archive.bucket, Key: 'events/x', Body: 'x' })),
    ).rejects.toThrow();
    expect(await archive.objectCount()).toBe(0);

    archive.proxy.setAvailable(true);
    await client.send(new PutObjectCommand({ Bucket: archive.bucket, Key: 'events/x', Body: 'x' }));
    expect(await archive.objectCount()).toBe(1);
    await archive.stop();
    client.destroy();
  });
});
