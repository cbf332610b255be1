import type { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHost } from './listen-address';

/**
 * Requests the local API answers without the receiver: the ones that miss every route (shown in
 * the console, which API Gateway's 404s never are) and the emulator's own `/_local/*` pages.
 */

/** A request that reached no route, or a `/_local` request from elsewhere, for the console line. */
export interface UnroutedRequest {
  status: 403 | 404;
  method: string;
  path: string;
  /** The path deliveries go to (`POST`). */
  webhookPath: string;
  /** Who sent it, for a refused `/_local` request. */
  from?: string;
}

// Headers a tunnel or reverse proxy adds (ngrok, cloudflared, nginx): the request came from
// elsewhere even though its connection comes from this machine.
const FORWARDED_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip', 'cf-connecting-ip'] as const;

/**
 * Whether a request comes from this machine itself, not from the network nor through a tunnel: its
 * connection is from loopback (or from the very address it arrived at) and no proxy forwarded it.
 * `/_local/*` (status, fault switches, the inspector) is for the developer at this machine: the
 * signature that protects the webhook does not protect those.
 */
export function isFromThisMachine(
  socket: { remoteAddress?: string; localAddress?: string },
  headers: IncomingHttpHeaders,
): boolean {
  if (FORWARDED_HEADERS.some((name) => headers[name] !== undefined)) return false;
  const remote = withoutV4MappedPrefix(socket.remoteAddress ?? '');
  if (remote === '') return false;
  return isLoopbackHost(remote) || remote === withoutV4MappedPrefix(socket.localAddress ?? '');
}

/** Who sent a request, for the console: the client a proxy names, else the connection's peer. */
export function requestOrigin(socket: { remoteAddress?: string }, headers: IncomingHttpHeaders): string {
  const forwarded = headers['x-forwarded-for'] ?? headers['cf-connecting-ip'] ?? headers['x-real-ip'];
  const client = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  const peer = socket.remoteAddress ?? 'an unknown address';
  return client ? `${client} through a proxy at ${peer}` : peer;
}

/**
 * The console line for a request no route serves, with the route meant:
 * `12:00:00.000 404 POST /webhook (the webhook path is /webhooks/smartcar)`.
 */
export function unroutedLine(request: UnroutedRequest, now: Date = new Date()): string {
  const time = now.toISOString().slice(11, 23);
  return `${time} ${request.status} ${request.method} ${request.path} (${why(request)})`;
}

function why({ status, method, path, webhookPath, from }: UnroutedRequest): string {
  if (status === 403) {
    return `from ${from ?? 'another machine'}: /_local answers requests from this machine only, not through a tunnel or the network`;
  }
  if (path === webhookPath) return `Smartcar delivers with POST ${webhookPath}; ${method} is not routed`;
  return `the webhook path is ${webhookPath}`;
}

function withoutV4MappedPrefix(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
}
