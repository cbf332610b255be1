import { PutObjectCommand, type PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  METRICS,
  QUARANTINE_DELIVERIES_PREFIX,
  QUARANTINE_MISS_CAUSES,
  type QuarantineRecord,
  parseQuarantineKey,
} from '../../lambdas/contract';
import { QUARANTINE_BUDGET } from '../../lambdas/receiver/tuning';
import { QUARANTINE_DEFAULTS, RECEIVER_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import {
  apiGatewayEvent,
  fixedTokens,
  receiverHarness,
  recordingMetrics,
  sign,
  signedRequest,
  TEST_TOKEN,
  vehicleStateEvent,
  verifyEvent,
} from '../../local/kit';

const s3Mock = mockClient(S3Client);
const sqsMock = mockClient(SQSClient);
const BUCKET = 'archive-bucket';
const WRONG_TOKEN = 'a-token-of-another-smartcar-application-0123';

beforeEach(() => {
  s3Mock.reset();
  sqsMock.reset();
  s3Mock.on(PutObjectCommand).resolves({});
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
});

/** One receiver execution environment with the quarantine on, a fixed clock and recorded metrics. */
function receiver(options: { now?: () => number; maxBodyBytes?: number; quarantine?: boolean } = {}) {
  const metrics = recordingMetrics();
  const harness = receiverHarness({
    config: {
      maxBodyBytes: options.maxBodyBytes ?? RECEIVER_DEFAULTS.maxBodyBytes,
      ...(options.quarantine === false
        ? {}
        : {
            quarantineBucketName: BUCKET,
            quarantineWritesPerSecond: QUARANTINE_DEFAULTS.writesPerSecond,
            quarantineBurst: QUARANTINE_DEFAULTS.burst,
          }),
    },
    sqs: new SQSClient({ region: 'eu-west-1' }),
    s3: new S3Client({ region: 'eu-west-1' }),
    metrics,
    now: options.now,
    replace: { tokens: fixedTokens(TEST_TOKEN) },
  });
  return { metrics, invoke: harness.invoke };
}

function puts(): PutObjectCommandInput[] {
  return s3Mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
}

function storedRecord(input: PutObjectCommandInput): QuarantineRecord {
  return JSON.parse(String(input.Body)) as QuarantineRecord;
}

/** A Smartcar-shaped delivery signed with a token that is not the receiver's. */
function wronglySigned(
  payload: Parameters<typeof signedRequest>[0] = vehicleStateEvent(),
): APIGatewayProxyEventV2 {
  return signedRequest(payload, { token: WRONG_TOKEN });
}

function withHeaders(event: APIGatewayProxyEventV2, headers: Record<string, string | undefined>) {
  return { ...event, headers: { ...event.headers, ...headers } };
}

const hoursAgo = (hours: number) => Date.now() - hours * 3_600_000;

/** A VEHICLE_STATE of at least `bytes` bytes (an unknown field carries the padding). */
function bodyOfSize(bytes: number, padding = ''): string {
  const base = JSON.stringify(vehicleStateEvent({ padding }));
  return base.length >= bytes ? base : bodyOfSize(bytes, 'x'.repeat(bytes - base.length + padding.length));
}

describe('the quarantine keeps refused Smartcar-shaped deliveries', () => {
  it.each([
    ['a wrong token', () => wronglySigned(), 401, 'SIGNATURE_MISMATCH', false],
    [
      'no SC-Signature',
      () => withHeaders(wronglySigned(), { 'sc-signature': undefined }),
      401,
      'SIGNATURE_MISSING',
      false,
    ],
    [
      'a malformed SC-Signature',
      () => withHeaders(wronglySigned(), { 'sc-signature': 'abc123' }),
      401,
      'SIGNATURE_MALFORMED',
      false,
    ],
    [
      'a genuine delivery outside the replay window',
      () =>
        signedRequest(
          vehicleStateEvent({ meta: { deliveryId: 'd-old', deliveredAt: hoursAgo(2), mode: 'LIVE' } }),
        ),
      400,
      'OUTSIDE_REPLAY_WINDOW',
      true,
    ],
    [
      'a genuine delivery too large for SQS',
      () => signedRequest(bodyOfSize(RECEIVER_DEFAULTS.maxBodyBytes + 1_000)),
      413,
      'PAYLOAD_TOO_LARGE',
      true,
    ],
  ])(
    '%s: answered as before, kept byte for byte, counted',
    async (_case, request, status, reason, signed) => {
      const { invoke, metrics } = receiver();
      const event = request();
      const response = await invoke(event);

      expect(response.statusCode).toBe(status);
      expect(JSON.parse(String(response.body)).error).toBe(reason);
      expect(puts()).toHaveLength(1);
      const [put] = puts();
      expect(put?.Bucket).toBe(BUCKET);
      expect(put?.Key?.startsWith(QUARANTINE_DELIVERIES_PREFIX)).toBe(true);
      expect(parseQuarantineKey(put?.Key ?? '')?.reason).toBe(reason);
      const record = storedRecord(put as PutObjectCommandInput);
      expect(Buffer.from(record.body_base64, 'base64').equals(Buffer.from(event.body ?? '', 'utf8'))).toBe(
        true,
      );
      expect(record).toMatchObject({ reason, status_code: status, signed, is_base64_encoded: false });
      expect(record.headers['user-agent']).toBe('Smartcar/1.0');
      expect(record.headers['sc-signature']).toBe(event.headers['sc-signature']);
      expect(record.request_id).toBe(event.requestContext.requestId);
      expect(metrics.counts).toContainEqual({ name: METRICS.deliveriesQuarantined, dimensions: { reason } });
      expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
    },
  );

  it('keeps the ids and the envelope version the body names, and no other headers', async () => {
    const { invoke } = receiver();
    const event = withHeaders(wronglySigned(), {
      authorization: 'Bearer secret-of-a-proxy',
      'x-forwarded-for': '203.0.113.9',
    });
    await invoke(event);

    const record = storedRecord(puts()[0] as PutObjectCommandInput);
    const payload = JSON.parse(event.body ?? '{}') as { eventId: string; meta: { deliveryId: string } };
    expect(record.event_id).toBe(payload.eventId);
    expect(record.delivery_id).toBe(payload.meta.deliveryId);
    expect(record.event_type).toBe('VEHICLE_STATE');
    expect(record.envelope_version).toBe('4.0');
    expect(Object.keys(record.headers).sort()).toEqual(['content-type', 'sc-signature', 'user-agent']);
    expect(JSON.stringify(record)).not.toContain('secret-of-a-proxy');
    expect(JSON.stringify(record)).not.toContain('203.0.113.9');
    expect(JSON.stringify(record)).not.toContain(TEST_TOKEN);
  });

  it('keeps the decoded bytes of a base64 body (what was signed), saying it came base64', async () => {
    const { invoke } = receiver();
    const body = `\uFEFF${JSON.stringify(vehicleStateEvent())}`;
    await invoke(signedRequest(body, { token: WRONG_TOKEN, base64: true }));

    const record = storedRecord(puts()[0] as PutObjectCommandInput);
    expect(Buffer.from(record.body_base64, 'base64').toString('utf8')).toBe(body);
    expect(record.is_base64_encoded).toBe(true);
  });
});

describe('the quarantine keeps nothing else', () => {
  it.each([
    [
      'a request without a Smartcar User-Agent',
      () => withHeaders(wronglySigned(), { 'user-agent': 'curl/8.5.0' }),
    ],
    [
      'a body that is no Smartcar event',
      () =>
        apiGatewayEvent({
          body: JSON.stringify({ hello: 'world' }),
          headers: { 'sc-signature': sign('{"hello":"world"}', WRONG_TOKEN) },
        }),
    ],
    [
      'a body that is no JSON',
      () => apiGatewayEvent({ body: 'not json', headers: { 'sc-signature': 'ab'.repeat(32) } }),
    ],
    ['a GET', () => apiGatewayEvent({ method: 'GET' })],
    ['a PUT', () => apiGatewayEvent({ method: 'PUT', body: JSON.stringify(vehicleStateEvent()) })],
    ['an accepted delivery', () => signedRequest(vehicleStateEvent())],
    ['a VERIFY', () => apiGatewayEvent({ body: JSON.stringify(verifyEvent()) })],
  ])('%s', async (_case, request) => {
    const { invoke, metrics } = receiver();
    await invoke(request());

    expect(puts()).toHaveLength(0);
    expect(metrics.countOf(METRICS.deliveriesQuarantined)).toBe(0);
    expect(metrics.countOf(METRICS.quarantineMisses)).toBe(0);
  });

  it('keeps nothing, and loads no S3 client, when the quarantine is off', async () => {
    const { invoke, metrics } = receiver({ quarantine: false });
    const response = await invoke(wronglySigned());

    expect(response.statusCode).toBe(401);
    expect(puts()).toHaveLength(0);
    expect(metrics.countOf(METRICS.quarantineMisses)).toBe(0);
  });

  it('counts a body larger than the quarantine keeps, and still answers 413', async () => {
    const { invoke, metrics } = receiver();
    const response = await invoke(signedRequest(bodyOfSize(QUARANTINE_BUDGET.maxBodyBytes + 1)));

    expect(response.statusCode).toBe(413);
    expect(puts()).toHaveLength(0);
    expect(metrics.counts).toContainEqual({
      name: METRICS.quarantineMisses,
      dimensions: { cause: QUARANTINE_MISS_CAUSES.tooLarge },
    });
  });
});

describe('a failed quarantine write changes nothing in the answer', () => {
  it('S3 refusing the write: still 401, counted as a miss', async () => {
    s3Mock.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const { invoke, metrics } = receiver();
    const response = await invoke(wronglySigned());

    expect(response.statusCode).toBe(401);
    expect(JSON.parse(String(response.body)).error).toBe('SIGNATURE_MISMATCH');
    expect(metrics.counts).toContainEqual({
      name: METRICS.quarantineMisses,
      dimensions: { cause: QUARANTINE_MISS_CAUSES.writeFailed },
    });
    expect(metrics.countOf(METRICS.deliveriesQuarantined)).toBe(0);
  });

  it('S3 never answering: the refusal is answered anyway (the write budget cuts it off)', async () => {
    s3Mock.on(PutObjectCommand).callsFake(() => new Promise(() => undefined));
    const { invoke, metrics } = receiver();
    const response = await invoke(wronglySigned());

    expect(response.statusCode).toBe(401);
    expect(metrics.counts).toContainEqual({
      name: METRICS.quarantineMisses,
      dimensions: { cause: QUARANTINE_MISS_CAUSES.writeFailed },
    });
  });

  it('a retry of a delivery whose write failed is written when S3 is back', async () => {
    s3Mock.on(PutObjectCommand).rejectsOnce(new Error('SlowDown')).resolves({});
    const { invoke } = receiver();
    const event = wronglySigned();
    await invoke(event);
    await invoke(event);

    expect(puts()).toHaveLength(2);
  });
});

describe('the rate bound holds under a flood', () => {
  it('writes at most the burst at once, then the sustained rate, and answers every request', async () => {
    let nowMs = Date.now();
    const { invoke, metrics } = receiver({ now: () => nowMs });
    const flood = Array.from({ length: 300 }, () => wronglySigned());
    const answers = [];
    for (const request of flood) answers.push(await invoke(request));

    expect(answers.every((answer) => answer.statusCode === 401)).toBe(true);
    expect(puts()).toHaveLength(QUARANTINE_DEFAULTS.burst);
    expect(metrics.counts.filter((entry) => entry.name === METRICS.quarantineMisses)).toHaveLength(
      300 - QUARANTINE_DEFAULTS.burst,
    );
    expect(
      metrics.counts.filter((entry) => entry.dimensions?.cause === QUARANTINE_MISS_CAUSES.rateBound),
    ).toHaveLength(300 - QUARANTINE_DEFAULTS.burst);

    nowMs += 10_000;
    for (let i = 0; i < 100; i += 1) await invoke(wronglySigned());
    expect(puts()).toHaveLength(QUARANTINE_DEFAULTS.burst + 10 * QUARANTINE_DEFAULTS.writesPerSecond);
  });

  it('a large body spends the bound by its size', async () => {
    const nowMs = Date.now();
    const { invoke } = receiver({ now: () => nowMs, maxBodyBytes: 10_000 });
    for (let i = 0; i < 10; i += 1) {
      await invoke(signedRequest(bodyOfSize(QUARANTINE_BUDGET.bytesPerWrite * 10 - 1_000)));
    }

    // Each costs 10 writes of the bound of 40.
    expect(puts()).toHaveLength(QUARANTINE_DEFAULTS.burst / 10);
  });

  it("Smartcar's retries of a kept delivery are not written again", async () => {
    const { invoke, metrics } = receiver();
    const event = wronglySigned();
    for (let attempt = 0; attempt < 4; attempt += 1) {
      expect((await invoke(event)).statusCode).toBe(401);
    }

    expect(puts()).toHaveLength(1);
    expect(metrics.countOf(METRICS.deliveriesQuarantined)).toBe(1);
    expect(metrics.countOf(METRICS.quarantineMisses)).toBe(0);
    expect(metrics.countOf(METRICS.smartcarSignatureFailures)).toBe(4);
  });
});
