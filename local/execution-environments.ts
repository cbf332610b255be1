/** One execution environment handed to one invocation. */
export interface Lease<T> {
  environment: T;
  /** The environment was started for this invocation: it paid for the cold start. */
  coldStart: boolean;
  /** The invocation is over; the environment serves the next one. */
  release(): void;
  /** The environment is broken (it crashed, its thread died): it is disposed of, never reused. */
  discard(): void;
}

/** Settings of {@link executionEnvironments}. */
export interface ExecutionEnvironmentsOptions<T> {
  /** The most environments at once, like a function's reserved concurrency. */
  limit: number;
  /** Starts an environment: a cold start. */
  create(): Promise<T>;
  /** Ends an environment that was discarded or is no longer needed. */
  dispose?(environment: T): Promise<void> | void;
}

/** The execution environments of one function, each serving one invocation at a time. */
export interface ExecutionEnvironments<T> {
  /**
   * Resolves once an environment is free: a warm one if there is one, else a new one while fewer
   * than `limit` exist, else the next one released, first come first served.
   * @throws whatever `create` throws (an init error), to this caller only
   */
  acquire(): Promise<Lease<T>>;
  /** How many environments exist now. */
  readonly count: number;
  /**
   * Retires every environment: idle ones now, busy ones when their invocation ends. The next
   * invocations start fresh ones (a code change takes effect, as after a Lambda deployment).
   */
  recycle(): Promise<void>;
  /** Disposes of every environment; invocations still running keep theirs until they end. */
  close(): Promise<void>;
}

/**
 * A bounded set of execution environments, created on demand the way Lambda adds environments as
 * concurrent requests arrive, reused while warm. `limit` bounds them: further invocations wait.
 */
export function executionEnvironments<T>(options: ExecutionEnvironmentsOptions<T>): ExecutionEnvironments<T> {
  const { limit } = options;
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`The concurrency must be a whole number ≥ 1, got ${limit}.`);
  const idle: T[] = [];
  // Counted, not kept in a set: environments need not be distinct objects.
  let live = 0;
  const waiting: ((lease: Lease<T> | Promise<Lease<T>>) => void)[] = [];
  let starting = 0;
  let closed = false;
  // Bumped by recycle(): an environment of an older generation is not reused.
  let generation = 0;
  const generationOf = new Map<T, number>();

  const leaseOf = (environment: T, coldStart = false): Lease<T> => {
    let done = false;
    const finish = (reuse: boolean) => {
      if (done) return;
      done = true;
      const next = waiting.shift();
      if (reuse && !closed && generationOf.get(environment) === generation) {
        // The environment passes straight to the next invocation, so a newcomer cannot take it first.
        if (next === undefined) idle.push(environment);
        else next(leaseOf(environment));
        return;
      }
      live--;
      generationOf.delete(environment);
      void options.dispose?.(environment);
      // The freed slot goes to a new environment for whoever waits.
      if (next !== undefined) next(closed ? stopped() : startOne());
    };
    return { environment, coldStart, release: () => finish(true), discard: () => finish(false) };
  };

  const startOne = (): Promise<Lease<T>> => {
    starting++;
    const born = generation;
    return options.create().then(
      (environment) => {
        starting--;
        live++;
        generationOf.set(environment, born);
        return leaseOf(environment, true);
      },
      (error: unknown) => {
        starting--;
        // A failed cold start frees its slot: the next waiter gets an attempt of its own.
        const next = waiting.shift();
        if (next !== undefined) next(closed ? stopped() : startOne());
        throw error;
      },
    );
  };

  return {
    acquire: () => {
      if (closed) return stopped();
      const warm = idle.pop();
      if (warm !== undefined) return Promise.resolve(leaseOf(warm));
      if (live + starting < limit) return startOne();
      return new Promise<Lease<T>>((resolve) => waiting.push(resolve));
    },
    get count() {
      return live;
    },
    recycle: async () => {
      generation++;
      const environments = idle.splice(0);
      live -= environments.length;
      for (const environment of environments) generationOf.delete(environment);
      await Promise.all(environments.map((environment) => options.dispose?.(environment)));
    },
    close: async () => {
      closed = true;
      for (const next of waiting.splice(0)) next(stopped());
      const environments = idle.splice(0);
      live -= environments.length;
      await Promise.all(environments.map((environment) => options.dispose?.(environment)));
    },
  };
}

function stopped<T>(): Promise<Lease<T>> {
  return Promise.reject(new Error('The function was stopped.'));
}
