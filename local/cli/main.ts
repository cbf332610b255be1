import { CliError, EXIT_CODES, UsageError } from './errors';
import { HELP, helpFor, PROGRAM } from './help';
import { type CliIo, writeLine } from './io';

/** A command: its arguments (after the command name) in, exit code out. */
type Command = (args: readonly string[], io: CliIo) => Promise<number>;

// Each loaded when it runs: `send` needs neither the emulators nor CloudFormation's SDK.
/* eslint-disable @typescript-eslint/no-require-imports */
const COMMANDS: Readonly<Record<string, () => Command>> = {
  start: () => (require('./start') as typeof import('./start')).runStart,
  send: () => (require('./send') as typeof import('./send')).runSend,
  verify: () => (require('./verify') as typeof import('./verify')).runVerify,
  redrive: () => (require('./redrive') as typeof import('./redrive')).runRedrive,
  events: () => (require('./events') as typeof import('./events')).runEvents,
  replay: () => (require('./replay') as typeof import('./replay')).runReplay,
  quarantine: () => (require('./quarantine') as typeof import('./quarantine')).runQuarantine,
  doctor: () => (require('./doctor') as typeof import('./doctor')).runDoctor,
};
/* eslint-enable @typescript-eslint/no-require-imports */

const HELP_FLAGS = new Set(['-h', '--help']);

/**
 * The `smartcar-webhooks` CLI: `start` the local pipeline, `send` deliveries, `verify` an
 * endpoint, `redrive` a dead-letter queue, list archived `events` and `replay` them, list, show and
 * release the `quarantine` of refused deliveries and explain them with `doctor`. Writes only to `io`'s streams and returns the exit
 * code: 0 success, 1 the check or delivery failed, 2 bad arguments.
 * @param argv the arguments after the program, e.g. `['send', 'VEHICLE_STATE', '--count', '10']`
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined)
    return usageError(io, new UsageError(`Missing command: ${Object.keys(COMMANDS).join(', ')}.`));
  if (HELP_FLAGS.has(name) || name === 'help') {
    io.stdout.write(helpFor(args[0]));
    return EXIT_CODES.ok;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    return usageError(
      io,
      new UsageError(`Unknown command "${name}": use ${Object.keys(COMMANDS).join(', ')}.`),
    );
  }
  // Options after `--` are positionals, so a literal "--help" there is not a request for help.
  const options = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  if (options.some((arg) => HELP_FLAGS.has(arg))) {
    io.stdout.write(helpFor(name));
    return EXIT_CODES.ok;
  }
  try {
    return await load()(args, io);
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, error);
    if (error instanceof CliError) {
      writeLine(io.stderr, `✘ ${error.message}`);
      return error.exitCode;
    }
    throw error;
  }
}

function usageError(io: CliIo, error: UsageError): number {
  const help =
    error.command !== undefined && HELP[error.command] !== undefined ? `${error.command} --help` : '--help';
  writeLine(io.stderr, `${PROGRAM}: ${error.message}`);
  writeLine(io.stderr, `Run "${PROGRAM} ${help}" for usage.`);
  return error.exitCode;
}

/** Runs the CLI on this process: its arguments (or `argv`), streams and environment. */
export async function run(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  try {
    process.exitCode = await main(argv, {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
    });
  } catch (error) {
    // A bug, not a user mistake: keep the stack for the report.
    process.stderr.write(
      `${error instanceof Error && error.stack !== undefined ? error.stack : String(error)}\n`,
    );
    process.exitCode = EXIT_CODES.failed;
  }
}

// `tsx local/cli/main.ts …` (npm start, npm run send, npm run cli); the bin launcher calls run() itself.
if (require.main === module) void run();
