import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ENV_VARS, METRICS } from '../contract';

/**
 * Custom metrics in CloudWatch embedded metric format: JSON lines in the function's log, no API
 * calls. The `service` dimension comes from POWERTOOLS_SERVICE_NAME, which the construct sets.
 */
export const metrics = new Metrics({
  namespace: process.env[ENV_VARS.metricsNamespace] || METRICS.namespace,
});

/** Counter names the Lambdas emit. */
export type CounterName = Exclude<
  (typeof METRICS)[keyof typeof METRICS],
  typeof METRICS.namespace | typeof METRICS.endToEndLag | typeof METRICS.throttledRequests
>;

/** What the handlers record; an interface so tests and the emulator can observe it. */
export interface MetricsRecorder {
  /**
   * Counts one occurrence. Always under `[service]`, the set the alarms read; with `dimensions`
   * (a metric's breakdown, see METRIC_BREAKDOWNS) also under `[service, ...dimensions]`.
   * `times` counts that many at once (a batch's records). @default 1
   */
  count(name: CounterName, dimensions?: Record<string, string>, times?: number): void;
  /** Milliseconds. */
  duration(name: typeof METRICS.endToEndLag, ms: number): void;
  /** Writes what was recorded during this invocation. */
  flush(): void;
}

// CloudWatch takes 1-1024 characters per dimension value; every distinct value is a metric of its
// own (billed monthly), and these values come from request bodies. Printable ASCII, cut short.
const MAX_DIMENSION_VALUE_LENGTH = 64;
const NOT_PRINTABLE_ASCII = /[^\x21-\x7E]/g;

/** A dimension value CloudWatch accepts, whatever string a delivery carried. */
export function dimensionValue(value: string): string {
  const cleaned = value.replace(NOT_PRINTABLE_ASCII, '_').slice(0, MAX_DIMENSION_VALUE_LENGTH);
  return cleaned === '' ? '(none)' : cleaned;
}

/** The recorder over Powertools metrics. */
export const powertoolsMetrics: MetricsRecorder = {
  count(name, dimensions, times = 1) {
    if (dimensions === undefined) {
      metrics.addMetric(name, MetricUnit.Count, times);
      return;
    }
    // One EMF document with two dimension sets: `[service]` (an empty set projects onto the default
    // `service` dimension) and `[service, ...]`. A metric of its own, so the breakdown does not leak
    // onto the invocation's other metrics.
    const single = metrics.singleMetric();
    single.addDimensions({});
    const breakdown: Record<string, string> = {};
    for (const [key, value] of Object.entries(dimensions)) breakdown[key] = dimensionValue(value);
    single.addDimensions(breakdown);
    single.addMetric(name, MetricUnit.Count, times);
  },
  duration(name, ms) {
    metrics.addMetric(name, MetricUnit.Milliseconds, ms);
  },
  flush() {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  },
};
