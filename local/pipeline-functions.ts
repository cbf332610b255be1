import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import type { Activity } from './activity';
import { type LocalResources, functionEnvironments } from './function-environments';
import type { FunctionModules } from './function-modules';
import { type WorkerFunction, workerFunction } from './worker-function';

/** Settings of {@link startFunctions}. */
export interface PipelineFunctionsOptions {
  modules: FunctionModules;
  resources: LocalResources;
  receiverConcurrency: number;
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
  close(): Promise<void>;
}

/**
 * The receiver and the processor, each in execution environments of its own with the
 * environment the construct gives it. Their log records feed the activity display.
 */
export function startFunctions(options: PipelineFunctionsOptions): PipelineFunctions {
  const environments = functionEnvironments(options.resources);
  const observe = {
    onLogRecord: (record: Record<string, unknown>) => options.activity.log(record),
    onOutput: options.verbose ? printOutput(options.print) : undefined,
  };
  const receiver = workerFunction<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({
    name: 'receiver',
    module: options.modules.receiver,
    env: environments.receiver,
    concurrency: options.receiverConcurrency,
    ...observe,
  });
  // The event source runs one batch at a time (see startEventSource): one environment is enough.
  const processor = workerFunction<SQSEvent, SQSBatchResponse>({
    name: 'processor',
    module: options.modules.processor,
    env: environments.processor,
    concurrency: 1,
    ...observe,
  });
  return {
    receiver,
    processor,
    warmUp: async () => {
      await Promise.all([receiver.warmUp(), processor.warmUp()]);
    },
    close: async () => {
      await Promise.all([receiver.close(), processor.close()]);
    },
  };
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
