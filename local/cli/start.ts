import { rmSync } from 'node:fs';
import { DEFAULT_RECEIVER_CONCURRENCY } from '../api-gateway';
import type { Pipeline } from '../pipeline';
import { DOT_ENV_FILE, ensureToken, TOKEN_ENV_VAR } from '../token';
import { integerOption, nonBlankOption, noMorePositionals, parseCommandArgs } from './args';
import { CLI_DEFAULTS, localPort } from './config';
import { CommandFailedError, EXIT_CODES, UsageError } from './errors';
import { type CliIo, writeLine } from './io';
import { acceptedFaults } from '../faults';
import { DEFAULT_LISTEN_HOST } from '../listen-address';
import { currentNodeRuntime, unsupportedNodeReason } from './node-version';
import { exposureWarning, networkLine, startHints } from './start-hints';
import { untilStopped } from './until-stopped';
import { type DeployedOptions, deployedBannerLines, parseDeployedOptions } from './start-context';

const COMMAND = 'start';

/** Options `start` accepts. */
export const START_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  bundles: { type: 'boolean' },
  'cdk-out': { type: 'string' },
  'visibility-timeout': { type: 'string' },
  'receiver-concurrency': { type: 'string' },
  verbose: { type: 'boolean' },
  'archive-dir': { type: 'string' },
  context: { type: 'string', short: 'c', multiple: true },
  'processor-timeout': { type: 'string' },
  'state-dir': { type: 'string' },
  reset: { type: 'boolean' },
  'no-watch': { type: 'boolean' },
} as const;

/** The most receiver environments: Lambda's default concurrency quota per account and Region. */
export const MAX_RECEIVER_CONCURRENCY = 1000;
/** SQS's longest visibility timeout, 12 hours. */
const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

/** `start`'s arguments, checked; `-c` and `--processor-timeout` resolved to the deployed settings. */
export interface StartSettings extends DeployedOptions {
  /** 0 picks a free one. */
  port: number;
  /** Where to listen (`--host`); any but loopback lets the network reach the webhook. */
  host: string;
  /** The cloud assembly whose bundles to run; undefined runs the TypeScript sources. */
  bundlesDir?: string;
  visibilityTimeoutSeconds: number;
  receiverConcurrency: number;
  verbose: boolean;
  /** Where the archive's objects are kept between runs. */
  archiveDir: string;
  /** Where the queues and tables are kept between runs; undefined with `--state-dir none`. */
  stateDir?: string;
  /** Start clean: delete the kept state and archive first. */
  reset: boolean;
  /** Reload the handlers when their sources change (not with --bundles). */
  watch: boolean;
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
    host: nonBlankOption(COMMAND, 'host', values.host) ?? DEFAULT_LISTEN_HOST,
    bundlesDir: values.bundles ? (cdkOut ?? 'cdk.out') : undefined,
    visibilityTimeoutSeconds,
    receiverConcurrency,
    verbose: values.verbose ?? false,
    archiveDir: nonBlankOption(COMMAND, 'archive-dir', values['archive-dir']) ?? CLI_DEFAULTS.archiveDir,
    ...parseDeployedOptions(COMMAND, values),
    stateDir: stateDirOption(nonBlankOption(COMMAND, 'state-dir', values['state-dir'])),
    reset: values.reset === true,
    // The bundles are what `cdk synth` built: nothing to reload until the next synth.
    watch: values['no-watch'] !== true && !values.bundles,
  };
}

function stateDirOption(text: string | undefined): string | undefined {
  if (text === undefined) return CLI_DEFAULTS.stateDir;
  return text === 'none' ? undefined : text;
}

/**
 * `start`: the whole pipeline on 127.0.0.1 until Ctrl-C.
 * @returns 0 once it stopped cleanly
 * @throws CommandFailedError (exit 1) when the port is taken or the pipeline does not come up
 */
export async function runStart(args: readonly string[], io: CliIo): Promise<number> {
  const settings = parseStartArgs(args, io);
  // Before anything writes .env or loads the emulators, which die on an old Node.js with no hint.
  const unsupported = unsupportedNodeReason(currentNodeRuntime(io.env));
  if (unsupported !== undefined) throw new CommandFailedError(unsupported);
  const { token, generated } = ensureToken(io.env, io.dotEnvFile ?? DOT_ENV_FILE);
  const print = (line: string) => writeLine(io.stdout, line);
  if (settings.reset) {
    for (const dir of [settings.stateDir, settings.archiveDir]) {
      if (dir === undefined) continue;
      rmSync(dir, { recursive: true, force: true });
      print(`reset: removed ${dir}`);
    }
  }
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
    if (['EADDRNOTAVAIL', 'ENOTFOUND'].includes(String((error as NodeJS.ErrnoException).code))) {
      throw new CommandFailedError(
        `--host ${settings.host} is not an address of this machine: use 127.0.0.1 (the default), 0.0.0.0 (every interface) or one of its own addresses.`,
        { cause: error },
      );
    }
    throw new CommandFailedError(`The local pipeline did not start: ${describe(error)}`, { cause: error });
  }
  const address = {
    host: settings.host,
    port: Number(new URL(pipeline.url).port),
    url: pipeline.url,
    webhookUrl: pipeline.webhookUrl,
  };
  const hints = startHints(address);
  const tokenSource = generated
    ? `generated and saved to .env: ${token}`
    : `from ${io.env[TOKEN_ENV_VAR]?.trim() ? `$${TOKEN_ENV_VAR}` : '.env'}`;
  print(`Smartcar webhook pipeline running locally (${pipeline.handlerSource})
  webhook   POST ${pipeline.webhookUrl}
${networkLine(address, new URL(pipeline.webhookUrl).pathname)}  health    GET  ${pipeline.url}/health
  inspector GET  ${pipeline.url}/_local/  in a browser: each delivery, its steps, payload and log lines; resend, replay, redrive, release
  status    GET  ${pipeline.url}/_local/status
  faults    POST ${pipeline.url}/_local/faults  ${acceptedFaults()}, e.g. {"sqs":"down"}; GET shows them
  receiver  at most ${settings.receiverConcurrency} invocations at once, each in its own environment; more requests wait for a free one (--receiver-concurrency)
${deployedBannerLines(pipeline.settings, settings).join('\n')}
  queue     ${pipeline.queueName}: visibility timeout ${settings.visibilityTimeoutSeconds} s, DLQ after ${pipeline.settings.maxReceiveCount} receives
  archive   s3://${pipeline.archive.bucket}, kept in ${pipeline.archive.directory ?? 'memory'}: ${await pipeline.archive.objects()} objects (${hints.cli('events')}; replay)
  token     ${tokenSource}; secret ${pipeline.secretsManager.secretId} at ${pipeline.secretsManager.endpoint}
  state     queue, DLQ and tables ${settings.stateDir === undefined ? 'in memory (--state-dir none)' : `kept in ${settings.stateDir} between runs (--reset starts clean)`}
  watch     ${settings.watch ? 'the handlers reload when lambdas/ changes; the state above is kept (--no-watch)' : settings.bundlesDir !== undefined ? 'off: the bundles change with the next npx cdk synth' : 'off (--no-watch)'}
${exposureWarning(address)}Send an event from another terminal: ${hints.send}
Ctrl-C stops everything.
`);
  const signal = await (io.untilStopped ?? untilStopped)();
  print(`\n${signal}: stopping…`);
  await pipeline.stop();
  print('stopped.');
  return EXIT_CODES.ok;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
