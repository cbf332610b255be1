import type { Tracer } from '@aws-lambda-powertools/tracer';

let tracer: Tracer | undefined;

/**
 * The client, with its calls recorded as subsegments of the invocation's X-Ray trace when tracing
 * is on (`POWERTOOLS_TRACE_ENABLED=true`, which the construct writes with its `tracing` prop);
 * the client itself otherwise.
 *
 * Powertools Tracer and the X-Ray SDK under it cost about 20 ms of module evaluation at a cold
 * start (BENCHMARKS.md), so they are required here, on first use, and never when tracing is off.
 */
export function traced<T extends object>(client: T, tracingEnabled: boolean | undefined): T {
  if (tracingEnabled !== true) return client;
  if (tracer === undefined) {
    type TracerModule = typeof import('@aws-lambda-powertools/tracer');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when tracing is on; see above
    const { Tracer: TracerClass } = require('@aws-lambda-powertools/tracer') as TracerModule;
    tracer = new TracerClass();
  }
  return tracer.captureAWSv3Client(client);
}
