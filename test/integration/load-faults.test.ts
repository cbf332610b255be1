import { API_DEFAULTS, PROCESSOR_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { main as cli } from '../../local/cli/main';
import { TEST_TOKEN, vehicleStateEvent } from '../support/builders';
import {
  deliverAll,
  enqueueBatch,
  injectFault,
  type LocalQueue,
  outcomesPerEvent,
} from './support/deliveries';
import {
  PIPELINE_TEST_TIMEOUT_MS,
  type PipelineStatus,
  type RunningPipeline,
  startPipelineProcess,
} from './support/local-pipeline';

jest.setTimeout(PIPELINE_TEST_TIMEOUT_MS);

/**
 * How long the burst may take to drain: 1,000 events, one batch at a time, take about 20 s idle and
 * up to a minute on a loaded 2-core machine. A safety net, three times that.
 */
const BURST_DEADLINE_MS = 180_000;

/** Fresh, distinct VEHICLE_STATE deliveries: their bodies and eventIds. */
function events(count: number): { bodies: string[]; eventIds: string[] } {
  const documents = Array.from({ length: count }, () => vehicleStateEvent());
  return {
    bodies: documents.map((document) => JSON.stringify(document)),
    eventIds: documents.map((document) => String(document.eventId)),
  };
}

/** Runs the CLI in process; resolves with its exit code and everything it printed. */
async function runCli(args: string[]) {
  let output = '';
  const sink = { write: (text: string) => (output += text) };
  const code = await cli(args, { stdout: sink, stderr: sink, env: {}, dotEnvFile: '/nonexistent/.env' });
  return { code, output };
}

const drained = (s: PipelineStatus) => s.queue.visible === 0 && s.queue.inFlight === 0;
const statuses = (outcomes: { status: number }[]) => outcomes.map((outcome) => outcome.status);

describe('npm start under a burst of deliveries', () => {
  let pipeline: RunningPipeline;

  beforeAll(async () => {
    // As a user runs it: the default settings.
    pipeline = await startPipelineProcess(TEST_TOKEN);
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it(
    'answers a burst of 1,000 signed deliveries with 2xx and processes each once',
    async () => {
      const before = await pipeline.status();
      const { bodies, eventIds } = events(1000);

      // As many in flight as the API's burst limit lets through in AWS. The local API runs a few at
      // once, as that many Lambda environments, and holds the rest until one is free.
      const outcomes = await deliverAll(pipeline.webhookUrl, bodies, API_DEFAULTS.throttleBurstLimit);

      expect(statuses(outcomes).filter((status) => status < 200 || status > 299)).toEqual([]);
      await pipeline.waitFor((s) => s.processed >= before.processed + 1000 && drained(s), BURST_DEADLINE_MS);
      const after = await pipeline.status();
      expect(after.enqueued - before.enqueued).toBe(1000);
      expect(after.processed - before.processed).toBe(1000);
      expect(after.deadLetterQueue.visible).toBe(before.deadLetterQueue.visible);
      expect(new Set(outcomesPerEvent(pipeline.output(), eventIds, 'processed'))).toEqual(new Set([1]));
      // SQS is at-least-once: a SendMessage that outlives its 1.5 s request timeout under this load is
      // sent again and lands twice. Such copies must be skipped as duplicates of these events, never rerun.
      const duplicates = outcomesPerEvent(pipeline.output(), eventIds, 'duplicate');
      expect(after.duplicates - before.duplicates).toBe(duplicates.reduce((sum, count) => sum + count, 0));
    },
    BURST_DEADLINE_MS + PIPELINE_TEST_TIMEOUT_MS,
  );
});

describe('npm start under faults', () => {
  let pipeline: RunningPipeline;

  beforeAll(async () => {
    // Failed messages come back after 1 s, so retries and the DLQ take seconds, not minutes.
    pipeline = await startPipelineProcess(TEST_TOKEN, ['--visibility-timeout', '1']);
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('processes every event of a batch exactly once when the processor crashes mid-batch and restarts', async () => {
    const before = await pipeline.status();
    // SendMessageBatch's most; the crash's batching window gathers them into one batch.
    const { bodies, eventIds } = events(10);
    await injectFault(pipeline.url, { processor: 'crash' });

    // One SendMessageBatch, not 10 deliveries: the crash must hit the whole batch, not its first arrival.
    await enqueueBatch(before.sqs as unknown as LocalQueue, bodies);

    await pipeline.waitFor((s) => s.processed >= before.processed + bodies.length && drained(s));
    const after = await pipeline.status();
    const crash = /processor crashed after (\d+) of (\d+) records/.exec(pipeline.output());
    expect(crash).not.toBeNull();
    const completedBeforeCrash = Number(crash?.[1]);
    expect(Number(crash?.[2])).toBe(bodies.length);
    expect(after.processed - before.processed).toBe(10);
    expect(after.duplicates - before.duplicates).toBe(completedBeforeCrash);
    expect(after.failed - before.failed).toBe(Number(crash?.[2]));
    expect(after.deadLetterQueue.visible).toBe(before.deadLetterQueue.visible);
    expect(outcomesPerEvent(pipeline.output(), eventIds, 'processed')).toEqual(eventIds.map(() => 1));
    const duplicates = outcomesPerEvent(pipeline.output(), eventIds, 'duplicate');
    expect(duplicates.reduce((sum, count) => sum + count, 0)).toBe(completedBeforeCrash);
  });

  it('answers 5xx while SQS is down and processes the redeliveries exactly once', async () => {
    const before = await pipeline.status();
    const { bodies, eventIds } = events(5);
    await injectFault(pipeline.url, { sqs: 'down' });

    const whileDown = await deliverAll(pipeline.webhookUrl, bodies);
    await injectFault(pipeline.url, { sqs: 'up' });
    const redeliveries = await deliverAll(pipeline.webhookUrl, bodies);

    expect(statuses(whileDown).filter((status) => status < 500)).toEqual([]);
    expect(new Set(statuses(redeliveries))).toEqual(new Set([200]));
    await pipeline.waitFor((s) => s.processed >= before.processed + 5 && drained(s));
    const after = await pipeline.status();
    expect(after.enqueued - before.enqueued).toBe(5);
    expect(after.processed - before.processed).toBe(5);
    expect(after.duplicates - before.duplicates).toBe(0);
    expect(outcomesPerEvent(pipeline.output(), eventIds, 'processed')).toEqual(eventIds.map(() => 1));
  });

  it('dead-letters events through a long DynamoDB outage and processes them exactly once after a redrive', async () => {
    const before = await pipeline.status();
    const { bodies, eventIds } = events(5);
    await injectFault(pipeline.url, { dynamodb: 'down' });

    const outcomes = await deliverAll(pipeline.webhookUrl, bodies);
    const deadLettered = await pipeline.waitFor(
      (s) => s.deadLetterQueue.visible === before.deadLetterQueue.visible + 5 && drained(s),
    );
    await injectFault(pipeline.url, { dynamodb: 'up' });
    const redrive = await runCli(['redrive', '--local', pipeline.url]);

    expect(new Set(statuses(outcomes))).toEqual(new Set([200]));
    expect(deadLettered.processed).toBe(before.processed);
    expect(deadLettered.failed - before.failed).toBe(5 * PROCESSOR_DEFAULTS.maxReceiveCount);
    expect(redrive.code).toBe(0);
    await pipeline.waitFor(
      (s) => s.processed >= before.processed + 5 && drained(s) && s.deadLetterQueue.visible === 0,
    );
    const after = await pipeline.status();
    expect(after.processed - before.processed).toBe(5);
    expect(after.duplicates - before.duplicates).toBe(0);
    expect(outcomesPerEvent(pipeline.output(), eventIds, 'processed')).toEqual(eventIds.map(() => 1));
  });
});

describe('npm start through a short DynamoDB outage', () => {
  let pipeline: RunningPipeline;

  beforeAll(async () => {
    // Receives 5 s apart: the test ends the outage once every event has failed once, about ten
    // seconds before any could use up its third and last receive; at 1 s apart, a busy machine's
    // slower status polls could let the outage run into it.
    pipeline = await startPipelineProcess(TEST_TOKEN, ['--visibility-timeout', '5']);
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('retries queued events through a short DynamoDB outage without dropping or repeating any', async () => {
    const before = await pipeline.status();
    const { bodies, eventIds } = events(10);
    await injectFault(pipeline.url, { dynamodb: 'down' });

    const outcomes = await deliverAll(pipeline.webhookUrl, bodies);
    // The outage ends as soon as every event has failed once, seconds before a third receive.
    const failedOnce = (s: PipelineStatus) =>
      s.failed >= before.failed + 10 &&
      outcomesPerEvent(pipeline.output(), eventIds, 'failed').every((count) => count >= 1);
    await pipeline.waitFor(failedOnce);
    await injectFault(pipeline.url, { dynamodb: 'up' });

    expect(new Set(statuses(outcomes))).toEqual(new Set([200]));
    await pipeline.waitFor((s) => s.processed >= before.processed + 10 && drained(s));
    const after = await pipeline.status();
    expect(after.processed - before.processed).toBe(10);
    expect(after.duplicates - before.duplicates).toBe(0);
    expect(after.deadLettered - before.deadLettered).toBe(0);
    expect(after.deadLetterQueue.visible).toBe(0);
    expect(outcomesPerEvent(pipeline.output(), eventIds, 'processed')).toEqual(eventIds.map(() => 1));
  });
});
