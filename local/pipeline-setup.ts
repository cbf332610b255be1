import * as path from 'node:path';
import { assertFreshBundles, packageSources } from './bundle-freshness';
import { type DeployedSettings, settingsFromAssembly, settingsFromContext } from './deployed-settings';
import { bundledModules, type FunctionModules, readAssembly, sourceModules } from './function-modules';

/** What {@link pipelineSetup} needs to know. */
export interface PipelineSetupOptions {
  /** Run the bundles of this cloud assembly, with the settings its template says. */
  bundlesDir?: string;
  /**
   * The settings for the TypeScript sources, from the context (`settingsFromContext`).
   * @default the construct's defaults
   */
  deployed?: DeployedSettings;
  /** The processor's timeout instead of the deployed one (a local override, for tests). */
  processorTimeoutSeconds?: number;
  /** Where relative paths and cdk.json are. @default the working directory */
  cwd?: string;
}

/**
 * The settings the pipeline runs with and the modules of its two functions: the TypeScript sources
 * with the settings the context resolves to, or a synthesized stack's bundles with the settings
 * its template holds, refused when a source changed after they were built.
 * @throws Error when the bundles are missing, or StaleBundlesError when they are older than their sources
 */
export function pipelineSetup(options: PipelineSetupOptions): {
  settings: DeployedSettings;
  modules: FunctionModules;
} {
  const cwd = options.cwd ?? process.cwd();
  if (options.bundlesDir === undefined) {
    const settings = options.deployed ?? settingsFromContext({}, {}, cwd, options.processorTimeoutSeconds);
    return { settings, modules: sourceModules(settings.appEntry) };
  }
  const stack = readAssembly(path.resolve(cwd, options.bundlesDir));
  assertFreshBundles(stack, packageSources(cwd), cwd);
  return {
    settings: settingsFromAssembly(stack, options.processorTimeoutSeconds),
    modules: bundledModules(stack, options.bundlesDir),
  };
}
