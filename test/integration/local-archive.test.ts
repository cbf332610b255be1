import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type LocalArchive, startLocalArchive } from '../../local/archive/local-archive';
import { LOCAL_AWS } from '../../local/local-aws';
import { startLocalSqsProcess } from './support/local-sqs';

/** The local pipeline's archive: fauxqs's S3 behind the switch the `archive` fault turns, kept on disk. */

const clientOf = (archive: LocalArchive) =>
  new S3Client({
    region: LOCAL_AWS.region,
    endpoint: archive.endpoint,
    credentials: LOCAL_AWS.credentials,
    forcePathStyle: true,
    maxAttempts: 1,
  });

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'local-archive-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('the local archive', () => {
  it('keeps its objects on disk: a new emulator finds them, byte for byte, and counts only events/', async () => {
    const key = 'events/dt=2026-12-01/hour=21/kind=VEHICLE_STATE/20261201T210000000Z-a.jsonl.gz';
    const body = gzipSync('{"event_key":"e1"}\n');
    const firstRun = await startLocalSqsProcess();
    const first = await startLocalArchive(firstRun.endpoint, { directory });
    const writer = clientOf(first);
    await writer.send(new PutObjectCommand({ Bucket: first.bucket, Key: key, Body: body }));
    await writer.send(new PutObjectCommand({ Bucket: first.bucket, Key: 'athena-results/x', Body: 'x' }));
    await first.stop();
    writer.destroy();
    await firstRun.stop();

    const secondRun = await startLocalSqsProcess();
    const again = await startLocalArchive(secondRun.endpoint, { directory });
    const reader = clientOf(again);
    const object = await reader.send(new GetObjectCommand({ Bucket: again.bucket, Key: key }));

    expect(Buffer.from((await object.Body?.transformToByteArray()) ?? [])).toEqual(body);
    expect(await again.objectCount()).toBe(1);
    await again.stop();
    reader.destroy();
    await secondRun.stop();
  }, 120_000);

  it('refuses writes while switched off, as an unreachable S3 does, and still counts', async () => {
    const sqs = await startLocalSqsProcess();
    const archive = await startLocalArchive(sqs.endpoint, { bucket: 'local-archive-switch', directory });
    const client = clientOf(archive);
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
    await sqs.stop();
  }, 120_000);
});
