import { rmSync } from 'node:fs';
import { QUARANTINE_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { main as cli } from '../../local/cli/main';
import { sign, TEST_TOKEN, vehicleErrorEvent, vehicleStateEvent } from '../support/builders';
import {
  PIPELINE_TEST_TIMEOUT_MS,
  type PipelineStatus,
  type RunningPipeline,
  startPipelineProcess,
} from './support/local-pipeline';

jest.setTimeout(PIPELINE_TEST_TIMEOUT_MS);

/** The token Smartcar signs with in this story: the Dashboard's, not the one the receiver has. */
const DASHBOARD_TOKEN = 'the-dashboard-application-management-token-7';
const SMARTCAR_USER_AGENT = 'Smartcar/1.0 (+https://smartcar.com)';

// One receiver environment: the flood below then meets one rate bound, which it must exceed.
const PIPELINE_ARGS = ['--visibility-timeout', '1', '--receiver-concurrency', '1'];

const drained = (s: PipelineStatus) => s.queue.visible === 0 && s.queue.inFlight === 0;

async function runCli(args: string[]) {
  let output = '';
  const sink = { write: (text: string) => (output += text) };
  const code = await cli(args, { stdout: sink, stderr: sink, env: {}, dotEnvFile: '/nonexistent/.env' });
  return { code, output };
}

/** A delivery as Smartcar makes it: its User-Agent, signed with `token`. */
async function deliver(
  pipeline: RunningPipeline,
  body: string,
  token: string,
  userAgent = SMARTCAR_USER_AGENT,
) {
  const response = await fetch(pipeline.webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': userAgent,
      'sc-signature': sign(body, token),
    },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/**
 * The README's walk-through: VERIFY passes, but the receiver holds another token than the one
 * Smartcar signs with. Every delivery gets 401 and is quarantined; doctor names the cause; the
 * token is fixed (npm start restarted with it, the quarantine kept on disk); release processes
 * each event once.
 */
describe('npm start: deliveries refused for their signature are quarantined, diagnosed and released', () => {
  let pipeline: RunningPipeline;
  let archiveDir: string;
  const bodies = [vehicleStateEvent(), vehicleErrorEvent(), vehicleStateEvent()].map((event) =>
    JSON.stringify(event),
  );

  beforeAll(async () => {
    pipeline = await startPipelineProcess(TEST_TOKEN, PIPELINE_ARGS);
    archiveDir = pipeline.archiveDir;
  });

  afterAll(async () => {
    await pipeline?.stop();
    rmSync(archiveDir, { recursive: true, force: true });
  });

  it('answers 401 to deliveries signed with another token and keeps each, with counts on the status page', async () => {
    const answers = [];
    for (const body of bodies) answers.push(await deliver(pipeline, body, DASHBOARD_TOKEN));
    const status = await pipeline.waitFor((s) => s.quarantine.objects === bodies.length);

    expect(answers.map((answer) => [answer.status, answer.json.error])).toEqual(
      bodies.map(() => [401, 'SIGNATURE_MISMATCH']),
    );
    expect(status.refusedByReason).toEqual({ SIGNATURE_MISMATCH: bodies.length });
    expect(status.quarantine).toMatchObject({ kept: bodies.length, missed: 0 });
    expect(status.enqueued).toBe(0);
    expect(pipeline.output()).toContain('kept in the quarantine: npm run cli -- doctor');
  });

  it('does not keep internet noise: a wrong signature without the Smartcar User-Agent', async () => {
    const { status } = await deliver(pipeline, JSON.stringify(vehicleStateEvent()), 'junk', 'curl/8.5.0');
    const after = await pipeline.waitFor((s) => s.refused === bodies.length + 1);

    expect(status).toBe(401);
    expect(after.quarantine.objects).toBe(bodies.length);
  });

  it('still answers 401 when the quarantine cannot be written, and counts the miss', async () => {
    await pipeline.fault({ archive: 'down' });
    const { status } = await deliver(pipeline, JSON.stringify(vehicleStateEvent()), DASHBOARD_TOKEN);
    const after = await pipeline.waitFor((s) => s.quarantine.missed === 1);
    await pipeline.fault({ archive: 'up' });

    expect(status).toBe(401);
    expect(after.quarantine.objects).toBe(bodies.length);
    expect(pipeline.output()).toContain('NOT quarantined');
  });

  it('doctor says the stored token signed none of them, and names the token that did', async () => {
    const plain = await runCli(['doctor', '--local', pipeline.url]);
    const withToken = await runCli(['doctor', '--local', pipeline.url, '--token', DASHBOARD_TOKEN]);

    expect(plain.code).toBe(1);
    expect(plain.output).toContain(`${bodies.length} of ${bodies.length}: matches nothing`);
    expect(plain.output).toContain('SIGNATURE_MISMATCH 3');
    expect(plain.output).toContain(SMARTCAR_USER_AGENT);
    expect(withToken.output).toContain('signed with the token you gave (--token)');
    for (const output of [plain.output, withToken.output]) {
      expect(output).not.toContain(DASHBOARD_TOKEN);
      expect(output).not.toContain(TEST_TOKEN);
    }
  });

  it('after a restart with the right token, doctor says they verify and release processes each once', async () => {
    expect(await pipeline.stop()).toBe(0);
    pipeline = await startPipelineProcess(DASHBOARD_TOKEN, [...PIPELINE_ARGS, '--archive-dir', archiveDir]);
    const restarted = await pipeline.status();
    const diagnosis = await runCli(['doctor', '--local', pipeline.url]);
    const release = await runCli(['quarantine', 'release', '--local', pipeline.url]);
    const processed = await pipeline.waitFor((s) => s.processed === bodies.length && drained(s));

    expect(restarted.quarantine.objects).toBe(bodies.length);
    expect(diagnosis.code).toBe(0);
    expect(diagnosis.output).toContain('verifies now with the current token');
    expect(release.code).toBe(0);
    expect(release.output).toContain(`Released ${bodies.length} of ${bodies.length}`);
    expect(processed.quarantine).toMatchObject({ released: bodies.length, objects: 0 });
    expect(processed.archive.objects).toBeGreaterThan(0);
    expect(pipeline.output()).toMatch(/processed \(released release-\S+, current\)/);

    // Smartcar retrying one of them now that the token is right: a duplicate, not a second run.
    const retry = await deliver(pipeline, bodies[0] ?? '', DASHBOARD_TOKEN);
    const after = await pipeline.waitFor((s) => s.duplicates === 1 && drained(s));
    expect(retry.status).toBe(200);
    expect(after.processed).toBe(bodies.length);

    const listed = await runCli(['quarantine', 'ls', '--local', pipeline.url, '--json']);
    expect((JSON.parse(listed.output) as { items: unknown[] }).items).toEqual([]);
  });

  it('under a flood keeps the burst, then no more than the rate bound allows, and answers every request', async () => {
    const before = await pipeline.status();
    const started = Date.now();
    const flood = Array.from({ length: 200 }, () => JSON.stringify(vehicleStateEvent()));
    const statuses: number[] = [];
    for (let offset = 0; offset < flood.length; offset += 15) {
      const wave = flood.slice(offset, offset + 15).map((body) => deliver(pipeline, body, 'a-forger-token'));
      for (const answer of await Promise.all(wave)) statuses.push(answer.status);
    }
    const elapsedSeconds = (Date.now() - started) / 1000;
    const after = await pipeline.waitFor(
      (s) =>
        s.quarantine.kept + s.quarantine.missed ===
        before.quarantine.kept + before.quarantine.missed + flood.length,
    );

    expect(statuses.every((status) => status === 401)).toBe(true);
    const kept = after.quarantine.kept - before.quarantine.kept;
    const bound = QUARANTINE_DEFAULTS.burst + Math.ceil(elapsedSeconds * QUARANTINE_DEFAULTS.writesPerSecond);
    expect(kept).toBeGreaterThanOrEqual(QUARANTINE_DEFAULTS.burst);
    expect(kept).toBeLessThanOrEqual(bound);
    expect(after.quarantine.missed - before.quarantine.missed).toBe(flood.length - kept);
    expect(after.quarantine.objects).toBe(kept);
  });
});
