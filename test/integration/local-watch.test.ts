import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main as cli } from '../../local/cli/main';
import { sign, TEST_TOKEN, vehicleStateEvent } from '../support/builders';
import {
  PIPELINE_TEST_TIMEOUT_MS,
  type PipelineStatus,
  type RunningPipeline,
  startPipelineProcess,
} from './support/local-pipeline';

jest.setTimeout(2 * PIPELINE_TEST_TIMEOUT_MS);

const SDK = path.join(__dirname, '..', '..', 'lambdas', 'sdk');
const drained = (s: PipelineStatus) => s.queue.visible === 0 && s.queue.inFlight === 0;

/** An app whose VEHICLE_STATE handler logs its version and, while `broken`, throws. */
function appSource(version: number, broken: boolean): string {
  return `import { WebhookApp } from ${JSON.stringify(SDK)};
export const app = new WebhookApp().onVehicleState(async (event, { logger }) => {
  logger.info('Watch app handled', { version: ${version} });
  ${broken ? "throw new Error('bug in version " + version + "');" : ''}
});
`;
}

async function runCli(args: string[]) {
  let output = '';
  const sink = { write: (text: string) => (output += text) };
  const code = await cli(args, { stdout: sink, stderr: sink, env: {}, dotEnvFile: '/nonexistent/.env' });
  return { code, output };
}

/**
 * The loop the README shows: a handler bug sends an event to the DLQ; the fix is saved, npm start
 * reloads the handlers without losing the DLQ or anything else, and a redrive processes it once.
 */
describe('npm start: watch mode reloads the handlers and keeps the state', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'watch-app-'));
  const entry = path.join(dir, 'app.ts');
  let pipeline: RunningPipeline;

  beforeAll(async () => {
    writeFileSync(entry, appSource(1, true));
    pipeline = await startPipelineProcess(TEST_TOKEN, [
      '--visibility-timeout',
      '1',
      '-c',
      `appEntry=${entry}`,
    ]);
  });

  afterAll(async () => {
    await pipeline?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('edit, see the log line, fail to the DLQ, fix, reload, redrive: processed once', async () => {
    expect(pipeline.output()).toMatch(/watch\s+the handlers reload when lambdas\/ changes/);
    const event = vehicleStateEvent();
    const body = JSON.stringify(event);
    const response = await fetch(pipeline.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sc-signature': sign(body, TEST_TOKEN) },
      body,
    });
    expect(response.status).toBe(200);
    const parked = await pipeline.waitFor((s) => s.deadLettered === 1);
    expect(parked.processed).toBe(0);
    expect(pipeline.output()).toContain('↳ Watch app handled  version=1');

    writeFileSync(entry, appSource(2, false));
    await pipeline.waitForOutput(/reload: .*app\.ts changed; the next invocations run the new code/);
    const kept = await pipeline.status();
    expect(kept.deadLetterQueue.visible).toBe(1);

    const redrive = await runCli(['redrive', '--local', pipeline.url]);
    expect(redrive.code).toBe(0);
    const after = await pipeline.waitFor(
      (s) => s.processed === 1 && drained(s) && s.deadLetterQueue.visible === 0,
    );
    expect(after.duplicates).toBe(0);
    expect(pipeline.output()).toContain('↳ Watch app handled  version=2');
    expect(pipeline.output()).toMatch(new RegExp(`${String(event.eventId).slice(0, 8)} processed`));
  });
});
