import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PROCESSOR_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { PARITY_APP } from '../fixtures/parity-app';
import { TEST_TOKEN, vehicleStateEvent } from '../support/builders';
import { deliverAll, deliverSigned, injectFault, outcomesPerEvent } from './support/deliveries';
import {
  PIPELINE_TEST_TIMEOUT_MS,
  type PipelineStatus,
  type RunningPipeline,
  startPipelineProcess,
} from './support/local-pipeline';

jest.setTimeout(PIPELINE_TEST_TIMEOUT_MS);

const PARITY_APP_ENTRY = path.join(__dirname, '..', 'fixtures', 'parity-app.ts');
const drained = (s: PipelineStatus) => s.queue.visible === 0 && s.queue.inFlight === 0;

/** A signed VEHICLE_STATE body about `vehicleId` (a fresh one by default), and its eventId. */
function stateEvent(vehicleId?: string): { body: string; eventId: string } {
  const event = vehicleStateEvent();
  const data =
    vehicleId === undefined
      ? event.data
      : { ...event.data, vehicle: { ...event.data.vehicle, id: vehicleId } };
  return { body: JSON.stringify({ ...event, data }), eventId: String(event.eventId) };
}

/** The parity app's log line `message` for `eventId`, as --verbose prints the processor's records. */
function appLine(message: string, eventId: string, more = ''): RegExp {
  return new RegExp(`^  processor \\| \\{.*"message":"${message}".*"eventId":"${eventId}".*${more}`, 'm');
}

/** `HH:MM:SS.mmm VEHICLE_STATE 2b65f4e6 processed`: where the activity display says it. */
function processedAt(output: string, eventId: string): number {
  return output.search(new RegExp(`^\\S+ VEHICLE_STATE\\s+${eventId.slice(0, 8)} processed`, 'm'));
}

describe('npm start as cdk deploy deploys by default (with -c appEntry)', () => {
  let pipeline: RunningPipeline;
  let scratch: string;
  let releaseFile: string;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'parity-'));
    releaseFile = path.join(scratch, 'release');
    // Only the app is not the repository's; every setting is the construct's default. Failures come
    // back after 1 s, so the crash's retry takes a second.
    pipeline = await startPipelineProcess(
      TEST_TOKEN,
      ['-c', `appEntry=${PARITY_APP_ENTRY}`, '--visibility-timeout', '1', '--verbose'],
      { [PARITY_APP.releaseFileVariable]: releaseFile },
    );
  });

  afterAll(async () => {
    await pipeline?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('says what runs as deployed and what differs from AWS', () => {
    const output = pipeline.output();

    expect(output).toContain('the app of test/fixtures/parity-app.ts');
    expect(output).toMatch(
      new RegExp(
        `processor batches of up to ${PROCESSOR_DEFAULTS.batchSize} \\(what is waiting when polled; AWS gathers for up to ${PROCESSOR_DEFAULTS.maxBatchingWindowSeconds} s\\), at most ${PROCESSOR_DEFAULTS.maxConcurrency} at once.*after ${PROCESSOR_DEFAULTS.timeoutSeconds} s is stopped`,
      ),
    );
    expect(output).toContain('latest    state store off, as deployed by default');
    const awsVisibility =
      PROCESSOR_DEFAULTS.timeoutSeconds * PROCESSOR_DEFAULTS.visibilityTimeoutMultiplier +
      PROCESSOR_DEFAULTS.maxBatchingWindowSeconds;
    expect(output).toContain(
      `vs AWS    visibility timeout 1 s (AWS ${awsVisibility} s; --visibility-timeout)`,
    );
  });

  it('gives the handlers no context.latestState, as a default deployment does', async () => {
    const { body, eventId } = stateEvent();

    expect((await deliverSigned(pipeline.webhookUrl, body)).status).toBe(200);

    await pipeline.waitForOutput(appLine(PARITY_APP.handled, eventId, '"latestState":"absent"'));
  });

  it('processes a delivery while a slow handler holds up another batch', async () => {
    // Settled first: the previous test ends on its handler's log line, which comes a moment before
    // its event is counted as processed, and a late count would pass for the fast delivery's below.
    const before = await pipeline.waitFor((s) => drained(s) && s.processed === s.enqueued);
    const slow = stateEvent(PARITY_APP.waitsForRelease);
    const fast = stateEvent();
    await deliverSigned(pipeline.webhookUrl, slow.body);
    await pipeline.waitForOutput(appLine(PARITY_APP.started, slow.eventId));

    await deliverSigned(pipeline.webhookUrl, fast.body);
    // One batch at a time, this would wait for the slow handler, which waits for the release file.
    await pipeline.waitFor((s) => s.processed === before.processed + 1);
    const whileSlowRuns = pipeline.output();
    writeFileSync(releaseFile, '');
    await pipeline.waitFor((s) => s.processed === before.processed + 2 && drained(s));

    expect(processedAt(whileSlowRuns, fast.eventId)).toBeGreaterThan(-1);
    // Still in its first invocation: neither processed nor stopped at the timeout.
    expect(processedAt(whileSlowRuns, slow.eventId)).toBe(-1);
    expect(whileSlowRuns).not.toMatch(new RegExp(`VEHICLE_STATE\\s+${slow.eventId.slice(0, 8)} failed`));
    expect(outcomesPerEvent(pipeline.output(), [slow.eventId, fast.eventId], 'processed')).toEqual([1, 1]);
  });

  it('shows a crash hitting a batch of several deliveries, which comes back and is processed once each', async () => {
    // Ten receivers warm first, so that the ten deliveries below reach the queue close together.
    const warming = await pipeline.status();
    await deliverAll(
      pipeline.webhookUrl,
      Array.from({ length: 10 }, () => stateEvent().body),
      10,
    );
    await pipeline.waitFor((s) => s.processed >= warming.processed + 10 && drained(s));
    const before = await pipeline.status();
    const events = Array.from({ length: 10 }, () => stateEvent());
    await injectFault(pipeline.url, { processor: 'crash' });

    // As the README's demo sends them: 10 deliveries, 10 at a time, each enqueued on its own.
    const outcomes = await deliverAll(
      pipeline.webhookUrl,
      events.map((event) => event.body),
      10,
    );

    expect(outcomes.map((outcome) => outcome.status)).toEqual(events.map(() => 200));
    await pipeline.waitFor((s) => s.processed >= before.processed + events.length && drained(s));
    const after = await pipeline.status();
    const crash = /processor crashed after (\d+) of (\d+) records/.exec(pipeline.output());
    const batch = Number(crash?.[2]);
    expect(batch).toBeGreaterThan(1);
    // Every record of the crashed batch failed once; on a loaded machine one whose idempotency
    // lock the crash left behind may fail once more before the lock expires: never fewer.
    expect(after.failed - before.failed).toBeGreaterThanOrEqual(batch);
    expect(after.processed - before.processed).toBe(events.length);
    expect(after.duplicates - before.duplicates).toBe(Number(crash?.[1]));
    const eventIds = events.map((event) => event.eventId);
    expect(outcomesPerEvent(pipeline.output(), eventIds, 'processed')).toEqual(eventIds.map(() => 1));
  });
});

describe('npm start -- -c latestState=true --processor-timeout 3', () => {
  let pipeline: RunningPipeline;

  beforeAll(async () => {
    pipeline = await startPipelineProcess(TEST_TOKEN, [
      '-c',
      'latestState=true',
      '--context',
      `appEntry=${PARITY_APP_ENTRY}`,
      '--processor-timeout',
      '3',
      '--visibility-timeout',
      '1',
      '--verbose',
    ]);
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('creates the latest-state table and gives the handlers context.latestState', async () => {
    const { body, eventId } = stateEvent();

    await deliverSigned(pipeline.webhookUrl, body);

    await pipeline.waitForOutput(appLine(PARITY_APP.handled, eventId, '"latestState":"present"'));
    expect(pipeline.output()).toContain('latest    state store on');
  });

  it('stops an invocation that runs past the processor timeout; its batch comes back and is processed once', async () => {
    const before = await pipeline.status();
    const { body, eventId } = stateEvent(PARITY_APP.sleepsPastTimeout);

    await deliverSigned(pipeline.webhookUrl, body);

    await pipeline.waitFor((s) => s.processed === before.processed + 1 && drained(s));
    const output = pipeline.output();
    expect(output).toMatch(
      new RegExp(
        `VEHICLE_STATE\\s+${eventId.slice(0, 8)} failed \\(attempt 1/${PROCESSOR_DEFAULTS.maxReceiveCount}\\): Task timed out after 3\\.\\d\\d seconds`,
      ),
    );
    expect(output).toMatch(appLine(PARITY_APP.handled, eventId, '"attempt":2'));
    expect(outcomesPerEvent(output, [eventId], 'processed')).toEqual([1]);
    expect((await pipeline.status()).deadLetterQueue.visible).toBe(0);
  });
});
