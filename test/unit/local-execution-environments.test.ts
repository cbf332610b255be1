import { executionEnvironments } from '../../local/execution-environments';

/** Whether `promise` has settled once pending callbacks have run. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

/** Environments numbered in the order they are created, with what was disposed of. */
function numbered(limit: number) {
  let created = 0;
  const disposed: number[] = [];
  const environments = executionEnvironments({
    limit,
    create: async () => ++created,
    dispose: (environment) => void disposed.push(environment),
  });
  return { environments, created: () => created, disposed };
}

describe('executionEnvironments', () => {
  it('creates no environment before the first invocation', () => {
    const { environments, created } = numbered(2);

    expect(environments.count).toBe(0);
    expect(created()).toBe(0);
  });

  it('hands out as many environments as its limit at once', async () => {
    const { environments } = numbered(2);

    const grants = [environments.acquire(), environments.acquire()];

    expect(await Promise.all(grants.map(isSettled))).toEqual([true, true]);
    expect(environments.count).toBe(2);
  });

  it('reuses a released environment instead of creating another', async () => {
    const { environments, created } = numbered(2);
    (await environments.acquire()).release();

    const lease = await environments.acquire();

    expect(lease.environment).toBe(1);
    expect(created()).toBe(1);
  });

  it('marks the lease that started its environment as the cold start, and only that one', async () => {
    const { environments } = numbered(1);
    const first = await environments.acquire();
    first.release();

    const second = await environments.acquire();

    expect([first.coldStart, second.coldStart]).toEqual([true, false]);
  });

  it('makes the next invocation wait until an environment is released', async () => {
    const { environments } = numbered(1);
    const first = await environments.acquire();

    const next = environments.acquire();
    const waitedBeforeRelease = !(await isSettled(next));
    first.release();

    expect(waitedBeforeRelease).toBe(true);
    expect((await next).environment).toBe(1);
  });

  it('serves waiting invocations first come, first served', async () => {
    const { environments } = numbered(1);
    const first = await environments.acquire();
    const order: string[] = [];

    const a = environments.acquire().then((lease) => {
      order.push('a');
      lease.release();
    });
    const b = environments.acquire().then((lease) => {
      order.push('b');
      lease.release();
    });
    first.release();
    await Promise.all([a, b]);

    expect(order).toEqual(['a', 'b']);
  });

  it('gives a released environment to a waiting invocation before a newcomer', async () => {
    const { environments } = numbered(1);
    const first = await environments.acquire();
    const waiting = environments.acquire();

    first.release();
    const newcomer = environments.acquire();

    expect(await isSettled(waiting)).toBe(true);
    expect(await isSettled(newcomer)).toBe(false);
  });

  it('disposes of a discarded environment and starts a new one for the invocation waiting', async () => {
    const { environments, disposed } = numbered(1);
    const broken = await environments.acquire();
    const waiting = environments.acquire();

    broken.discard();

    expect((await waiting).environment).toBe(2);
    expect(disposed).toEqual([1]);
  });

  it('fails only the invocation whose cold start failed, and tries again for the next', async () => {
    let attempts = 0;
    const environments = executionEnvironments({
      limit: 1,
      create: async () => {
        if (++attempts === 1) throw new Error('ConfigurationError');
        return attempts;
      },
    });

    const first = environments.acquire();
    const second = environments.acquire();

    await expect(first).rejects.toThrow('ConfigurationError');
    expect((await second).environment).toBe(2);
  });

  it('disposes of idle environments on close and turns away invocations still waiting', async () => {
    const { environments, disposed } = numbered(1);
    (await environments.acquire()).release();
    const busy = await environments.acquire();
    const waiting = environments.acquire();

    await environments.close();
    busy.release();

    await expect(waiting).rejects.toThrow('The function was stopped.');
    expect(disposed).toEqual([1]);
  });

  it('refuses a limit below 1', () => {
    expect(() => numbered(0)).toThrow('The concurrency must be a whole number ≥ 1, got 0.');
  });
});
