import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { createReceiverDependencies } from '../../lambdas/receiver/receiver-dependencies';
import { receiveWebhook, type WebhookRequest } from '../../lambdas/receiver/webhook-receiver';
import { parseJsonObject, summarizeEvent } from '../../lambdas/runtime/envelope';
import { isVerifyEnvelope, readChallenge } from '../../lambdas/receiver/challenge';
import { parseSignatureHeader, signatureMatches } from '../../lambdas/receiver/verify-signature';
import { RECEIVER_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { sign, TEST_TOKEN, vehicleStateEvent } from '../support/builders';

const sqsMock = mockClient(SQSClient);
const secretsMock = mockClient(SecretsManagerClient);

const RUNS = { numRuns: 300, seed: 20_260_601 };
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~+/=';

const deps = createReceiverDependencies(
  {
    queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/webhooks',
    tokenSecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:smartcar-amt-AbCdEf',
    maxBodyBytes: RECEIVER_DEFAULTS.maxBodyBytes,
    replayToleranceSeconds: RECEIVER_DEFAULTS.replayToleranceSeconds,
    tokenRotationGraceSeconds: RECEIVER_DEFAULTS.tokenRotationGraceSeconds,
  },
  {
    sqs: new SQSClient({ region: 'eu-west-1' }),
    secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
  },
);

function sentBodies(): (string | undefined)[] {
  return sqsMock.commandCalls(SendMessageCommand).map((call) => call.args[0].input.MessageBody);
}

beforeEach(() => {
  sqsMock.reset();
  secretsMock.reset();
  secretsMock.on(GetSecretValueCommand).resolves({ SecretString: TEST_TOKEN });
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'message-1' });
});

// ---- generators ------------------------------------------------------------------------------

const anyFieldValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('', 'VERIFY', 'VEHICLE_STATE', 'verify', 'eventBased', ALPHABET),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 }),
);

const envelopeLike = fc.record(
  {
    eventId: anyFieldValue,
    eventType: anyFieldValue,
    eventName: anyFieldValue,
    data: fc.oneof(anyFieldValue, fc.record({ challenge: anyFieldValue })),
    payload: fc.oneof(anyFieldValue, fc.record({ challenge: anyFieldValue, eventId: anyFieldValue })),
    meta: fc.oneof(anyFieldValue, fc.record({ deliveryId: anyFieldValue })),
  },
  { requiredKeys: [] },
);

/** VERIFY envelopes, current and legacy, with challenges inside and outside the alphabet. */
const verifyLike = fc
  .tuple(
    fc.oneof(fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 1, maxLength: 40 }), anyFieldValue),
    fc.boolean(),
  )
  .map(([challenge, legacy]) =>
    legacy
      ? { version: '2.0', eventName: 'verify', payload: { challenge } }
      : { eventId: 'e-1', eventType: 'VERIFY', data: { challenge } },
  );

/** Body bytes: garbage, JSON of any shape, envelopes with any field types, and real deliveries. */
const bodyBytes: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ unit: 'binary', maxLength: 300 }).map((text) => Buffer.from(text, 'utf8')),
  fc.jsonValue({ maxDepth: 4 }).map((value) => Buffer.from(JSON.stringify(value) ?? '')),
  envelopeLike.map((value) => Buffer.from(JSON.stringify(value))),
  verifyLike.map((value) => Buffer.from(JSON.stringify(value))),
  fc.uuid().map((eventId) => Buffer.from(JSON.stringify(vehicleStateEvent({ eventId })))),
);

type SignatureKind = 'valid' | 'other-token' | 'random-hex' | 'garbage' | 'absent';

const signatureKind = fc.constantFrom<SignatureKind>(
  'valid',
  'valid',
  'other-token',
  'random-hex',
  'garbage',
  'absent',
);

function headerValue(kind: SignatureKind, bytes: Buffer, garbage: string, hex: string): string | undefined {
  switch (kind) {
    case 'valid':
      return sign(bytes);
    case 'other-token':
      return sign(bytes, 'another-token');
    case 'random-hex':
      return hex;
    case 'garbage':
      return garbage;
    case 'absent':
      return undefined;
  }
}

const deliveryRequest = fc
  .record({
    bytes: bodyBytes,
    base64: fc.boolean(),
    kind: signatureKind,
    garbage: fc.string({ unit: 'binary', maxLength: 80 }),
    hex: fc.stringMatching(/^[0-9a-f]{64}$/),
    headerName: fc.constantFrom('sc-signature', 'SC-Signature', 'Sc-SIGNATURE'),
    otherHeaders: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }),
  })
  .map(({ bytes, base64, kind, garbage, hex, headerName, otherHeaders }) => {
    // A string body must round-trip: only valid UTF-8 can travel unencoded.
    const text = bytes.toString('utf8');
    const asBase64 = base64 || !Buffer.from(text, 'utf8').equals(bytes);
    const signature = headerValue(kind, bytes, garbage, hex);
    const headers: Record<string, string | undefined> = { ...otherHeaders };
    // The generated headers may collide with the signature header's name; ours goes first.
    for (const name of Object.keys(headers)) if (name.toLowerCase() === 'sc-signature') delete headers[name];
    const request: WebhookRequest = {
      method: 'POST',
      headers: signature === undefined ? headers : { [headerName]: signature, ...headers },
      body: asBase64 ? bytes.toString('base64') : text,
      isBase64Encoded: asBase64,
    };
    return { request, bytes, signature };
  });

// ---- the model -------------------------------------------------------------------------------

function utf8OrUndefined(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** The challenge the receiver may answer for these bytes, if they are a VERIFY it may sign. */
function answerableChallenge(bytes: Buffer): string | undefined {
  const document = parseJsonObject(utf8OrUndefined(bytes) ?? '');
  if (document === undefined || !isVerifyEnvelope(document)) return undefined;
  try {
    return readChallenge(document);
  } catch {
    return undefined;
  }
}

/** True when these bytes under this header are an authentic delivery of a JSON object envelope. */
function isAuthenticEnvelope(bytes: Buffer, signature: string | undefined): boolean {
  let digest: Buffer;
  try {
    digest = parseSignatureHeader(signature);
  } catch {
    return false;
  }
  if (!signatureMatches(TEST_TOKEN, bytes, digest)) return false;
  const document = parseJsonObject(utf8OrUndefined(bytes) ?? '');
  if (document === undefined) return false;
  try {
    summarizeEvent(document, bytes);
    return true;
  } catch {
    return false;
  }
}

describe('receiver (property)', () => {
  it('never throws or answers 5xx, and answers 2xx only to an answerable VERIFY or an authentic envelope', async () => {
    const seen: Record<'verify' | 'accepted' | 'refused', number> = { verify: 0, accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(deliveryRequest, async ({ request, bytes, signature }) => {
        sqsMock.resetHistory();
        const response = await receiveWebhook(request, deps);
        const ok = response.statusCode >= 200 && response.statusCode < 300;
        const challenge = answerableChallenge(bytes);
        const sent = sentBodies();
        const category = !ok ? 'refused' : challenge !== undefined ? 'verify' : 'accepted';
        seen[category] += 1;

        expect({
          statusCode: response.statusCode < 500,
          // 2xx to a VERIFY: the HMAC of a challenge from the alphabet, and nothing enqueued.
          verify:
            category !== 'verify' ||
            (response.body === JSON.stringify({ challenge: sign(challenge ?? '') }) && sent.length === 0),
          // 2xx to a delivery: authentic bytes of a JSON object envelope, enqueued once as they came.
          accepted:
            category !== 'accepted' ||
            (isAuthenticEnvelope(bytes, signature) &&
              sent.length === 1 &&
              sent[0] === bytes.toString('utf8')),
          refused: category !== 'refused' || sent.length === 0,
        }).toEqual({ statusCode: true, verify: true, accepted: true, refused: true });
      }),
      RUNS,
    );
    // The generators reach every branch, so the property is not vacuous.
    expect(seen.verify).toBeGreaterThan(0);
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it('accepts every authentic current envelope with string eventId and eventType', async () => {
    const envelope = fc.record({
      eventId: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => /^[\u0020-\uD7FF]+$/.test(s)),
      eventType: fc.constantFrom('VEHICLE_STATE', 'VEHICLE_ERROR', 'SOMETHING_NEW'),
      data: fc.jsonValue({ maxDepth: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(envelope, fc.boolean(), async (value, base64) => {
        sqsMock.resetHistory();
        const text = JSON.stringify(value);
        const response = await receiveWebhook(
          {
            method: 'POST',
            headers: { 'sc-signature': sign(text) },
            body: base64 ? Buffer.from(text).toString('base64') : text,
            isBase64Encoded: base64,
          },
          deps,
        );

        expect(response.statusCode).toBe(200);
        expect(sentBodies()).toEqual([text]);
      }),
      RUNS,
    );
  });
});

describe('receiver: VERIFY is no signing oracle (property)', () => {
  const challenge = fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 1, maxLength: 512 });

  async function answer(value: string, legacy: boolean): Promise<string> {
    const envelope = legacy
      ? { version: '2.0', eventName: 'verify', payload: { challenge: value } }
      : { eventId: 'e-1', eventType: 'VERIFY', data: { challenge: value } };
    const response = await receiveWebhook(
      { method: 'POST', headers: {}, body: JSON.stringify(envelope), isBase64Encoded: false },
      deps,
    );
    expect(response.statusCode).toBe(200);
    return String((JSON.parse(response.body) as { challenge: unknown }).challenge);
  }

  it('never accepts a delivery whose body is a challenge it answered, signed with that answer', async () => {
    await fc.assert(
      fc.asyncProperty(challenge, fc.boolean(), fc.boolean(), async (value, legacy, base64) => {
        sqsMock.resetHistory();
        const signature = await answer(value, legacy);
        const replay = await receiveWebhook(
          {
            method: 'POST',
            headers: { 'sc-signature': signature },
            body: base64 ? Buffer.from(value).toString('base64') : value,
            isBase64Encoded: base64,
          },
          deps,
        );

        expect(replay.statusCode).toBeGreaterThanOrEqual(400);
        expect(replay.statusCode).toBeLessThan(500);
        expect(sentBodies()).toEqual([]);
      }),
      RUNS,
    );
  });

  it('cannot be tricked by a challenge that is a forged delivery in base64', async () => {
    // Short enough that its base64 fits the 512-character challenge limit.
    const forged = Buffer.from(JSON.stringify({ eventId: 'forged', eventType: 'VEHICLE_STATE', data: {} }));
    const signature = await answer(forged.toString('base64'), false);

    const asText = await receiveWebhook(
      {
        method: 'POST',
        headers: { 'sc-signature': signature },
        body: forged.toString('utf8'),
        isBase64Encoded: false,
      },
      deps,
    );
    const asBase64 = await receiveWebhook(
      {
        method: 'POST',
        headers: { 'sc-signature': signature },
        body: forged.toString('base64'),
        isBase64Encoded: true,
      },
      deps,
    );

    expect(asText.statusCode).toBe(401);
    expect(asBase64.statusCode).toBe(401);
    expect(sentBodies()).toEqual([]);
  });
});
