/**
 * The Node.js that `start` needs. fauxqs (the emulator's SQS and S3) imports `node:sqlite`, which
 * Node.js has had since 22.5.0 behind `--experimental-sqlite` and without the flag since 22.13.0
 * (and 23.4.0 on the 23 line). On anything older `start` would die loading fauxqs with "No such
 * built-in module: node:sqlite", which says nothing about the version; so it checks first.
 */

/** The first release of each line with `node:sqlite` built in without a flag. */
export const NODE_SQLITE_UNFLAGGED = [
  { major: 22, minor: 13 },
  { major: 23, minor: 4 },
] as const;

/** The minimum, as the messages write it. */
export const MINIMUM_NODE = '22.13.0';

/** The Node.js the project pins as the `node` dev dependency (package.json), which `npm run` uses. */
export const PINNED_NODE_MAJOR = 24;

/** What the check reads; this process's by default. */
export interface NodeRuntime {
  /** `process.versions.node`, e.g. `20.20.2` */
  version: string;
  /** `process.execArgv` and the flags in `NODE_OPTIONS`: `--experimental-sqlite` makes 22.5–22.12 do. */
  flags: readonly string[];
}

/** This process's version and flags. */
export function currentNodeRuntime(env: NodeJS.ProcessEnv = process.env): NodeRuntime {
  return {
    version: process.versions.node,
    flags: [...process.execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean)],
  };
}

/**
 * Why this Node.js cannot run `start`, with what to do; undefined when it can.
 * @param runtime the version and flags to judge
 */
export function unsupportedNodeReason(runtime: NodeRuntime): string | undefined {
  const [major = 0, minor = 0] = runtime.version.split('.').map((part) => Number.parseInt(part, 10));
  if (hasUnflaggedSqlite(major, minor)) return undefined;
  const flagged = (major === 22 && minor >= 5) || (major === 23 && minor < 4);
  if (flagged && runtime.flags.includes('--experimental-sqlite')) return undefined;
  return (
    `npm start needs Node.js ${MINIMUM_NODE} or later; this is ${runtime.version}. The local SQS and S3 ` +
    '(fauxqs) use the built-in node:sqlite module, which older versions lack' +
    (flagged ? ' unless started with --experimental-sqlite' : '') +
    `. The project pins Node.js ${PINNED_NODE_MAJOR} as the "node" dev dependency, which npm scripts use ` +
    'once its install script has run; after `npm ci --ignore-scripts` it has not, and your own Node.js runs ' +
    'instead. Fix: `npm rebuild node --ignore-scripts=false` (runs just that install script; it downloads ' +
    'Node.js from the registry), or install ' +
    `Node.js ${PINNED_NODE_MAJOR} (or ${MINIMUM_NODE}+) yourself.`
  );
}

function hasUnflaggedSqlite(major: number, minor: number): boolean {
  if (major > 23) return true;
  return NODE_SQLITE_UNFLAGGED.some((release) => release.major === major && minor >= release.minor);
}
