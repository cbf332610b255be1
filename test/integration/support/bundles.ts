import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { SmartcarWebhooksStack, type SmartcarWebhooksStackProps } from '../../../lib/smartcar-webhooks-stack';
import { FAKE_AWS } from './dynalite';

const run = promisify(execFile);
const RESULT_MARKER = '__HANDLER_RESULT__';

/**
 * How long one bundle invocation may take before it counts as hung: a safety net for a loaded
 * 2-core machine, where starting a Node process per invocation takes many times as long as idle.
 * Test files that invoke bundles set `jest.setTimeout(2 * INVOCATION_DEADLINE_MS)` or more.
 */
export const INVOCATION_DEADLINE_MS = 60_000;

/**
 * Invokes a bundle in a fresh Node process, the way Lambda's runtime does: require the file, call
 * `handler(event, context)`. Its folder has no node_modules, so everything it needs must be inside.
 */
const RUNNER = `
const { handler } = require(process.argv[2]);
const event = JSON.parse(process.argv[3]);
const context = { functionName: 'bundle-test', awsRequestId: 'bundle-test-request', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bundle-test', memoryLimitInMB: '512', getRemainingTimeInMillis: () => 30000 };
Promise.resolve(handler(event, context)).then((result) => {
  process.stdout.write('\\n${RESULT_MARKER}' + JSON.stringify(result) + '\\n');
});
`;

/** One synthesized bundle, copied to a folder of its own. */
export interface Bundle {
  dir: string;
  invoke(
    event: unknown,
    env: Record<string, string>,
  ): Promise<{ result: Record<string, unknown>; output: string }>;
}

/** What {@link synthBundles} returns: both bundles and the template they were synthesized with. */
export interface SynthesizedBundles {
  receiver: Bundle;
  processor: Bundle;
  /** The stack's CloudFormation template, as `cdk synth` wrote it. */
  template: Record<string, unknown>;
  /**
   * A function's environment as the template sets it (every variable whose value is known before
   * deployment), with `local` for the ones that name deployed resources.
   */
  environment(fn: 'receiver' | 'processor', local: Record<string, string>): Record<string, string>;
  cleanup(): void;
}

/**
 * Runs `cdk synth` in process, bundling with the local esbuild, and copies each bundle to an empty
 * folder. `props` configure the stack, e.g. `{ webhooks: { appEntry } }`.
 */
export function synthBundles(props: SmartcarWebhooksStackProps = {}): SynthesizedBundles {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-out-'));
  const cdkContext = JSON.parse(
    readFileSync(path.join(__dirname, '..', '..', '..', 'cdk.json'), 'utf8'),
  ).context;
  const app = new App({ outdir, context: cdkContext });
  const stack = new SmartcarWebhooksStack(app, 'BundleTest', props);
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as {
    Resources: Record<
      string,
      { Properties: { Code?: { S3Key?: string }; Environment?: { Variables?: Record<string, unknown> } } }
    >;
  };
  const copies: string[] = [outdir];

  const bundleOf = (fn: NodejsFunction): Bundle => {
    const logicalId = stack.getLogicalId(fn.node.defaultChild as never);
    const s3Key = template.Resources[logicalId]?.Properties.Code?.S3Key;
    if (s3Key === undefined) throw new Error(`no code asset for ${logicalId}`);
    const dir = mkdtempSync(path.join(tmpdir(), 'bundle-'));
    copies.push(dir);
    cpSync(path.join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`), dir, { recursive: true });
    writeFileSync(path.join(dir, 'runner.js'), RUNNER);
    return {
      dir,
      async invoke(event, env) {
        const { stdout } = await run(process.execPath, ['runner.js', './index.js', JSON.stringify(event)], {
          cwd: dir,
          // Only what Lambda would provide: no NODE_PATH, no inherited AWS settings, no NODE_OPTIONS
          // but the template's (in `env`, from environment()).
          env: {
            PATH: process.env.PATH ?? '',
            AWS_REGION: FAKE_AWS.region,
            AWS_ACCESS_KEY_ID: FAKE_AWS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: FAKE_AWS.secretAccessKey,
            ...env,
          },
          timeout: INVOCATION_DEADLINE_MS,
        });
        const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
        if (line === undefined) throw new Error(`the bundle printed no result:\n${stdout}`);
        return { result: JSON.parse(line.slice(RESULT_MARKER.length)), output: stdout };
      },
    };
  };

  const functions = {
    receiver: stack.webhooks.ingest.receiver,
    processor: stack.webhooks.processing.processor,
  };
  return {
    receiver: bundleOf(functions.receiver),
    processor: bundleOf(functions.processor),
    template,
    environment: (fn, local) => {
      const resource = template.Resources[stack.getLogicalId(functions[fn].node.defaultChild as never)];
      const variables = resource?.Properties.Environment?.Variables ?? {};
      const known = Object.entries(variables).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      );
      return { ...Object.fromEntries(known), ...local };
    },
    cleanup: () => {
      for (const dir of copies) rmSync(dir, { recursive: true, force: true });
    },
  };
}
