import {
  DEFAULT_RECEIVER_CONCURRENCY,
  startLocalApi,
  type LocalApi,
  type LocalApiOptions,
  type ReceiverHandler,
} from '../../local/api-gateway';
import type { DeliveryResult } from '../../local/activity';
import {
  fixedTokens,
  lambdaContext,
  receiverHarness,
  sign,
  TEST_TOKEN,
  vehicleStateEvent,
} from '../../local/kit';
import { deferred, until } from './support-local-async';

const ACCEPTED = {
  statusCode: 200,
  headers: { 'content-type': 'application/json', 'x-receiver': 'yes' },
  body: '{"status":"accepted"}',
};
const MAX_BODY_BYTES = 10 * 1024 * 1024;

let api: LocalApi | undefined;

/** The local API with a receiver answering {@link ACCEPTED}, and jest.fn()s for every callback. */
async function startApi(overrides: Partial<LocalApiOptions> = {}) {
  const receiver = jest.fn<ReturnType<ReceiverHandler>, Parameters<ReceiverHandler>>(async () => ACCEPTED);
  const context = lambdaContext();
  const faults = jest.fn((request: Record<string, unknown>): unknown => ({ applied: request }));
  const onDelivery = jest.fn<void, [DeliveryResult]>();
  api = await startLocalApi({
    port: 0,
    receiver,
    context: () => context,
    status: async () => ({ sqs: 'up' }),
    faults,
    onDelivery,
    ...overrides,
  });
  return { url: api.url, receiver, context, faults, onDelivery };
}

/** The event the receiver got in its only call. */
function eventOf(receiver: jest.Mock<ReturnType<ReceiverHandler>, Parameters<ReceiverHandler>>) {
  expect(receiver).toHaveBeenCalledTimes(1);
  const [event] = receiver.mock.calls[0] ?? [];
  if (event === undefined) throw new Error('the receiver was not called');
  return event;
}

function decoded(body: string | undefined): Buffer {
  return Buffer.from(body ?? '', 'base64');
}

afterEach(async () => {
  jest.restoreAllMocks();
  await api?.close();
  api = undefined;
});

describe('local API routes to the receiver', () => {
  it('hands POST /webhooks/smartcar to the receiver as a payload-format-2.0 event', async () => {
    const { url, receiver } = await startApi();

    await fetch(`${url}/webhooks/smartcar`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"eventId":"e-1"}',
    });

    expect(eventOf(receiver)).toMatchObject({
      version: '2.0',
      routeKey: 'POST /webhooks/smartcar',
      rawPath: '/webhooks/smartcar',
      rawQueryString: '',
      requestContext: {
        http: { method: 'POST', path: '/webhooks/smartcar' },
        routeKey: 'POST /webhooks/smartcar',
        stage: '$default',
      },
      body: '{"eventId":"e-1"}',
      isBase64Encoded: false,
    });
  });

  it('hands GET /health to the receiver without a body', async () => {
    const { url, receiver } = await startApi();

    await fetch(`${url}/health`);

    expect(eventOf(receiver)).toMatchObject({
      routeKey: 'GET /health',
      rawPath: '/health',
      requestContext: { http: { method: 'GET' } },
      body: undefined,
      isBase64Encoded: false,
    });
  });

  it('passes header names lower-cased', async () => {
    const { url, receiver } = await startApi();

    await fetch(`${url}/webhooks/smartcar`, {
      method: 'POST',
      headers: { 'SC-Signature': 'abc123', 'Content-Type': 'application/json' },
      body: '{}',
    });

    expect(eventOf(receiver).headers).toMatchObject({
      'sc-signature': 'abc123',
      'content-type': 'application/json',
    });
  });

  it('passes an empty POST body as undefined', async () => {
    const { url, receiver } = await startApi();

    await fetch(`${url}/webhooks/smartcar`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });

    expect(eventOf(receiver)).toMatchObject({ body: undefined, isBase64Encoded: false });
  });

  it('base64-encodes a JSON body that is not valid UTF-8, keeping its exact bytes', async () => {
    const { url, receiver } = await startApi();
    const bytes = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);

    await fetch(`${url}/webhooks/smartcar`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bytes,
    });

    const event = eventOf(receiver);
    expect(event.isBase64Encoded).toBe(true);
    expect(decoded(event.body)).toEqual(bytes);
  });

  it('passes a JSON body that starts with a UTF-8 byte-order mark as text that keeps the mark', async () => {
    const { url, receiver } = await startApi();
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"eventId":"e-1"}')]);

    await fetch(`${url}/webhooks/smartcar`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bytes,
    });

    const event = eventOf(receiver);
    expect(event.isBase64Encoded).toBe(false);
    expect(Buffer.from(event.body ?? '', 'utf8')).toEqual(bytes);
  });

  it('base64-encodes an application/octet-stream body, keeping its exact bytes', async () => {
    const { url, receiver } = await startApi();
    const bytes = Buffer.from('{"eventId":"e-1"}', 'utf8');

    await fetch(`${url}/webhooks/smartcar`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });

    const event = eventOf(receiver);
    expect(event.isBase64Encoded).toBe(true);
    expect(decoded(event.body)).toEqual(bytes);
  });

  it('routes on the path alone and passes the query string as rawQueryString', async () => {
    const { url, receiver } = await startApi();

    await fetch(`${url}/webhooks/smartcar?source=test&n=1`, { method: 'POST', body: '{}' });

    expect(eventOf(receiver)).toMatchObject({
      routeKey: 'POST /webhooks/smartcar',
      rawPath: '/webhooks/smartcar',
      rawQueryString: 'source=test&n=1',
    });
  });

  it('routes POST on the configured webhookPath', async () => {
    const { url, receiver } = await startApi({ webhookPath: '/hooks/custom' });

    await fetch(`${url}/hooks/custom`, { method: 'POST', body: '{}' });

    expect(eventOf(receiver).routeKey).toBe('POST /hooks/custom');
  });

  it('invokes the receiver with the context the caller supplies', async () => {
    const { url, receiver, context } = await startApi();

    await fetch(`${url}/health`);

    expect(receiver).toHaveBeenCalledWith(expect.anything(), context);
  });

  it('answers with the receiver’s status, headers and body', async () => {
    const { url } = await startApi();

    const response = await fetch(`${url}/webhooks/smartcar`, { method: 'POST', body: '{}' });

    expect(response.status).toBe(200);
    expect(response.headers.get('x-receiver')).toBe('yes');
    await expect(response.text()).resolves.toBe('{"status":"accepted"}');
  });

  it('accepts a body of exactly 10 MiB', async () => {
    const { url, receiver } = await startApi();

    await fetch(`${url}/webhooks/smartcar`, { method: 'POST', body: Buffer.alloc(MAX_BODY_BYTES, 0x61) });

    expect(receiver).toHaveBeenCalledTimes(1);
  });
});

describe('local API refuses what API Gateway refuses', () => {
  it.each([
    ['GET', '/webhooks/smartcar'],
    ['POST', '/other'],
    ['DELETE', '/health'],
    ['POST', '/webhooks/smartcar/extra'],
  ])('answers %s %s with 404 Not Found without invoking the receiver', async (method, path) => {
    const { url, receiver } = await startApi();

    const response = await fetch(`${url}${path}`, { method });

    expect(response.status).toBe(404);
    await expect(response.json()).resolves.toEqual({ message: 'Not Found' });
    expect(receiver).not.toHaveBeenCalled();
  });

  it('answers a body over 10 MiB with 413 without invoking the receiver', async () => {
    const { url, receiver } = await startApi();

    const response = await fetch(`${url}/webhooks/smartcar`, {
      method: 'POST',
      body: Buffer.alloc(MAX_BODY_BYTES + 1, 0x61),
    });

    expect(response.status).toBe(413);
    await expect(response.json()).resolves.toEqual({ message: 'Request Entity Too Large' });
    expect(receiver).not.toHaveBeenCalled();
  });

  it('answers 500 Internal Server Error when the receiver throws', async () => {
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { url } = await startApi({
      receiver: async () => {
        throw new Error('handler crashed');
      },
    });

    const response = await fetch(`${url}/webhooks/smartcar`, { method: 'POST', body: '{}' });

    expect(response.status).toBe(500);
    await expect(response.json()).resolves.toEqual({ message: 'Internal Server Error' });
  });

  it('writes the receiver’s error to stderr when it throws', async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { url } = await startApi({
      receiver: async () => {
        throw new Error('handler crashed');
      },
    });

    await fetch(`${url}/webhooks/smartcar`, { method: 'POST', body: '{}' });

    expect(stderr).toHaveBeenCalledWith(
      expect.stringContaining('receiver invocation failed: Error: handler crashed'),
    );
  });
});

describe('local API emulator endpoints', () => {
  it('answers GET /_local/status with what status() returns', async () => {
    const { url, receiver } = await startApi({
      status: async () => ({ sqs: 'down', counts: { received: 2 } }),
    });

    const response = await fetch(`${url}/_local/status`);

    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toEqual({ sqs: 'down', counts: { received: 2 } });
    expect(receiver).not.toHaveBeenCalled();
  });

  it('passes the JSON of POST /_local/faults to faults() and answers what it returns', async () => {
    const { url, faults } = await startApi();

    const response = await fetch(`${url}/_local/faults`, { method: 'POST', body: '{"sqs":"down"}' });

    expect(faults).toHaveBeenCalledWith({ sqs: 'down' });
    await expect(response.json()).resolves.toEqual({ applied: { sqs: 'down' } });
  });

  it('answers 400 without calling faults() when POST /_local/faults is not JSON', async () => {
    const { url, faults } = await startApi();

    const response = await fetch(`${url}/_local/faults`, { method: 'POST', body: 'sqs=down' });

    expect(response.status).toBe(400);
    expect(faults).not.toHaveBeenCalled();
  });
});

describe('local API delivery reports', () => {
  it('reports each POST to the webhook path with its status, duration and both bodies', async () => {
    const { url, onDelivery } = await startApi();

    await fetch(`${url}/webhooks/smartcar`, { method: 'POST', body: '{"eventId":"e-1"}' });

    expect(onDelivery).toHaveBeenCalledTimes(1);
    expect(onDelivery).toHaveBeenCalledWith({
      statusCode: 200,
      durationMs: expect.any(Number),
      waitedMs: expect.any(Number),
      coldStart: expect.any(Boolean),
      requestBody: '{"eventId":"e-1"}',
      responseBody: '{"status":"accepted"}',
    });
  });

  it('reports refused deliveries too', async () => {
    const { url, onDelivery } = await startApi({
      receiver: async () => ({ statusCode: 401, body: '{"error":"SIGNATURE_MISSING"}' }),
    });

    await fetch(`${url}/webhooks/smartcar`, { method: 'POST', body: '{}' });

    expect(onDelivery).toHaveBeenCalledWith(
      expect.objectContaining({ statusCode: 401, responseBody: '{"error":"SIGNATURE_MISSING"}' }),
    );
  });

  it('does not report GET /health', async () => {
    const { url, onDelivery } = await startApi();

    await fetch(`${url}/health`);

    expect(onDelivery).not.toHaveBeenCalled();
  });
});

describe('local API receiver environments', () => {
  /** A receiver that holds each invocation open for a moment and records how many overlap. */
  function overlappingReceiver() {
    let inFlight = 0;
    let most = 0;
    const receiver: ReceiverHandler = async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight--;
      return ACCEPTED;
    };
    return { receiver, most: () => most };
  }

  const post = (url: string) => fetch(`${url}/webhooks/smartcar`, { method: 'POST', body: '{}' });

  it('runs at most receiverConcurrency invocations at once and answers every request', async () => {
    const { receiver, most } = overlappingReceiver();
    const { url } = await startApi({ receiver, receiverConcurrency: 2 });

    const responses = await Promise.all(Array.from({ length: 8 }, () => post(url)));

    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(200));
    expect(most()).toBeLessThanOrEqual(2);
  });

  it(`runs at most ${DEFAULT_RECEIVER_CONCURRENCY} invocations at once by default`, async () => {
    const { receiver, most } = overlappingReceiver();
    const { url } = await startApi({ receiver });

    await Promise.all(Array.from({ length: DEFAULT_RECEIVER_CONCURRENCY * 3 }, () => post(url)));

    expect(most()).toBeLessThanOrEqual(DEFAULT_RECEIVER_CONCURRENCY);
  });

  it('invokes the receiver for a waiting request once the invocation ahead of it ends', async () => {
    const first = deferred<void>();
    const receiver = jest.fn<ReturnType<ReceiverHandler>, Parameters<ReceiverHandler>>(async () => {
      if (receiver.mock.calls.length === 1) await first.promise;
      return ACCEPTED;
    });
    const { url } = await startApi({ receiver, receiverConcurrency: 1 });

    const answers = [post(url), post(url)];
    await until(() => receiver.mock.calls.length === 1, 'the first invocation');
    first.resolve();

    expect((await Promise.all(answers)).map((response) => response.status)).toEqual([200, 200]);
    expect(receiver).toHaveBeenCalledTimes(2);
  });

  it('refuses a receiverConcurrency below 1', async () => {
    await expect(startApi({ receiverConcurrency: 0 })).rejects.toThrow(
      'receiverConcurrency must be a whole number ≥ 1, got 0.',
    );
  });
});

describe('local API in front of the real receiver', () => {
  it('accepts a signed body that starts with a UTF-8 byte-order mark and enqueues it byte for byte', async () => {
    const enqueued: string[] = [];
    const receiver = receiverHarness({
      replace: {
        tokens: fixedTokens(TEST_TOKEN),
        enqueue: async ({ body }) => void enqueued.push(body),
      },
    });
    const { url } = await startApi({ receiver: (event) => receiver.invoke(event) });
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(JSON.stringify(vehicleStateEvent())),
    ]);

    const response = await fetch(`${url}/webhooks/smartcar`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sc-signature': sign(bytes) },
      body: bytes,
    });

    expect(response.status).toBe(200);
    expect(enqueued.map((body) => Buffer.from(body, 'utf8'))).toEqual([bytes]);
  });
});

describe('local API binding', () => {
  it('listens on 127.0.0.1 only', async () => {
    const { url } = await startApi();

    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
