import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import type { Activity } from './activity';
import { PROCESSOR_DEFAULTS, RECEIVER_DEFAULTS } from '../lib/smartcar-webhooks-defaults';
import { type FunctionSettings, type LocalResources, functionEnvironments } from './function-environments';
import type { FunctionModules } from './function-modules';
import { type WorkerFunction, workerFunction } from './worker-function';

/** Settings of {@link startFunctions}. */
export interface PipelineFunctionsOptions {
  modules: FunctionModules;
  resources: LocalResources;
  receiverConcurrency: number;
  /**
   * The deployed settings: the processor's timeout and concurrency (the event source runs up to
   * `maxConcurrency` batches at once, each in an environment of its own) and what the construct
   * writes into each function's environment.
   * @default the construct's defaults
   */
  settings?: FunctionSettings & {
    processorTimeoutSeconds: number;
    maxConcurrency: number;
    receiverTimeoutSeconds?: number;
  };
  /** Where the functions' log records go. */
  activity: Activity;
  /** Also print what the functions write, through `print`. */
  verbose: boolean;
  print: (line: string) => void;
}

/** The two functions as the pipeline hosts them. */
export interface PipelineFunctions {
  receiver: WorkerFunction<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;
  processor: WorkerFunction<SQSEvent, SQSBatchResponse>;
  /** One environment of each, started now. @throws the first cold start that fails */
  warmUp(): Promise<void>;
  /** Both functions load their code again for the next invocations; what is in flight finishes. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The receiver and the processor, each in execution environments of its own with the
 * environment the construct gives it. Their log records feed the activity display.
 */
export function startFunctions(options: PipelineFunctionsOptions): PipelineFunctions {
  const environments = functionEnvironments(options.resources, process.env, options.settings);
  const observe = {
    onLogRecord: (record: Record<string, unknown>) => options.activity.log(record),
    onOutput: options.verbose ? printOutput(options.print) : printPlainOutput(options.print),
  };
  const receiver = workerFunction<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({
    name: 'receiver',
    module: options.modules.receiver,
    env: environments.receiver,
    concurrency: options.receiverConcurrency,
    // Stopped at its timeout like on Lambda; the API then answers 500, as API Gateway does.
    timeoutSeconds: options.settings?.receiverTimeoutSeconds ?? RECEIVER_DEFAULTS.timeoutSeconds,
    ...observe,
  });
  // As many environments as the event source runs batches at once, each stopped at the timeout.
  const processor = workerFunction<SQSEvent, SQSBatchResponse>({
    name: 'processor',
    module: options.modules.processor,
    env: environments.processor,
    concurrency: options.settings?.maxConcurrency ?? PROCESSOR_DEFAULTS.maxConcurrency,
    timeoutSeconds: options.settings?.processorTimeoutSeconds ?? PROCESSOR_DEFAULTS.timeoutSeconds,
    ...observe,
  });
  return {
    receiver,
    processor,
    warmUp: async () => {
      await Promise.all([receiver.warmUp(), processor.warmUp()]);
    },
    reload: async () => {
      await Promise.all([receiver.recycle(), processor.recycle()]);
    },
    close: async () => {
      await Promise.all([receiver.close(), processor.close()]);
    },
  };
}

/**
 * Without --verbose: what a function wrote that is not a log record (those reach the display
 * through the observation channel) or an EMF metric line, i.e. its `console.log`s and stray
 * output, one line each with the time and the function, as a CloudWatch log line carries them.
 */
export function printPlainOutput(
  print: (line: string) => void,
): (text: string, functionName: string) => void {
  const partial = new Map<string, string>();
  // POWERTOOLS_DEV=true pretty-prints a record over many lines, from a "{" line to a "}" line.
  const inRecord = new Set<string>();
  return (text, functionName) => {
    const lines = ((partial.get(functionName) ?? '') + text).split('\n');
    partial.set(functionName, lines.pop() ?? '');
    for (const line of lines) {
      if (inRecord.has(functionName)) {
        if (line === '}') inRecord.delete(functionName);
        continue;
      }
      if (line === '{') {
        inRecord.add(functionName);
        continue;
      }
      if (line.trim() === '' || isStructured(line)) continue;
      print(`${new Date().toISOString().slice(11, 23)} ${functionName.padEnd(13)} console: ${line}`);
    }
  };
}

function isStructured(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/** Prints what a function wrote, line by line, marked with the function's name. */
function printOutput(print: (line: string) => void): (text: string, functionName: string) => void {
  const partial = new Map<string, string>();
  return (text, functionName) => {
    const lines = ((partial.get(functionName) ?? '') + text).split('\n');
    partial.set(functionName, lines.pop() ?? '');
    for (const line of lines) print(`  ${functionName} | ${line}`);
  };
}
