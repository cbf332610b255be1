import { mapWithConcurrency } from '../../lambdas/latest-state/map-with-concurrency';

/** A task whose completion the test controls. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('mapWithConcurrency', () => {
  it('returns the results in input order, whatever order the tasks finish in', async () => {
    const delays = [30, 10, 20, 0];

    const results = await mapWithConcurrency(delays, 2, async (delay) => {
      await new Promise((resolve) => setTimeout(resolve, delay));
      return delay * 2;
    });

    expect(results).toEqual([60, 20, 40, 0]);
  });

  it('starts the next task only when one of the running tasks finished', async () => {
    const tasks = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const run = mapWithConcurrency([0, 1, 2], 2, async (index) => {
      started.push(index);
      await tasks[index]?.promise;
    });

    await settle();
    expect(started).toEqual([0, 1]);
    tasks[1]?.resolve();
    await settle();
    expect(started).toEqual([0, 1, 2]);

    tasks[0]?.resolve();
    tasks[2]?.resolve();
    await run;
  });

  it('starts nothing after a failure, waits for running tasks, then throws the first error', async () => {
    const tasks = [deferred(), deferred(), deferred()];
    const finished: number[] = [];
    const run = mapWithConcurrency([0, 1, 2], 2, async (index) => {
      await tasks[index]?.promise;
      finished.push(index);
    });
    const outcome = run.catch((error: unknown) => error);

    tasks[0]?.reject(new Error('DynamoDB unavailable'));
    await settle();
    let settled = false;
    void outcome.then(() => (settled = true));
    await settle();
    expect(settled).toBe(false);
    tasks[1]?.resolve();

    await expect(outcome).resolves.toEqual(new Error('DynamoDB unavailable'));
    expect(finished).toEqual([1]);
  });

  it('resolves [] for no items', async () => {
    await expect(mapWithConcurrency([], 4, async () => 1)).resolves.toEqual([]);
  });
});
