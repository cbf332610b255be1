import { userInfo } from 'node:os';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DeleteMessageCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  QUARANTINE_DELIVERIES_PREFIX,
  QUARANTINE_PREFIX,
  QUARANTINE_RELEASES_PREFIX,
  type QuarantineReleaseLog,
} from '../../lambdas/contract';
import type { CliIo } from '../../local/cli/io';
import { main } from '../../local/cli/main';
import { LOCAL_AWS } from '../../local/local-aws';
import type { QuarantineItem } from '../../local/quarantine/quarantine-store';
import { type SecretsManagerStub, startSecretsManagerStub } from '../../local/secrets-manager-stub';
import { vehicleErrorEvent, vehicleStateEvent } from '../support/builders';
import { quarantineItem } from '../support/quarantine-records';
import { type LocalSqsProcess, startLocalSqsProcess } from './support/local-sqs';

/**
 * `quarantine` and `doctor` against a real quarantine: objects in fauxqs's S3 as the receiver
 * writes them, the token secret in the Secrets Manager stub (rotated once, so it has AWSCURRENT
 * and AWSPREVIOUS), releases onto fauxqs's queue. The CLI finds all three through the emulator's
 * status page, served by a stub fetch.
 */

const BUCKET = 'smartcar-webhooks-archive';
const SECRET_ID = 'smartcar/application-management-token';
const PREVIOUS = 'amt-previous-3e1d0c9b8a';
const CURRENT = 'amt-current-6f5e4d3c2b';
const UNKNOWN = 'amt-unknown-1a2b3c4d5e';
const VIN = '5YJ3E1EA7KF000316'; // the builders' VIN
const LATITUDE = '61.1111'; // the builders' latitude
const MINUTE = 60_000;
const NOW = Date.now();

let sqs: LocalSqsProcess;
let secrets: SecretsManagerStub;
let s3: S3Client;
let queue: SQSClient;
/** The stub's clock: dates the secret's versions. */
let clock = NOW - 10 * 24 * 60 * MINUTE;

const withNote = (note: string) => JSON.stringify({ ...vehicleStateEvent(), note });
const old = vehicleStateEvent();

/** The quarantine: what each item is, oldest first, as the receiver refused them. */
const ITEMS = {
  // Refused before the token was fixed: verifies now.
  current1: quarantineItem(JSON.stringify(vehicleStateEvent()), {
    token: CURRENT,
    atMs: NOW - 2 * 24 * 60 * MINUTE,
    id: 'c0000001-0000-4000-8000-000000000001',
  }),
  current2: quarantineItem(withNote('Café Müller'), {
    token: CURRENT,
    atMs: NOW - 50 * MINUTE,
    id: 'c0000002-0000-4000-8000-000000000002',
  }),
  // Signed with the value the secret held before: releasable, but the Dashboard still uses it.
  previous1: quarantineItem(JSON.stringify(vehicleErrorEvent()), {
    token: PREVIOUS,
    atMs: NOW - 40 * MINUTE,
    id: 'b0000001-0000-4000-8000-000000000001',
  }),
  previous2: quarantineItem(withNote('holds U+FFFF: \uffff'), {
    token: PREVIOUS,
    atMs: NOW - 30 * MINUTE,
    id: 'b0000002-0000-4000-8000-000000000002',
  }),
  // Signed with a token that was never stored.
  unknown: quarantineItem(JSON.stringify(vehicleStateEvent()), {
    token: UNKNOWN,
    atMs: NOW - 20 * MINUTE,
    id: 'a0000001-0000-4000-8000-000000000001',
  }),
  // Genuine, refused for its age.
  replayed: quarantineItem(
    JSON.stringify({ ...old, meta: { ...old.meta, deliveredAt: NOW - 70 * MINUTE } }),
    {
      token: CURRENT,
      reason: 'OUTSIDE_REPLAY_WINDOW',
      atMs: NOW - 10 * MINUTE,
      id: 'd0000001-0000-4000-8000-000000000001',
    },
  ),
  // No SC-Signature at all, from another client version.
  unsigned: quarantineItem(JSON.stringify(vehicleStateEvent()), {
    signature: null,
    atMs: NOW - 5 * MINUTE,
    id: 'e0000001-0000-4000-8000-000000000001',
    overrides: { headers: { 'user-agent': 'Smartcar/webhooks (v2)', 'content-type': 'application/json' } },
  }),
} satisfies Record<string, QuarantineItem>;
const ALL = Object.values(ITEMS);
const VERIFYING = [ITEMS.current1, ITEMS.current2, ITEMS.previous1, ITEMS.previous2, ITEMS.replayed];
const NOT_VERIFYING = [ITEMS.unknown, ITEMS.unsigned];

/** The status page `npm start` serves, pointing at this test's fauxqs and Secrets Manager stub. */
function statusDocument() {
  return {
    sqs: {
      endpoint: sqs.endpoint,
      region: LOCAL_AWS.region,
      queueUrl: sqs.queue.url,
      queueArn: sqs.queue.arn,
      deadLetterQueueUrl: sqs.deadLetterQueue.url,
    },
    archive: { endpoint: sqs.endpoint, region: LOCAL_AWS.region, bucket: BUCKET, state: 'up', objects: 0 },
    secretsManager: { endpoint: secrets.endpoint, secretId: SECRET_ID },
  };
}

/** Runs the CLI with captured streams; `confirm` answers --accept-unverified's question. */
async function cli(argv: string[], confirm?: (question: string) => Promise<boolean>) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    env: {},
    confirm,
    fetch: (async (input: unknown) => {
      if (!String(input).endsWith('/_local/status')) throw new Error(`unexpected fetch ${String(input)}`);
      return new Response(JSON.stringify(statusDocument()), { status: 200 });
    }) as typeof fetch,
  };
  const code = await main(argv, io);
  return { code, out: out.join(''), err: err.join('') };
}

async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken }),
    );
    keys.push(...(page.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [object.Key])));
    ContinuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (ContinuationToken !== undefined);
  return keys.sort();
}

/** Empties the quarantine and its release log, then puts every item back as the receiver wrote it. */
async function seedQuarantine(items: readonly QuarantineItem[] = ALL): Promise<void> {
  for (const key of await keysUnder(QUARANTINE_PREFIX)) {
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
  }
  for (const item of items) {
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: item.key,
        Body: JSON.stringify(item.record),
        ContentType: 'application/json',
      }),
    );
  }
}

/** Every message on the main queue, removed from it. */
async function drainQueue(): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const { Messages = [] } = await queue.send(
      new ReceiveMessageCommand({
        QueueUrl: sqs.queue.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return messages;
    for (const message of Messages) {
      messages.push(message);
      await queue.send(
        new DeleteMessageCommand({ QueueUrl: sqs.queue.url, ReceiptHandle: message.ReceiptHandle }),
      );
    }
  }
}

/** The bytes a message carries, decoded as the processor decodes them. */
function messageBytes(message: Message): Buffer {
  const base64 = message.MessageAttributes?.bodyEncoding?.StringValue === 'base64';
  return Buffer.from(message.Body ?? '', base64 ? 'base64' : 'utf8');
}

const bodyOf = (item: QuarantineItem) => Buffer.from(item.record.body_base64, 'base64');

/** The release logs written, parsed. */
async function releaseLogs(): Promise<QuarantineReleaseLog[]> {
  const logs: QuarantineReleaseLog[] = [];
  for (const key of await keysUnder(QUARANTINE_RELEASES_PREFIX)) {
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    logs.push(JSON.parse(String(await object.Body?.transformToString('utf8'))) as QuarantineReleaseLog);
  }
  return logs;
}

/** A token or a whole signature in some output. */
function secretsIn(text: string): string[] {
  const signatures = ALL.map((item) => item.record.headers['sc-signature']).filter(
    (signature): signature is string => signature !== undefined,
  );
  return [CURRENT, PREVIOUS, UNKNOWN, ...signatures].filter((secret) => text.includes(secret));
}

beforeAll(async () => {
  [sqs, secrets] = await Promise.all([
    startLocalSqsProcess(),
    startSecretsManagerStub({ [SECRET_ID]: PREVIOUS }, { now: () => clock }),
  ]);
  // The rotation, three days ago: CURRENT becomes AWSCURRENT, PREVIOUS AWSPREVIOUS.
  clock = NOW - 3 * 24 * 60 * MINUTE;
  secrets.putSecretValue(SECRET_ID, CURRENT);
  const config = { region: LOCAL_AWS.region, endpoint: sqs.endpoint, credentials: LOCAL_AWS.credentials };
  s3 = new S3Client({ ...config, forcePathStyle: true });
  queue = new SQSClient(config);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await seedQuarantine();
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  queue?.destroy();
  await Promise.all([sqs?.stop(), secrets?.close()]);
});

describe('quarantine ls', () => {
  it('prints the count, the counts by reason, first and last seen, user agents and one line per item', async () => {
    const { code, out } = await cli(['quarantine', 'ls']);

    expect(code).toBe(0);
    expect(out).toMatch(/^7 quarantined deliveries in the local emulator at http:\/\/127\.0\.0\.1:\d+\.$/m);
    expect(out).toContain('by reason: SIGNATURE_MISSING 1, SIGNATURE_MISMATCH 5, OUTSIDE_REPLAY_WINDOW 1');
    expect(out).toContain(
      `first seen ${ITEMS.current1.record.quarantined_at}, last seen ${ITEMS.unsigned.record.quarantined_at}`,
    );
    expect(out).toContain('user agents: Smartcar/webhooks (v3) 6, Smartcar/webhooks (v2) 1');
    const lines = out.split('\n');
    for (const item of ALL) {
      expect(lines.filter((line) => line.includes(item.id))).toEqual([
        expect.stringContaining(`${item.record.quarantined_at}  ${item.record.reason}`),
      ]);
    }
    expect(secretsIn(out)).toEqual([]);
  });

  it('prints one parseable document with --json, oldest first', async () => {
    const { code, out } = await cli(['quarantine', 'ls', '--json']);

    expect(code).toBe(0);
    const listed = JSON.parse(out) as { summary: { total: number; signed: number }; items: { id: string }[] };
    expect(listed.summary).toMatchObject({ total: 7, signed: 1 });
    expect(listed.items.map((item) => item.id)).toEqual(ALL.map((item) => item.id));
  });

  it.each([
    ['OUTSIDE_REPLAY_WINDOW', [ITEMS.replayed]],
    ['signature_missing', [ITEMS.unsigned]],
  ])('selects by --reason %s', async (reason, expected) => {
    const { out } = await cli(['quarantine', 'ls', '--reason', reason, '--json']);

    expect((JSON.parse(out) as { items: { id: string }[] }).items.map((item) => item.id)).toEqual(
      expected.map((item) => item.id),
    );
  });

  it('selects by --since', async () => {
    const { out } = await cli(['quarantine', 'ls', '--since', '1h', '--json']);

    expect((JSON.parse(out) as { items: unknown[] }).items).toHaveLength(6);
  });
});

describe('quarantine show', () => {
  it('prints the refusal, the headers and the body with its VIN and location masked', async () => {
    const { code, out } = await cli(['quarantine', 'show', '--id', ITEMS.current1.id]);

    expect(code).toBe(0);
    expect(out).toContain(`${ITEMS.current1.id} (s3 key ${ITEMS.current1.key})`);
    expect(out).toContain('401 SIGNATURE_MISMATCH');
    expect(out).toContain('user-agent: Smartcar/webhooks (v3)');
    expect(out).toContain('content-type: application/json');
    expect(out).toContain(`"eventId": "${ITEMS.current1.record.event_id}"`);
    expect(out).toContain('«masked»');
    expect(out).not.toContain(VIN);
    expect(out).not.toContain(LATITUDE);
    expect(out).toMatch(/VIN and locations masked; --unmask shows them/);
  });

  it('finds an item by its eventId too, and shows the VIN and location with --unmask', async () => {
    const { code, out } = await cli([
      'quarantine',
      'show',
      '--id',
      String(ITEMS.current1.record.event_id),
      '--unmask',
    ]);

    expect(code).toBe(0);
    expect(out).toContain(ITEMS.current1.id);
    expect(out).toContain(VIN);
    expect(out).toContain(LATITUDE);
    expect(out).not.toContain('«masked»');
  });

  it('exits 1 and says where it looked for an unknown id', async () => {
    const { code, out, err } = await cli(['quarantine', 'show', '--id', 'no-such-delivery']);

    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(
      /^✘ No quarantined delivery no-such-delivery in the local emulator at \S+: check the id \(quarantine ls\), or look further back with --since\./,
    );
  });
});

describe('doctor', () => {
  it('groups the quarantine by cause with counts, and exits 1 while some do not verify', async () => {
    const { code, out } = await cli(['doctor']);

    expect(code).toBe(1);
    expect(out).toMatch(/^7 quarantined deliveries in .*, tried with current, previous tokens:$/m);
    expect(out).toContain('by reason: SIGNATURE_MISSING 1, SIGNATURE_MISMATCH 5, OUTSIDE_REPLAY_WINDOW 1');
    expect(out).toMatch(/^2 of 7: verifies now with the current token \(e\.g\. --id c0000001-/m);
    expect(out).toMatch(/^2 of 7: signed with the previous token \(AWSPREVIOUS\) \(e\.g\. --id b0000001-/m);
    expect(out).toMatch(
      /^1 of 7: matches nothing: no token tried signed any form of this body \(e\.g\. --id a0000001-/m,
    );
    expect(out).toMatch(
      /^1 of 7: genuine \(signed with the current token\), refused for its age \(e\.g\. --id d0000001-/m,
    );
    expect(out).toMatch(/^1 of 7: no SC-Signature header \(e\.g\. --id e0000001-/m);
    expect(out).toContain('5 of 7 verify now: npm run cli -- quarantine release');
    expect(secretsIn(out)).toEqual([]);
  });

  it('says when the stored token changed for the previous-token group', async () => {
    const { out } = await cli(['doctor', '--id', ITEMS.previous1.id]);

    const changed = new Date(NOW - 3 * 24 * 60 * MINUTE).toISOString().slice(0, 10);
    expect(out).toContain(`the stored token changed on ${changed} but Smartcar still signs with the old one`);
  });

  it.each([
    [ITEMS.current2, 0, 'verifies now with the current token'],
    [ITEMS.unknown, 1, 'matches nothing: no token tried signed any form of this body'],
  ])('diagnoses one item with --id (%#)', async (item, exitCode, summary) => {
    const { code, out } = await cli(['doctor', '--id', item.id]);

    expect(code).toBe(exitCode);
    expect(out.split('\n').slice(0, 2)).toEqual([
      `${item.id}: refused ${item.record.quarantined_at} with SIGNATURE_MISMATCH`,
      `  ${summary}`,
    ]);
    expect(secretsIn(out)).toEqual([]);
  });

  it('names the token given with --token as the one that signed, without printing it', async () => {
    const { code, out } = await cli(['doctor', '--token', UNKNOWN]);

    expect(code).toBe(1);
    expect(out).toMatch(/tried with current, previous, given tokens:/);
    expect(out).toMatch(/^1 of 7: signed with the token you gave \(--token\) \(e\.g\. --id a0000001-/m);
    expect(out).toContain('restart `npm start` with it');
    expect(out).not.toMatch(/matches nothing/);
    expect(secretsIn(out)).toEqual([]);
  });

  it('prints one parseable document with --json', async () => {
    const { code, out } = await cli(['doctor', '--json']);

    expect(code).toBe(1);
    const report = JSON.parse(out) as {
      total: number;
      releasable: number;
      groups: { verdict: string; count: number }[];
    };
    expect(report).toMatchObject({ total: 7, releasable: 5 });
    expect(report.groups.map((group) => [group.verdict, group.count])).toEqual([
      ['verifies', 2],
      ['previous-token', 2],
      ['no-match', 1],
      ['genuine-refused', 1],
      ['no-signature', 1],
    ]);
    expect(secretsIn(out)).toEqual([]);
  });
});

describe('quarantine release', () => {
  beforeEach(async () => {
    await seedQuarantine();
    await drainQueue();
  });

  it('--dry-run says which it would release and which keep, and sends nothing', async () => {
    const { code, out } = await cli(['quarantine', 'release', '--dry-run']);
    const lineOf = (item: QuarantineItem) => out.split('\n').find((line) => line.includes(item.id)) ?? '';

    expect(code).toBe(0);
    expect(out).toMatch(/^Would re-verify 7 quarantined deliveries; 5 would be released:$/m);
    for (const item of VERIFYING) expect(lineOf(item)).toMatch(/would release \((current|previous)\)$/);
    for (const item of NOT_VERIFYING) expect(lineOf(item)).toMatch(/would keep: does not verify$/);
    expect(out).toMatch(/Dry run: nothing sent\./);
    expect(await drainQueue()).toEqual([]);
    expect(await keysUnder(QUARANTINE_DELIVERIES_PREFIX)).toEqual(ALL.map((item) => item.key).sort());
    expect(await releaseLogs()).toEqual([]);
  });

  it('sends exactly what verifies, byte for byte and marked, keeps the rest, and logs the run', async () => {
    const { code, out } = await cli(['quarantine', 'release']);

    // Something was kept: exit 1, so a script notices (the kept ones are what doctor explains).
    expect(code).toBe(1);
    const releaseId = /Released 5 of 7 as (release-\S+); 2 kept, 0 failed\./.exec(out)?.[1];
    expect(releaseId).toBeDefined();
    expect(out).toMatch(/What was kept does not verify yet: npm run cli -- doctor says why\./);

    const messages = await drainQueue();
    expect(messages.map(messageBytes).sort(Buffer.compare)).toEqual(
      VERIFYING.map(bodyOf).sort(Buffer.compare),
    );
    const attributesOf = (item: QuarantineItem) => {
      const message = messages.find((candidate) => messageBytes(candidate).equals(bodyOf(item)));
      return Object.fromEntries(
        Object.entries(message?.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
      );
    };
    expect(attributesOf(ITEMS.current1)).toEqual({
      eventKey: ITEMS.current1.record.event_id,
      eventType: 'VEHICLE_STATE',
      deliveryId: ITEMS.current1.record.delivery_id,
      verifiedWith: 'current',
      releaseId,
    });
    expect(attributesOf(ITEMS.previous1)).toMatchObject({
      eventType: 'VEHICLE_ERROR',
      verifiedWith: 'previous',
    });
    expect(attributesOf(ITEMS.previous2)).toMatchObject({ verifiedWith: 'previous', bodyEncoding: 'base64' });
    expect(attributesOf(ITEMS.replayed)).toMatchObject({ verifiedWith: 'current', releaseId });

    expect(await keysUnder(QUARANTINE_DELIVERIES_PREFIX)).toEqual(
      NOT_VERIFYING.map((item) => item.key).sort(),
    );
    const [log, ...more] = await releaseLogs();
    expect(more).toEqual([]);
    expect(log).toMatchObject({
      release_id: releaseId,
      released_by: userInfo().username,
      accept_unverified: false,
    });
    expect(log?.note).toBeUndefined();
    expect(new Map(log?.items.map((entry) => [entry.key, entry.outcome]))).toEqual(
      new Map([
        ...VERIFYING.map((item) => [item.key, 'released'] as const),
        ...NOT_VERIFYING.map((item) => [item.key, 'kept'] as const),
      ]),
    );
    expect(secretsIn(out)).toEqual([]);
  });

  it('exits 1 when it kept what it selected and released nothing', async () => {
    const { code, out } = await cli(['quarantine', 'release', '--id', ITEMS.unknown.id]);

    expect(code).toBe(1);
    expect(out).toMatch(/Released 0 of 1 as release-\S+; 1 kept, 0 failed\./);
    expect(await drainQueue()).toEqual([]);
    expect(await keysUnder(QUARANTINE_DELIVERIES_PREFIX)).toContain(ITEMS.unknown.key);
  });

  it('--accept-unverified sends nothing when the confirmation is refused', async () => {
    const questions: string[] = [];

    const { code, err } = await cli(
      ['quarantine', 'release', '--accept-unverified', '--note', 'our staging app'],
      async (question) => {
        questions.push(question);
        return false;
      },
    );

    expect(code).toBe(1);
    expect(questions).toHaveLength(1);
    expect(err).toMatch(/Not confirmed: nothing released\. Pass --yes to confirm without a prompt\./);
    expect(await drainQueue()).toEqual([]);
    expect(await keysUnder(QUARANTINE_DELIVERIES_PREFIX)).toHaveLength(ALL.length);
    expect(await releaseLogs()).toEqual([]);
  });

  it('--accept-unverified, once confirmed, sends the rest marked unverified and logs the note', async () => {
    await cli(['quarantine', 'release']);
    await drainQueue();

    const { code, out } = await cli(
      [
        'quarantine',
        'release',
        '--accept-unverified',
        '--note',
        'our staging app, checked with Smartcar support',
      ],
      async () => true,
    );

    expect(code).toBe(0);
    expect(out).toMatch(
      /Released 2 of 2 as release-\S+ \(unverified accepted by \S+: "our staging app, checked with Smartcar support"\)/,
    );
    const messages = await drainQueue();
    expect(messages.map(messageBytes).sort(Buffer.compare)).toEqual(
      NOT_VERIFYING.map(bodyOf).sort(Buffer.compare),
    );
    for (const message of messages)
      expect(message.MessageAttributes?.verifiedWith?.StringValue).toBe('unverified');
    expect(await keysUnder(QUARANTINE_DELIVERIES_PREFIX)).toEqual([]);
    const logs = await releaseLogs();
    expect(logs).toHaveLength(2);
    expect(logs.find((log) => log.accept_unverified)).toMatchObject({
      note: 'our staging app, checked with Smartcar support',
      items: NOT_VERIFYING.map(() => expect.objectContaining({ outcome: 'released' })),
    });
  });

  it('--accept-unverified --yes does not ask', async () => {
    const { code } = await cli(
      [
        'quarantine',
        'release',
        '--id',
        ITEMS.unsigned.id,
        '--accept-unverified',
        '--note',
        'checked',
        '--yes',
      ],
      async () => {
        throw new Error('asked although --yes was given');
      },
    );

    expect(code).toBe(0);
    const messages = await drainQueue();
    expect(messages.map(messageBytes)).toEqual([bodyOf(ITEMS.unsigned)]);
    expect(messages[0]?.MessageAttributes?.verifiedWith?.StringValue).toBe('unverified');
  });
});
