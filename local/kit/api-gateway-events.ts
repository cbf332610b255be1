import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ROUTES } from '../../lambdas/contract';
import { LOCAL_AWS } from '../local-aws';
import type { Json } from './json';
import { sign } from './signing';

/** One HTTP request to an HTTP API: what a payload-format-2.0 event is made of. */
export interface HttpApiRequest {
  method: string;
  path: string;
  /** Header names lower-case, repeated headers joined with commas, as API Gateway passes them. */
  headers: Record<string, string>;
  /** @default '' */
  rawQueryString?: string;
  /** Text, or base64 with `isBase64Encoded`. */
  body?: string;
  /** @default false */
  isBase64Encoded?: boolean;
  /** @default '198.51.100.7' (a documentation address) */
  sourceIp?: string;
  /** @default 'HTTP/1.1' */
  protocol?: string;
}

/** The API a request reached: account, id and host name. */
export interface HttpApiIdentity {
  accountId: string;
  apiId: string;
  domainName: string;
}

/** The local emulator's API, also the default of the test events. */
export const LOCAL_HTTP_API: HttpApiIdentity = {
  accountId: LOCAL_AWS.accountId,
  apiId: 'local',
  domainName: '127.0.0.1',
};

/**
 * The event an API Gateway HTTP API (payload format 2.0) hands its integration for `request`,
 * stamped with a fresh request id and the current time, as API Gateway stamps it on arrival. The
 * local API builds every event it invokes the receiver with here.
 */
export function httpApiEvent(
  request: HttpApiRequest,
  api: HttpApiIdentity = LOCAL_HTTP_API,
): APIGatewayProxyEventV2 {
  const routeKey = `${request.method} ${request.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: request.path,
    rawQueryString: request.rawQueryString ?? '',
    headers: request.headers,
    requestContext: {
      accountId: api.accountId,
      apiId: api.apiId,
      domainName: api.domainName,
      domainPrefix: api.apiId,
      http: {
        method: request.method,
        path: request.path,
        protocol: request.protocol ?? 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '198.51.100.7',
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: request.body,
    isBase64Encoded: request.isBase64Encoded ?? false,
  };
}

/** Options of {@link apiGatewayEvent}. */
export interface ApiGatewayEventOptions {
  /** @default 'POST' */
  method?: string;
  /** @default the webhook path */
  path?: string;
  body?: string;
  /** Merged over `content-type: application/json` and Smartcar's User-Agent. */
  headers?: Record<string, string>;
  /** @default false */
  isBase64Encoded?: boolean;
}

/** A request as Smartcar makes it to the webhook path, as the receiver gets it. */
export function apiGatewayEvent(options: ApiGatewayEventOptions = {}): APIGatewayProxyEventV2 {
  return httpApiEvent({
    method: options.method ?? 'POST',
    path: options.path ?? ROUTES.webhookPath,
    headers: { 'content-type': 'application/json', 'user-agent': 'Smartcar/1.0', ...options.headers },
    body: options.body,
    isBase64Encoded: options.isBase64Encoded,
  });
}

/** A POST of `payload` (object or raw string) with a valid SC-Signature for its exact bytes. */
export function signedRequest(
  payload: Json | string,
  options: { token?: string; headerName?: string; base64?: boolean } = {},
): APIGatewayProxyEventV2 {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return apiGatewayEvent({
    body: options.base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: options.base64 ?? false,
    headers: { [options.headerName ?? 'sc-signature']: sign(body, options.token) },
  });
}
