import { isLoopbackHost, isWildcardHost, networkAddresses } from '../listen-address';
import { CLI_DEFAULTS } from './config';

/**
 * What `start`'s banner tells the user to run next, for the address it really listens on: the other
 * commands find the emulator at 127.0.0.1:$PORT (3000 by default), so a hint carries `PORT=…` when
 * the port differs, and `--url`/`--local` when 127.0.0.1 does not reach the emulator at all.
 */

/** Where `start` listens, as the banner describes it. */
export interface ListenAddress {
  /** The `--host` it listens on. */
  host: string;
  /** The port it got (not 0). */
  port: number;
  /** The base URL this machine reaches it at, e.g. `http://127.0.0.1:3001`. */
  url: string;
  /** The webhook URL on {@link url}. */
  webhookUrl: string;
}

/** The commands to suggest, with what they need to reach this emulator. */
export interface StartHints {
  /** `PORT=3001 npm run send -- VEHICLE_STATE` */
  send: string;
  /** `npm run cli -- <command>` with what it needs, e.g. `PORT=3001 npm run cli -- events` */
  cli(command: string): string;
}

/** The banner's hints for an emulator listening at `address`. */
export function startHints(address: ListenAddress): StartHints {
  // The other commands go to 127.0.0.1, which reaches a server on 127.0.0.1 or on 0.0.0.0.
  const reachedByDefault = address.host === CLI_DEFAULTS.localHost || address.host === '0.0.0.0';
  if (!reachedByDefault) {
    return {
      send: `npm run send -- VEHICLE_STATE --url ${address.webhookUrl}`,
      cli: (command) => `npm run cli -- ${command} --local ${address.url}`,
    };
  }
  const port = address.port === CLI_DEFAULTS.localPort ? '' : `PORT=${address.port} `;
  return {
    send: `${port}npm run send -- VEHICLE_STATE`,
    cli: (command) => `${port}npm run cli -- ${command}`,
  };
}

/**
 * The banner's line for where other machines reach a wildcard host (`0.0.0.0`, `::`), ending in a
 * newline; empty for any other host, whose URLs are the banner's own.
 */
export function networkLine(address: ListenAddress, webhookPath: string): string {
  if (!isWildcardHost(address.host)) return '';
  const urls = networkAddresses(address.host).map((host) => `http://${host}:${address.port}${webhookPath}`);
  return urls.length === 0 ? '' : `  network   POST ${urls.join('  ')}\n`;
}

/**
 * The warning for a host other machines can reach, ending in a newline: only the signature stands
 * between the network and the pipeline. Empty for loopback.
 */
export function exposureWarning(address: ListenAddress): string {
  if (isLoopbackHost(address.host)) return '';
  return [
    `⚠ Listening on ${address.host}, not only on this machine: anyone on its networks can reach the webhook,`,
    '  and only the SC-Signature check (with the token in .env) protects it. /_local/* still answers this machine only.',
    '  For Smartcar to reach your laptop, use a tunnel instead (README: "Real deliveries on your laptop").',
    '',
  ].join('\n');
}
