import { PROCESSOR_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { DEFAULT_RECEIVER_CONCURRENCY } from '../api-gateway';
import type { Pipeline } from '../pipeline';
import { DOT_ENV_FILE, ensureToken, TOKEN_ENV_VAR } from '../token';
import { integerOption, nonBlankOption, noMorePositionals, parseCommandArgs } from './args';
import { CLI_DEFAULTS, localPort } from './config';
import { CommandFailedError, EXIT_CODES, UsageError } from './errors';
import { type CliIo, writeLine } from './io';

const COMMAND = 'start';

/** Options `start` accepts. */
export const START_OPTIONS = {
  port: { type: 'string' },
  bundles: { type: 'boolean' },
  'cdk-out': { type: 'string' },
  'visibility-timeout': { type: 'string' },
  'receiver-concurrency': { type: 'string' },
  verbose: { type: 'boolean' },
  'archive-dir': { type: 'string' },
} as const;

/** The most receiver environments: Lambda's default concurrency quota per account and Region. */
export const MAX_RECEIVER_CONCURRENCY = 1000;
/** SQS's longest visibility timeout, 12 hours. */
const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

/** `start`'s arguments, checked. */
export interface StartSettings {
  /** 0 picks a free one. */
  port: number;
  /** The cloud assembly whose bundles to run; undefined runs the TypeScript sources. */
  bundlesDir?: string;
  visibilityTimeoutSeconds: number;
  receiverConcurrency: number;
  verbose: boolean;
  /** Where the archive's objects are kept between runs. */
  archiveDir: string;
}

/**
 * Checks `start`'s arguments.
 * @throws UsageError (exit 2) saying which argument is wrong
 */
export function parseStartArgs(args: readonly string[], io: CliIo): StartSettings {
  const { values, positionals } = parseCommandArgs(COMMAND, args, START_OPTIONS);
  noMorePositionals(COMMAND, positionals, 0);
  const portText = nonBlankOption(COMMAND, 'port', values.port) ?? localPort(io.env);
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    const from = values.port === undefined ? 'PORT' : '--port';
    throw new UsageError(`${from} must be a port number from 0 to 65535, got "${portText}".`, COMMAND);
  }
  const cdkOut = nonBlankOption(COMMAND, 'cdk-out', values['cdk-out']);
  if (cdkOut !== undefined && !values.bundles) {
    throw new UsageError('--cdk-out says where the bundles are: use it with --bundles.', COMMAND);
  }
  const visibilityTimeoutSeconds = integerOption(
    COMMAND,
    'visibility-timeout',
    values['visibility-timeout'],
    CLI_DEFAULTS.visibilityTimeoutSeconds,
    0,
  );
  if (visibilityTimeoutSeconds > MAX_VISIBILITY_TIMEOUT_SECONDS) {
    throw new UsageError(
      `--visibility-timeout must be at most ${MAX_VISIBILITY_TIMEOUT_SECONDS} seconds (SQS's limit), got "${values['visibility-timeout']}".`,
      COMMAND,
    );
  }
  const receiverConcurrency = integerOption(
    COMMAND,
    'receiver-concurrency',
    values['receiver-concurrency'],
    DEFAULT_RECEIVER_CONCURRENCY,
  );
  if (receiverConcurrency > MAX_RECEIVER_CONCURRENCY) {
    throw new UsageError(
      `--receiver-concurrency must be at most ${MAX_RECEIVER_CONCURRENCY} (Lambda's default concurrency quota), got "${values['receiver-concurrency']}".`,
      COMMAND,
    );
  }
  return {
    port,
    bundlesDir: values.bundles ? (cdkOut ?? 'cdk.out') : undefined,
    visibilityTimeoutSeconds,
    receiverConcurrency,
    verbose: values.verbose ?? false,
    archiveDir: nonBlankOption(COMMAND, 'archive-dir', values['archive-dir']) ?? CLI_DEFAULTS.archiveDir,
  };
}

/**
 * `start`: the whole pipeline on 127.0.0.1 until Ctrl-C.
 * @returns 0 once it stopped cleanly
 * @throws CommandFailedError (exit 1) when the port is taken or the pipeline does not come up
 */
export async function runStart(args: readonly string[], io: CliIo): Promise<number> {
  const settings = parseStartArgs(args, io);
  const { token, generated } = ensureToken(io.env, io.dotEnvFile ?? DOT_ENV_FILE);
  const print = (line: string) => writeLine(io.stdout, line);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded here: only `start` needs the emulators
  const { startPipeline } = require('../pipeline') as typeof import('../pipeline');
  let pipeline: Pipeline;
  try {
    pipeline = await startPipeline({ token, ...settings, print });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CommandFailedError(
        `Port ${settings.port} is already in use (is another \`npm start\` running?). Stop it, or start on another port: PORT=${settings.port + 1} npm start`,
        { cause: error },
      );
    }
    throw new CommandFailedError(`The local pipeline did not start: ${describe(error)}`, { cause: error });
  }
  const tokenSource = generated
    ? `generated and saved to .env: ${token}`
    : `from ${io.env[TOKEN_ENV_VAR]?.trim() ? `$${TOKEN_ENV_VAR}` : '.env'}`;
  print(`Smartcar webhook pipeline running locally (${pipeline.handlerSource})
  webhook   POST ${pipeline.webhookUrl}
  health    GET  ${pipeline.url}/health
  status    GET  ${pipeline.url}/_local/status
  faults    POST ${pipeline.url}/_local/faults  {"sqs":"down"} / {"dynamodb":"down"} / {"archive":"down"} / "up"; {"processor":"crash"}
  receiver  at most ${settings.receiverConcurrency} invocations at once, each in its own environment; more requests wait for a free one (--receiver-concurrency)
  queue     ${pipeline.queueName}: visibility timeout ${settings.visibilityTimeoutSeconds} s, DLQ after ${PROCESSOR_DEFAULTS.maxReceiveCount} receives
  archive   s3://${pipeline.archive.bucket}, kept in ${pipeline.archive.directory ?? 'memory'}: ${await pipeline.archive.objects()} objects (npm run cli -- events; replay)
  token     ${tokenSource}; secret ${pipeline.secretsManager.secretId} at ${pipeline.secretsManager.endpoint}
Send an event from another terminal: npm run send -- VEHICLE_STATE
Ctrl-C stops everything.
`);
  const signal = await (io.untilStopped ?? untilSignal)();
  print(`\n${signal}: stopping…`);
  await pipeline.stop();
  print('stopped.');
  return EXIT_CODES.ok;
}

// The default of CliIo.untilStopped: this process's own Ctrl-C. The handlers stay, so a second
// Ctrl-C while stopping (tsx passes one on, a terminal another) does not kill the process midway.
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => resolve(signal));
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
