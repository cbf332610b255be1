import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { SERVICE_NAMES } from '../../lambdas/contract';
import { SmartcarWebhooksStack } from '../../lib/smartcar-webhooks-stack';
import { sign, TEST_TOKEN, vehicleStateEvent, verifyEvent } from '../support/builders';
import {
  PIPELINE_TEST_TIMEOUT_MS,
  type RunningPipeline,
  startPipelineProcess,
} from './support/local-pipeline';

// Synthesizing bundles with esbuild, then starting the pipeline, takes tens of seconds on a busy machine.
jest.setTimeout(PIPELINE_TEST_TIMEOUT_MS);

const BUNDLED_WEBHOOK_PATH = '/bundled/smartcar';

/** `cdk synth` into a temporary cloud assembly, with the path metadata the CLI adds. */
function synthesize(): string {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-out-'));
  const cdkContext = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;
  const app = new App({ outdir, context: { ...cdkContext, 'aws:cdk:enable-path-metadata': true } });
  // Not the defaults, so the tests see the settings come from the template rather than from them.
  new SmartcarWebhooksStack(app, 'SmartcarWebhooks', {
    webhooks: { webhookPath: BUNDLED_WEBHOOK_PATH, latestState: true },
  });
  app.synth();
  return outdir;
}

describe('npm start -- --bundles: what ships, run locally', () => {
  let cdkOut: string;
  let pipeline: RunningPipeline;

  beforeAll(async () => {
    cdkOut = synthesize();
    pipeline = await startPipelineProcess(TEST_TOKEN, ['--bundles', '--cdk-out', cdkOut, '--verbose']);
  });

  afterAll(async () => {
    await pipeline?.stop();
    rmSync(cdkOut, { recursive: true, force: true });
  });

  it('runs the synthesized bundles, not the sources', () => {
    expect(pipeline.output()).toContain(`bundles from ${cdkOut}`);
  });

  it('serves the webhook path the synthesized template says, not the default', async () => {
    const atDefault = await fetch(`${pipeline.url}/webhooks/smartcar`, { method: 'POST', body: '{}' });

    expect(pipeline.webhookUrl).toBe(`${pipeline.url}${BUNDLED_WEBHOOK_PATH}`);
    expect(atDefault.status).toBe(404);
  });

  it('runs with the latest-state store the template has', () => {
    expect(pipeline.output()).toContain('latest    state store on');
    expect(pipeline.output()).toContain(
      'settings  from the synthesized template SmartcarWebhooks.template.json',
    );
  });

  it('answers VERIFY with the bundled receiver', async () => {
    const response = await fetch(pipeline.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(verifyEvent('bundled')),
    });

    expect(await response.json()).toEqual({ challenge: sign('bundled') });
  });

  it('processes a signed delivery with the bundled receiver and processor', async () => {
    const body = JSON.stringify(vehicleStateEvent());
    const response = await fetch(pipeline.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sc-signature': sign(body) },
      body,
    });

    expect(response.status).toBe(200);
    await expect(pipeline.waitFor((status) => status.processed === 1)).resolves.toMatchObject({
      enqueued: 1,
    });
  });

  it('runs each bundle under its own service name', async () => {
    const logLine = (fn: string, service: string) =>
      new RegExp(`^  ${fn} \\| \\{"level":"INFO".*"service":"${service}"`, 'm');

    await pipeline.waitForOutput(logLine('receiver', SERVICE_NAMES.receiver));
    await pipeline.waitForOutput(logLine('processor', SERVICE_NAMES.processor));

    expect(pipeline.output()).not.toContain('"service":"smartcar-webhooks-local"');
  });
});
