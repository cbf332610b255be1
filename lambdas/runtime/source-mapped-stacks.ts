import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import * as path from 'node:path';

/**
 * Makes stack traces that pass through `bundleFile` name the TypeScript sources, the way
 * `NODE_OPTIONS=--enable-source-maps` does, but reads and parses `${bundleFile}.map` only when a
 * stack is first formatted (`error.stack` read by the logger, or by Lambda's runtime for an error
 * the handler threw). `--enable-source-maps` does that work at every cold start, before the handler
 * runs: 25 to 100 ms for these bundles (BENCHMARKS.md), paid even when nothing ever fails.
 *
 * Frames outside the bundle, and any the map does not cover, keep Node's own format. Nothing is
 * installed when Node maps stacks itself (`--enable-source-maps`, `process.setSourceMapsEnabled`).
 * @returns false when Node already maps stack traces and nothing was installed
 */
export function installSourceMappedStacks(bundleFile: string): boolean {
  if (process.sourceMapsEnabled) return false;
  const nodeFormat = Error.prepareStackTrace;
  // undefined: not read yet; null: being read, or unreadable (the stacks then stay as they are).
  let map: SourceMap | null | undefined;
  Error.prepareStackTrace = (error, callSites) => {
    if (map === undefined) {
      // Set first: an error raised while reading must not read the map again from in here.
      map = null;
      map = readSourceMap(`${bundleFile}.map`);
    }
    if (map === null) {
      return nodeFormat === undefined
        ? formatStack(error, callSites, () => undefined)
        : nodeFormat(error, callSites);
    }
    const sourceMap = map;
    const mapDir = path.dirname(bundleFile);
    return formatStack(error, callSites, (callSite, caller) =>
      callSite.getFileName() === bundleFile ? mappedFrame(sourceMap, mapDir, callSite, caller) : undefined,
    );
  };
  return true;
}

/** The map beside the bundle; null when it is missing or not a source map, so nothing is mapped. */
function readSourceMap(file: string): SourceMap | null {
  try {
    return new SourceMap(JSON.parse(readFileSync(file, 'utf8')) as SourceMapPayload);
  } catch {
    return null;
  }
}

type FrameMapper = (callSite: NodeJS.CallSite, caller: NodeJS.CallSite | undefined) => string | undefined;

/** V8's layout: the error's `toString()`, then one `\n    at …` line per frame. */
function formatStack(error: Error, callSites: NodeJS.CallSite[], map: FrameMapper): string {
  let header: string;
  try {
    header = Error.prototype.toString.call(error);
  } catch {
    header = '<error>';
  }
  const frames = callSites.map((callSite, i) => {
    let frame: string | undefined;
    try {
      frame = map(callSite, callSites[i + 1]);
    } catch {
      frame = undefined;
    }
    return `\n    at ${frame ?? String(callSite)}`;
  });
  return header + frames.join('');
}

/**
 * One frame at its original position, as Node's own source-map support writes it. The minified
 * function name is replaced by the original one the map records at the enclosing function (or, as
 * Node falls back to, at the call in the caller's frame).
 */
function mappedFrame(
  map: SourceMap,
  mapDir: string,
  callSite: NodeJS.CallSite,
  caller: NodeJS.CallSite | undefined,
): string | undefined {
  const line = callSite.getLineNumber();
  const column = callSite.getColumnNumber();
  if (line === null || column === null) return undefined;
  // Source map positions count from 0, stack trace positions from 1.
  const entry = map.findEntry(line - 1, column - 1);
  if (!('originalSource' in entry)) return undefined;
  const location = `${path.resolve(mapDir, entry.originalSource)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  const name = originalName(map, callSite, caller);
  const typeName = callSite.getTypeName();
  const owner = typeName !== null && typeName !== 'global' ? `${typeName}.` : '';
  if (name === undefined && owner === '') return location;
  const prefix = callSite.isAsync() ? 'async ' : callSite.isConstructor() ? 'new ' : '';
  return `${prefix}${owner}${name ?? '<anonymous>'} (${location})`;
}

function originalName(
  map: SourceMap,
  callSite: NodeJS.CallSite,
  caller: NodeJS.CallSite | undefined,
): string | undefined {
  const enclosing = nameAt(map, callSite.getEnclosingLineNumber(), callSite.getEnclosingColumnNumber());
  if (enclosing !== undefined) return enclosing;
  const call =
    caller?.getFileName() === callSite.getFileName()
      ? nameAt(map, caller?.getLineNumber() ?? null, caller?.getColumnNumber() ?? null)
      : undefined;
  return call ?? callSite.getFunctionName() ?? undefined;
}

/** The original identifier the map records at a (1-based) position of the bundle. */
function nameAt(map: SourceMap, line: number | null, column: number | null): string | undefined {
  if (line === null || column === null) return undefined;
  // @types/node leaves out `name`, which Node sets when the map's `names` has one for the position.
  const { name } = map.findEntry(line - 1, column - 1) as { name?: unknown };
  return typeof name === 'string' && name !== '' ? name : undefined;
}
