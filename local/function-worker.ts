import { subscribe } from 'node:diagnostics_channel';
import { parentPort, workerData } from 'node:worker_threads';
import { contextFrom } from './kit/lambda-context';
import { type InvokeMessage, serializeError, type WorkerMessage, type WorkerSetup } from './worker-protocol';

/** A Lambda handler as the worker calls it. */
type Handler = (event: unknown, context: ReturnType<typeof contextFrom>) => Promise<unknown>;

/**
 * Makes this worker thread one execution environment of one function: its own module graph (so
 * its own Powertools logger and metrics, configured by its own environment), one invocation at a
 * time, as Lambda runs a function. Loads the handler (the cold start), says whether that worked,
 * then answers invocations; the function's log records go to the main thread as they are printed.
 * Called by the bootstrap `workerFunction` starts each worker with.
 */
export function serveInvocations(): void {
  const port = parentPort;
  if (port === null) throw new Error('serveInvocations runs in a worker thread only.');
  const { setup } = workerData as { setup: WorkerSetup };
  const post = (message: WorkerMessage) => port.postMessage(message);

  // Subscribed before the handler loads, so that its cold start logs are seen too.
  subscribe(setup.logRecordsChannel, (record) => {
    // As the record is printed: an Error in it would not survive postMessage.
    const plain = JSON.parse(JSON.stringify(record, errorsAsObjects)) as Record<string, unknown>;
    post({ type: 'log', record: plain });
  });

  const initStarted = performance.now();
  let handler: Handler;
  try {
    handler = loadHandler(setup);
  } catch (error) {
    post({ type: 'init-error', error: serializeError(error) });
    return;
  }
  post({ type: 'ready', initDurationMs: performance.now() - initStarted });

  port.on('message', (message: InvokeMessage) => {
    const started = performance.now();
    const durationMs = () => performance.now() - started;
    // Through a promise, so a handler that throws at once is reported like one that rejects.
    Promise.resolve()
      .then(() => handler(message.event, contextFrom(message.context)))
      .then(
        (result) => post({ type: 'result', id: message.id, result, durationMs: durationMs() }),
        (error: unknown) =>
          post({ type: 'error', id: message.id, error: serializeError(error), durationMs: durationMs() }),
      );
  });
}

function loadHandler(setup: WorkerSetup): Handler {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded once the environment is set, as Lambda does
  const exported = (require(setup.module) as Record<string, unknown>)[setup.handlerName];
  if (typeof exported !== 'function') {
    throw new Error(`${setup.module} exports no function named "${setup.handlerName}".`);
  }
  return exported as Handler;
}

function errorsAsObjects(_key: string, value: unknown): unknown {
  return value instanceof Error ? serializeError(value) : value;
}
