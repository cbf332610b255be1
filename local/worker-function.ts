import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import { LOG_RECORDS_CHANNEL } from '../lambdas/runtime/observation';
import { executionEnvironments } from './execution-environments';
import { contextFields } from './kit/lambda-context';
import type { Invocation, LocalFunction } from './local-function';
import { deserializeError, type WorkerMessage, type WorkerSetup } from './worker-protocol';

/** Settings of {@link workerFunction}. */
export interface WorkerFunctionOptions {
  /** For messages: `receiver`, `processor`. */
  name: string;
  /** Absolute path of the handler module: a TypeScript source, or a bundle `cdk synth` wrote. */
  module: string;
  /** @default 'handler' */
  handlerName?: string;
  /** The whole environment of each execution environment, as Lambda sets a function's. */
  env: Record<string, string>;
  /** Execution environments at most, each serving one invocation at a time. */
  concurrency: number;
  /**
   * The function's timeout, as Lambda enforces it: an invocation still running this long after it
   * started is stopped, its execution environment terminated (Lambda ends the sandbox; the next
   * invocation gets a new one, with a cold start), and it fails with Lambda's "Task timed out".
   * @default no limit
   */
  timeoutSeconds?: number;
  /** Each log record the function prints, as it prints it. */
  onLogRecord?: (record: Record<string, unknown>, functionName: string) => void;
  /** What the function writes to stdout and stderr (what CloudWatch Logs would store); dropped when unset. */
  onOutput?: (text: string, functionName: string) => void;
}

/** A {@link LocalFunction} in worker threads, with a way to start its first environment ahead of time. */
export interface WorkerFunction<E, R> extends LocalFunction<E, R> {
  /** Starts one environment now, so a configuration error surfaces at once (and the first request is warm). */
  warmUp(): Promise<void>;
  /** New environments for the next invocations: they load the module again (watch mode). */
  recycle(): Promise<void>;
}

// Plain CommonJS, so a worker starts however the emulator itself was started (tsx's CLI, the bin
// launcher, Jest). tsx compiles the emulator's side; a bundle is plain CommonJS and loads without it,
// as Lambda loads it, with the source maps the construct turns on (NODE_OPTIONS=--enable-source-maps).
// The compile cache (Node's default folder under the OS temp dir) keeps V8's code for the SDK and
// the handlers between environments and runs: a burst starts environments while the others work,
// and compiling the same modules in each again was half of a cold start's time.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
require('node:module').enableCompileCache?.();
const unregister = require(workerData.tsx).register();
const { serveInvocations } = require(workerData.worker);
if (!workerData.setup.module.endsWith('.ts')) {
  unregister();
  process.setSourceMapsEnabled(true);
}
serveInvocations();
`;

/**
 * Hosts a function like Lambda does: each execution environment is a worker thread with its own
 * module graph and its own environment variables, created on demand up to `concurrency`, reused
 * while warm, one invocation at a time. An environment whose thread dies is replaced.
 */
export function workerFunction<E, R>(options: WorkerFunctionOptions): WorkerFunction<E, R> {
  const environments = executionEnvironments<FunctionWorker>({
    limit: options.concurrency,
    create: () => FunctionWorker.start(options),
    dispose: (worker) => worker.stop(),
  });
  return {
    warmUp: async () => (await environments.acquire()).release(),
    invoke: async (event, context): Promise<Invocation<R>> => {
      const arrived = performance.now();
      const lease = await environments.acquire();
      const waitedMs = performance.now() - arrived;
      try {
        const { result, durationMs } = await lease.environment.invoke(
          event,
          context(),
          options.timeoutSeconds,
        );
        lease.release();
        return { result: result as R, durationMs, waitedMs, coldStart: lease.coldStart };
      } catch (error) {
        if (lease.environment.dead) lease.discard();
        else lease.release();
        throw error;
      }
    },
    recycle: () => environments.recycle(),
    close: () => environments.close(),
  };
}

/**
 * An invocation ran past the function's timeout and was stopped, as Lambda stops one: its message
 * is Lambda's ("Task timed out after 30.03 seconds"), its name Lambda's error type for it.
 */
export class FunctionTimeoutError extends Error {
  override name = 'Sandbox.Timedout';
}

/** The outcome of one invocation in a worker. */
interface WorkerOutcome {
  result: unknown;
  durationMs: number;
}

/** One execution environment: a worker thread running `serveInvocations`. */
class FunctionWorker {
  private nextId = 0;
  private pending: { id: number; settle: (outcome: Error | WorkerOutcome) => void } | undefined;
  /** The thread ended; it serves nothing more. */
  dead = false;

  private constructor(
    private readonly worker: Worker,
    private readonly functionName: string,
  ) {}

  /** Starts the thread and waits for the handler's cold start. @throws the init error */
  static start(options: WorkerFunctionOptions): Promise<FunctionWorker> {
    const setup: WorkerSetup = {
      module: options.module,
      handlerName: options.handlerName ?? 'handler',
      logRecordsChannel: LOG_RECORDS_CHANNEL,
    };
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: {
        tsx: require.resolve('tsx/cjs/api'),
        worker: path.join(__dirname, 'function-worker.ts'),
        setup,
      },
      env: options.env,
      // Not the emulator's own flags (tsx's loader among them): each environment starts plain.
      execArgv: [],
      stdout: true,
      stderr: true,
    });
    for (const stream of [worker.stdout, worker.stderr]) {
      if (options.onOutput === undefined) stream.resume();
      else stream.setEncoding('utf8').on('data', (text: string) => options.onOutput?.(text, options.name));
    }
    const environment = new FunctionWorker(worker, options.name);
    return new Promise((resolve, reject) => {
      const initFailed = (error: Error) => {
        environment.dead = true;
        void worker.terminate();
        reject(
          new Error(`${options.name}: its cold start failed: ${error.name}: ${error.message}`, {
            cause: error,
          }),
        );
      };
      worker.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'ready':
            return resolve(environment);
          case 'init-error':
            return initFailed(deserializeError(message.error));
          case 'log':
            return options.onLogRecord?.(message.record, options.name);
          case 'result':
            return environment.settle(message.id, { result: message.result, durationMs: message.durationMs });
          case 'error':
            return environment.settle(message.id, deserializeError(message.error));
        }
      });
      worker.on('error', (error) => {
        environment.died(error);
        initFailed(error);
      });
      worker.on('exit', (code) => {
        environment.died(new Error(`${options.name}: its execution environment exited with code ${code}.`));
      });
    });
  }

  /**
   * Runs one invocation; the caller makes sure it is the only one. Past `timeoutSeconds` the thread
   * is terminated, whatever the handler is doing (awaiting, or in a loop that never yields).
   */
  invoke(event: unknown, context: Context, timeoutSeconds?: number): Promise<WorkerOutcome> {
    if (this.dead)
      return Promise.reject(new Error(`${this.functionName}: its execution environment is gone.`));
    const id = this.nextId++;
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const timer =
        timeoutSeconds === undefined
          ? undefined
          : setTimeout(() => {
              const seconds = (performance.now() - started) / 1000;
              this.dead = true;
              void this.worker.terminate();
              this.settle(id, new FunctionTimeoutError(`Task timed out after ${seconds.toFixed(2)} seconds`));
            }, timeoutSeconds * 1000);
      this.pending = {
        id,
        settle: (outcome) => {
          clearTimeout(timer);
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        },
      };
      this.worker.postMessage({ type: 'invoke', id, event, context: contextFields(context) });
    });
  }

  stop(): Promise<void> {
    this.dead = true;
    return this.worker.terminate().then(() => undefined);
  }

  private settle(id: number, outcome: Error | WorkerOutcome): void {
    if (this.pending?.id !== id) return;
    const { settle } = this.pending;
    this.pending = undefined;
    settle(outcome);
  }

  /** The thread ended: the invocation it ran, if any, fails, as a crashed Lambda environment's does. */
  private died(error: Error): void {
    this.dead = true;
    if (this.pending !== undefined) this.settle(this.pending.id, error);
  }
}
