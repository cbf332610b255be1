import { performance } from 'node:perf_hooks';
import { CLI_DEFAULTS } from './config';
import { isErrorLike } from './errors';

/** An answer from the endpoint, body read in full. */
export interface HttpAnswer {
  kind: 'answer';
  status: number;
  headers: Headers;
  body: string;
  elapsedMs: number;
}

/** Why no answer arrived. */
export type NoAnswerReason = 'timeout' | 'refused' | 'dns' | 'tls' | 'network';

/** No (complete) answer: the request failed at the transport or ran out of time. */
export interface NoAnswer {
  kind: 'no-answer';
  reason: NoAnswerReason;
  /** What the transport said, e.g. `ECONNREFUSED`. */
  detail: string;
  elapsedMs: number;
}

/** The outcome of one POST. */
export type Exchange = HttpAnswer | NoAnswer;

/** One POST as Smartcar makes it. */
export interface PostOptions {
  url: string;
  body: string | Uint8Array;
  /** Extra headers, e.g. `sc-signature`. */
  headers?: Record<string, string>;
  timeoutMs: number;
  fetch: typeof fetch;
}

/**
 * POSTs a JSON body the way Smartcar does and never throws for transport failures: the caller turns
 * a refused connection into advice. Redirects are not followed, because Smartcar does not follow
 * them either: a 3xx must show up as the failure it is. The timeout covers reading the body too.
 */
export async function postJson(options: PostOptions): Promise<Exchange> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await options.fetch(options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': CLI_DEFAULTS.userAgent,
        ...options.headers,
      },
      body: options.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const body = await response.text();
    return { kind: 'answer', status: response.status, headers: response.headers, body, elapsedMs: elapsed() };
  } catch (error) {
    return { kind: 'no-answer', ...classifyFailure(error), elapsedMs: elapsed() };
  }
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);
const REFUSED_CODES = new Set(['ECONNREFUSED']);

/** Maps what fetch throws (an AbortSignal timeout, or a TypeError wrapping a socket error). */
export function classifyFailure(error: unknown): { reason: NoAnswerReason; detail: string } {
  if (isErrorLike(error) && error.name === 'TimeoutError') return { reason: 'timeout', detail: 'timeout' };
  const code = findErrorCode(error);
  if (code !== undefined && REFUSED_CODES.has(code)) return { reason: 'refused', detail: code };
  if (code !== undefined && DNS_CODES.has(code)) return { reason: 'dns', detail: code };
  if (code !== undefined && /CERT|TLS|SSL/.test(code)) return { reason: 'tls', detail: code };
  return { reason: 'network', detail: code ?? innermostMessage(error) };
}

/** The message of the last cause: "bad port" says more than fetch's own "fetch failed". */
function innermostMessage(error: unknown): string {
  let message = isErrorLike(error) ? error.message : String(error);
  for (
    let cause = isErrorLike(error) ? error.cause : undefined, depth = 0;
    isErrorLike(cause) && depth < 5;
    depth++
  ) {
    message = cause.message;
    cause = cause.cause;
  }
  return message;
}

/**
 * The first `code` in the cause chain. fetch reports "fetch failed" and hides the socket error in
 * `cause`; connecting to a name with several addresses nests them in an AggregateError.
 */
function findErrorCode(error: unknown, depth = 0): string | undefined {
  if (!isErrorLike(error) || depth > 5) return undefined;
  const { code } = error;
  if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
  if (Array.isArray(error.errors)) {
    for (const inner of error.errors) {
      const found = findErrorCode(inner, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return findErrorCode(error.cause, depth + 1);
}

/** A short, single-line rendering of an answer body for the terminal. */
export function preview(body: string, max = 500): string {
  const flat = body.replace(/\s*\n\s*/g, ' ').trim();
  if (flat === '') return '(empty body)';
  return flat.length > max ? `${flat.slice(0, max)}… (${body.length} characters)` : flat;
}
