import type { Context } from 'aws-lambda';
import { executionEnvironments } from './execution-environments';

/** A Lambda handler. */
export type Handler<E, R> = (event: E, context: Context) => Promise<R>;

/** One invocation's outcome and timing. */
export interface Invocation<R> {
  result: R;
  /** The handler's own run, as Lambda's REPORT line gives it. */
  durationMs: number;
  /**
   * How long the invocation waited for an environment before it started: for a busy one to free
   * up, or for a new one to finish its cold start. Kept out of `durationMs`, as Lambda reports a
   * cold start's Init Duration apart from the invocation's Duration.
   */
  waitedMs: number;
  /** The invocation started a new environment, and `waitedMs` is its cold start. */
  coldStart: boolean;
}

/** A function as the emulator hosts it: invocations in, results out, environments behind it. */
export interface LocalFunction<E, R> {
  /**
   * Runs `event` in a free environment. `context` is called once the invocation starts, so its
   * deadline counts from then, not from the event's arrival.
   * @throws what the handler threw, or why its environment could not run it
   */
  invoke(event: E, context: () => Context): Promise<Invocation<R>>;
  /** Ends every environment. */
  close(): Promise<void>;
}

/**
 * A function whose environments all share this thread and its module graph: at most `concurrency`
 * invocations run at once, further ones wait. For embedding a handler in tests; the emulator hosts
 * each function in worker threads of its own (see `workerFunction`).
 */
export function inProcessFunction<E, R>(handler: Handler<E, R>, concurrency = 1): LocalFunction<E, R> {
  const environments = executionEnvironments({ limit: concurrency, create: async () => handler });
  return {
    invoke: async (event, context) => {
      const arrived = performance.now();
      const lease = await environments.acquire();
      const started = performance.now();
      try {
        const result = await lease.environment(event, context());
        const durationMs = performance.now() - started;
        return { result, durationMs, waitedMs: started - arrived, coldStart: lease.coldStart };
      } finally {
        lease.release();
      }
    },
    close: () => environments.close(),
  };
}
