import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { SmartcarWebhooks } from '../../lib/smartcar-webhooks';
import { logicalId, synthWebhooks } from './synth';

const ROOT = path.join(__dirname, '..', '..');
const CUSTOM_APP = path.join(ROOT, 'test', 'fixtures', 'custom-app.ts');
const CDK_JSON_CONTEXT = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context;

// Bundles both functions with the local esbuild: a few seconds on a loaded machine.
jest.setTimeout(120_000);

/** The source files esbuild put into the processor bundle of a construct given `appEntry`. */
function processorBundleSources(appEntry: string): string[] {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-out-'));
  try {
    // This test reads the bundle, so unlike the other infra tests it does not skip bundling.
    const app = new App({ outdir, context: CDK_JSON_CONTEXT });
    const stack = new Stack(app, 'AppEntry');
    const webhooks = new SmartcarWebhooks(stack, 'Webhooks', { appEntry });
    const template = app.synth().getStackByName(stack.stackName).template as {
      Resources: Record<string, { Properties: { Code?: { S3Key?: string } } }>;
    };
    const s3Key = template.Resources[logicalId(webhooks.processing.processor)]?.Properties.Code?.S3Key;
    if (s3Key === undefined) throw new Error('the processor has no code asset');
    const map = path.join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`, 'index.js.map');
    return (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('appEntry', () => {
  it("bundles the processor with the named module's app instead of lambdas/app", () => {
    const sources = processorBundleSources(CUSTOM_APP);

    expect(sources).toContainEqual(expect.stringMatching(/(^|\/)test\/fixtures\/custom-app\.ts$/));
    expect(sources).toContainEqual(expect.stringMatching(/(^|\/)lambdas\/processor\/processor-handler\.ts$/));
    expect(sources.filter((source) => /(^|\/)lambdas\/(app|processor\/index\.ts)/.test(source))).toEqual([]);
  });

  it('refuses a module that does not exist, at synth', () => {
    expect(() => synthWebhooks({ appEntry: path.join(ROOT, 'test', 'fixtures', 'missing-app.ts') })).toThrow(
      /appEntry .*missing-app\.ts does not exist/,
    );
  });
});
