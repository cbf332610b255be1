import { ROUTES } from '../../lambdas/contract';
import { findToken, TOKEN_ENV_VAR } from '../token';
import { MissingTokenError } from './errors';
import type { CliIo } from './io';

/** Defaults of the CLI's options. */
export const CLI_DEFAULTS = {
  /** Where `start` listens, and the other commands look for it, unless PORT says otherwise. */
  localHost: '127.0.0.1',
  localPort: 3000,
  /** Local default: retries within seconds. AWS uses 6 × the processor timeout. */
  visibilityTimeoutSeconds: 10,
  /** Smartcar counts a delivery as failed when no answer arrives within 15 s. */
  timeoutMs: 15_000,
  count: 1,
  concurrency: 1,
  /** How long `redrive` follows its move task before leaving it running in the background. */
  redriveWaitSeconds: 60,
  redrivePollIntervalMs: 1000,
  /**
   * Smartcar's own form (`Smartcar/<version>`), so the receiver treats what `send` and `verify`
   * post as it treats Smartcar's: a wrong token counts as a Smartcar signature failure and is
   * quarantined. The comment names the sender for whoever reads the access log.
   */
  userAgent: 'Smartcar/1.0 (smartcar-webhooks-cli)',
  /**
   * Where `start` keeps the archive's objects, relative to the working directory (git-ignored), one
   * file per object under its key: the archive survives a restart, as the real one outlives
   * deployments (and `zcat` reads it).
   */
  archiveDir: '.local/archive',
  /** Where `start` keeps the queues and tables between runs (git-ignored, like the archive). */
  stateDir: '.local/state',
  /** `replay` and `events` list the archive hour by hour: longer ranges are Athena's job. */
  archiveMaxRangeDays: 31,
  /** `events` without --since: the last day. */
  eventsDefaultSince: '24h',
  /** `events --show` without --since: a week back. */
  showDefaultSince: '7d',
  /** `replay`'s pace unless --rate: the processor's 5 concurrent batches keep up with it. */
  replayRatePerSecond: 50,
} as const;

/** Path of the local emulator's status document. */
export const LOCAL_STATUS_PATH = '/_local/status';

/**
 * The local emulator's port: PORT when set, else 3000. The one default of every command: `start`
 * listens there, the others send there.
 */
export function localPort(env: NodeJS.ProcessEnv): string {
  return env.PORT !== undefined && env.PORT.trim() !== '' ? env.PORT.trim() : String(CLI_DEFAULTS.localPort);
}

/** `http://127.0.0.1:<PORT or 3000>`: the local emulator. */
export function localBaseUrl(env: NodeJS.ProcessEnv): string {
  return `http://${CLI_DEFAULTS.localHost}:${localPort(env)}`;
}

/** The local emulator's webhook URL, the default target of `send` and `verify`. */
export function localWebhookUrl(env: NodeJS.ProcessEnv): string {
  return `${localBaseUrl(env)}${ROUTES.webhookPath}`;
}

/**
 * `--token`, else the token `npm start` uses (environment, then `.env`).
 * @throws MissingTokenError saying where a token can come from
 */
export function resolveToken(explicit: string | undefined, io: CliIo, command: string): string {
  const token = explicit?.trim() || findToken(io.env, io.dotEnvFile);
  if (token !== undefined && token !== '') return token;
  throw new MissingTokenError(
    `No Application Management Token: pass --token <token>, or set ${TOKEN_ENV_VAR}, or run \`npm start\` ` +
      'once (it writes a development token to .env that the CLI then uses).',
    command,
  );
}
