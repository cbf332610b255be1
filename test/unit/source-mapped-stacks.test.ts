import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { BUNDLING } from '../../lib/shared/webhook-function';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'stack-trace-fixture.ts');
// Where failDeepInside() throws in the fixture: `throw new FixtureError(…)`.
const THROW_SITE = /stack-trace-fixture\.ts:11:9\b/;

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'stack-map-'));
  // The shipped options, with the injected mapper, as the functions are bundled.
  buildSync({
    entryPoints: [FIXTURE],
    bundle: true,
    platform: 'node',
    target: BUNDLING.target,
    format: 'cjs',
    minify: BUNDLING.minify,
    mainFields: BUNDLING.mainFields,
    sourcemap: true,
    sourcesContent: false,
    inject: BUNDLING.inject,
    outfile: path.join(dir, 'index.js'),
    logLevel: 'silent',
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * What `script` writes (stdout, then stderr, where the logger writes errors) in a fresh Node
 * process in the bundle's folder: Jest maps stacks in its own way.
 */
function inFreshNode(script: string, nodeOptions: string[] = []): string {
  writeFileSync(path.join(dir, 'script.js'), script);
  const { stdout, stderr } = spawnSync(process.execPath, [...nodeOptions, 'script.js'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
  });
  return stdout + stderr;
}

const stackOfFail = `
const bundle = require('./index.js');
try { bundle.fail(); } catch (error) { process.stdout.write(error.stack); }
`;

describe('source-mapped stack traces of a bundle', () => {
  it('name the TypeScript file, line and original function of each frame in the bundle', () => {
    const stack = inFreshNode(stackOfFail);

    expect(stack.split('\n')[0]).toBe('FixtureError: failed inside the fixture');
    expect(stack).toMatch(new RegExp(`at failDeepInside \\(.*${THROW_SITE.source}\\)`));
    // A minified name the map has no original for stays (Node's own mapping does the same).
    expect(stack).toMatch(/at Object\.\S+ \(.*stack-trace-fixture\.ts:16:\d+\)/);
    expect(stack).not.toMatch(/index\.js:\d+:\d+/);
  });

  it('keep frames outside the bundle as Node writes them', () => {
    expect(inFreshNode(stackOfFail)).toMatch(/at Object\.<anonymous> \(.*script\.js:3:\d+\)/);
  });

  it('are what the Powertools logger writes for an error: stack and location', () => {
    const line = inFreshNode(`require('./index.js').logFailure();`);
    const { error } = JSON.parse(line) as { error: { name: string; location: string; stack: string } };

    expect(error.name).toBe('FixtureError');
    expect(error.location).toMatch(/stack-trace-fixture\.ts:11$/);
    expect(error.stack).toMatch(THROW_SITE);
  });

  it('read the map only when a stack is formatted, not when the bundle loads', () => {
    // Removed after loading: had the map been read at load, the stack would still be mapped.
    const stack = inFreshNode(`
const bundle = require('./index.js');
require('node:fs').renameSync('index.js.map', 'index.js.map.away');
try { bundle.fail(); } catch (error) { process.stdout.write(error.stack); }
require('node:fs').renameSync('index.js.map.away', 'index.js.map');
`);

    expect(stack).toMatch(/index\.js:\d+:\d+/);
    expect(stack).not.toMatch(/stack-trace-fixture\.ts/);
  });

  it('stay as Node writes them when the map is not a source map', () => {
    const stack = inFreshNode(`
const fs = require('node:fs');
fs.renameSync('index.js.map', 'index.js.map.away');
fs.writeFileSync('index.js.map', 'not json');
try { require('./index.js').fail(); } catch (error) { process.stdout.write(error.stack); }
fs.renameSync('index.js.map.away', 'index.js.map');
`);

    expect(stack.split('\n')[0]).toBe('FixtureError: failed inside the fixture');
    expect(stack).toMatch(/index\.js:\d+:\d+/);
  });

  it('are left to Node when it maps them itself (--enable-source-maps)', () => {
    const script = `
const nodeOwn = Error.prepareStackTrace;
const bundle = require('./index.js');
process.stdout.write(String(Error.prepareStackTrace === nodeOwn) + '\\n');
try { bundle.fail(); } catch (error) { process.stdout.write(error.stack); }
`;
    const [untouched, ...stack] = inFreshNode(script, ['--enable-source-maps']).split('\n');

    expect(untouched).toBe('true');
    expect(stack.join('\n')).toMatch(THROW_SITE);
    expect(inFreshNode(script).split('\n')[0]).toBe('false');
  });
});
