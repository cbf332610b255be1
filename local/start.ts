import { parseArgs } from 'node:util';
import { PROCESSOR_DEFAULTS } from '../lib/smartcar-webhooks-defaults';
import { ENQUEUE_BUDGET } from '../lambdas/receiver/tuning';
import { DEFAULT_RECEIVER_CONCURRENCY } from './api-gateway';
import { startPipeline } from './pipeline';
import { ensureToken, TOKEN_ENV_VAR } from './token';

/** Local default: retries within seconds. AWS uses 6 × the processor timeout. */
const LOCAL_VISIBILITY_TIMEOUT_SECONDS = 10;

const HELP = `npm start [-- options]: the whole webhook pipeline on this machine (127.0.0.1 only).

Options:
  --port <n>                 HTTP port (default: $PORT or 3000; 0 picks a free one)
  --bundles                  run the bundles \`npx cdk synth\` wrote instead of the TypeScript sources
  --cdk-out <dir>            where to find those bundles (default cdk.out)
  --visibility-timeout <s>   seconds before a failed message is retried (default ${LOCAL_VISIBILITY_TIMEOUT_SECONDS};
                             AWS: ${PROCESSOR_DEFAULTS.timeoutSeconds * PROCESSOR_DEFAULTS.visibilityTimeoutMultiplier})
  --receiver-concurrency <n> receiver invocations at once, like that many Lambda environments
                             (default ${DEFAULT_RECEIVER_CONCURRENCY}, at most 1000; AWS adds environments as requests come).
                             Further requests wait for a free one; the wait, shown apart in the
                             activity line, does not count against the receiver's ${ENQUEUE_BUDGET.totalTimeoutMs / 1000} s SQS budget.
  --verbose                  also print every structured log line of the handlers
  --help                     this text

The token comes from $${TOKEN_ENV_VAR} or .env; without one a development token is generated and saved to .env.
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${HELP}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: ReturnType<typeof parseOptions>;
  try {
    values = parseOptions();
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`--port must be a port number, got "${values.port}".`);
  const visibilityTimeoutSeconds = Number(values['visibility-timeout'] ?? LOCAL_VISIBILITY_TIMEOUT_SECONDS);
  if (
    !Number.isInteger(visibilityTimeoutSeconds) ||
    visibilityTimeoutSeconds < 0 ||
    visibilityTimeoutSeconds > 43200
  ) {
    fail(
      `--visibility-timeout must be whole seconds from 0 to 43200, got "${values['visibility-timeout']}".`,
    );
  }
  const receiverConcurrency = Number(values['receiver-concurrency'] ?? DEFAULT_RECEIVER_CONCURRENCY);
  // 1000 is Lambda's default concurrency quota per account and Region.
  if (!Number.isInteger(receiverConcurrency) || receiverConcurrency < 1 || receiverConcurrency > 1000) {
    fail(
      `--receiver-concurrency must be a whole number from 1 to 1000, got "${values['receiver-concurrency']}".`,
    );
  }
  const bundlesDir = values.bundles ? (values['cdk-out'] ?? 'cdk.out') : undefined;

  const { token, generated } = ensureToken();
  const print = (line: string) => process.stdout.write(`${line}\n`);
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  try {
    pipeline = await startPipeline({
      token,
      port,
      bundlesDir,
      visibilityTimeoutSeconds,
      receiverConcurrency,
      verbose: values.verbose,
      print,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(
        `Port ${port} is already in use (is another \`npm start\` running?). Stop it, or start on another port: PORT=${port + 1} npm start\n`,
      );
      process.exit(1);
    }
    throw error;
  }

  print(`Smartcar webhook pipeline running locally (${pipeline.handlerSource})
  webhook   POST ${pipeline.webhookUrl}
  health    GET  ${pipeline.url}/health
  status    GET  ${pipeline.url}/_local/status
  faults    POST ${pipeline.url}/_local/faults  {"sqs":"down"} / {"dynamodb":"down"} / "up"; {"processor":"crash"}
  receiver  at most ${receiverConcurrency} invocations at once; more requests wait for a free one (--receiver-concurrency)
  queue     ${pipeline.queueName}: visibility timeout ${visibilityTimeoutSeconds} s, DLQ after ${PROCESSOR_DEFAULTS.maxReceiveCount} receives
  token     ${generated ? `generated and saved to .env: ${token}` : `from ${process.env[TOKEN_ENV_VAR] ? `$${TOKEN_ENV_VAR}` : '.env'}`}
Send an event from another terminal: npm run send -- VEHICLE_STATE
Ctrl-C stops everything.
`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    print(`\n${signal}: stopping…`);
    pipeline
      .stop()
      .then(() => {
        print('stopped.');
        process.exit(0);
      })
      .catch((error: unknown) => {
        process.stderr.write(`error while stopping: ${String(error)}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

function parseOptions() {
  return parseArgs({
    options: {
      port: { type: 'string' },
      bundles: { type: 'boolean', default: false },
      'cdk-out': { type: 'string' },
      'visibility-timeout': { type: 'string' },
      'receiver-concurrency': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: false,
    strict: true,
  }).values;
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
