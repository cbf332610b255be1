import type { ContextFields } from './kit/lambda-context';

/**
 * The messages between the emulator (main thread) and a function's worker thread: the invocation
 * in, its outcome and the function's log records out, all on the worker's one port, so a
 * record always arrives before the outcome of the invocation that logged it.
 */

/** What the worker needs to become an execution environment of one function. */
export interface WorkerSetup {
  /** Absolute path of the handler module: TypeScript source or a bundle `cdk synth` wrote. */
  module: string;
  /** The module exports its handler under this name. */
  handlerName: string;
  /** The diagnostics channel the functions publish their log records on. */
  logRecordsChannel: string;
}

/** An invocation, with its context as plain fields (functions cannot cross threads). */
export interface InvokeMessage {
  type: 'invoke';
  id: number;
  event: unknown;
  context: ContextFields;
}

/** An error as it crosses threads. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

/** What a worker posts. */
export type WorkerMessage =
  | { type: 'ready'; initDurationMs: number }
  | { type: 'init-error'; error: SerializedError }
  | { type: 'log'; record: Record<string, unknown> }
  | { type: 'result'; id: number; result: unknown; durationMs: number }
  | { type: 'error'; id: number; error: SerializedError; durationMs: number };

/** `error` in a form that survives postMessage and JSON alike. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}

/** An Error again, with the name, message and stack it had in the worker. */
export function deserializeError(error: SerializedError): Error {
  const revived = new Error(error.message);
  revived.name = error.name;
  if (error.stack !== undefined) revived.stack = error.stack;
  return revived;
}
