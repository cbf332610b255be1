import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { SynthesizedStack } from './function-modules';

/** A source that changed after what `cdk synth` built from it. */
export interface StaleSource {
  /** The source, absolute. */
  source: string;
  /** When it changed; undefined: it no longer exists. */
  changedAt?: Date;
  /** What it is newer than: `the processor bundle (asset.…)`, `the template (….template.json)`. */
  artifact: string;
  builtAt: Date;
}

/** Where the sources are whose changes make a synthesized stack stale. */
export interface FreshnessSources {
  /** Every file under it counts for both bundles (the handlers, the SDK, the contract). */
  lambdasDir: string;
  /** Files that decide the template rather than the bundles: cdk.json, bin/, lib/. */
  templateInputs: readonly string[];
}

/** `--bundles` would run bundles that are not what `cdk deploy` would ship now. */
export class StaleBundlesError extends Error {
  override name = 'StaleBundlesError';
}

const PACKAGE_DIR = path.join(__dirname, '..');

/** The sources of this package: lambdas/, and for the template cdk.json (in `cwd`), bin/ and lib/. */
export function packageSources(cwd: string): FreshnessSources {
  return {
    lambdasDir: path.join(PACKAGE_DIR, 'lambdas'),
    templateInputs: [
      path.join(cwd, 'cdk.json'),
      path.join(PACKAGE_DIR, 'bin'),
      path.join(PACKAGE_DIR, 'lib'),
    ],
  };
}

/**
 * The sources newer than what was synthesized from them: for each bundle, the files its source
 * map lists (the app entry among them, wherever it lives; node_modules aside) and every file under
 * `lambdasDir`; for the template, `templateInputs`. A source the map lists that no longer exists
 * counts too. Newest first.
 */
export function staleSources(stack: SynthesizedStack, sources: FreshnessSources): StaleSource[] {
  const stale: StaleSource[] = [];
  const check = (source: string, artifact: string, builtAt: Date) => {
    const changedAt = existsSync(source) ? statSync(source).mtime : undefined;
    if (changedAt === undefined || changedAt > builtAt) stale.push({ source, changedAt, artifact, builtAt });
  };
  const bundles = (
    [
      ['receiver', stack.receiver],
      ['processor', stack.processor],
    ] as const
  ).map(([name, fn]) => ({
    builtAt: statSync(fn.bundle).mtime,
    artifact: `the ${name} bundle (${path.basename(path.dirname(fn.bundle))})`,
    mapped: mappedSources(fn.bundle, sources.lambdasDir),
  }));
  // A source is named with the bundle built from it; the rest of lambdas/ with the older bundle.
  for (const { builtAt, artifact, mapped } of bundles)
    for (const source of mapped) check(source, artifact, builtAt);
  const mapped = new Set(bundles.flatMap((entry) => entry.mapped));
  const oldest = bundles.reduce((a, b) => (b.builtAt < a.builtAt ? b : a));
  for (const source of filesUnder(sources.lambdasDir)) {
    if (!mapped.has(source)) check(source, oldest.artifact, oldest.builtAt);
  }
  const templateBuiltAt = statSync(stack.templateFile).mtime;
  const template = `the template (${path.basename(stack.templateFile)})`;
  for (const source of sources.templateInputs.flatMap((input) => filesUnder(input))) {
    check(source, template, templateBuiltAt);
  }
  // One line per source: a change to lambdas/contract outdates both bundles, but is one change.
  const bySource = new Map<string, StaleSource>();
  for (const entry of stale) if (!bySource.has(entry.source)) bySource.set(entry.source, entry);
  return [...bySource.values()].sort(
    (a, b) => (b.changedAt?.getTime() ?? Infinity) - (a.changedAt?.getTime() ?? Infinity),
  );
}

/**
 * Refuses a synthesized stack older than its sources, saying which source changed after which
 * bundle, and what to run.
 * @throws StaleBundlesError
 */
export function assertFreshBundles(stack: SynthesizedStack, sources: FreshnessSources, cwd: string): void {
  const stale = staleSources(stack, sources);
  if (stale.length === 0) return;
  const shown = 5;
  const lines = stale.slice(0, shown).map((entry) => {
    const source = path.relative(cwd, entry.source) || entry.source;
    const change =
      entry.changedAt === undefined ? 'no longer exists' : `changed at ${clock(entry.changedAt)}`;
    return `  ${source} ${change}, after ${entry.artifact} was built at ${clock(entry.builtAt)}`;
  });
  if (stale.length > shown) lines.push(`  … and ${stale.length - shown} more`);
  throw new StaleBundlesError(
    [
      `The bundles in ${path.relative(cwd, stack.cdkOut) || stack.cdkOut} are older than their sources, so they are not what \`cdk deploy\` would ship now:`,
      ...lines,
      'Run `npx cdk synth` (with the same -c options you deploy with), then start with --bundles again.',
    ].join('\n'),
  );
}

/** The bundle's own sources, from its source map, that are not third-party code. */
function mappedSources(bundle: string, lambdasDir: string): string[] {
  const map = `${bundle}.map`;
  if (!existsSync(map)) return [];
  let sources: unknown;
  try {
    ({ sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources?: unknown });
  } catch {
    return [];
  }
  if (!Array.isArray(sources)) return [];
  const inside = `${path.resolve(lambdasDir)}${path.sep}`;
  return sources
    .filter((source): source is string => typeof source === 'string')
    .map((source) => path.resolve(path.dirname(map), source))
    .filter((source) => source.startsWith(inside) || !source.split(path.sep).includes('node_modules'));
}

/** Every source-like file under `root` (or `root` itself when it is a file); none when it is absent. */
function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  if (!statSync(root).isDirectory()) return [root];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter(
      (entry) => entry.isFile() && /\.(ts|js|cjs|mjs|json)$/.test(entry.name) && !entry.name.startsWith('.'),
    )
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !file.split(path.sep).includes('node_modules'));
}

function clock(date: Date): string {
  return date.toISOString().slice(11, 19);
}
