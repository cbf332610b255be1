import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sign, TEST_TOKEN, vehicleStateEvent } from '../support/builders';
import {
  PIPELINE_TEST_TIMEOUT_MS,
  type PipelineStatus,
  type RunningPipeline,
  startPipelineProcess,
} from './support/local-pipeline';

jest.setTimeout(2 * PIPELINE_TEST_TIMEOUT_MS);

const drained = (s: PipelineStatus) => s.queue.visible === 0 && s.queue.inFlight === 0;

async function deliver(pipeline: RunningPipeline, body: string) {
  const response = await fetch(pipeline.webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'sc-signature': sign(body, TEST_TOKEN) },
    body,
  });
  return response.status;
}

/**
 * `npm start` keeps its queues and tables in --state-dir (.local/state by default), so a restart
 * carries on where the last run stopped: "fix the bug, restart, redrive" works locally.
 */
describe('npm start: local state survives a restart', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'local-state-'));
  const args = [
    '--visibility-timeout',
    '1',
    '--state-dir',
    path.join(root, 'state'),
    '--archive-dir',
    path.join(root, 'archive'),
  ];
  let pipeline: RunningPipeline | undefined;

  afterAll(async () => {
    await pipeline?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('keeps the waiting messages and the idempotency records; --reset starts clean', async () => {
    const processedBefore = JSON.stringify(vehicleStateEvent());
    const waiting = JSON.stringify(vehicleStateEvent());
    pipeline = await startPipelineProcess(TEST_TOKEN, args);
    expect(await deliver(pipeline, processedBefore)).toBe(200);
    await pipeline.waitFor((s) => s.processed === 1 && drained(s));
    // Processing cannot work: the delivery is accepted and waits on the queue, failing.
    await pipeline.fault({ dynamodb: 'down' });
    expect(await deliver(pipeline, waiting)).toBe(200);
    await pipeline.waitFor((s) => s.failed >= 1);
    expect(await pipeline.stop()).toBe(0);

    pipeline = await startPipelineProcess(TEST_TOKEN, args);
    const resumed = await pipeline.waitFor((s) => s.processed === 1 && drained(s));
    expect(resumed.duplicates).toBe(0);
    expect(pipeline.output()).toContain(`${String(JSON.parse(waiting).eventId).slice(0, 8)} processed`);
    // The first run processed this one: its idempotency record was kept.
    expect(await deliver(pipeline, processedBefore)).toBe(200);
    await pipeline.waitFor((s) => s.duplicates === 1 && drained(s));
    expect(await pipeline.stop()).toBe(0);

    pipeline = await startPipelineProcess(TEST_TOKEN, [...args, '--reset']);
    expect(pipeline.output()).toContain(`reset: removed ${path.join(root, 'state')}`);
    const clean = await pipeline.status();
    expect(clean.archive.objects).toBe(0);
    expect(await deliver(pipeline, processedBefore)).toBe(200);
    const again = await pipeline.waitFor((s) => s.processed === 1 && drained(s));
    expect(again.duplicates).toBe(0);
  });
});
