import * as path from 'node:path';
import { lambdaContext } from '../../local/kit';
import { workerFunction, type WorkerFunctionOptions } from '../../local/worker-function';
import type { FixtureEvent } from '../support/function-fixtures/handler';
import { until } from './support-local-async';

// Each environment is a worker thread that compiles and loads its module graph: seconds on a busy machine.
jest.setTimeout(60_000);

const FIXTURES = path.join(__dirname, '..', 'support', 'function-fixtures');
const HANDLER = path.join(FIXTURES, 'handler.ts');

type Described = {
  invocations: number;
  variable?: string;
  service?: string;
  requestId: string;
  remainingMs: number;
};

const started: { close(): Promise<void> }[] = [];

/** A worker-hosted fixture function; closed after each test. */
function fixture(options: Partial<WorkerFunctionOptions> = {}) {
  const fn = workerFunction<FixtureEvent, Record<string, unknown>>({
    name: 'fixture',
    module: HANDLER,
    env: { FIXTURE_VARIABLE: 'from-the-environment', POWERTOOLS_SERVICE_NAME: 'fixture-service' },
    concurrency: 2,
    ...options,
  });
  started.push(fn);
  return fn;
}

const context = () => lambdaContext(10_000, 'fixture');
const describeIn = async (fn: ReturnType<typeof fixture>) =>
  (await fn.invoke({ action: 'describe' }, context)).result as Described;

afterEach(async () => {
  await Promise.all(started.splice(0).map((fn) => fn.close()));
});

describe('workerFunction', () => {
  it('runs the handler with the environment it was given, and no other', async () => {
    const fn = fixture({
      env: { FIXTURE_VARIABLE: 'only-this', POWERTOOLS_SERVICE_NAME: 'smartcar-webhook-receiver' },
    });

    const described = await describeIn(fn);

    expect(described).toMatchObject({ variable: 'only-this', service: 'smartcar-webhook-receiver' });
  });

  it('gives each execution environment a module graph of its own', async () => {
    const fn = fixture({ concurrency: 2 });

    const both = await Promise.all([describeIn(fn), describeIn(fn)]);

    expect(both.map((described) => described.invocations)).toEqual([1, 1]);
  });

  it('reuses a warm environment, and never runs more at once than its concurrency', async () => {
    const fn = fixture({ concurrency: 1 });

    const both = await Promise.all([describeIn(fn), describeIn(fn)]);

    expect(both.map((described) => described.invocations).sort()).toEqual([1, 2]);
  });

  it('hands the handler the invocation’s request id and deadline', async () => {
    const fn = fixture();
    const invocation = lambdaContext(10_000, 'fixture');

    const { result } = await fn.invoke({ action: 'describe' }, () => invocation);

    expect(result).toMatchObject({ requestId: invocation.awsRequestId });
    expect((result as Described).remainingMs).toBeLessThanOrEqual(10_000);
  });

  it('reports the handler’s own duration apart from the wait, and which invocation paid the cold start', async () => {
    const fn = fixture({ concurrency: 1 });

    const first = await fn.invoke({ action: 'describe' }, context);
    const second = await fn.invoke({ action: 'describe' }, context);

    expect(first).toMatchObject({
      coldStart: true,
      durationMs: expect.any(Number),
      waitedMs: expect.any(Number),
    });
    expect(second.coldStart).toBe(false);
  });

  it('hands over each log record the function prints, with its service name and keys', async () => {
    const records: Record<string, unknown>[] = [];
    const fn = fixture({ onLogRecord: (record) => records.push(record) });

    await fn.invoke({ action: 'log' }, context);

    expect(records).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'Fixture event processed',
        service: 'fixture-service',
        eventId: 'e-1',
      }),
      expect.objectContaining({
        level: 'ERROR',
        message: 'Fixture failed',
        error: expect.objectContaining({ name: 'TypeError', message: 'boom' }),
      }),
    ]);
  });

  it('hands over the same records when POWERTOOLS_DEV pretty-prints them', async () => {
    const records: Record<string, unknown>[] = [];
    const fn = fixture({
      env: { POWERTOOLS_DEV: 'true', POWERTOOLS_SERVICE_NAME: 'fixture-service' },
      onLogRecord: (record) => records.push(record),
    });

    await fn.invoke({ action: 'log' }, context);

    expect(records.map((record) => [record.level, record.message, record.service])).toEqual([
      ['INFO', 'Fixture event processed', 'fixture-service'],
      ['ERROR', 'Fixture failed', 'fixture-service'],
    ]);
  });

  it('passes on what the function writes', async () => {
    let output = '';
    const fn = fixture({ onOutput: (text) => (output += text) });

    await fn.invoke({ action: 'print', text: 'plain output\n' }, context);

    await until(() => output.includes('plain output\n'), 'the output');
    expect(output).toBe('plain output\n');
  });

  it('fails the invocation with the handler’s error and keeps the environment', async () => {
    const fn = fixture({ concurrency: 1 });

    await expect(fn.invoke({ action: 'throw' }, context)).rejects.toMatchObject({
      name: 'TypeError',
      message: 'handler refused',
    });
    expect((await describeIn(fn)).invocations).toBe(2);
  });

  it('fails the invocation whose environment died, and starts a fresh one for the next', async () => {
    const fn = fixture({ concurrency: 1 });

    await expect(fn.invoke({ action: 'exit', code: 3 }, context)).rejects.toThrow(
      'fixture: its execution environment exited with code 3.',
    );
    expect((await describeIn(fn)).invocations).toBe(1);
  });

  it('stops an invocation that runs past its timeout with Lambda’s error, and starts a fresh environment for the next', async () => {
    const fn = fixture({ concurrency: 1, timeoutSeconds: 1 });
    await fn.warmUp();

    await expect(fn.invoke({ action: 'sleep', ms: 10 * 60_000 }, context)).rejects.toMatchObject({
      name: 'Sandbox.Timedout',
      message: expect.stringMatching(/^Task timed out after \d+\.\d\d seconds$/),
    });
    expect((await describeIn(fn)).invocations).toBe(1);
  });

  it('stops a handler that never yields once it runs past its timeout', async () => {
    const fn = fixture({ concurrency: 1, timeoutSeconds: 1 });

    await expect(fn.invoke({ action: 'spin' }, context)).rejects.toThrow(/^Task timed out after/);
  });

  it('lets an invocation that ends within its timeout finish in the same environment', async () => {
    const fn = fixture({ concurrency: 1, timeoutSeconds: 30 });

    await fn.invoke({ action: 'sleep', ms: 10 }, context);

    expect((await describeIn(fn)).invocations).toBe(2);
  });

  it('fails with the init error when the handler module cannot load', async () => {
    const fn = fixture({ module: path.join(FIXTURES, 'failing-init.ts') });

    await expect(fn.warmUp()).rejects.toThrow(
      'fixture: its cold start failed: Error: FIXTURE_VARIABLE is not set; the CDK construct sets it.',
    );
    await expect(fn.invoke({ action: 'describe' }, context)).rejects.toThrow('its cold start failed');
  });

  it('loads a bundle as plain CommonJS, without the TypeScript compiler', async () => {
    const fn = fixture({ module: path.join(FIXTURES, 'bundle.js') });

    const { result } = await fn.invoke({ action: 'describe' }, context);

    expect(result).toEqual({ typeScriptRegistered: false });
  });
});
