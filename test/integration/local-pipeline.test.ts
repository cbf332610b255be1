import { rmSync } from 'node:fs';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SERVICE_NAMES } from '../../lambdas/contract';
import { PROCESSOR_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { LOCAL_AWS } from '../../local/local-aws';
import { main as cli } from '../../local/cli/main';
import { sign, TEST_TOKEN, vehicleErrorEvent, vehicleStateEvent, verifyEvent } from '../support/builders';
import {
  PIPELINE_TEST_TIMEOUT_MS,
  type PipelineStatus,
  type RunningPipeline,
  startPipelineProcess,
} from './support/local-pipeline';

jest.setTimeout(PIPELINE_TEST_TIMEOUT_MS);

const drained = (s: PipelineStatus) => s.queue.visible === 0 && s.queue.inFlight === 0;

/** Runs the CLI in process; resolves with its exit code and everything it printed. */
async function runCli(args: string[]) {
  let output = '';
  const sink = { write: (text: string) => (output += text) };
  const code = await cli(args, { stdout: sink, stderr: sink, env: {}, dotEnvFile: '/nonexistent/.env' });
  return { code, output };
}

/** POSTs a body (text or exact bytes) to the local webhook with a signature made with `token`. */
async function deliver(pipeline: RunningPipeline, body: string | Buffer, token = TEST_TOKEN) {
  const response = await fetch(pipeline.webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'sc-signature': sign(body, token) },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('npm start: the local pipeline', () => {
  let pipeline: RunningPipeline;

  beforeAll(async () => {
    // A 1-second visibility timeout keeps the retry → DLQ path to a few seconds. POWERTOOLS_DEV
    // pretty-prints every log record over many lines; the display must not depend on their form.
    pipeline = await startPipelineProcess(TEST_TOKEN, ['--visibility-timeout', '1', '--verbose'], {
      POWERTOOLS_DEV: 'true',
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('processes a signed delivery once', async () => {
    const before = await pipeline.status();
    const { status } = await deliver(pipeline, JSON.stringify(vehicleStateEvent()));

    expect(status).toBe(200);
    const after = await pipeline.waitFor((s) => s.processed === before.processed + 1);
    expect(after.enqueued).toBe(before.enqueued + 1);
    expect(pipeline.output()).toMatch(/VEHICLE_STATE\s+\w{8} processed/);
  });

  it('shows each step and counts it while POWERTOOLS_DEV pretty-prints the log records', async () => {
    const before = await pipeline.status();
    const event = vehicleStateEvent();
    await deliver(pipeline, JSON.stringify(event));

    const after = await pipeline.waitFor((s) => s.processed === before.processed + 1);
    const id = String(event.eventId).slice(0, 8);
    expect(after.received).toBe(before.received + 1);
    expect(pipeline.output()).toMatch(
      new RegExp(`^\\S+ VEHICLE_STATE ${id} received → enqueued \\(200, `, 'm'),
    );
    expect(pipeline.output()).toMatch(new RegExp(`^\\S+ VEHICLE_STATE ${id} processed$`, 'm'));
    await pipeline.waitForOutput(/^ {2}processor \| {5}"message": "Event processed",$/m);
  });

  it('runs each function under its own service name', async () => {
    const before = await pipeline.status();
    await deliver(pipeline, JSON.stringify(vehicleStateEvent()));
    await pipeline.waitFor((s) => s.processed === before.processed + 1);
    // An accepted delivery's receiver line is its EMF document; a VERIFY gets a logger line.
    await deliver(pipeline, JSON.stringify(verifyEvent()));

    await pipeline.waitForOutput(
      new RegExp(`^  receiver \\| {5}"service": "${SERVICE_NAMES.receiver}",$`, 'm'),
    );
    await pipeline.waitForOutput(
      new RegExp(`^  processor \\| {5}"service": "${SERVICE_NAMES.processor}",$`, 'm'),
    );
    expect(pipeline.output()).not.toContain('"service": "smartcar-webhooks-local"');
  });

  it('accepts a signed body that starts with a UTF-8 byte-order mark, as API Gateway does', async () => {
    const before = await pipeline.status();
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(JSON.stringify(vehicleStateEvent())),
    ]);

    const { status } = await deliver(pipeline, bytes);

    expect(status).toBe(200);
    await pipeline.waitFor((s) => s.processed === before.processed + 1);
  });

  it('processes an event delivered twice once and counts the second as a duplicate', async () => {
    const before = await pipeline.status();
    const body = JSON.stringify(vehicleErrorEvent());
    await deliver(pipeline, body);
    await pipeline.waitFor((s) => s.processed === before.processed + 1);
    await deliver(pipeline, body);

    const after = await pipeline.waitFor((s) => s.duplicates === before.duplicates + 1);
    expect(after.processed).toBe(before.processed + 1);
  });

  it('answers 401 to a bad signature and enqueues nothing', async () => {
    // An earlier event may still be in flight between its processing and its deletion.
    const before = await pipeline.waitFor(drained);
    const { status, json } = await deliver(pipeline, JSON.stringify(vehicleStateEvent()), 'not-the-token');

    expect(status).toBe(401);
    expect(json.error).toBe('SIGNATURE_MISMATCH');
    const after = await pipeline.status();
    expect(after.enqueued).toBe(before.enqueued);
    expect(after.queue).toEqual({ visible: 0, inFlight: 0 });
  });

  it('answers 5xx while SQS is down, and processes the redelivery once SQS is back', async () => {
    const before = await pipeline.status();
    const body = JSON.stringify(vehicleStateEvent());
    await pipeline.fault({ sqs: 'down' });
    const whileDown = await deliver(pipeline, body);
    await pipeline.fault({ sqs: 'up' });
    const redelivery = await deliver(pipeline, body);

    expect(whileDown.status).toBe(503);
    expect(redelivery.status).toBe(200);
    const after = await pipeline.waitFor((s) => s.processed === before.processed + 1);
    expect(after.enqueued).toBe(before.enqueued + 1);
  });

  it('retries a failing event, dead-letters it after maxReceiveCount, and processes it after a redrive', async () => {
    const before = await pipeline.status();
    await pipeline.fault({ dynamodb: 'down' });
    await deliver(pipeline, JSON.stringify(vehicleStateEvent()));

    const failed = await pipeline.waitFor(
      (s) => s.deadLetterQueue.visible === 1 && s.deadLettered === before.deadLettered + 1,
    );
    expect(failed.failed).toBe(before.failed + PROCESSOR_DEFAULTS.maxReceiveCount);
    const attempts = PROCESSOR_DEFAULTS.maxReceiveCount;
    expect(pipeline.output()).toContain(`failed (attempt ${attempts}/${attempts})`);
    expect(pipeline.output()).toContain(`dead-lettered after ${attempts} attempts`);

    await pipeline.fault({ dynamodb: 'up' });
    const redrive = await runCli(['redrive', '--local', pipeline.url]);
    expect(redrive.code).toBe(0);

    const redriven = await pipeline.waitFor((s) => s.processed === failed.processed + 1);
    expect(redriven.deadLetterQueue.visible).toBe(0);
  });

  it('sends an event that fails the schema to the DLQ at once, without burning retries', async () => {
    const before = await pipeline.status();
    const { data: _data, ...withoutData } = vehicleStateEvent();
    await deliver(pipeline, JSON.stringify(withoutData));

    const after = await pipeline.waitFor((s) => s.deadLettered === before.deadLettered + 1);
    // Acknowledged after the send to the DLQ: no failed receive, no retry.
    expect(after.failed).toBe(before.failed);
    expect(pipeline.output()).toMatch(/unprocessable, parked in the DLQ at once: SCHEMA_INVALID \(.*data/);
  });

  it('passes the CLI verify handshake with the right token', async () => {
    const { code, output } = await runCli(['verify', '--url', pipeline.webhookUrl, '--token', TEST_TOKEN]);

    expect(code).toBe(0);
    expect(output).toMatch(/Smartcar would accept/);
  });

  it('fails the CLI verify handshake with another token and says the token differs', async () => {
    const { code, output } = await runCli([
      'verify',
      '--url',
      pipeline.webhookUrl,
      '--token',
      'another-token',
    ]);

    expect(code).toBe(1);
    expect(output).toMatch(/token/i);
  });

  it('sends a signed event with the CLI that the pipeline processes', async () => {
    const before = await pipeline.status();
    const { code } = await runCli([
      'send',
      'VEHICLE_STATE',
      '--url',
      pipeline.webhookUrl,
      '--token',
      TEST_TOKEN,
    ]);

    expect(code).toBe(0);
    await pipeline.waitFor((s) => s.processed === before.processed + 1);
  });

  it.each([
    ['GET', '/webhooks/smartcar'],
    ['POST', '/webhooks'],
    ['POST', '/webhooks/smartcar/extra'],
    ['DELETE', '/health'],
  ])('answers 404 to %s %s, a route the API does not have', async (method, path) => {
    const response = await fetch(`${pipeline.url}${path}`, { method });

    expect(response.status).toBe(404);
  });

  it('answers the health check', async () => {
    const response = await fetch(`${pipeline.url}/health`);

    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('says clearly that the port is busy when started twice', async () => {
    const port = new URL(pipeline.url).port;
    const second = await startPipelineProcess(TEST_TOKEN, ['--port', port]).catch((error: Error) => error);

    expect(second).toBeInstanceOf(Error);
    expect(String(second)).toContain(`Port ${port} is already in use`);
  });

  it('accepts the new token, and the previous one within the grace period, once the token is rotated', async () => {
    const { secretsManager } = await pipeline.status();
    const client = new SecretsManagerClient({
      region: LOCAL_AWS.region,
      endpoint: secretsManager.endpoint,
      credentials: LOCAL_AWS.credentials,
    });
    const rotate = (token: string) =>
      client.send(new PutSecretValueCommand({ SecretId: secretsManager.secretId, SecretString: token }));
    try {
      await rotate('rotated-token');

      // As on AWS, a receiver re-reads the secret at most every 15 s; Smartcar's retries cover that.
      let withNew = await deliver(pipeline, JSON.stringify(vehicleStateEvent()), 'rotated-token');
      for (let retry = 0; withNew.status === 401 && retry < 60; retry++) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        withNew = await deliver(pipeline, JSON.stringify(vehicleStateEvent()), 'rotated-token');
      }
      const withPrevious = await deliver(pipeline, JSON.stringify(vehicleStateEvent()), TEST_TOKEN);

      expect([withNew.status, withPrevious.status]).toEqual([200, 200]);
    } finally {
      await rotate(TEST_TOKEN);
      client.destroy();
    }
  });

  it('archives every processed delivery, and shows the archive on the status page', async () => {
    const event = vehicleStateEvent();
    const before = await pipeline.waitFor(drained);
    await deliver(pipeline, JSON.stringify(event));

    const after = await pipeline.waitFor(
      (s) => s.processed > before.processed && s.archive.objects > before.archive.objects && drained(s),
    );
    const listed = await runCli([
      'events',
      '--local',
      pipeline.url,
      '--since',
      '10m',
      '--event-id',
      String(event.eventId),
      '--json',
    ]);
    expect((JSON.parse(listed.output) as { count: number }).count).toBe(1);
    expect(after.archive).toMatchObject({
      bucket: 'smartcar-webhooks-archive',
      state: 'up',
      directory: pipeline.archiveDir,
    });
    expect(pipeline.output()).toMatch(
      /archive\s+s3:\/\/smartcar-webhooks-archive, kept in .*pipeline-archive-/,
    );
  });

  it('with the archive down answers 2xx and leaves deliveries unprocessed; once it is back, processes each once', async () => {
    const before = await pipeline.waitFor(drained);
    await pipeline.fault({ archive: 'down' });
    const { status } = await deliver(pipeline, JSON.stringify(vehicleStateEvent()));
    const whileDown = await pipeline.waitFor((s) => s.failed > before.failed);
    await pipeline.fault({ archive: 'up' });

    expect(status).toBe(200);
    expect(whileDown.processed).toBe(before.processed);
    expect(whileDown.faults.archive).toBe('down');
    expect(pipeline.output()).toMatch(
      /failed \(attempt 1\/5\): not archived, so not processed; left on the queue/,
    );
    // With a 1 s visibility timeout a slow machine may run out of retries first: then it waits in the DLQ.
    const settled = await pipeline.waitFor(
      (s) => s.processed === before.processed + 1 || s.deadLettered === before.deadLettered + 1,
    );
    const redrive =
      settled.processed === before.processed ? await runCli(['redrive', '--local', pipeline.url]) : undefined;
    expect(redrive?.code ?? 0).toBe(0);
    const after = await pipeline.waitFor((s) => s.processed === before.processed + 1 && drained(s));
    expect(after.archive.objects).toBe(before.archive.objects + 1);
    expect(after.duplicates).toBe(before.duplicates);
  });

  it('replays from the archive: skipped when processed, run once more with --reprocess, and finds it with events', async () => {
    const event = vehicleStateEvent();
    const id = String(event.eventId);
    const before = await pipeline.waitFor(drained);
    await deliver(pipeline, JSON.stringify(event));
    await pipeline.waitFor(
      (s) => s.processed === before.processed + 1 && s.archive.objects > before.archive.objects,
    );

    const catchUp = await runCli(['replay', '--local', pipeline.url, '--since', '10m', '--event-id', id]);
    const skipped = await pipeline.waitFor((s) => s.duplicates === before.duplicates + 1);
    const backfill = await runCli([
      'replay',
      '--local',
      pipeline.url,
      '--since',
      '10m',
      '--event-id',
      id,
      '--reprocess',
    ]);
    const rerun = await pipeline.waitFor((s) => s.processed === before.processed + 2);
    const shown = await runCli(['events', '--local', pipeline.url, '--show', id]);

    expect([catchUp.code, backfill.code, shown.code]).toEqual([0, 0, 0]);
    expect(skipped.processed).toBe(before.processed + 1);
    expect(rerun.duplicates).toBe(before.duplicates + 1);
    const replayId = /as (replay-\S+?)[,.:]/.exec(backfill.output)?.[1];
    expect(pipeline.output()).toContain(`${id.slice(0, 8)} processed (replay ${replayId})`);
    expect(shown.output).toContain(id);
    expect(shown.output).not.toContain('5YJ3E1EA7KF000316');
    // A replay is not archived again.
    expect(rerun.archive.objects).toBe((await pipeline.status()).archive.objects);
  });

  it('stops cleanly on Ctrl-C', async () => {
    const code = await pipeline.stop();

    expect(code).toBe(0);
    expect(pipeline.output()).toContain('stopped.');
  });

  it('finds the archive of the previous run after a restart', async () => {
    const again = await startPipelineProcess(TEST_TOKEN, ['--archive-dir', pipeline.archiveDir]);
    try {
      const status = await again.status();
      expect(status.archive.objects).toBeGreaterThanOrEqual(3);
      const listed = await runCli(['events', '--local', again.url, '--since', '1h', '--json']);
      expect((JSON.parse(listed.output) as { count: number }).count).toBeGreaterThanOrEqual(3);
    } finally {
      await again.stop();
      rmSync(pipeline.archiveDir, { recursive: true, force: true });
    }
  });
});
