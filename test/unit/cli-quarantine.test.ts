import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { LIMITS, quarantineDayPrefix, quarantineReleaseKey } from '../../lambdas/contract';
import type { CliIo } from '../../local/cli/io';
import { main } from '../../local/cli/main';
import type { QuarantineItem } from '../../local/quarantine/quarantine-store';
import { type ReleaseOptions, releaseQuarantined } from '../../local/quarantine/release';
import { vehicleStateEvent } from '../support/builders';
import { quarantineItem } from '../support/quarantine-records';

const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);
const secretsManager = mockClient(SecretsManagerClient);

const CURRENT = 'amt-current-5d2f8a61';
const PREVIOUS = 'amt-previous-0c4e7b19';
const UNKNOWN = 'amt-unknown-9a9a9a9a';
const BUCKET = 'smartcar-webhooks-archive';
const QUEUE_URL = 'http://127.0.0.1:4566/000000000000/smartcar-webhooks';
const NOW = Date.UTC(2026, 11, 1, 22, 0, 0);

/** The status page `npm start` serves; every client behind it is mocked. */
const LOCAL_STATUS = {
  sqs: {
    endpoint: 'http://127.0.0.1:4566',
    region: 'us-east-1',
    queueUrl: QUEUE_URL,
    queueArn: 'arn:aws:sqs:us-east-1:000000000000:smartcar-webhooks',
    deadLetterQueueUrl: 'http://127.0.0.1:4566/000000000000/smartcar-webhooks-dlq',
  },
  archive: {
    endpoint: 'http://127.0.0.1:4566',
    region: 'us-east-1',
    bucket: BUCKET,
    state: 'up',
    objects: 0,
  },
  secretsManager: { endpoint: 'http://127.0.0.1:4567', secretId: 'smartcar/application-management-token' },
};

/** Captured streams, and a fetch that serves the status page and counts its calls. */
function cliIo(confirm?: CliIo['confirm']) {
  const out: string[] = [];
  const err: string[] = [];
  const fetched: string[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    env: {},
    confirm,
    fetch: (async (input: unknown) => {
      fetched.push(String(input));
      return new Response(JSON.stringify(LOCAL_STATUS), { status: 200 });
    }) as typeof fetch,
  };
  return { io, out: () => out.join(''), err: () => err.join(''), fetched };
}

beforeEach(() => {
  s3.reset();
  sqs.reset();
  secretsManager.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'message-1' });
  s3.on(DeleteObjectCommand).resolves({});
  s3.on(PutObjectCommand).resolves({});
});

describe('quarantine and doctor: arguments', () => {
  it.each([
    [['quarantine'], /Missing subcommand: ls, show, release\./],
    [['quarantine', 'purge'], /Unknown subcommand "purge": use ls, show, release\./],
    [['quarantine', 'ls', 'extra'], /Unexpected argument "extra" for "quarantine"/],
    [['quarantine', 'show'], /quarantine show needs --id <id>/],
    [['quarantine', 'ls', '--unmask'], /--unmask applies to quarantine show/],
    [['quarantine', 'release', '--unmask'], /--unmask applies to quarantine show/],
    [['quarantine', 'ls', '--accept-unverified'], /--accept-unverified applies to quarantine release/],
    [['quarantine', 'show', '--id', 'x', '--note', 'why'], /--note applies to quarantine release/],
    [['quarantine', 'ls', '--yes'], /--yes applies to quarantine release/],
    [['quarantine', 'show', '--id', 'x', '--dry-run'], /--dry-run applies to quarantine release/],
    [['quarantine', 'release', '--accept-unverified'], /--accept-unverified needs --note "<why/],
    [['quarantine', 'release', '--accept-unverified', '--note', ' '], /--note needs a non-empty value/],
    [
      ['quarantine', 'ls', '--reason', 'EXPIRED'],
      /--reason must be one of SIGNATURE_MISSING, .*got "EXPIRED"/,
    ],
    [['quarantine', 'ls', '--since', 'yesterday'], /--since must be an ISO time .*got "yesterday"/],
    [['quarantine', 'ls', '--since', '40d'], /spans 40 days/],
    [
      ['quarantine', 'ls', '--local', 'http://127.0.0.1:3000', '--stack', 'S'],
      /--local or --stack, not both/,
    ],
    [['quarantine', 'ls', '--region', 'eu-west-1'], /--region applies to --stack/],
  ])('quarantine: %j exits 2: %s', async (argv, message) => {
    const cli = cliIo();

    const code = await main(argv, cli.io);

    expect(code).toBe(2);
    expect(cli.err()).toMatch(message);
    expect(cli.err()).toContain('Run "smartcar-webhooks quarantine --help" for usage.');
    expect(cli.fetched).toEqual([]);
  });

  it.each([
    [['doctor', 'extra'], /Unexpected argument "extra" for "doctor"/],
    [['doctor', '--unmask'], /Unknown option --unmask for "doctor"/],
    [['doctor', '--reason', 'nope'], /--reason must be one of .*got "nope"/],
    [['doctor', '--since', 'soon'], /--since must be an ISO time .*got "soon"/],
    [['doctor', '--token', ''], /--token needs a non-empty value/],
    [['doctor', '--local', 'http://127.0.0.1:3000', '--stack', 'S'], /--local or --stack, not both/],
  ])('doctor: %j exits 2: %s', async (argv, message) => {
    const cli = cliIo();

    const code = await main(argv, cli.io);

    expect(code).toBe(2);
    expect(cli.err()).toMatch(message);
    expect(cli.err()).toContain('Run "smartcar-webhooks doctor --help" for usage.');
    expect(cli.fetched).toEqual([]);
  });

  it.each([
    [['doctor', '--help'], /^Usage: smartcar-webhooks doctor \[selectors\]/],
    [['quarantine', '--help'], /^Usage: smartcar-webhooks quarantine ls/],
    [['quarantine', 'release', '-h'], /^Usage: smartcar-webhooks quarantine ls/],
    [['help', 'doctor'], /^Usage: smartcar-webhooks doctor/],
  ])('%j prints the command help and exits 0', async (argv, usage) => {
    const cli = cliIo();

    const code = await main(argv, cli.io);

    expect(code).toBe(0);
    expect(cli.out()).toMatch(usage);
    expect(cli.fetched).toEqual([]);
  });

  it('lists quarantine and doctor in the main help', async () => {
    const cli = cliIo();

    await main(['--help'], cli.io);

    expect(cli.out()).toMatch(/^ {2}quarantine <ls\|show\|release> +refused Smartcar deliveries kept/m);
    expect(cli.out()).toMatch(/^ {2}doctor +explain why quarantined deliveries were refused/m);
  });
});

describe('releaseQuarantined', () => {
  const archive = { client: new S3Client({ region: 'us-east-1' }), bucket: BUCKET };
  const options = (overrides: Partial<ReleaseOptions> = {}): ReleaseOptions => ({
    archive,
    sqs: new SQSClient({ region: 'us-east-1' }),
    queueUrl: QUEUE_URL,
    tokens: { current: CURRENT, previous: PREVIOUS },
    releaseId: 'release-20261201T220000-abc123',
    acceptUnverified: false,
    releasedBy: 'operator',
    now: () => NOW,
    ...overrides,
  });
  const event = vehicleStateEvent();
  const body = JSON.stringify(event);
  const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
  const releaseAttributes = (verifiedWith: string) => ({
    eventKey: attribute(event.eventId),
    eventType: attribute('VEHICLE_STATE'),
    deliveryId: attribute(String(event.meta?.deliveryId)),
    verifiedWith: attribute(verifiedWith),
    releaseId: attribute('release-20261201T220000-abc123'),
  });

  it('cleans and cuts the ids it puts in attributes as the receiver does, so SQS takes them', async () => {
    const odd = JSON.stringify({ ...event, eventId: `\u0001${'e'.repeat(300)}` });

    const result = await releaseQuarantined([quarantineItem(odd, { token: CURRENT })], options());

    expect(result.released).toBe(1);
    const sent = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    const eventKey = sent?.MessageAttributes?.eventKey?.StringValue ?? '';
    expect(eventKey.startsWith('\uFFFDe')).toBe(true);
    expect(Array.from(eventKey)).toHaveLength(256);
    expect(sent?.MessageBody).toBe(odd);
  });

  it('sends a delivery that verifies with the current token byte for byte, marked, and removes it', async () => {
    const item = quarantineItem(body, { token: CURRENT });

    const result = await releaseQuarantined([item], options());

    expect(result).toMatchObject({ released: 1, kept: 0, failed: 0 });
    expect(result.log.items).toEqual([
      {
        key: item.key,
        event_key: event.eventId,
        outcome: 'released',
        detail: 'verified with the current token',
      },
    ]);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: QUEUE_URL,
      MessageBody: body,
      MessageAttributes: releaseAttributes('current'),
    });
    expect(s3).toHaveReceivedCommandWith(DeleteObjectCommand, { Bucket: BUCKET, Key: item.key });
  });

  it('marks a delivery signed with the previous token verifiedWith=previous', async () => {
    const result = await releaseQuarantined([quarantineItem(body, { token: PREVIOUS })], options());

    expect(result.released).toBe(1);
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      MessageAttributes: releaseAttributes('previous'),
    });
  });

  it('does not try the previous token when the secret has none', async () => {
    const item = quarantineItem(body, { token: PREVIOUS });

    const result = await releaseQuarantined([item], options({ tokens: { current: CURRENT } }));

    expect(result.kept).toBe(1);
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
  });

  it('sends a body holding U+FFFF as the base64 of its bytes, with bodyEncoding=base64', async () => {
    const unstorable = JSON.stringify({ ...event, data: { ...event.data, note: 'a\uffffb' } });
    const item = quarantineItem(unstorable, { token: CURRENT });

    await releaseQuarantined([item], options());

    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      MessageBody: Buffer.from(unstorable, 'utf8').toString('base64'),
      MessageAttributes: { ...releaseAttributes('current'), bodyEncoding: attribute('base64') },
    });
  });

  it('keeps a delivery that verifies with neither token: nothing sent, nothing deleted', async () => {
    const item = quarantineItem(body, { token: UNKNOWN });

    const result = await releaseQuarantined([item], options());

    expect(result).toMatchObject({ released: 0, kept: 1, failed: 0 });
    expect(result.log.items[0]).toMatchObject({
      outcome: 'kept',
      detail: expect.stringMatching(
        /does not verify with the current or the previous token \(doctor says why\)/,
      ),
    });
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
    expect(s3).not.toHaveReceivedCommand(DeleteObjectCommand);
  });

  it('sends a delivery that does not verify with acceptUnverified, marked verifiedWith=unverified', async () => {
    const item = quarantineItem(body, { token: UNKNOWN });

    const result = await releaseQuarantined([item], options({ acceptUnverified: true, note: 'staging app' }));

    expect(result.log.items[0]).toMatchObject({
      outcome: 'released',
      detail: 'unverified, released as accepted',
    });
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      MessageBody: body,
      MessageAttributes: releaseAttributes('unverified'),
    });
    expect(s3).toHaveReceivedCommandWith(DeleteObjectCommand, { Key: item.key });
  });

  it.each([
    ['no SC-Signature', null],
    ['an SC-Signature that is not a digest', 'sha256=0123abcd'],
  ])('keeps a delivery with %s', async (_what, signature) => {
    const result = await releaseQuarantined([quarantineItem(body, { signature })], options());

    expect(result.kept).toBe(1);
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
  });

  it.each([
    ['no SC-Signature', null],
    ['an SC-Signature that is not a digest', 'sha256=0123abcd'],
  ])('sends a delivery with %s as unverified with acceptUnverified', async (_what, signature) => {
    const result = await releaseQuarantined(
      [quarantineItem(body, { signature })],
      options({ acceptUnverified: true, note: 'checked' }),
    );

    expect(result.released).toBe(1);
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      MessageAttributes: releaseAttributes('unverified'),
    });
  });

  it('keeps a signed body that is not a JSON object: the receiver would refuse it too', async () => {
    const result = await releaseQuarantined(
      [quarantineItem('[1,2,3]', { token: CURRENT })],
      options({ acceptUnverified: true, note: 'checked' }),
    );

    expect(result.log.items[0]).toMatchObject({
      outcome: 'kept',
      detail: expect.stringMatching(/not a JSON object in UTF-8/),
    });
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
  });

  it('keeps the item SQS refuses, not deleted, and goes on with the others', async () => {
    const refused = quarantineItem(body, { token: CURRENT });
    const otherEvent = vehicleStateEvent();
    const taken = quarantineItem(JSON.stringify(otherEvent), { token: CURRENT });
    sqs
      .on(SendMessageCommand, { MessageBody: body })
      .rejects(Object.assign(new Error('Access to the resource is denied'), { name: 'KMS.AccessDenied' }));

    const result = await releaseQuarantined([refused, taken], options());

    expect(result).toMatchObject({ released: 1, kept: 0, failed: 1 });
    expect(result.log.items.map((entry) => [entry.key, entry.outcome])).toEqual([
      [refused.key, 'failed'],
      [taken.key, 'released'],
    ]);
    expect(result.log.items[0]?.detail).toBe(
      'SQS did not take it (KMS.AccessDenied: Access to the resource is denied); still quarantined',
    );
    expect(s3).toHaveReceivedCommandTimes(DeleteObjectCommand, 1);
    expect(s3).toHaveReceivedCommandWith(DeleteObjectCommand, { Key: taken.key });
  });

  it('counts an item as released when SQS took it but the delete failed, and says so', async () => {
    s3.on(DeleteObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));

    const result = await releaseQuarantined([quarantineItem(body, { token: CURRENT })], options());

    expect(result.released).toBe(1);
    expect(result.log.items[0]?.detail).toBe(
      'verified with the current token; could not be removed from the quarantine',
    );
  });

  it('keeps a body larger than one SQS message holds', async () => {
    const large = JSON.stringify({ ...event, padding: 'x'.repeat(LIMITS.maxBodyBytes) });

    const result = await releaseQuarantined([quarantineItem(large, { token: CURRENT })], options());

    expect(result.log.items[0]).toMatchObject({
      outcome: 'kept',
      detail: `${Buffer.byteLength(large)} bytes: larger than one SQS message holds (${LIMITS.maxBodyBytes}); read it with quarantine show.`,
    });
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
  });

  it('keeps a body holding U+FFFF whose base64 is larger than one SQS message holds, and says why', async () => {
    const padding = 'x'.repeat(Math.ceil(LIMITS.maxBodyBytes * 0.8));
    const large = JSON.stringify({ ...event, padding, note: '\uffff' });

    const result = await releaseQuarantined([quarantineItem(large, { token: CURRENT })], options());

    expect(Buffer.byteLength(large)).toBeLessThan(LIMITS.maxBodyBytes);
    expect(result.log.items[0]).toMatchObject({
      outcome: 'kept',
      detail:
        `The request body is ${Buffer.byteLength(large)} bytes; the limit is ${Math.floor((LIMITS.maxBodyBytes * 3) / 4)} ` +
        'bytes: a body holding U+FFFE or U+FFFF is stored as base64, which must fit one SQS message. Read it with quarantine show.',
    });
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
  });

  it('returns what it did, with the error, when the release log cannot be written', async () => {
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    s3.on(PutObjectCommand).rejects(denied);

    const result = await releaseQuarantined([quarantineItem(body, { token: CURRENT })], options());

    expect(result).toMatchObject({
      released: 1,
      logKey: quarantineReleaseKey(NOW, 'release-20261201T220000-abc123'),
      logError: denied,
    });
    expect(s3).toHaveReceivedCommand(DeleteObjectCommand);
  });

  it('writes the release log with who, why and what became of each item', async () => {
    const released = quarantineItem(body, { token: UNKNOWN });
    const kept = quarantineItem('not json', { token: UNKNOWN });

    const result = await releaseQuarantined(
      [released, kept],
      options({ acceptUnverified: true, note: 'sent by our staging app' }),
    );

    const key = quarantineReleaseKey(NOW, 'release-20261201T220000-abc123');
    expect(result.logKey).toBe(key);
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: BUCKET,
      Key: key,
      ContentType: 'application/json',
    });
    const input = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(JSON.parse(String(input?.Body))).toEqual({
      release_id: 'release-20261201T220000-abc123',
      released_at: new Date(NOW).toISOString(),
      released_by: 'operator',
      note: 'sent by our staging app',
      accept_unverified: true,
      items: [
        {
          key: released.key,
          event_key: event.eventId,
          outcome: 'released',
          detail: 'unverified, released as accepted',
        },
        {
          key: kept.key,
          event_key: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
          outcome: 'kept',
          detail: expect.stringMatching(/not a JSON object/),
        },
      ],
    });
  });
});

describe('quarantine release through the CLI (mocked AWS)', () => {
  let items: QuarantineItem[];

  /** The local quarantine holds `items`; the token secret has CURRENT only. */
  function quarantineHolds(held: QuarantineItem[]) {
    items = held;
    s3.on(ListObjectsV2Command).resolves({});
    for (const item of held) {
      s3.on(ListObjectsV2Command, {
        Prefix: quarantineDayPrefix(Date.parse(item.record.quarantined_at)),
      }).resolves({ Contents: held.map((entry) => ({ Key: entry.key })) });
      s3.on(GetObjectCommand, { Key: item.key }).resolves({
        Body: { transformToString: async () => JSON.stringify(item.record) } as never,
      });
    }
    secretsManager
      .on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' })
      .resolves({ SecretString: CURRENT });
    secretsManager
      .on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' })
      .rejects(Object.assign(new Error('no previous'), { name: 'ResourceNotFoundException' }));
  }

  beforeEach(() => {
    quarantineHolds([
      quarantineItem(JSON.stringify(vehicleStateEvent()), { token: CURRENT, atMs: Date.now() - 60_000 }),
      quarantineItem(JSON.stringify(vehicleStateEvent()), { token: UNKNOWN, atMs: Date.now() - 30_000 }),
    ]);
  });

  it('prints one parseable document for --dry-run --json, and sends nothing', async () => {
    const cli = cliIo();

    const code = await main(['quarantine', 'release', '--dry-run', '--json'], cli.io);

    expect(code).toBe(0);
    expect(JSON.parse(cli.out())).toEqual({
      dryRun: true,
      selected: 2,
      wouldRelease: expect.any(Number),
      items: items.map((item) =>
        expect.objectContaining({ id: item.id, key: item.key, wouldRelease: expect.any(Boolean) }),
      ),
    });
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
  });

  it('asks before it enqueues unverified deliveries, and sends nothing when the answer is no', async () => {
    const questions: string[] = [];
    const cli = cliIo(async (question) => {
      questions.push(question);
      return false;
    });

    const code = await main(['quarantine', 'release', '--accept-unverified', '--note', 'checked'], cli.io);

    expect(code).toBe(1);
    expect(questions).toEqual([
      expect.stringMatching(/^Enqueue 2 quarantined deliveries even if they do not verify\?/),
    ]);
    expect(cli.err()).toMatch(/Not confirmed: nothing released. Pass --yes/);
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('does not ask with --yes', async () => {
    const cli = cliIo(async () => {
      throw new Error('asked although --yes was given');
    });

    const code = await main(
      ['quarantine', 'release', '--accept-unverified', '--note', 'checked', '--yes'],
      cli.io,
    );

    expect(code).toBe(0);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 2);
  });

  it('names the missing permission, and what was already done, when the release log cannot be written', async () => {
    s3.on(PutObjectCommand).rejects(
      Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
    );
    const cli = cliIo();

    const code = await main(['quarantine', 'release'], cli.io);

    expect(code).toBe(1);
    expect(cli.err()).toMatch(new RegExp(`AWS denied s3:PutObject on s3://${BUCKET}/quarantine/releases/`));
    expect(cli.err()).toMatch(/1 released, 1 kept, 0 failed before the log was written/);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
  });
});
