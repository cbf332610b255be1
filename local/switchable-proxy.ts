import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A reply produced by an interceptor instead of the target. */
export interface InterceptedReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Answers some requests itself; undefined lets the request through to the target. */
export type Interceptor = (req: IncomingMessage, body: Buffer) => Promise<InterceptedReply | undefined>;

/** A loopback HTTP proxy in front of an emulator that can be switched off to simulate an outage. */
export interface SwitchableProxy {
  endpoint: string;
  readonly available: boolean;
  /**
   * Off: open connections are cut and new ones reset, as when a service is unreachable.
   * Resolves once that holds for the next request (a switch in another thread applies it there).
   */
  setAvailable(available: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Starts the proxy on 127.0.0.1 in front of `target` (an `http://host:port` URL). */
export async function startSwitchableProxy(
  target: string,
  options: { port?: number; intercept?: Interceptor } = {},
): Promise<SwitchableProxy> {
  const targetUrl = new URL(target);
  const sockets = new Set<Socket>();
  let available = true;

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const upstream = request(
      {
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: req.method,
        path: req.url,
        // The Host header is kept: emulators build queue URLs from it, and they must point here.
        headers: req.headers,
      },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  };

  const server = createServer((req, res) => {
    if (!available) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const intercepted = options.intercept?.(req, body) ?? Promise.resolve(undefined);
      intercepted
        .then((reply) => {
          if (reply === undefined) return forward(req, body, res);
          res.writeHead(reply.status, reply.headers);
          res.end(reply.body);
        })
        .catch(() => res.destroy());
    });
  });
  server.on('connection', (socket) => {
    if (!available) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    get available() {
      return available;
    },
    setAvailable(value) {
      available = value;
      if (!value) for (const socket of sockets) socket.destroy();
      return Promise.resolve();
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
