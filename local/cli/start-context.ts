import * as path from 'node:path';
import { ContextError, parseContextArguments } from '../../lib/context-settings';
import { type DeployedSettings, readCdkJsonContext, settingsFromContext } from '../deployed-settings';
import { integerOption } from './args';
import { UsageError } from './errors';

/** Lambda's longest function timeout, 15 minutes. */
export const MAX_PROCESSOR_TIMEOUT_SECONDS = 900;

/** `start`'s options that decide what it runs as deployed: `-c`/`--context` and `--processor-timeout`. */
export interface DeployedOptions {
  /** `-c key=value`, as given. */
  context: Record<string, string>;
  /** The TypeScript sources' settings; undefined with --bundles, whose template has its own. */
  deployed?: DeployedSettings;
  /** `--processor-timeout`: the processor's timeout instead of the deployed one. */
  processorTimeoutSeconds?: number;
}

/**
 * Reads `-c key=value` (over cdk.json's context in `cwd`, as `cdk` reads it) and
 * `--processor-timeout` into the settings `cdk deploy` would deploy with.
 * @throws UsageError (exit 2) for a context key the app does not know, a value it or the construct
 *   refuses, `-c` with `--bundles`, or a timeout out of Lambda's range
 */
export function parseDeployedOptions(
  command: string,
  values: { context?: string[]; 'processor-timeout'?: string; bundles?: boolean },
  cwd = '.',
): DeployedOptions {
  const text = values['processor-timeout'];
  const processorTimeoutSeconds =
    text === undefined ? undefined : integerOption(command, 'processor-timeout', text, 0, 1);
  if (processorTimeoutSeconds !== undefined && processorTimeoutSeconds > MAX_PROCESSOR_TIMEOUT_SECONDS) {
    throw new UsageError(
      `--processor-timeout must be at most ${MAX_PROCESSOR_TIMEOUT_SECONDS} seconds (Lambda's limit), got "${text}".`,
      command,
    );
  }
  try {
    const context = parseContextArguments(values.context ?? []);
    if (values.bundles) {
      if (Object.keys(context).length > 0) {
        const example = Object.entries(context)
          .map(([key, value]) => `-c ${key}=${value}`)
          .join(' ');
        throw new UsageError(
          `-c sets the context of the TypeScript sources; the bundles were synthesized with theirs. ` +
            `Synthesize with it instead: npx cdk synth ${example}, then start with --bundles.`,
          command,
        );
      }
      return { context, processorTimeoutSeconds };
    }
    const root = path.resolve(cwd);
    const deployed = settingsFromContext(context, readCdkJsonContext(root), root, processorTimeoutSeconds);
    return { context, deployed, processorTimeoutSeconds };
  } catch (error) {
    if (error instanceof ContextError) throw new UsageError(error.message, command);
    throw error;
  }
}

/**
 * The banner's lines about what runs as deployed and what does not: the processor's batches,
 * concurrency and timeout, the latest-state store, where the settings came from, and the local
 * deviations from AWS.
 */
export function deployedBannerLines(
  settings: DeployedSettings,
  local: { visibilityTimeoutSeconds: number; processorTimeoutSeconds?: number },
): string[] {
  const timeout =
    local.processorTimeoutSeconds === undefined
      ? `${settings.processorTimeoutSeconds} s`
      : `${settings.processorTimeoutSeconds} s (--processor-timeout)`;
  const latestState = settings.latestState
    ? 'on: a latest-state table, and handlers get context.latestState'
    : 'off, as deployed by default: handlers get no context.latestState (-c latestState=true turns it on)';
  const ignored =
    settings.ignoredContext.length === 0 ? '' : `; no effect locally: ${settings.ignoredContext.join(', ')}`;
  const deviations = [
    `visibility timeout ${local.visibilityTimeoutSeconds} s (AWS ${settings.visibilityTimeoutSeconds} s; --visibility-timeout)`,
    ...(local.processorTimeoutSeconds === undefined ? [] : ['processor timeout set by --processor-timeout']),
    'every function shares this machine',
  ];
  return [
    `  processor batches of up to ${settings.batchSize} (what is waiting when polled${settings.maxBatchingWindowSeconds > 0 ? `; AWS gathers for up to ${settings.maxBatchingWindowSeconds} s` : ''}), at most ${settings.maxConcurrency} at once, each in its own environment; an invocation still running after ${timeout} is stopped`,
    `  latest    state store ${latestState}`,
    `  settings  from ${settings.source}${ignored}`,
    `  vs AWS    ${deviations.join('; ')}`,
  ];
}
