import { createHmac, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context, SQSRecord } from 'aws-lambda';

/** A made-up Application Management Token for tests. */
export const TEST_TOKEN = 'test-application-management-token-0123456789';

/** Hex HMAC-SHA256 of the exact body bytes: what Smartcar puts in SC-Signature. */
export function sign(body: string | Uint8Array, token = TEST_TOKEN): string {
  return createHmac('sha256', token).update(body).digest('hex');
}

/** A current-format VEHICLE_STATE envelope (shape of a real delivery, trimmed), with fresh ids. */
export function vehicleStateEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: randomUUID(),
    eventType: 'VEHICLE_STATE',
    data: {
      user: { id: randomUUID() },
      vehicle: { id: randomUUID(), make: 'POLESTAR', model: 'Polestar 2', year: 2024 },
      signals: [
        {
          code: 'tractionbattery-stateofcharge',
          name: 'StateOfCharge',
          group: 'TractionBattery',
          body: { value: 89, unit: 'percent' },
          meta: { oemUpdatedAt: 1769937933000, retrievedAt: 1769937943244 },
          status: { value: 'SUCCESS' },
        },
        {
          code: 'location-preciselocation',
          name: 'PreciseLocation',
          group: 'Location',
          body: { latitude: 61.1111, longitude: 23.3333, locationType: 'LAST_PARKED' },
          meta: { oemUpdatedAt: 1769852864000, retrievedAt: 1769937942671 },
          status: { value: 'SUCCESS' },
        },
        {
          code: 'vehicleidentification-vin',
          name: 'VIN',
          group: 'VehicleIdentification',
          body: { value: '5YJ3E1EA7KF000316' },
          meta: { oemUpdatedAt: 0, retrievedAt: 1769937942671 },
          status: { value: 'SUCCESS' },
        },
        {
          code: 'location-isathome',
          name: 'IsAtHome',
          group: 'Location',
          status: { value: 'ERROR', error: { type: 'COMPATIBILITY', code: 'VEHICLE_NOT_CAPABLE' } },
        },
      ],
    },
    triggers: [
      {
        type: 'SIGNAL_UPDATED',
        signal: { name: 'StateOfCharge', code: 'tractionbattery-stateofcharge', group: 'TractionBattery' },
      },
    ],
    meta: {
      deliveryId: randomUUID(),
      deliveredAt: Date.now(),
      version: '4.0',
      webhookId: randomUUID(),
      webhookName: 'Fleet',
      mode: 'LIVE',
      signalCount: 4,
    },
    ...overrides,
  };
}

/** A current-format VEHICLE_ERROR envelope with fresh ids. */
export function vehicleErrorEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: randomUUID(),
    eventType: 'VEHICLE_ERROR',
    data: {
      user: { id: randomUUID() },
      vehicle: { id: randomUUID(), make: 'TESLA', model: 'Model 3', year: 2020 },
      errors: [
        {
          type: 'PERMISSION',
          code: null,
          state: 'ERROR',
          description: 'Your application has insufficient permissions to access the requested resource.',
          resolution: { type: 'REAUTHENTICATE' },
          signals: [{ code: 'closure-islocked', name: 'IsLocked', group: 'Closure' }],
        },
      ],
    },
    meta: {
      version: '4.0',
      deliveryId: randomUUID(),
      deliveredAt: Date.now(),
      webhookId: randomUUID(),
      mode: 'LIVE',
    },
    ...overrides,
  };
}

/** A legacy v2.0 eventBased envelope. */
export function legacyEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '2.0',
    webhookId: randomUUID(),
    eventName: 'eventBased',
    mode: 'test',
    payload: {
      eventId: randomUUID(),
      vehicleId: randomUUID(),
      eventType: 'CHARGING_COMPLETED',
      eventTime: '2023-08-24T15:49:24.855Z',
    },
    ...overrides,
  };
}

/** A current-format VERIFY envelope. */
export function verifyEvent(challenge: unknown = randomUUID()): Record<string, unknown> {
  return {
    eventId: randomUUID(),
    eventType: 'VERIFY',
    data: { challenge },
    meta: {
      version: '4.0',
      webhookId: randomUUID(),
      webhookName: 'Fleet',
      deliveryId: randomUUID(),
      deliveredAt: Date.now(),
    },
  };
}

/** A legacy v2.0 VERIFY envelope. */
export function legacyVerifyEvent(challenge: unknown = randomUUID()): Record<string, unknown> {
  return { version: '2.0', webhookId: randomUUID(), eventName: 'verify', payload: { challenge } };
}

/** Options of {@link apiGatewayEvent}. */
export interface ApiGatewayEventOptions {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  isBase64Encoded?: boolean;
}

/** The event an API Gateway HTTP API (payload format 2.0) sends the receiver. */
export function apiGatewayEvent(options: ApiGatewayEventOptions = {}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/webhooks/smartcar';
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'user-agent': 'Smartcar/1.0', ...options.headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api-id',
      domainName: 'api-id.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'api-id',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'Smartcar/1.0' },
      requestId: randomUUID(),
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: options.body,
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

/** A POST of `payload` (object or raw string) with a valid SC-Signature for its exact bytes. */
export function signedRequest(
  payload: Record<string, unknown> | string,
  options: { token?: string; headerName?: string; base64?: boolean } = {},
): APIGatewayProxyEventV2 {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const signature = sign(body, options.token);
  return apiGatewayEvent({
    body: options.base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: options.base64 ?? false,
    headers: { [options.headerName ?? 'sc-signature']: signature },
  });
}

/** An SQS record as Lambda's event source mapping delivers it. */
export function sqsRecord(
  body: string,
  options: { messageId?: string; receiveCount?: number } = {},
): SQSRecord {
  return {
    messageId: options.messageId ?? randomUUID(),
    receiptHandle: randomUUID(),
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: String(Date.now()),
      SenderId: 'AROAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:webhooks',
    awsRegion: 'eu-west-1',
  };
}

/** A Lambda context with a generous remaining time. */
export function lambdaContext(remainingMs = 30_000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'smartcar-webhook-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:smartcar-webhook-test',
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/smartcar-webhook-test',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Captures everything written to stdout/stderr (where Powertools logger writes) while `fn` runs.
 */
export async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result: T; output: string }> {
  const chunks: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  try {
    const result = await fn();
    return { result, output: chunks.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}
