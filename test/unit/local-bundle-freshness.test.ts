import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  assertFreshBundles,
  type FreshnessSources,
  StaleBundlesError,
  staleSources,
} from '../../local/bundle-freshness';
import type { SynthesizedStack } from '../../local/function-modules';
import { pipelineSetup } from '../../local/pipeline-setup';

const BUILT = new Date('2026-01-01T10:00:00Z');
const BEFORE = new Date('2026-01-01T09:00:00Z');
const AFTER = new Date('2026-01-01T11:30:00Z');

let root: string;
let sources: FreshnessSources;
let stack: SynthesizedStack;

/** Writes `file` (under the scratch folder) last modified at `when`. */
function write(file: string, when: Date, text = '// source\n'): string {
  const absolute = path.join(root, file);
  mkdirSync(path.dirname(absolute), { recursive: true });
  writeFileSync(absolute, text);
  utimesSync(absolute, when, when);
  return absolute;
}

/** A bundle built at BUILT whose source map lists `mapped` (relative to the scratch folder). */
function bundle(asset: string, mapped: string[]): string {
  const index = write(`cdk.out/${asset}/index.js`, BUILT);
  const map = path.join(path.dirname(index), 'index.js.map');
  const relative = mapped.map((file) => path.relative(path.dirname(map), path.join(root, file)));
  write(`cdk.out/${asset}/index.js.map`, BUILT, JSON.stringify({ version: 3, sources: relative }));
  return index;
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'bundle-freshness-'));
  write('lambdas/receiver/index.ts', BEFORE);
  write('lambdas/processor/index.ts', BEFORE);
  write('app/webhooks.ts', BEFORE);
  write('node_modules/zod/index.js', BEFORE);
  write('cdk.json', BEFORE, '{}');
  write('lib/construct.ts', BEFORE);
  stack = {
    cdkOut: path.join(root, 'cdk.out'),
    templateFile: write('cdk.out/SmartcarWebhooks.template.json', BUILT, '{}'),
    receiver: { bundle: bundle('asset.aaaa', ['lambdas/receiver/index.ts']), environment: {} },
    processor: {
      bundle: bundle('asset.bbbb', [
        'lambdas/processor/index.ts',
        'app/webhooks.ts',
        'node_modules/zod/index.js',
      ]),
      environment: {},
    },
  };
  sources = {
    lambdasDir: path.join(root, 'lambdas'),
    templateInputs: [path.join(root, 'cdk.json'), path.join(root, 'lib')],
  };
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('staleSources', () => {
  it('finds nothing when every source is older than what was built from it', () => {
    expect(staleSources(stack, sources)).toEqual([]);
  });

  it('finds a file under lambdas/ changed after the bundles, once', () => {
    write('lambdas/contract/routes.ts', AFTER);

    const stale = staleSources(stack, sources);

    expect(stale).toEqual([
      {
        source: path.join(root, 'lambdas/contract/routes.ts'),
        changedAt: AFTER,
        artifact: 'the receiver bundle (asset.aaaa)',
        builtAt: BUILT,
      },
    ]);
  });

  it('finds the app entry, wherever it lives, through the bundle’s source map', () => {
    write('app/webhooks.ts', AFTER);

    expect(staleSources(stack, sources)).toEqual([
      expect.objectContaining({
        source: path.join(root, 'app/webhooks.ts'),
        artifact: 'the processor bundle (asset.bbbb)',
      }),
    ]);
  });

  it('counts a mapped source that no longer exists', () => {
    rmSync(path.join(root, 'app/webhooks.ts'));

    expect(staleSources(stack, sources)).toEqual([
      expect.objectContaining({ source: path.join(root, 'app/webhooks.ts'), changedAt: undefined }),
    ]);
  });

  it('ignores third-party code the bundle maps', () => {
    write('node_modules/zod/index.js', AFTER);

    expect(staleSources(stack, sources)).toEqual([]);
  });

  it('finds cdk.json or lib/ changed after the template', () => {
    write('cdk.json', AFTER, '{}');

    expect(staleSources(stack, sources)).toEqual([
      expect.objectContaining({
        source: path.join(root, 'cdk.json'),
        artifact: 'the template (SmartcarWebhooks.template.json)',
      }),
    ]);
  });
});

describe('assertFreshBundles', () => {
  it('lets fresh bundles through', () => {
    expect(() => assertFreshBundles(stack, sources, root)).not.toThrow();
  });

  it('refuses stale bundles, saying which source changed after which bundle, and to run npx cdk synth', () => {
    write('lambdas/processor/index.ts', AFTER);

    let error: unknown;
    try {
      assertFreshBundles(stack, sources, root);
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(StaleBundlesError);
    expect((error as Error).message).toBe(
      [
        'The bundles in cdk.out are older than their sources, so they are not what `cdk deploy` would ship now:',
        '  lambdas/processor/index.ts changed at 11:30:00, after the processor bundle (asset.bbbb) was built at 10:00:00',
        'Run `npx cdk synth` (with the same -c options you deploy with), then start with --bundles again.',
      ].join('\n'),
    );
  });

  it('lists the five newest changes and counts the rest', () => {
    for (let i = 0; i < 7; i++) write(`lambdas/app/handler-${i}.ts`, new Date(AFTER.getTime() + i * 1000));

    expect(() => assertFreshBundles(stack, sources, root)).toThrow(/handler-6\.ts[\s\S]*… and 2 more/);
  });
});

describe('pipelineSetup with --bundles', () => {
  it('refuses bundles synthesized before the sources in lambdas/ last changed', () => {
    const long = new Date('2000-01-01T00:00:00Z');
    for (const file of [stack.templateFile, stack.receiver.bundle, stack.processor.bundle])
      utimesSync(file, long, long);
    const template = {
      Resources: {
        Receiver: {
          Type: 'AWS::Lambda::Function',
          Metadata: { 'aws:cdk:path': 'SmartcarWebhooks/Webhooks/Ingest/Receiver/Resource' },
          Properties: { Code: { S3Key: 'aaaa.zip' } },
        },
        Processor: {
          Type: 'AWS::Lambda::Function',
          Metadata: { 'aws:cdk:path': 'SmartcarWebhooks/Webhooks/Processing/Processor/Resource' },
          Properties: { Code: { S3Key: 'bbbb.zip' } },
        },
      },
    };
    writeFileSync(stack.templateFile, JSON.stringify(template));
    // The template newer than every file: only the bundles are stale, whatever order a checkout
    // wrote the repository's files in (a fresh clone gives them all nearly the same time).
    const later = new Date(Date.now() + 3_600_000);
    utimesSync(stack.templateFile, later, later);

    expect(() => pipelineSetup({ bundlesDir: 'cdk.out', cwd: root })).toThrow(
      /are older than their sources[\s\S]*lambdas\/\S+ changed at .*, after the (receiver|processor) bundle \(asset\.(aaaa|bbbb)\)[\s\S]*Run `npx cdk synth`/,
    );
  });
});
