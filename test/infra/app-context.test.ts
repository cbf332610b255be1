import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ContextProvider } from 'aws-cdk-lib/cloud-assembly-schema';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { isCdkContextKey, readAppContext } from '../../lib/context-settings';

const ROOT = path.join(__dirname, '..', '..');
const TSX_CLI = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'),
).context;

// Starts bin/app.ts through tsx: a few seconds each on a loaded machine.
jest.setTimeout(120_000);

/**
 * bin/app.ts as `cdk synth` runs it: the context in CDK_CONTEXT_JSON (cdk.json's, then `-c`),
 * the cloud assembly into a folder of its own. Bundling is skipped: these tests read the template.
 */
function synthApp(context: Record<string, unknown>) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'bin-app-'));
  try {
    const result = spawnSync(process.execPath, [TSX_CLI, 'bin/app.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({
          ...CDK_JSON_CONTEXT,
          'aws:cdk:bundling-stacks': [],
          ...context,
        }),
      },
    });
    const stackName = typeof context.stackName === 'string' ? context.stackName : 'SmartcarWebhooks';
    const templateFile = path.join(outdir, `${stackName}.template.json`);
    const template =
      result.status === 0
        ? (JSON.parse(readFileSync(templateFile, 'utf8')) as { Resources: Record<string, { Type: string }> })
        : undefined;
    return { status: result.status, stderr: result.stderr, template };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const tables = (template: { Resources: Record<string, { Type: string }> } | undefined) =>
  Object.values(template?.Resources ?? {}).filter((resource) => resource.Type === 'AWS::DynamoDB::Table')
    .length;

describe('bin/app.ts context', () => {
  it('refuses latestState=yes, saying it takes true or false, without a stack trace', () => {
    const { status, stderr } = synthApp({ latestState: 'yes' });

    expect(status).toBe(1);
    expect(stderr.trim()).toBe('Context value "latestState" must be true or false; got "yes".');
  });

  it('refuses an unknown key and names the key it probably means', () => {
    const { status, stderr } = synthApp({ latestStat: 'true' });

    expect(status).toBe(1);
    expect(stderr).toContain('Unknown context key "latestStat" (did you mean "latestState"?)');
  });

  it('creates the latest-state table with latestState=true, and not with latestState=false', () => {
    const on = synthApp({ latestState: 'true' });
    const off = synthApp({ latestState: 'false' });

    expect([on.status, off.status]).toEqual([0, 0]);
    expect(tables(on.template)).toBe(tables(off.template) + 1);
  });

  it('synthesizes with the keys the CDK CLI itself adds to the context', () => {
    const { status, stderr } = synthApp({
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:enable-asset-metadata': true,
      'aws:cdk:version-reporting': true,
      'acknowledged-issue-numbers': [32775],
      'cli-telemetry': false,
    });

    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
  });
});

describe('context keys that belong to the CDK', () => {
  it('include every feature flag aws-cdk-lib knows', () => {
    expect(Object.keys(cxapi.FLAGS).filter((key) => !isCdkContextKey(key))).toEqual([]);
  });

  it("include the CDK's own settings (aws:cdk:…, aws-cdk:enableDiffNoFail)", () => {
    const settings = (Object.values(cxapi) as unknown[]).filter(
      (value): value is string => typeof value === 'string' && /^aws(:|-)cdk:/.test(value),
    );

    expect(settings).toContain(cxapi.BUNDLING_STACKS);
    expect(settings.filter((key) => !isCdkContextKey(key))).toEqual([]);
  });

  it('include the cached lookups of every context provider (cdk.context.json)', () => {
    const cached = Object.values(ContextProvider).map(
      (provider) => `${provider}:account=123456789012:region=eu-west-1`,
    );

    expect(cached.filter((key) => !isCdkContextKey(key))).toEqual([]);
  });

  it.each(['acknowledged-issue-numbers', 'cli-telemetry', 'cdk-migrate'])(
    'include %s, which the CLI writes to cdk.json',
    (key) => {
      expect(isCdkContextKey(key)).toBe(true);
    },
  );

  it("are accepted and ignored by the app's reading of its context", () => {
    expect(readAppContext({ '@aws-cdk/core:checkSecretUsage': true, 'cdk-migrate': true })).toEqual({
      latestState: false,
    });
  });

  it('do not include the keys the app reads, nor a typo of one', () => {
    expect(['latestState', 'latestStat', 'stackName', 'alarm-email'].filter(isCdkContextKey)).toEqual([]);
  });
});

describe('latestState', () => {
  it.each([
    [true, true],
    ['true', true],
    [false, false],
    ['false', false],
    [undefined, false],
    ['', false],
  ])('reads %p as %p', (value, expected) => {
    expect(readAppContext({ latestState: value }).latestState).toBe(expected);
  });

  it.each(['yes', 'TRUE', '1', 1])('refuses %p', (value) => {
    expect(() => readAppContext({ latestState: value })).toThrow(
      `Context value "latestState" must be true or false; got ${JSON.stringify(value)}.`,
    );
  });
});
