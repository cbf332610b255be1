import { request, type Agent, type IncomingHttpHeaders } from 'node:http';

/** A promise with its resolve function outside, for steering fakes step by step. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

/** A {@link Deferred}. */
export function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Lets pending I/O callbacks and promise chains run until `condition` holds (fails after ~2 s). */
export async function until(condition: () => boolean, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** What {@link httpRequest} got back. */
export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Options of {@link httpRequest}. */
export interface HttpRequestOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** @default false (one connection per request) */
  agent?: Agent | false;
}

/** One request with node:http, which (unlike fetch) lets a test set the Host header. */
export function httpRequest(baseUrl: string, options: HttpRequestOptions = {}): Promise<HttpReply> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
