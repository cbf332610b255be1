import { gzipSync } from 'node:zlib';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  type ArchiveRecord,
  archiveHourPrefix,
  archiveObjectKey,
  STACK_OUTPUTS,
} from '../../lambdas/contract';
import { parseEventsArgs, runEvents } from '../../local/cli/events';
import type { CliIo } from '../../local/cli/io';
import { newReplayId, parseReplayArgs, runReplay } from '../../local/cli/replay';

const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);
const cloudFormation = mockClient(CloudFormationClient);

const NOW = Date.UTC(2026, 11, 1, 22, 0, 0);
const io = (): CliIo & { out: string[]; err: string[] } => {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    env: {},
    sleep: async () => undefined,
  };
};

beforeEach(() => {
  s3.reset();
  sqs.reset();
  cloudFormation.reset();
});

describe('replay and events: arguments', () => {
  it.each([
    [['--until', '1h'], /--since is required/],
    [['--since', 'yesterday'], /--since must be an ISO time .* got "yesterday"/],
    [['--since', '1h', '--until', '2h'], /--since \(.*\) is after --until/],
    [['--since', '40d'], /spans 40 days; replay lists the archive hour by hour, at most 31 days/],
    [['--since', '1h', '--rate', '0'], /--rate must be a number of messages per second above 0/],
    [['--since', '1h', '--local', 'http://127.0.0.1:3000', '--stack', 'S'], /--local or --stack, not both/],
    [['--since', '1h', '--region', 'eu-west-1'], /--region applies to --stack/],
    [['--since', '1h', '--replay-id', 'not an id'], /--replay-id must be the id a replay printed/],
    [['--since', '1h', '--type', ''], /--type needs a non-empty value/],
    [['--since', '1h', 'extra'], /Unexpected argument "extra"/],
  ])('replay %j is refused: %s', (args, message) => {
    expect(() => parseReplayArgs(args, io(), NOW)).toThrow(
      expect.objectContaining({ name: 'UsageError', exitCode: 2, message: expect.stringMatching(message) }),
    );
  });

  it('takes ISO times and durations back from now, and the local emulator on $PORT by default', () => {
    const settings = parseReplayArgs(
      ['--since', '2026-12-01T20:00:00Z', '--until', '30m', '--type', 'VEHICLE_STATE', '--rate', '5'],
      { ...io(), env: { PORT: '4000' } },
      NOW,
    );
    expect(settings).toMatchObject({
      selection: {
        sinceMs: Date.UTC(2026, 11, 1, 20),
        untilMs: NOW - 30 * 60_000,
        eventType: 'VEHICLE_STATE',
      },
      target: { kind: 'local', baseUrl: 'http://127.0.0.1:4000' },
      ratePerSecond: 5,
      dryRun: false,
      reprocess: false,
    });
  });

  it.each([
    [['--unmask'], /--unmask applies to --show/],
    [['--show', 'e1', '--event-id', 'e2'], /--show names the event already/],
  ])('events %j is refused: %s', (args, message) => {
    expect(() => parseEventsArgs(args, io(), NOW)).toThrow(
      expect.objectContaining({ message: expect.stringMatching(message) }),
    );
  });

  it('lists the last day without --since, and looks a week back for --show', () => {
    expect(parseEventsArgs([], io(), NOW).selection.sinceMs).toBe(NOW - 86_400_000);
    expect(parseEventsArgs(['--show', 'e1'], io(), NOW).selection).toMatchObject({
      sinceMs: NOW - 7 * 86_400_000,
      eventId: 'e1',
    });
  });

  it('makes replay ids that sort by time and differ per run', () => {
    expect(newReplayId(NOW)).toMatch(/^replay-20261201T220000Z-[0-9a-f]{4}$/);
    expect(newReplayId(NOW)).not.toBe(newReplayId(NOW));
  });
});

describe('replay and events against a deployed stack (mocked AWS)', () => {
  const record: ArchiveRecord = {
    received_at: new Date(Date.now() - 10 * 60_000).toISOString(),
    event_key: 'e1',
    event_id: 'e1',
    event_type: 'VEHICLE_STATE',
    vehicle_id: 'v1',
    body: '{"eventId":"e1","eventType":"VEHICLE_STATE"}',
  };
  const key = archiveObjectKey(Date.parse(record.received_at), 'VEHICLE_STATE', 'object-1');

  function stackHasOutputs(outputs: Record<string, string>) {
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'SmartcarWebhooks',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });
  }

  function archiveHolds() {
    s3.on(ListObjectsV2Command).resolves({});
    s3.on(ListObjectsV2Command, { Prefix: archiveHourPrefix(Date.parse(record.received_at)) }).resolves({
      Contents: [{ Key: key }],
    });
    s3.on(GetObjectCommand, { Key: key }).resolves({
      // What readArchiveObject uses of the SDK's stream.
      Body: { transformToByteArray: async () => gzipSync(`${JSON.stringify(record)}\n`) } as never,
    });
  }

  it('reads the bucket and queue from the stack outputs, and sends to the main queue', async () => {
    stackHasOutputs({
      [STACK_OUTPUTS.archiveBucketName]: 'archive-bucket',
      [STACK_OUTPUTS.queueName]: 'SmartcarWebhooks-Queue',
    });
    archiveHolds();
    sqs
      .on(GetQueueUrlCommand, { QueueName: 'SmartcarWebhooks-Queue' })
      .resolves({ QueueUrl: 'https://sqs/q' });
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: '' }], Failed: [] });
    const cli = io();

    const code = await runReplay(
      ['--since', '1h', '--stack', 'SmartcarWebhooks', '--region', 'eu-west-1'],
      cli,
    );

    expect(code).toBe(0);
    expect(s3).toHaveReceivedCommandWith(ListObjectsV2Command, { Bucket: 'archive-bucket' });
    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, {
      QueueUrl: 'https://sqs/q',
      Entries: [expect.objectContaining({ MessageBody: record.body })],
    });
    expect(cli.out.join('')).toMatch(/Replayed 1 as replay-/);
  });

  it('fails with the reason when SQS refuses part of a replay, and says how to resume', async () => {
    stackHasOutputs({
      [STACK_OUTPUTS.archiveBucketName]: 'archive-bucket',
      [STACK_OUTPUTS.queueName]: 'SmartcarWebhooks-Queue',
    });
    archiveHolds();
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: 'https://sqs/q' });
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: '0', Code: 'KMS.AccessDenied', Message: 'no', SenderFault: true }],
    });
    const cli = io();

    const code = await runReplay(['--since', '1h', '--stack', 'S'], cli);

    expect(code).toBe(1);
    expect(cli.out.join('')).toMatch(/e1: KMS.AccessDenied: no/);
    expect(cli.out.join('')).toMatch(/--replay-id replay-\S+: what this run already sent is skipped/);
  });

  it('says when a stack has no archive', async () => {
    stackHasOutputs({ [STACK_OUTPUTS.queueName]: 'SmartcarWebhooks-Queue' });

    await expect(runEvents(['--stack', 'S'], io())).rejects.toMatchObject({
      name: 'StackLookupError',
      message: expect.stringMatching(/no output ArchiveBucketName: its archive is off/),
    });
  });

  it('names the missing permission when S3 denies the listing', async () => {
    stackHasOutputs({
      [STACK_OUTPUTS.archiveBucketName]: 'archive-bucket',
      [STACK_OUTPUTS.queueName]: 'SmartcarWebhooks-Queue',
    });
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: 'https://sqs/q' });
    s3.on(ListObjectsV2Command).rejects(
      Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
    );

    await expect(runEvents(['--stack', 'S'], io())).rejects.toMatchObject({
      name: 'AwsAccessDeniedError',
      message: expect.stringMatching(/s3:ListBucket and s3:GetObject on s3:\/\/archive-bucket/),
    });
  });

  it('says the bucket is gone when it is', async () => {
    stackHasOutputs({
      [STACK_OUTPUTS.archiveBucketName]: 'archive-bucket',
      [STACK_OUTPUTS.queueName]: 'SmartcarWebhooks-Queue',
    });
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: 'https://sqs/q' });
    s3.on(ListObjectsV2Command).rejects(
      Object.assign(new Error('The specified bucket does not exist'), {
        name: 'NoSuchBucket',
        $metadata: { httpStatusCode: 404 },
      }),
    );

    await expect(runEvents(['--stack', 'S'], io())).rejects.toMatchObject({
      name: 'CommandFailedError',
      message: expect.stringMatching(/archive bucket archive-bucket does not exist/),
    });
  });
});
