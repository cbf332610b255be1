import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type AppContext, ContextError, isCdkContextKey, readAppContext } from '../lib/context-settings';
import {
  type Environment,
  PROCESSOR_ENVIRONMENT,
  RECEIVER_ENVIRONMENT,
  ROUTES,
  type Variable,
} from '../lambdas/contract';
import {
  PROCESSOR_DEFAULTS,
  QUARANTINE_DEFAULTS,
  RECEIVER_DEFAULTS,
} from '../lib/smartcar-webhooks-defaults';
import { resolveSettings } from '../lib/smartcar-webhooks-settings';
import type { SynthesizedStack } from './function-modules';

/**
 * What `cdk deploy` would deploy, in the terms the emulator needs: the settings the construct
 * resolves from its props (lib/smartcar-webhooks-settings.ts), with the props bin/app.ts derives
 * from the context. The emulator runs with these, so what works locally works once deployed.
 */
export interface DeployedSettings {
  webhookPath: string;
  /** The latest-state table exists, and handlers get `context.latestState`. */
  latestState: boolean;
  /** Absolute path of the module exporting `app`; undefined: lambdas/app. */
  appEntry?: string;
  /** Most records per processor invocation. */
  batchSize: number;
  /**
   * How long Lambda's event source gathers a batch that is not full (0: none). Locally a batch is
   * what is waiting when it is polled: the window saves cost on AWS, and waiting for it would only
   * slow the loop.
   */
  maxBatchingWindowSeconds: number;
  /** Processor invocations the event source runs at once. */
  maxConcurrency: number;
  /** Receives before SQS moves a message to the DLQ. */
  maxReceiveCount: number;
  /** Lambda stops a processor invocation still running after this long. */
  processorTimeoutSeconds: number;
  receiverTimeoutSeconds: number;
  /** The main queue's visibility timeout on AWS: six times the processor timeout plus the batching window. */
  visibilityTimeoutSeconds: number;
  /** What the construct writes into the receiver's environment. */
  receiver: {
    maxBodyBytes: number;
    replayToleranceSeconds: number;
    tokenRotationGraceSeconds: number;
    /** Undefined: no quarantine. */
    quarantine?: { writesPerSecond: number; burst: number };
  };
  /** What the construct writes into the processor's environment. */
  processor: { idempotencyExpirySeconds: number };
  /** Context keys that were given but change nothing locally (the secret, the alarm email, …). */
  ignoredContext: string[];
  /** Where the settings came from, for the banner. */
  source: string;
}

/** Context keys that decide nothing the emulator runs: it has its own secret, stack and alarms. */
const NOT_LOCAL: readonly (keyof AppContext)[] = [
  'tokenSecretArn',
  'tokenSecretKeyArn',
  'alarmEmail',
  'stackName',
];

/**
 * The `context` of `cdk.json` in `directory` (where `cdk` reads it), or nothing without the file.
 * @throws ContextError when the file is not JSON or its context not an object
 */
export function readCdkJsonContext(directory: string): Record<string, unknown> {
  const file = path.join(directory, 'cdk.json');
  if (!existsSync(file)) return {};
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ContextError(
      `${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const context = (config as { context?: unknown } | null)?.context;
  if (context === undefined) return {};
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw new ContextError(`"context" in ${file} must be an object of key: value.`);
  }
  return context as Record<string, unknown>;
}

/**
 * The deployed settings for this context, as `cdk deploy` would resolve them: `commandLine`
 * (`-c key=value`) over `cdkJson` (cdk.json's context), read like bin/app.ts reads them, then the
 * construct's defaults and checks (resolveSettings). Relative paths are resolved from `cwd`, as
 * `cdk synth` resolves them.
 * @param processorTimeoutSeconds the processor timeout instead of the construct's (a local override)
 * @throws ContextError for an unknown key or a value the app or the construct refuses
 */
export function settingsFromContext(
  commandLine: Readonly<Record<string, string>>,
  cdkJson: Readonly<Record<string, unknown>>,
  cwd: string,
  processorTimeoutSeconds?: number,
): DeployedSettings {
  const context = readAppContext({ ...cdkJson, ...commandLine });
  let settings: ReturnType<typeof resolveSettings>;
  try {
    settings = resolveSettings({ webhookPath: context.webhookPath, latestState: context.latestState });
  } catch (error) {
    throw new ContextError(error instanceof Error ? error.message : String(error));
  }
  const appEntry = context.appEntry === undefined ? undefined : path.resolve(cwd, context.appEntry);
  if (appEntry !== undefined && !existsSync(appEntry)) {
    // The construct's own words (lib/processing/processor-entry.ts), for the same mistake.
    throw new ContextError(
      `appEntry ${appEntry} does not exist. Name the module that exports your WebhookApp as \`app\`.`,
    );
  }
  const given = [...Object.keys(cdkJson), ...Object.keys(commandLine)].filter((key) => !isCdkContextKey(key));
  const timeout = processorTimeoutSeconds ?? settings.processorTimeout.toSeconds();
  return {
    webhookPath: settings.webhookPath,
    latestState: settings.latestState,
    appEntry,
    batchSize: settings.batchSize,
    maxBatchingWindowSeconds: settings.maxBatchingWindow.toSeconds(),
    maxConcurrency: settings.maxConcurrency,
    maxReceiveCount: settings.maxReceiveCount,
    processorTimeoutSeconds: timeout,
    receiverTimeoutSeconds: settings.receiverTimeout.toSeconds(),
    visibilityTimeoutSeconds:
      timeout * PROCESSOR_DEFAULTS.visibilityTimeoutMultiplier + settings.maxBatchingWindow.toSeconds(),
    receiver: {
      maxBodyBytes: settings.maxBodyBytes,
      replayToleranceSeconds: settings.replayTolerance.toSeconds(),
      tokenRotationGraceSeconds: settings.tokenRotationGracePeriod.toSeconds(),
      quarantine:
        settings.quarantine === undefined
          ? undefined
          : { writesPerSecond: settings.quarantine.writesPerSecond, burst: settings.quarantine.burst },
    },
    processor: { idempotencyExpirySeconds: settings.idempotencyExpiry.toSeconds() },
    ignoredContext: [...new Set(given.filter((key) => NOT_LOCAL.includes(key as keyof AppContext)))],
    source:
      given.length === 0
        ? "the construct's defaults"
        : `the construct's defaults with the context (${[...new Set(given)].sort().join(', ')})`,
  };
}

/**
 * The settings a synthesized stack was built with, read from its template (what `--bundles` runs):
 * the webhook route, whether the processor's environment names a latest-state table, the
 * functions' timeouts, the event source mapping and the queue, and what the construct wrote into
 * each function's environment, read through the contract like the functions read it.
 * @param processorTimeoutSeconds the processor timeout instead of the template's (a local override)
 * @throws Error when a function's environment in the template is one the function would refuse
 */
export function settingsFromAssembly(
  stack: SynthesizedStack,
  processorTimeoutSeconds?: number,
): DeployedSettings {
  const receiver = configOf('receiver', RECEIVER_ENVIRONMENT, stack.receiver.environment);
  const processor = configOf('processor', PROCESSOR_ENVIRONMENT, stack.processor.environment);
  const timeout =
    processorTimeoutSeconds ?? stack.processor.timeoutSeconds ?? PROCESSOR_DEFAULTS.timeoutSeconds;
  const quarantine =
    receiver.quarantineBucketName === undefined
      ? undefined
      : {
          writesPerSecond: receiver.quarantineWritesPerSecond ?? QUARANTINE_DEFAULTS.writesPerSecond,
          burst: receiver.quarantineBurst ?? QUARANTINE_DEFAULTS.burst,
        };
  return {
    webhookPath: stack.webhookPath ?? ROUTES.webhookPath,
    latestState: processor.latestStateTableName !== undefined,
    batchSize: stack.batchSize ?? PROCESSOR_DEFAULTS.batchSize,
    maxBatchingWindowSeconds: stack.maxBatchingWindowSeconds ?? 0,
    maxConcurrency: stack.maxConcurrency ?? PROCESSOR_DEFAULTS.maxConcurrency,
    maxReceiveCount: stack.maxReceiveCount ?? PROCESSOR_DEFAULTS.maxReceiveCount,
    processorTimeoutSeconds: timeout,
    receiverTimeoutSeconds: stack.receiver.timeoutSeconds ?? RECEIVER_DEFAULTS.timeoutSeconds,
    visibilityTimeoutSeconds:
      processorTimeoutSeconds === undefined && stack.visibilityTimeoutSeconds !== undefined
        ? stack.visibilityTimeoutSeconds
        : timeout * PROCESSOR_DEFAULTS.visibilityTimeoutMultiplier + (stack.maxBatchingWindowSeconds ?? 0),
    receiver: {
      maxBodyBytes: receiver.maxBodyBytes,
      replayToleranceSeconds: receiver.replayToleranceSeconds,
      tokenRotationGraceSeconds: receiver.tokenRotationGraceSeconds,
      quarantine,
    },
    processor: { idempotencyExpirySeconds: processor.idempotencyExpirySeconds },
    ignoredContext: [],
    source: `the synthesized template ${path.basename(stack.templateFile)}`,
  };
}

/**
 * A function's configuration from its environment in the template. Resources are references
 * there (`{ Ref: … }`), resolved only at deploy time: they stand in as placeholders, since the
 * emulator names its own resources; a reference's presence is what counts (a latest-state table).
 */
function configOf<D extends Record<string, Variable<unknown>>>(
  name: string,
  environment: Environment<D>,
  variables: Record<string, unknown>,
) {
  const text: Record<string, string> = {};
  for (const [key, value] of Object.entries(variables)) {
    text[key] = typeof value === 'string' ? value : 'resolved-at-deploy-time';
  }
  const read = environment.read(text);
  if ('problems' in read) {
    throw new Error(
      `The ${name}'s environment in the synthesized template is one it would refuse (${read.problems.join('; ')}): run \`npx cdk synth\` again.`,
    );
  }
  return read.config;
}
