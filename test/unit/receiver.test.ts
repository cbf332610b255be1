import { TOKEN_CACHE } from '../../lambdas/receiver/tuning';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createReceiverDependencies, toWebhookRequest } from '../../lambdas/receiver/receiver-dependencies';
import { receiveWebhook } from '../../lambdas/receiver/webhook-receiver';
import { type MetricsRecorder, powertoolsMetrics } from '../../lambdas/runtime/metrics';
import { recordingMetrics } from '../support/metrics';
import { RECEIVER_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { LOG_MESSAGES, METRICS, PLACEHOLDER_TOKEN } from '../../lambdas/contract';
import {
  apiGatewayEvent,
  captureOutput,
  legacyEvent,
  legacyVerifyEvent,
  sign,
  signedRequest,
  TEST_TOKEN,
  vehicleErrorEvent,
  vehicleStateEvent,
  verifyEvent,
} from '../support/builders';

const sqsMock = mockClient(SQSClient);
const secretsMock = mockClient(SecretsManagerClient);

const CONFIG = {
  queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/webhooks',
  tokenSecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:smartcar-amt-AbCdEf',
  maxBodyBytes: RECEIVER_DEFAULTS.maxBodyBytes,
  replayToleranceSeconds: RECEIVER_DEFAULTS.replayToleranceSeconds,
  tokenRotationGraceSeconds: RECEIVER_DEFAULTS.tokenRotationGraceSeconds,
};

interface Options {
  now?: () => number;
  enqueueTimeoutMs?: number;
  maxBodyBytes?: number;
  replayToleranceSeconds?: number;
  metrics?: MetricsRecorder;
}

/** A receiver with fresh caches, talking to the mocked SQS and Secrets Manager. */
function createReceiver(options: Options = {}) {
  const deps = createReceiverDependencies(
    {
      ...CONFIG,
      maxBodyBytes: options.maxBodyBytes ?? CONFIG.maxBodyBytes,
      replayToleranceSeconds: options.replayToleranceSeconds ?? CONFIG.replayToleranceSeconds,
    },
    {
      sqs: new SQSClient({ region: 'eu-west-1' }),
      secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
      now: options.now,
      enqueueTimeoutMs: options.enqueueTimeoutMs,
      metrics: options.metrics,
    },
  );
  return async (event: APIGatewayProxyEventV2) => {
    const response = await receiveWebhook(toWebhookRequest(event), deps);
    return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
  };
}

function storedToken(value: string) {
  secretsMock.on(GetSecretValueCommand, { SecretId: CONFIG.tokenSecretId }).resolves({ SecretString: value });
}

function sentMessages() {
  return sqsMock.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
}

beforeEach(() => {
  sqsMock.reset();
  secretsMock.reset();
  storedToken(TEST_TOKEN);
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'message-1' });
});

describe('receiver: VERIFY', () => {
  it('answers a current VERIFY with 200 and the HMAC of the challenge as JSON', async () => {
    const receive = createReceiver();
    const response = await receive(
      apiGatewayEvent({ body: JSON.stringify(verifyEvent('3a5c8f72-e6d9-4b1a-9f2e-8c7d6a5b4e3f')) }),
    );

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.json).toEqual({ challenge: sign('3a5c8f72-e6d9-4b1a-9f2e-8c7d6a5b4e3f') });
  });

  it('answers a legacy v2.0 verify with the HMAC of payload.challenge', async () => {
    const receive = createReceiver();
    const response = await receive(
      apiGatewayEvent({ body: JSON.stringify(legacyVerifyEvent('legacy-challenge')) }),
    );

    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ challenge: sign('legacy-challenge') });
  });

  it('answers VERIFY without an SC-Signature header and enqueues nothing', async () => {
    const receive = createReceiver();
    await receive(apiGatewayEvent({ body: JSON.stringify(verifyEvent()) }));

    expect(sentMessages()).toHaveLength(0);
  });

  it('answers a VERIFY that API Gateway handed over base64-encoded', async () => {
    const receive = createReceiver();
    const body = Buffer.from(JSON.stringify(verifyEvent('abc-123'))).toString('base64');
    const response = await receive(apiGatewayEvent({ body, isBase64Encoded: true }));

    expect(response.json).toEqual({ challenge: sign('abc-123') });
  });

  it.each([
    ['a JSON document', '{"eventId":"x"}'],
    ['empty', ''],
    ['longer than 512 characters', 'a'.repeat(513)],
    ['whitespace', 'abc def'],
    ['a number', 42],
    ['null', null],
  ])('refuses with 400 a challenge that is %s', async (_label, challenge) => {
    const receive = createReceiver();
    const response = await receive(apiGatewayEvent({ body: JSON.stringify(verifyEvent(challenge)) }));

    expect(response.statusCode).toBe(400);
    expect(response.json.error).toBe('INVALID_CHALLENGE');
    expect(response.json.message).toMatch(/challenge/);
  });

  it('refuses with 400 a VERIFY without a challenge', async () => {
    const receive = createReceiver();
    const response = await receive(apiGatewayEvent({ body: JSON.stringify({ ...verifyEvent(), data: {} }) }));

    expect(response.statusCode).toBe(400);
    expect(response.json.message).toMatch(/data\.challenge/);
  });

  it('cannot be used as a signing oracle for forged deliveries', async () => {
    const receive = createReceiver();
    const forged = JSON.stringify(vehicleStateEvent({ eventId: 'forged-event' }));

    // 1. Ask the receiver to "verify" the forged body itself: it refuses to sign it.
    const asChallenge = await receive(apiGatewayEvent({ body: JSON.stringify(verifyEvent(forged)) }));
    expect(asChallenge.statusCode).toBe(400);
    expect(JSON.stringify(asChallenge.json)).not.toContain(sign(forged));

    // 2. Use the legacy format for the same request: refused too.
    const asLegacyChallenge = await receive(
      apiGatewayEvent({ body: JSON.stringify(legacyVerifyEvent(forged)) }),
    );
    expect(asLegacyChallenge.statusCode).toBe(400);

    // 3. Signatures the receiver does hand out are for strings that are never JSON objects, so
    //    replaying one as a delivery is refused even though the signature itself is genuine.
    for (const challenge of ['12345', 'true', 'null', 'abc']) {
      const answer = await receive(apiGatewayEvent({ body: JSON.stringify(verifyEvent(challenge)) }));
      const replay = await receive(
        apiGatewayEvent({ body: challenge, headers: { 'sc-signature': String(answer.json.challenge) } }),
      );
      expect(replay.statusCode).toBe(400);
    }

    // 4. The forged delivery without a genuine signature is refused.
    const attack = await receive(
      apiGatewayEvent({ body: forged, headers: { 'sc-signature': sign(forged, 'guessed') } }),
    );
    expect(attack.statusCode).toBe(401);
    expect(sentMessages()).toHaveLength(0);
  });
});

describe('receiver: token', () => {
  it('answers 500 and logs the command that stores the token while the secret holds the placeholder', async () => {
    storedToken(PLACEHOLDER_TOKEN);
    const receive = createReceiver();
    const { result, output } = await captureOutput(() =>
      receive(apiGatewayEvent({ body: JSON.stringify(verifyEvent()) })),
    );

    expect(result.statusCode).toBe(500);
    expect(result.json.error).toBe('TOKEN_NOT_CONFIGURED');
    expect(output).toContain(`aws secretsmanager put-secret-value --secret-id ${CONFIG.tokenSecretId}`);
  });

  it('answers 500 when the secret is empty', async () => {
    storedToken('  ');
    const receive = createReceiver();
    const response = await receive(signedRequest(vehicleStateEvent()));

    expect(response.statusCode).toBe(500);
    expect(response.json.error).toBe('TOKEN_NOT_CONFIGURED');
  });

  it('answers 500 when the secret does not exist', async () => {
    secretsMock
      .on(GetSecretValueCommand)
      .rejects(
        new ResourceNotFoundException({ message: 'Secrets Manager cannot find the secret', $metadata: {} }),
      );
    const receive = createReceiver();
    const response = await receive(apiGatewayEvent({ body: JSON.stringify(verifyEvent()) }));

    expect(response.statusCode).toBe(500);
    expect(response.json.error).toBe('TOKEN_NOT_CONFIGURED');
  });

  it('answers 503 when Secrets Manager cannot be read, so Smartcar retries', async () => {
    secretsMock
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const receive = createReceiver();
    const response = await receive(signedRequest(vehicleStateEvent()));

    expect(response.statusCode).toBe(503);
    expect(response.json.error).toBe('TOKEN_UNAVAILABLE');
    expect(sentMessages()).toHaveLength(0);
  });

  it('trims whitespace around the stored token', async () => {
    storedToken(`${TEST_TOKEN}\n`);
    const receive = createReceiver();
    const response = await receive(signedRequest(vehicleStateEvent()));

    expect(response.statusCode).toBe(200);
  });

  it('reads the secret once for many deliveries', async () => {
    const receive = createReceiver();
    for (let i = 0; i < 5; i++) await receive(signedRequest(vehicleStateEvent()));

    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('accepts a delivery signed with a rotated token without a redeploy', async () => {
    const receive = createReceiver();
    await receive(signedRequest(vehicleStateEvent()));
    storedToken('rotated-token');

    const response = await receive(signedRequest(vehicleStateEvent(), { token: 'rotated-token' }));

    expect(response.statusCode).toBe(200);
  });

  it('re-reads the secret at most once per interval however many forged requests arrive', async () => {
    let clock = Date.now();
    const receive = createReceiver({ now: () => clock });
    for (let i = 0; i < 20; i++) await receive(signedRequest(vehicleStateEvent(), { token: 'forger' }));
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);

    clock += TOKEN_CACHE.refreshAfterMismatchSeconds * 1000;
    for (let i = 0; i < 20; i++) await receive(signedRequest(vehicleStateEvent(), { token: 'forger' }));
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(3);
  });

  it('picks up a token stored after the placeholder within one refresh interval', async () => {
    let clock = Date.now();
    storedToken(PLACEHOLDER_TOKEN);
    const receive = createReceiver({ now: () => clock });
    expect((await receive(apiGatewayEvent({ body: JSON.stringify(verifyEvent()) }))).statusCode).toBe(500);

    storedToken(TEST_TOKEN);
    clock += TOKEN_CACHE.refreshAfterMismatchSeconds * 1000;
    const response = await receive(apiGatewayEvent({ body: JSON.stringify(verifyEvent('after-setup')) }));

    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ challenge: sign('after-setup') });
  });
});

describe('receiver: signature', () => {
  it('enqueues a signed delivery byte for byte with eventKey, eventType, deliveryId and verifiedWith attributes', async () => {
    const receive = createReceiver();
    const event = vehicleStateEvent();
    const body = JSON.stringify(event, null, 2);
    const response = await receive(signedRequest(body));

    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ status: 'accepted', eventKey: event.eventId });
    expect(sentMessages()).toEqual([
      {
        QueueUrl: CONFIG.queueUrl,
        MessageBody: body,
        MessageAttributes: {
          eventKey: { DataType: 'String', StringValue: event.eventId },
          eventType: { DataType: 'String', StringValue: 'VEHICLE_STATE' },
          deliveryId: { DataType: 'String', StringValue: (event.meta as { deliveryId: string }).deliveryId },
          verifiedWith: { DataType: 'String', StringValue: 'current' },
        },
      },
    ]);
  });

  it('verifies the raw bytes, so escapes and spacing that JSON.stringify would change still pass', async () => {
    const receive = createReceiver();
    const body =
      '{ "eventId" : "e-1", "eventType":"VEHICLE_ERROR", "data": {"note": "caf\\u00e9"}, "n": 1.50 }';
    const response = await receive(signedRequest(body));

    expect(response.statusCode).toBe(200);
    expect(sentMessages()[0]?.MessageBody).toBe(body);
  });

  it.each(['SC-Signature', 'sc-signature', 'SC-SIGNATURE', 'Sc-Signature'])(
    'finds the signature header written as %s',
    async (headerName) => {
      const receive = createReceiver();
      const response = await receive(signedRequest(vehicleErrorEvent(), { headerName }));

      expect(response.statusCode).toBe(200);
    },
  );

  it('verifies and enqueues the decoded body when API Gateway base64-encoded it', async () => {
    const receive = createReceiver();
    const body = JSON.stringify(vehicleStateEvent());
    const response = await receive(signedRequest(body, { base64: true }));

    expect(response.statusCode).toBe(200);
    expect(sentMessages()[0]?.MessageBody).toBe(body);
  });

  it('answers 401 when SC-Signature is missing', async () => {
    const receive = createReceiver();
    const response = await receive(apiGatewayEvent({ body: JSON.stringify(vehicleStateEvent()) }));

    expect(response.statusCode).toBe(401);
    expect(response.json.error).toBe('SIGNATURE_MISSING');
    expect(sentMessages()).toHaveLength(0);
  });

  it('answers 401 when SC-Signature was made with another token', async () => {
    const receive = createReceiver();
    const response = await receive(signedRequest(vehicleStateEvent(), { token: 'not-the-token' }));

    expect(response.statusCode).toBe(401);
    expect(response.json.error).toBe('SIGNATURE_MISMATCH');
    expect(response.json.message).toMatch(/Application Management Token/);
    expect(sentMessages()).toHaveLength(0);
  });

  it('answers 401 when the body was changed after signing', async () => {
    const receive = createReceiver();
    const request = signedRequest(vehicleStateEvent());
    request.body = `${request.body} `;
    const response = await receive(request);

    expect(response.statusCode).toBe(401);
  });

  it.each([
    ['short', 'abc123'],
    ['non-hex', 'z'.repeat(64)],
    ['too long', 'a'.repeat(128)],
  ])('answers 401, not 500, for a %s signature', async (_label, signature) => {
    const receive = createReceiver();
    const response = await receive(
      apiGatewayEvent({ body: JSON.stringify(vehicleStateEvent()), headers: { 'sc-signature': signature } }),
    );

    expect(response.statusCode).toBe(401);
    expect(response.json.error).toBe('SIGNATURE_MALFORMED');
  });

  it('answers 401 before parsing an unsigned body that is not JSON', async () => {
    const receive = createReceiver();
    const response = await receive(apiGatewayEvent({ body: 'not json' }));

    expect(response.statusCode).toBe(401);
  });
});

describe('receiver: payload', () => {
  it.each([
    ['not JSON', 'eventId=1&eventType=VEHICLE_STATE'],
    ['an empty body', ''],
    ['a JSON array', '[{"eventId":"1","eventType":"VEHICLE_STATE"}]'],
    ['a JSON string', '"hello"'],
    ['null', 'null'],
  ])('answers 400 to a signed body that is %s', async (_label, body) => {
    const receive = createReceiver();
    const response = await receive(signedRequest(body));

    expect(response.statusCode).toBe(400);
    expect(response.json.error).toBe('INVALID_PAYLOAD');
    expect(sentMessages()).toHaveLength(0);
  });

  it.each([
    ['an object that names no event', { hello: 'world' }],
    ['an empty object', {}],
    ['an event whose eventId is a number', vehicleStateEvent({ eventId: 42 })],
    ['an event whose eventId is empty', vehicleStateEvent({ eventId: '' })],
    ['an event without eventType', vehicleStateEvent({ eventType: undefined })],
    ['an event whose eventType is an object', vehicleStateEvent({ eventType: {} })],
    ['a legacy event whose eventName is a number', legacyEvent({ eventName: 7 })],
    ['an event of a type this version does not know', vehicleStateEvent({ eventType: 'VEHICLE_TRIP' })],
  ])('enqueues a signed JSON object of any shape byte for byte: %s', async (_label, document) => {
    const receive = createReceiver();
    const body = JSON.stringify(document);
    const response = await receive(signedRequest(body));

    expect(response.statusCode).toBe(200);
    expect(sentMessages().map((message) => message.MessageBody)).toEqual([body]);
  });

  it('keys a signed object without a usable eventId by the SHA-256 of its body and sets no eventType', async () => {
    const receive = createReceiver();
    const body = JSON.stringify({ eventId: 42, data: {} });
    const response = await receive(signedRequest(body));

    expect(response.json.eventKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(sentMessages()[0]?.MessageAttributes).toEqual({
      eventKey: { DataType: 'String', StringValue: response.json.eventKey },
      verifiedWith: { DataType: 'String', StringValue: 'current' },
    });
  });

  it('answers 400 to a signed body that is not valid UTF-8', async () => {
    const receive = createReceiver();
    const bytes = Buffer.concat([
      Buffer.from('{"eventId":"1","eventType":"VEHICLE_STATE","x":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    const response = await receive(
      apiGatewayEvent({
        body: bytes.toString('base64'),
        isBase64Encoded: true,
        headers: { 'sc-signature': sign(bytes) },
      }),
    );

    expect(response.statusCode).toBe(400);
    expect(response.json.message).toMatch(/UTF-8/);
  });

  it('enqueues a signed body with characters an SQS message cannot carry as base64 of its bytes', async () => {
    const receive = createReceiver();
    const body = JSON.stringify(vehicleStateEvent({ note: '\uFFFF' }));
    const response = await receive(signedRequest(body));

    expect(response.statusCode).toBe(200);
    expect(sentMessages()[0]?.MessageBody).toBe(Buffer.from(body, 'utf8').toString('base64'));
    expect(sentMessages()[0]?.MessageAttributes?.bodyEncoding).toEqual({
      DataType: 'String',
      StringValue: 'base64',
    });
  });

  it('answers 413 to a signed body with U+FFFF whose base64 would not fit one SQS message', async () => {
    const receive = createReceiver();
    const body = JSON.stringify(vehicleStateEvent({ note: '\uFFFF', padding: 'x'.repeat(200_000) }));
    const response = await receive(signedRequest(body));

    expect(response.statusCode).toBe(413);
    expect(response.json.message).toMatch(/stored as base64, which must fit one SQS message/);
    expect(sentMessages()).toHaveLength(0);
  });

  it('accepts and enqueues a legacy v2.0 eventBased delivery keyed by payload.eventId', async () => {
    const receive = createReceiver();
    const event = legacyEvent();
    const response = await receive(signedRequest(event));

    expect(response.statusCode).toBe(200);
    expect(sentMessages()[0]?.MessageAttributes).toEqual({
      eventKey: { DataType: 'String', StringValue: (event.payload as { eventId: string }).eventId },
      eventType: { DataType: 'String', StringValue: 'eventBased' },
      verifiedWith: { DataType: 'String', StringValue: 'current' },
    });
  });

  it('keys a legacy delivery without payload.eventId by the SHA-256 of its body', async () => {
    const receive = createReceiver();
    const body = JSON.stringify(legacyEvent({ eventName: 'schedule', payload: { vehicles: [] } }));
    await receive(signedRequest(body));

    expect(sentMessages()[0]?.MessageAttributes?.eventKey?.StringValue).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('answers 413 to a body over the limit and enqueues nothing', async () => {
    const receive = createReceiver({ maxBodyBytes: 1000 });
    const response = await receive(signedRequest(vehicleStateEvent({ padding: 'x'.repeat(1000) })));

    expect(response.statusCode).toBe(413);
    expect(response.json.message).toMatch(/limit is 1000 bytes/);
    expect(sentMessages()).toHaveLength(0);
  });

  it('measures a base64 body by its decoded size', async () => {
    const body = JSON.stringify(vehicleStateEvent());
    const receive = createReceiver({ maxBodyBytes: Buffer.byteLength(body) });
    const response = await receive(signedRequest(body, { base64: true }));

    expect(response.statusCode).toBe(200);
  });

  it('accepts a 50 KB delivery, Smartcar\u2019s maximum, with the default limit', async () => {
    const receive = createReceiver();
    const response = await receive(signedRequest(vehicleStateEvent({ padding: 'x'.repeat(50_000) })));

    expect(response.statusCode).toBe(200);
  });
});

describe('receiver: persistence', () => {
  it('answers 503, never 2xx, when SQS refuses the message', async () => {
    sqsMock
      .on(SendMessageCommand)
      .rejects(Object.assign(new Error('throttled'), { name: 'RequestThrottled' }));
    const receive = createReceiver();
    const response = await receive(signedRequest(vehicleStateEvent()));

    expect(response.statusCode).toBe(503);
    expect(response.json.error).toBe('ENQUEUE_FAILED');
  });

  it('answers 503 within its deadline when SQS never answers', async () => {
    sqsMock.on(SendMessageCommand).callsFake(() => new Promise(() => undefined));
    const receive = createReceiver({ enqueueTimeoutMs: 100 });
    const response = await receive(signedRequest(vehicleStateEvent()));

    expect(response.statusCode).toBe(503);
  });
});

describe('receiver: routes', () => {
  it('answers GET (the /health route) with 200 without touching the secret or the queue', async () => {
    const receive = createReceiver();
    const response = await receive(apiGatewayEvent({ method: 'GET', path: '/health' }));

    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ status: 'ok' });
    expect(secretsMock.calls()).toHaveLength(0);
  });

  it.each(['PUT', 'DELETE', 'PATCH'])('answers 405 to %s', async (method) => {
    const receive = createReceiver();
    const response = await receive(apiGatewayEvent({ method, body: '{}' }));

    expect(response.statusCode).toBe(405);
  });
});

describe('receiver: logs', () => {
  // Other tests leave unflushed counts in the shared Powertools recorder; they are not this one's.
  beforeEach(() => captureOutput(async () => powertoolsMetrics.flush()));

  /** What one invocation prints, the metrics flush of the Lambda entry included. */
  const printedLines = async (invocation: () => Promise<unknown>) => {
    const { output } = await captureOutput(async () => {
      await invocation();
      powertoolsMetrics.flush();
    });
    return output.split('\n').filter((line) => line !== '');
  };

  it('writes one line for an enqueued delivery, its EMF document, with the message, eventId and eventType', async () => {
    const receive = createReceiver();
    const event = vehicleStateEvent();

    const lines = await printedLines(() => receive(signedRequest(event)));

    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      _aws: expect.any(Object),
      message: LOG_MESSAGES.deliveryEnqueued,
      eventId: event.eventId,
      eventType: 'VEHICLE_STATE',
      [METRICS.deliveries]: 1,
    });
  });

  it('leaves the vehicle id and the deliveryId out of the line of an enqueued delivery (the queued message and the archive keep them)', async () => {
    const receive = createReceiver();
    const event = vehicleStateEvent();

    const lines = await printedLines(() => receive(signedRequest(event)));

    expect(lines.join('\n')).not.toContain((event.data as { vehicle: { id: string } }).vehicle.id);
    expect(lines.join('\n')).not.toContain((event.meta as { deliveryId: string }).deliveryId);
  });

  it('never logs the token, signatures, the body, VINs or locations', async () => {
    const receive = createReceiver();
    const event = vehicleStateEvent();
    const body = JSON.stringify(event);
    const { output } = await captureOutput(async () => {
      await receive(apiGatewayEvent({ body: JSON.stringify(verifyEvent('log-check')) }));
      await receive(signedRequest(body));
      powertoolsMetrics.flush();
      await receive(signedRequest(body, { token: 'wrong' }));
      sqsMock.on(SendMessageCommand).rejects(new Error('down'));
      await receive(signedRequest(body));
      powertoolsMetrics.flush();
    });

    expect(output).toContain('Delivery enqueued');
    for (const secret of [
      TEST_TOKEN,
      sign(body),
      sign(body, 'wrong'),
      sign('log-check'),
      '5YJ3E1EA7KF000316',
      '61.1111',
      body,
    ]) {
      expect(output).not.toContain(secret);
    }
  });
});

describe('receiver: replay window', () => {
  const NOW = Date.parse('2026-11-22T12:00:00Z');
  const at = (deliveredAt: unknown) =>
    vehicleStateEvent({ meta: { deliveryId: 'd-1', deliveredAt, version: '4.0', mode: 'LIVE' } });

  it.each([
    ['epoch milliseconds', NOW - 2 * 60 * 60 * 1000],
    ['an ISO string', new Date(NOW - 2 * 60 * 60 * 1000).toISOString()],
    ['epoch seconds', Math.floor(NOW / 1000) - 2 * 60 * 60],
  ])('answers 400 to a delivery two hours old, deliveredAt as %s', async (_label, deliveredAt) => {
    const receive = createReceiver({ now: () => NOW });
    const response = await receive(signedRequest(at(deliveredAt)));

    expect(response.statusCode).toBe(400);
    expect(response.json.error).toBe('OUTSIDE_REPLAY_WINDOW');
    expect(response.json.message).toMatch(/7200 s old; deliveries older than 3600 s are refused/);
    expect(sentMessages()).toHaveLength(0);
  });

  it('answers 400 to a delivery dated more than 5 minutes ahead', async () => {
    const receive = createReceiver({ now: () => NOW });
    const response = await receive(signedRequest(at(NOW + 10 * 60 * 1000)));

    expect(response.statusCode).toBe(400);
    expect(response.json.message).toMatch(/in the future/);
  });

  it.each([
    ['a retry three minutes later', NOW - 3 * 60 * 1000],
    ['a small clock skew ahead', NOW + 60 * 1000],
  ])('accepts %s', async (_label, deliveredAt) => {
    const receive = createReceiver({ now: () => NOW });
    const response = await receive(signedRequest(at(deliveredAt)));

    expect(response.statusCode).toBe(200);
  });

  it('accepts a delivery without meta.deliveredAt', async () => {
    const receive = createReceiver({ now: () => NOW });
    const response = await receive(signedRequest(vehicleStateEvent({ meta: { deliveryId: 'd-2' } })));

    expect(response.statusCode).toBe(200);
  });

  it('accepts an old delivery when the tolerance is 0 (check off)', async () => {
    const receive = createReceiver({ now: () => NOW, replayToleranceSeconds: 0 });
    const response = await receive(signedRequest(at(NOW - 48 * 60 * 60 * 1000)));

    expect(response.statusCode).toBe(200);
  });

  it('checks the signature before the age, so a forged old delivery is a 401', async () => {
    const receive = createReceiver({ now: () => NOW });
    const response = await receive(signedRequest(at(NOW - 2 * 60 * 60 * 1000), { token: 'forger' }));

    expect(response.statusCode).toBe(401);
  });
});

describe('receiver: metrics', () => {
  it('counts an answered VERIFY', async () => {
    const metrics = recordingMetrics();
    await createReceiver({ metrics })(apiGatewayEvent({ body: JSON.stringify(verifyEvent()) }));

    expect(metrics.countOf(METRICS.verifyChallenges)).toBe(1);
  });

  it('counts each enqueued delivery with its eventType', async () => {
    const metrics = recordingMetrics();
    const receive = createReceiver({ metrics });
    await receive(signedRequest(vehicleStateEvent()));
    await receive(signedRequest(vehicleErrorEvent()));

    expect(metrics.counts).toEqual([
      { name: METRICS.deliveries, dimensions: { eventType: 'VEHICLE_STATE' } },
      { name: METRICS.deliveries, dimensions: { eventType: 'VEHICLE_ERROR' } },
    ]);
  });

  it('counts missing, malformed and wrong signatures as signature failures', async () => {
    const metrics = recordingMetrics();
    const receive = createReceiver({ metrics });
    const body = JSON.stringify(vehicleStateEvent());
    await receive(apiGatewayEvent({ body }));
    await receive(apiGatewayEvent({ body, headers: { 'sc-signature': 'short' } }));
    await receive(signedRequest(body, { token: 'wrong' }));

    expect(metrics.countOf(METRICS.signatureFailures)).toBe(3);
    expect(metrics.countOf(METRICS.deliveries)).toBe(0);
  });

  it('counts a delivery SQS did not take as an enqueue failure and a refusal by its reason', async () => {
    sqsMock.on(SendMessageCommand).rejects(new Error('down'));
    const metrics = recordingMetrics();
    await createReceiver({ metrics })(signedRequest(vehicleStateEvent()));

    expect(metrics.counts).toEqual([
      { name: METRICS.requestsRefused, dimensions: { reason: 'ENQUEUE_FAILED' } },
      { name: METRICS.enqueueFailures, dimensions: undefined },
    ]);
  });

  it.each([
    ['a missing signature', (body: string) => apiGatewayEvent({ body }), 'SIGNATURE_MISSING'],
    [
      'a malformed signature',
      (body: string) => apiGatewayEvent({ body, headers: { 'sc-signature': 'short' } }),
      'SIGNATURE_MALFORMED',
    ],
    ['a wrong token', (body: string) => signedRequest(body, { token: 'wrong' }), 'SIGNATURE_MISMATCH'],
  ])(
    'counts %s on a Smartcar-shaped delivery as a Smartcar signature failure, at once',
    async (_label, request, reason) => {
      const metrics = recordingMetrics();
      await createReceiver({ metrics })(request(JSON.stringify(vehicleStateEvent())));

      expect(metrics.counts).toEqual([
        { name: METRICS.requestsRefused, dimensions: { reason } },
        { name: METRICS.signatureFailures, dimensions: undefined },
        { name: METRICS.smartcarSignatureFailures, dimensions: undefined },
      ]);
    },
  );

  it.each([
    ['without a Smartcar User-Agent', { 'user-agent': 'curl/8.5.0' }, vehicleStateEvent()],
    ['whose body is no Smartcar event', {}, { hello: 'world' }],
  ])('counts a signature failure %s only as a probe', async (_label, headers, document) => {
    const metrics = recordingMetrics();
    const body = JSON.stringify(document);
    const request = apiGatewayEvent({ body, headers: { ...headers, 'sc-signature': sign(body, 'wrong') } });
    await createReceiver({ metrics })(request);

    expect(metrics.countOf(METRICS.signatureFailures)).toBe(1);
    expect(metrics.countOf(METRICS.smartcarSignatureFailures)).toBe(0);
  });

  it.each([
    [
      'outside the replay window',
      () =>
        signedRequest(
          vehicleStateEvent({ meta: { deliveryId: 'd-1', deliveredAt: Date.now() - 7_200_000 } }),
        ),
      'OUTSIDE_REPLAY_WINDOW',
    ],
    [
      'over the size limit',
      () => signedRequest(vehicleStateEvent({ padding: 'x'.repeat(RECEIVER_DEFAULTS.maxBodyBytes) })),
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'over the size limit, handed over base64-encoded',
      () =>
        signedRequest(vehicleStateEvent({ padding: 'x'.repeat(RECEIVER_DEFAULTS.maxBodyBytes) }), {
          base64: true,
        }),
      'PAYLOAD_TOO_LARGE',
    ],
    ['a JSON array', () => signedRequest('[{"eventId":"1"}]'), 'INVALID_PAYLOAD'],
    [
      'not valid UTF-8',
      () => {
        const bytes = Buffer.from([0x7b, 0xc3, 0x28, 0x7d]);
        return apiGatewayEvent({
          body: bytes.toString('base64'),
          isBase64Encoded: true,
          headers: { 'sc-signature': sign(bytes) },
        });
      },
      'INVALID_PAYLOAD',
    ],
  ])(
    'counts a signed delivery refused for being %s as a signed delivery refused',
    async (_label, request, reason) => {
      const metrics = recordingMetrics();
      const response = await createReceiver({ metrics })(request());

      expect(response.json.error).toBe(reason);
      expect(metrics.counts).toEqual([
        { name: METRICS.requestsRefused, dimensions: { reason } },
        { name: METRICS.signedDeliveriesRefused, dimensions: { reason } },
      ]);
    },
  );

  it('does not count a signed string VERIFY could have signed as a signed delivery refused', async () => {
    // Anyone obtains such a signature by sending the string as a challenge: it proves nothing.
    const metrics = recordingMetrics();
    const response = await createReceiver({ metrics })(signedRequest('3a5c8f72-e6d9-4b1a-9f2e-8c7d6a5b4e3f'));

    expect(response.statusCode).toBe(400);
    expect(metrics.counts).toEqual([
      { name: METRICS.requestsRefused, dimensions: { reason: 'INVALID_PAYLOAD' } },
    ]);
  });

  it('does not count an unsigned oversized body as a signed delivery refused', async () => {
    const metrics = recordingMetrics();
    const body = JSON.stringify(vehicleStateEvent({ padding: 'x'.repeat(RECEIVER_DEFAULTS.maxBodyBytes) }));
    const response = await createReceiver({ metrics })(signedRequest(body, { token: 'wrong' }));

    expect(response.statusCode).toBe(413);
    expect(metrics.counts).toEqual([
      { name: METRICS.requestsRefused, dimensions: { reason: 'PAYLOAD_TOO_LARGE' } },
    ]);
  });

  it('counts a refused method and an unexpected error by their reasons', async () => {
    const metrics = recordingMetrics();
    const receive = createReceiver({ metrics });
    await receive(apiGatewayEvent({ method: 'PUT', body: '{}' }));

    expect(metrics.counts).toEqual([
      { name: METRICS.requestsRefused, dimensions: { reason: 'METHOD_NOT_ALLOWED' } },
    ]);
  });

  it('counts every 5xx of an unreadable token by its reason', async () => {
    secretsMock.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException'));
    const metrics = recordingMetrics();
    const response = await createReceiver({ metrics })(signedRequest(vehicleStateEvent()));

    expect(response.statusCode).toBe(503);
    expect(metrics.counts).toEqual([
      { name: METRICS.requestsRefused, dimensions: { reason: 'TOKEN_UNAVAILABLE' } },
    ]);
  });
});

describe('receiver: correlation', () => {
  it('logs a refused delivery with its eventId and deliveryId', async () => {
    const receive = createReceiver();
    const event = vehicleStateEvent();
    const { output } = await captureOutput(() => receive(signedRequest(event, { token: 'wrong' })));
    const line = JSON.parse(output.split('\n').find((l) => l.includes('Request refused')) ?? '{}');

    expect(line).toMatchObject({
      eventId: event.eventId,
      deliveryId: (event.meta as { deliveryId: string }).deliveryId,
      errorCode: 'SIGNATURE_MISMATCH',
    });
  });
});

describe('receiver: token rotation', () => {
  // The builders stamp meta.deliveredAt with the real time, so the clock must be the real one.
  const NOW = Date.now();
  const MINUTE = 60 * 1000;

  /** The secret after a rotation `ageMs` ago: AWSCURRENT is the new token, AWSPREVIOUS the old one. */
  function rotated(ageMs: number, previous: string | Error = 'old-token') {
    secretsMock.reset();
    secretsMock
      .on(GetSecretValueCommand, { SecretId: CONFIG.tokenSecretId })
      .resolves({ SecretString: TEST_TOKEN, CreatedDate: new Date(NOW - ageMs) });
    const previousVersion = secretsMock.on(GetSecretValueCommand, {
      SecretId: CONFIG.tokenSecretId,
      VersionStage: 'AWSPREVIOUS',
    });
    if (previous instanceof Error) previousVersion.rejects(previous);
    else
      previousVersion.resolves({
        SecretString: previous,
        CreatedDate: new Date(NOW - 30 * 24 * 60 * MINUTE),
      });
  }

  it('accepts a delivery signed with the previous token within the grace period after a rotation', async () => {
    rotated(10 * MINUTE);
    const response = await createReceiver({ now: () => NOW })(
      signedRequest(vehicleStateEvent(), { token: 'old-token' }),
    );

    expect(response.statusCode).toBe(200);
    expect(secretsMock).toHaveReceivedCommandWith(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' });
  });

  it('marks a delivery signed with the previous token as verified with the previous token', async () => {
    rotated(10 * MINUTE);
    await createReceiver({ now: () => NOW })(signedRequest(vehicleStateEvent(), { token: 'old-token' }));

    expect(sentMessages()[0]?.MessageAttributes?.verifiedWith).toEqual({
      DataType: 'String',
      StringValue: 'previous',
    });
  });

  it('refuses the previous token once the grace period is over', async () => {
    rotated(RECEIVER_DEFAULTS.tokenRotationGraceSeconds * 1000 + MINUTE);
    const response = await createReceiver({ now: () => NOW })(
      signedRequest(vehicleStateEvent(), { token: 'old-token' }),
    );

    expect(response.statusCode).toBe(401);
  });

  it('keeps accepting the current token during the grace period', async () => {
    rotated(10 * MINUTE);
    const response = await createReceiver({ now: () => NOW })(signedRequest(vehicleStateEvent()));

    expect(response.statusCode).toBe(200);
    expect(secretsMock).not.toHaveReceivedCommandWith(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' });
  });

  it('refuses a token that is neither current nor previous during the grace period', async () => {
    rotated(10 * MINUTE);
    const response = await createReceiver({ now: () => NOW })(
      signedRequest(vehicleStateEvent(), { token: 'forged' }),
    );

    expect(response.statusCode).toBe(401);
  });

  it('answers 401, not 500, when the secret has no previous version', async () => {
    rotated(10 * MINUTE, new ResourceNotFoundException({ message: 'no AWSPREVIOUS version', $metadata: {} }));
    const response = await createReceiver({ now: () => NOW })(
      signedRequest(vehicleStateEvent(), { token: 'old-token' }),
    );

    expect(response.statusCode).toBe(401);
  });

  it('never accepts the deploy-time placeholder as a previous token', async () => {
    rotated(10 * MINUTE, PLACEHOLDER_TOKEN);
    const response = await createReceiver({ now: () => NOW })(
      signedRequest(vehicleStateEvent(), { token: PLACEHOLDER_TOKEN }),
    );

    expect(response.statusCode).toBe(401);
  });

  it('answers 503 when the previous version cannot be read, so Smartcar retries', async () => {
    rotated(10 * MINUTE, Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const response = await createReceiver({ now: () => NOW })(
      signedRequest(vehicleStateEvent(), { token: 'old-token' }),
    );

    expect(response.statusCode).toBe(503);
  });
});
