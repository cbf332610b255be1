import type { Server } from 'node:http';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SwitchableProxy } from './switchable-proxy';
import { deserializeError, type SerializedError } from './worker-protocol';

/** What a module run by {@link startEmulatorThread} exports: it starts a server on loopback. */
export type ServeEmulator<A> = (args: A) => Promise<RunningEmulator>;

/** An emulator's server, listening on 127.0.0.1, as its serve function hands it back in the thread. */
export interface RunningEmulator {
  server: Server;
  /** Closes the server and flushes what it keeps on disk. */
  close(): Promise<void>;
}

/** An emulator served from a worker thread of its own. */
export interface EmulatorThread {
  /** The emulator itself: `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** With `switchable`: the way in that the `down` fault closes, on the thread's side. */
  switch?: SwitchableProxy;
  /** Closes the server (what it keeps on disk is flushed first) and ends the thread. */
  stop(): Promise<void>;
}

/** Settings of {@link startEmulatorThread}. */
export interface EmulatorThreadOptions<A> {
  /** For messages: `SQS`, `DynamoDB`. */
  name: string;
  /** Absolute path of the module; a TypeScript one is compiled by tsx. */
  module: string;
  /** The {@link ServeEmulator} the module exports under this name. */
  exportName: string;
  /** What the serve function is called with; must survive postMessage. */
  args: A;
  /**
   * Also open a switchable way in, on this port (0: a free one).
   * @default none
   */
  switchable?: { port?: number };
}

/** What the thread starts with. */
export interface EmulatorThreadData<A> {
  module: string;
  exportName: string;
  args: A;
  switchable?: { port?: number };
}

/** From the host to the thread. */
export type HostMessage = { type: 'available'; available: boolean } | { type: 'stop' };

/** From the thread to the host. */
export type ThreadMessage =
  | { type: 'ready'; endpoint: string; switchableEndpoint?: string }
  | { type: 'error'; error: SerializedError }
  | { type: 'available'; available: boolean }
  | { type: 'stopped' };

// Plain CommonJS, so the thread starts however the emulator was started (tsx's CLI, Jest).
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
require(workerData.tsx).register();
require(workerData.entry).runEmulatorThread();
`;

/**
 * Runs an emulator's server in a worker thread of its own. The emulators answer every SQS, S3 and
 * DynamoDB call of the pipeline; in the main thread they would share one core with the local API
 * and the event source, and a loaded emulator (SQLite commits, LevelDB reads) would hold up every
 * delivery's answer. In a thread of its own each gets a core when one is free, as each service in
 * AWS has machines of its own.
 * @throws what the serve function threw (a bad data folder, a missing file), with its message
 */
export function startEmulatorThread<A>(options: EmulatorThreadOptions<A>): Promise<EmulatorThread> {
  const data: EmulatorThreadData<A> = {
    module: options.module,
    exportName: options.exportName,
    args: options.args,
    switchable: options.switchable,
  };
  const worker = new Worker(BOOTSTRAP, {
    eval: true,
    workerData: {
      ...data,
      tsx: require.resolve('tsx/cjs/api'),
      entry: path.join(__dirname, 'emulator-thread-entry.ts'),
    },
    // Not the emulator's own flags (tsx's loader among them): the thread registers tsx itself.
    execArgv: [],
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const send = (message: HostMessage) => worker.postMessage(message);
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => {
      void worker.terminate();
      reject(new Error(`The ${options.name} emulator did not start: ${error.message}`, { cause: error }));
    };
    worker.once('error', failed);
    void exited.then(() => failed(new Error('its thread exited')));
    worker.once('message', (message: ThreadMessage) => {
      if (message.type === 'error') return failed(deserializeError(message.error));
      if (message.type !== 'ready') return failed(new Error(`unexpected message ${message.type}`));
      const stop = async () => {
        send({ type: 'stop' });
        await exited;
      };
      let available = true;
      // The thread applies switch changes in order and confirms each: settled first in, first out.
      const applied: (() => void)[] = [];
      worker.on('message', (next: ThreadMessage) => {
        if (next.type === 'available') applied.shift()?.();
      });
      const entrance = message.switchableEndpoint;
      resolve({
        endpoint: message.endpoint,
        switch:
          entrance === undefined
            ? undefined
            : {
                endpoint: entrance,
                get available() {
                  return available;
                },
                setAvailable: (value) => {
                  available = value;
                  const confirmed = new Promise<void>((settle) => applied.push(settle));
                  send({ type: 'available', available: value });
                  return Promise.race([confirmed, exited]);
                },
                // Closed with the thread.
                close: async () => undefined,
              },
        stop,
      });
    });
  });
}
