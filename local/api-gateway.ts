import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ROUTES } from '../lambdas/contract';
import type { DeliveryResult } from './activity';
import { type FaultRequest, FaultRequestError, parseFaultRequest } from './faults';
import { baseUrl, DEFAULT_LISTEN_HOST } from './listen-address';
import { isFromThisMachine, requestOrigin, type UnroutedRequest } from './local-requests';
import { type Handler, inProcessFunction, type LocalFunction } from './local-function';
import { httpApiEvent, LOCAL_HTTP_API } from './kit/api-gateway-events';

/** The receiver's Lambda handler. */
export type ReceiverHandler = Handler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/** The receiver with its execution environments, as the local API invokes it. */
export type LocalReceiver = LocalFunction<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/**
 * Receiver invocations the local API runs at once by default, each in an execution environment of
 * its own. In AWS a burst gets more environments, each with its own CPU and connections; locally
 * they share a few cores with fauxqs and dynalite, so beyond a few at once they add no throughput
 * and only stretch each invocation's SQS call towards its attempt timeout
 * (`ENQUEUE_BUDGET.requestTimeoutMs`, 1.5 s). Measured on 2 cores shared with two CPU-bound
 * processes, 1,000 deliveries 200 at a time: 10 at once came within a quarter of the best
 * throughput with the slowest invocation near 0.5 s; 30 gained little and took 1.4 s; 200 answered
 * 60% with 503.
 */
export const DEFAULT_RECEIVER_CONCURRENCY = 10;

/** Settings of {@link startLocalApi}. */
export interface LocalApiOptions {
  port: number;
  /**
   * The address to listen on; any but loopback makes the webhook reachable from the network.
   * `/_local/*` answers this machine only, whatever the host.
   * @default DEFAULT_LISTEN_HOST (127.0.0.1)
   */
  host?: string;
  webhookPath?: string;
  /**
   * The receiver, with its execution environments: a request waits for a free one before the
   * handler starts, so the wait is not charged to the handler's own time budget (and is reported
   * apart, as {@link DeliveryResult.waitedMs}).
   */
  receiver: LocalReceiver | ReceiverHandler;
  /**
   * With a plain handler: invocations it serves at once, like that many warm environments in this
   * thread. A {@link LocalReceiver} brings its own bound.
   * @default DEFAULT_RECEIVER_CONCURRENCY (10)
   */
  receiverConcurrency?: number;
  /** Called as an invocation starts, so its deadline counts from then, not from the request's arrival. */
  context: () => Context;
  /** `GET /_local/status` */
  status: () => Promise<unknown>;
  /**
   * `POST /_local/faults` with a request checked against `FAULT_SWITCHES` (anything else is a 400
   * that never gets here), and `GET /_local/faults` with `{}`: answers the state after the change,
   * or a promise of it (the answer waits until the switches are set).
   */
  faults: (request: FaultRequest) => unknown;
  onDelivery: (result: DeliveryResult) => void;
  /**
   * A request that no route serves (404), or a `/_local` request from elsewhere (403): for the
   * console, where API Gateway's own 404s never show.
   * @default none
   */
  onUnrouted?: (request: UnroutedRequest) => void;
  /**
   * Every other request under `/_local` (the inspector, local/inspector): its answer, or undefined
   * for API Gateway's 404.
   * @default none: those are 404s
   */
  local?: (request: LocalRequest) => Promise<LocalResponse | undefined>;
}

/** A request under `/_local` for {@link LocalApiOptions.local}. */
export interface LocalRequest {
  method: string;
  /** The request's path and query on the URL this machine reaches the API at (`http://127.0.0.1:<port>`). */
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The answer to a {@link LocalRequest}, sent as it is. */
export interface LocalResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** The running local API. */
export interface LocalApi {
  url: string;
  close(): Promise<void>;
}

// API Gateway's own payload limit; the receiver enforces the much lower one it is configured with.
const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
// ignoreBOM keeps a leading byte-order mark in the text: the decoder would otherwise drop it, and
// the receiver would check the signature over other bytes than were signed (a 401 here that AWS,
// which passes the body through untouched, never gives).
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * What API Gateway's HTTP API does for this stack, on 127.0.0.1: exactly `POST <webhookPath>` and
 * `GET /health` reach the receiver as payload-format-2.0 events; every other route is a 404 that
 * never reaches it. `/_local/*` is the emulator's own status and fault switches.
 */
export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const webhookPath = options.webhookPath ?? ROUTES.webhookPath;
  const routes = new Set([`POST ${webhookPath}`, `GET ${ROUTES.healthPath}`]);
  const receiver = localReceiver(options);

  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const routeKey = `${req.method} ${path}`;
    const method = req.method ?? 'GET';
    const isLocalPath = path === '/_local' || path.startsWith('/_local/');
    if (isLocalPath && !isFromThisMachine(req.socket, req.headers)) {
      const from = requestOrigin(req.socket, req.headers);
      options.onUnrouted?.({ status: 403, method, path, webhookPath, from });
      return send(res, 403, { message: 'Forbidden: /_local answers requests from this machine only.' });
    }
    if (routeKey === 'GET /_local/status') return send(res, 200, await options.status());
    if (routeKey === 'GET /_local/faults') return send(res, 200, await options.faults({}));
    if (routeKey === 'POST /_local/faults') return answerFaults(res, body, options.faults);
    if (options.local !== undefined && isLocalPath) {
      const origin = baseUrl(options.host ?? DEFAULT_LISTEN_HOST, (server.address() as AddressInfo).port);
      const url = new URL(req.url ?? '/', origin);
      const answer = await options.local({ method: req.method ?? 'GET', url, headers: req.headers, body });
      if (answer !== undefined) {
        res.writeHead(answer.statusCode, answer.headers);
        res.end(answer.body);
        return;
      }
    }
    if (!routes.has(routeKey)) {
      options.onUnrouted?.({ status: 404, method, path, webhookPath });
      return send(res, 404, { message: 'Not Found' });
    }
    if (body.length > API_GATEWAY_MAX_BODY_BYTES)
      return send(res, 413, { message: 'Request Entity Too Large' });

    // Stamped on arrival, as API Gateway does, before any wait for an environment.
    const event = toEvent(req, path, body);
    const { result, durationMs, waitedMs, coldStart } = await receiver.invoke(event, options.context);
    const responseBody = typeof result.body === 'string' ? result.body : '';
    res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
    res.end(responseBody);
    if (req.method === 'POST') {
      options.onDelivery({
        statusCode: result.statusCode ?? 200,
        durationMs: Math.round(durationMs),
        waitedMs: Math.round(waitedMs),
        coldStart,
        requestBody: body.toString('utf8'),
        responseBody,
      });
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((error: unknown) => {
        // API Gateway answers a failed integration with 500 "Internal Server Error".
        send(res, 500, { message: 'Internal Server Error' });
        process.stderr.write(
          `receiver invocation failed: ${error instanceof Error ? error.stack : String(error)}\n`,
        );
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? DEFAULT_LISTEN_HOST, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: baseUrl(options.host ?? DEFAULT_LISTEN_HOST, port),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function localReceiver(options: LocalApiOptions): LocalReceiver {
  if (typeof options.receiver !== 'function') return options.receiver;
  const concurrency = options.receiverConcurrency ?? DEFAULT_RECEIVER_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`receiverConcurrency must be a whole number ≥ 1, got ${concurrency}.`);
  return inProcessFunction(options.receiver, concurrency);
}

/**
 * The payload-format-2.0 event. Like API Gateway, text bodies arrive as strings and anything else
 * (or text that is not valid UTF-8) base64-encoded.
 */
function toEvent(req: IncomingMessage, path: string, body: Buffer): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const contentType = headers['content-type'] ?? '';
  const text = /json|text|xml|x-www-form-urlencoded/.test(contentType) ? decodeUtf8(body) : undefined;
  return httpApiEvent(
    {
      method: req.method ?? 'GET',
      path,
      rawQueryString: new URL(req.url ?? '/', 'http://localhost').search.slice(1),
      headers,
      body: body.length === 0 ? undefined : (text ?? body.toString('base64')),
      isBase64Encoded: body.length > 0 && text === undefined,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      protocol: `HTTP/${req.httpVersion}`,
    },
    { ...LOCAL_HTTP_API, domainName: headers.host ?? LOCAL_HTTP_API.domainName },
  );
}

function decodeUtf8(body: Buffer): string | undefined {
  try {
    return utf8.decode(body);
  } catch {
    return undefined;
  }
}

async function answerFaults(
  res: ServerResponse,
  body: Buffer,
  faults: LocalApiOptions['faults'],
): Promise<void> {
  let request: FaultRequest;
  try {
    request = parseFaultRequest(body);
  } catch (error) {
    if (!(error instanceof FaultRequestError)) throw error;
    return send(res, error.statusCode, { error: 'INVALID_FAULT', message: error.message });
  }
  send(res, 200, await faults(request));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
