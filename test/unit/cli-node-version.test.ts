import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { MINIMUM_NODE, PINNED_NODE_MAJOR, unsupportedNodeReason } from '../../local/cli/node-version';

const reason = (version: string, flags: string[] = []) => unsupportedNodeReason({ version, flags });

describe('the Node.js start needs', () => {
  it.each(['22.13.0', '22.22.1', '23.4.0', '24.21.0', '25.0.0'])(
    'accepts %s, which has node:sqlite without a flag',
    (version) => {
      expect(reason(version)).toBeUndefined();
    },
  );

  it.each(['20.20.2', '18.20.0', '22.4.1'])('refuses %s, which has no node:sqlite', (version) => {
    expect(reason(version)).toMatch(
      new RegExp(
        `^npm start needs Node\\.js ${MINIMUM_NODE} or later; this is ${version.replace(/\./g, '\\.')}\\.`,
      ),
    );
  });

  it.each(['22.5.0', '22.12.0', '23.3.0'])(
    'refuses %s, which needs --experimental-sqlite for it',
    (version) => {
      expect(reason(version)).toContain('unless started with --experimental-sqlite');
    },
  );

  it('accepts 22.5 to 22.12 started with --experimental-sqlite', () => {
    expect(reason('22.12.0', ['--experimental-sqlite'])).toBeUndefined();
  });

  it('says why, and how to get the pinned Node.js back after npm ci --ignore-scripts', () => {
    const text = reason('20.20.2') ?? '';

    expect(text).toContain('(fauxqs) use the built-in node:sqlite module');
    expect(text).toContain('after `npm ci --ignore-scripts`');
    expect(text).toContain('npm rebuild node --ignore-scripts=false');
  });

  it('names the Node.js major version that package.json pins', () => {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };

    expect(Number.parseInt(pkg.devDependencies.node ?? '', 10)).toBe(PINNED_NODE_MAJOR);
  });

  it('asks for no less than fauxqs, the dependency that needs node:sqlite, declares', () => {
    const fauxqs = JSON.parse(
      readFileSync(path.join(__dirname, '..', '..', 'node_modules', 'fauxqs', 'package.json'), 'utf8'),
    ) as { engines: { node: string } };
    const declared = /(\d+\.\d+\.\d+)/.exec(fauxqs.engines.node)?.[1] ?? '';
    const asNumber = (version: string) => {
      const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
      return major * 1e6 + minor * 1e3 + patch;
    };

    expect(asNumber(MINIMUM_NODE)).toBeGreaterThanOrEqual(asNumber(declared));
  });
});
