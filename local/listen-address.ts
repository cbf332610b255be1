import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/**
 * Where the local API listens (`npm start -- --host`), and what the banner and the CLI put in URLs
 * for it. The default is loopback: nothing but this machine reaches the emulator.
 */

/** The default `--host`. */
export const DEFAULT_LISTEN_HOST = '127.0.0.1';

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/** True for `0.0.0.0` and `::`: every interface, so every network this machine is on. */
export function isWildcardHost(host: string): boolean {
  return WILDCARD_HOSTS.has(host);
}

/** True for hosts only this machine can reach: `localhost`, 127.0.0.0/8, `::1`. */
export function isLoopbackHost(host: string): boolean {
  const bare = unbracketed(host).toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/**
 * The host to put in a URL that this machine uses to reach a server listening on `host`: the host
 * itself (IPv6 in brackets), or loopback for a wildcard, which is no address to connect to.
 */
export function urlHost(host: string): string {
  if (host === '0.0.0.0') return DEFAULT_LISTEN_HOST;
  if (isWildcardHost(host)) return '[::1]';
  const bare = unbracketed(host);
  return isIP(bare) === 6 ? `[${bare}]` : bare;
}

/** `http://<host>:<port>` as {@link urlHost} writes the host. */
export function baseUrl(host: string, port: number): string {
  return `http://${urlHost(host)}:${port}`;
}

/**
 * This machine's own addresses on its networks (no loopback, no link-local IPv6), for the banner
 * of a wildcard host: what other machines would use.
 * @param host the listen host; `0.0.0.0` lists IPv4 addresses only, `::` both families
 */
export function networkAddresses(host: string): string[] {
  const addresses: string[] = [];
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.internal) continue;
      if (entry.family === 'IPv4') addresses.push(entry.address);
      else if (host !== '0.0.0.0' && !entry.address.toLowerCase().startsWith('fe80:'))
        addresses.push(`[${entry.address}]`);
    }
  }
  return addresses;
}

function unbracketed(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
