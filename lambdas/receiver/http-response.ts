import { ERROR_CODES } from '../contract';
import { HttpError } from './errors';

/** What the receiver answers; the shape API Gateway HTTP APIs (payload 2.0) expect back. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** A JSON response. */
export function jsonResponse(statusCode: number, body: Record<string, unknown>): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/**
 * The one place errors become status codes. Unknown errors are a 500 with a generic message, so
 * nothing internal leaks to the caller; Smartcar retries any non-2xx.
 */
export function errorResponse(error: unknown): HttpResponse {
  if (error instanceof HttpError) {
    return jsonResponse(error.statusCode, { error: error.code, message: error.publicMessage });
  }
  return jsonResponse(500, { error: ERROR_CODES.internal, message: 'Internal error; retry later.' });
}
