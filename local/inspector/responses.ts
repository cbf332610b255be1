import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LocalResponse } from '../api-gateway';
import type { InspectorRequestError } from './errors';

/** The inspector's page, script and style, by route. */
const STATIC_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/_local/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/_local/inspector.js': { file: 'inspector.js', type: 'text/javascript; charset=utf-8' },
  '/_local/inspector.css': { file: 'inspector.css', type: 'text/css; charset=utf-8' },
};

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

/** Headers of the page and its files. */
export const PAGE_HEADERS = {
  ...SECURITY_HEADERS,
  // Its own script and style only, no framing (the buttons act), no forms, no other hosts.
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
};

/** An error as JSON: `{ "error": <code>, "message" }`. */
export function errorResponse(error: InspectorRequestError): LocalResponse {
  const response = json(error.statusCode, { error: error.code, message: error.message });
  return { ...response, headers: { ...response.headers, ...error.headers } };
}

/** A JSON answer with the security headers. */
export function json(statusCode: number, body: unknown): LocalResponse {
  return {
    statusCode,
    headers: { ...SECURITY_HEADERS, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/** A permanent redirect. */
export function redirect(location: string): LocalResponse {
  return { statusCode: 308, headers: { ...SECURITY_HEADERS, location }, body: '' };
}

/** The page, its script and its style, read once: they are served as they are, no build step. */
export function loadStaticFiles(): Map<string, { type: string; content: Buffer }> {
  const folder = path.join(__dirname, 'static');
  return new Map(
    Object.entries(STATIC_FILES).map(([route, { file, type }]) => [
      route,
      { type, content: readFileSync(path.join(folder, file)) },
    ]),
  );
}
