import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createReceiverDependencies, toWebhookRequest } from '../../lambdas/receiver/receiver-dependencies';
import { receiveWebhook } from '../../lambdas/receiver/webhook-receiver';
import { RECEIVER_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { type LocalApi, startLocalApi } from '../../local/api-gateway';
import {
  apiGatewayEvent,
  lambdaContext,
  sign,
  signedRequest,
  TEST_TOKEN,
  vehicleStateEvent,
} from '../support/builders';
import {
  BAD_INPUT_CASES,
  type BadInputCase,
  type HttpRequest,
  MAX_BODY_BYTES,
  SIGNED_OBJECT_CASES,
} from './bad-input-cases';

const sqsMock = mockClient(SQSClient);
const secretsMock = mockClient(SecretsManagerClient);

const CONFIG = {
  queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/webhooks',
  tokenSecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:smartcar-amt-AbCdEf',
  maxBodyBytes: MAX_BODY_BYTES,
  replayToleranceSeconds: RECEIVER_DEFAULTS.replayToleranceSeconds,
  tokenRotationGraceSeconds: RECEIVER_DEFAULTS.tokenRotationGraceSeconds,
};

interface Answer {
  statusCode: number;
  body: string;
  json: Record<string, unknown>;
}

/** One receiver instance (one token cache, one SQS client) for every request in this file. */
const deps = createReceiverDependencies(CONFIG, {
  sqs: new SQSClient({ region: 'eu-west-1' }),
  secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
});
const handler = async (event: APIGatewayProxyEventV2) => receiveWebhook(toWebhookRequest(event), deps);

let api: LocalApi;

async function send(request: APIGatewayProxyEventV2 | HttpRequest): Promise<Answer> {
  if ('via' in request) {
    const response = await fetch(`${api.url}${request.path}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
    const body = await response.text();
    return { statusCode: response.status, body, json: parse(body) };
  }
  const response = await handler(request);
  return { statusCode: response.statusCode, body: response.body, json: parse(response.body) };
}

function parse(body: string): Record<string, unknown> {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function sentMessages() {
  return sqsMock.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
}

beforeAll(async () => {
  secretsMock.on(GetSecretValueCommand).resolves({ SecretString: TEST_TOKEN });
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'message-1' });
  api = await startLocalApi({
    port: 0,
    receiver: handler,
    context: () => lambdaContext(),
    status: async () => ({}),
    faults: () => ({}),
    onDelivery: () => undefined,
  });
});

afterAll(async () => {
  await api.close();
});

beforeEach(() => {
  sqsMock.resetHistory();
});

describe('receiver: hostile and broken requests', () => {
  it('has a table of at least 60 cases with unique names', () => {
    const names = new Set(BAD_INPUT_CASES.map((c) => c.name));

    expect(BAD_INPUT_CASES.length).toBeGreaterThanOrEqual(60);
    expect(names.size).toBe(BAD_INPUT_CASES.length);
  });

  it.each(BAD_INPUT_CASES.map((c) => [c.name, c] as const))(
    'refuses %s with the right 4xx and enqueues nothing',
    async (_name, testCase: BadInputCase) => {
      const response = await send(testCase.request());

      expect(response.statusCode).toBe(testCase.expectStatus);
      expect(response.json.error).toBe(testCase.expectCode);
      expect(String(response.json.message)).toMatch(testCase.expectMessage);
      expect(sentMessages()).toHaveLength(0);
      expect(response.body).not.toContain(TEST_TOKEN);
      // An error answer never hands out anything that looks like an HMAC.
      expect(response.body).not.toMatch(/[0-9a-f]{64}/i);
    },
  );

  it('keeps serving valid deliveries after every hostile request, none of which got a 5xx', async () => {
    const statuses: number[] = [];
    for (const testCase of BAD_INPUT_CASES) statuses.push((await send(testCase.request())).statusCode);
    const event = vehicleStateEvent();
    const response = await send(signedRequest(event));

    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(response.statusCode).toBe(200);
    expect(sentMessages()).toHaveLength(1);
    expect(sentMessages()[0]?.MessageBody).toBe(JSON.stringify(event));
  });
});

describe('receiver: signed JSON objects of any shape', () => {
  it.each(SIGNED_OBJECT_CASES.map((c) => [c.name, c] as const))(
    'accepts %s and enqueues exactly the signed bytes',
    async (_name, testCase) => {
      const body = testCase.body();
      const response = await send(signedRequest(body));

      expect(response.statusCode).toBe(200);
      expect(sentMessages().map((message) => message.MessageBody)).toEqual([body]);
    },
  );

  it.each([
    ['U+FFFF', '\uFFFF'],
    ['U+FFFE', '\uFFFE'],
  ])('accepts a signed body with a raw %s and enqueues its bytes as base64', async (_label, character) => {
    const body = JSON.stringify(vehicleStateEvent({ note: character }));
    const response = await send(signedRequest(body));

    expect(response.statusCode).toBe(200);
    expect(Buffer.from(sentMessages()[0]?.MessageBody ?? '', 'base64').toString('utf8')).toBe(body);
    expect(sentMessages()[0]?.MessageAttributes?.bodyEncoding?.StringValue).toBe('base64');
  });
});

describe('receiver: odd but valid requests', () => {
  it.each(['SC-Signature', 'Sc-Signature', 'SC-SIGNATURE', 'sC-sIgNaTuRe'])(
    'accepts the signature header spelled %s',
    async (headerName) => {
      const response = await send(signedRequest(vehicleStateEvent(), { headerName }));

      expect(response.statusCode).toBe(200);
      expect(sentMessages()).toHaveLength(1);
    },
  );

  it('accepts a signature in upper-case hex', async () => {
    const body = JSON.stringify(vehicleStateEvent());
    const response = await send(
      apiGatewayEvent({ body, headers: { 'sc-signature': sign(body).toUpperCase() } }),
    );

    expect(response.statusCode).toBe(200);
  });

  it('accepts a signature with whitespace around it', async () => {
    const body = JSON.stringify(vehicleStateEvent());
    const response = await send(apiGatewayEvent({ body, headers: { 'sc-signature': ` ${sign(body)}\t` } }));

    expect(response.statusCode).toBe(200);
  });

  it('accepts duplicate JSON keys, keys the event by the last eventId and enqueues the signed bytes', async () => {
    const event = vehicleStateEvent();
    const body = `{"eventId":"first",${JSON.stringify(event).slice(1)}`;
    const response = await send(signedRequest(body));

    expect(response.statusCode).toBe(200);
    expect(response.json.eventKey).toBe(event.eventId);
    expect(sentMessages()).toHaveLength(1);
    expect(sentMessages()[0]?.MessageBody).toBe(body);
  });

  it('accepts a signed envelope whose data is nested 10,000 levels deep', async () => {
    const deep = '{"a":'.repeat(10_000) + '{}' + '}'.repeat(10_000);
    const body = `${JSON.stringify(vehicleStateEvent()).slice(0, -1)},"deep":${deep}}`;
    const response = await send(signedRequest(body));

    expect(response.statusCode).toBe(200);
    expect(sentMessages()[0]?.MessageBody).toBe(body);
  });

  it('accepts a delivery whose body is exactly at the limit', async () => {
    const valid = JSON.stringify(vehicleStateEvent());
    const body = `${valid.slice(0, -1)},"pad":"${'x'.repeat(MAX_BODY_BYTES - valid.length - 9)}"}`;
    const response = await send(signedRequest(body));

    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    expect(response.statusCode).toBe(200);
  });

  it('accepts a delivery with a query string through API Gateway', async () => {
    const body = JSON.stringify(vehicleStateEvent());
    const response = await send({
      via: 'http',
      method: 'POST',
      path: '/webhooks/smartcar?source=smartcar',
      headers: { 'content-type': 'application/json', 'SC-Signature': sign(body) },
      body,
    });

    expect(response.statusCode).toBe(200);
    expect(sentMessages()[0]?.MessageBody).toBe(body);
  });

  it('accepts a delivery API Gateway base64-encoded because of its content type', async () => {
    const body = JSON.stringify(vehicleStateEvent());
    const response = await send({
      via: 'http',
      method: 'POST',
      path: '/webhooks/smartcar',
      headers: { 'content-type': 'application/octet-stream', 'sc-signature': sign(body) },
      body,
    });

    expect(response.statusCode).toBe(200);
    expect(sentMessages()[0]?.MessageBody).toBe(body);
  });
});

describe('receiver: fields it does not route on', () => {
  // The receiver validates only what it routes and keys on (eventId, eventType, eventName, the
  // challenge). An authentic delivery with other fields mistyped is enqueued as signed, and the
  // processor's schema dead-letters it with the failing field named, so nothing Smartcar sent is lost.
  it.each([
    ['meta is a string', { meta: 'LIVE' }],
    ['meta.deliveryId is a number', { meta: { deliveryId: 7, deliveredAt: Date.now() } }],
    ['meta.deliveredAt is an object', { meta: { deliveryId: 'd-1', deliveredAt: {} } }],
    ['data is an array', { data: [] }],
    ['data.vehicle.id is a number', { data: { vehicle: { id: 42 }, signals: [] } }],
    ['vehicleId is an object', { vehicleId: {} }],
  ])('accepts and enqueues a signed envelope whose %s', async (_label, override) => {
    const body = JSON.stringify(vehicleStateEvent(override));
    const response = await send(signedRequest(body));

    expect(response.statusCode).toBe(200);
    expect(sentMessages().map((message) => message.MessageBody)).toEqual([body]);
  });
});

describe('receiver: what reaches SQS', () => {
  it('accepts a signed body starting with a UTF-8 BOM and enqueues it with the BOM', async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(JSON.stringify(vehicleStateEvent())),
    ]);
    const response = await send(
      apiGatewayEvent({
        body: bytes.toString('base64'),
        isBase64Encoded: true,
        headers: { 'sc-signature': sign(bytes) },
      }),
    );

    expect(response.statusCode).toBe(200);
    expect(Buffer.from(sentMessages()[0]?.MessageBody ?? '', 'utf8')).toEqual(bytes);
  });

  it.each([
    ['eventId', '"eventId":"evt-\\u0001"'],
    ['eventId', '"eventId":"evt-\\uffff"'],
    ['eventType', '"eventType":"VEHICLE_STATE\\u0000"'],
  ])('never sends SQS an %s attribute SQS would refuse (signed body with %s)', async (_field, escaped) => {
    // The escape keeps the body itself storable; the parsed value, copied into an attribute, is not.
    const [name] = escaped.split(':');
    const event = JSON.stringify(vehicleStateEvent());
    const body = event.replace(new RegExp(`${name}:"[^"]*"`), escaped);
    const response = await send(signedRequest(body));

    const sqsAllowed = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
    const attributes = Object.values(sentMessages()[0]?.MessageAttributes ?? {});
    expect(body).not.toBe(event);
    expect(response.statusCode).toBeLessThan(500);
    for (const attribute of attributes) expect(attribute.StringValue).toMatch(sqsAllowed);
  });

  it('cuts a signed eventId longer than 256 characters to 256 in its attribute, enqueuing the whole body', async () => {
    const eventId = 'e'.repeat(300);
    const body = JSON.stringify(vehicleStateEvent({ eventId }));

    const response = await send(signedRequest(body));

    expect(response.statusCode).toBe(200);
    expect(sentMessages()[0]?.MessageAttributes?.eventKey?.StringValue).toBe('e'.repeat(256));
    expect(sentMessages()[0]?.MessageBody).toBe(body);
  });

  it('cuts a long eventId by code points, never between the halves of a surrogate pair', async () => {
    const eventId = `${'e'.repeat(255)}\u{1F697}\u{1F697}`;
    const body = JSON.stringify(vehicleStateEvent({ eventId }));

    await send(signedRequest(body));

    expect(sentMessages()[0]?.MessageAttributes?.eventKey?.StringValue).toBe(`${'e'.repeat(255)}\u{1F697}`);
  });
});
