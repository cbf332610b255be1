import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ENV_VARS, METRICS } from '../contract';
import { publishEmfDocument } from './observation';

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
  /**
   * Keys written into this invocation's first EMF document next to its metrics: searchable in
   * CloudWatch Logs Insights like a log line's keys, without a log line of their own. Undefined
   * values are left out. A recorder that only counts (a test's) may do without it.
   */
  addMetadata?(fields: Readonly<Record<string, string | undefined>>): void;
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

/** Counts that share one breakdown, written as one EMF document at flush. */
interface BreakdownCounts {
  dimensions: Record<string, string>;
  counts: { name: CounterName; times: number }[];
}

/**
 * The recorder over Powertools metrics. Counts without a breakdown share the invocation's
 * `[service]` document; counts with one are kept by breakdown and each breakdown becomes a document
 * of its own at flush, with the sets `[service]` and `[service, ...]`, so a breakdown never leaks
 * onto the invocation's other metrics. One Metrics instance writes them all in turn (each publish
 * clears its dimensions and metadata): a `singleMetric()` per count would build a new instance,
 * console and environment reads included, on every delivery. What waits for the flush is kept per
 * execution environment, which runs one invocation at a time.
 */
function createPowertoolsMetrics(target: Metrics): MetricsRecorder {
  const breakdowns = new Map<string, BreakdownCounts>();
  let pendingMetadata: [string, string][] = [];

  const publish = () => {
    for (const [key, value] of pendingMetadata) target.addMetadata(key, value);
    pendingMetadata = [];
    publishEmfDocument(() => target.serializeMetrics());
    target.publishStoredMetrics();
  };

  return {
    count(name, dimensions, times = 1) {
      if (dimensions === undefined) {
        target.addMetric(name, MetricUnit.Count, times);
        return;
      }
      const cleaned: Record<string, string> = {};
      let key = '';
      for (const [dimension, value] of Object.entries(dimensions)) {
        cleaned[dimension] = dimensionValue(value);
        key += `${dimension}=${cleaned[dimension]}\n`;
      }
      const breakdown = breakdowns.get(key);
      if (breakdown === undefined) breakdowns.set(key, { dimensions: cleaned, counts: [{ name, times }] });
      else breakdown.counts.push({ name, times });
    },
    duration(name, ms) {
      target.addMetric(name, MetricUnit.Milliseconds, ms);
    },
    addMetadata(fields) {
      for (const [key, value] of Object.entries(fields)) {
        if (value !== undefined) pendingMetadata.push([key, value]);
      }
    },
    flush() {
      if (target.hasStoredMetrics()) publish();
      for (const { dimensions, counts } of breakdowns.values()) {
        // An empty set projects onto the default `service` dimension: the `[service]` set.
        target.addDimensions({});
        target.addDimensions(dimensions);
        for (const { name, times } of counts) target.addMetric(name, MetricUnit.Count, times);
        publish();
      }
      breakdowns.clear();
      // Metadata of an invocation that counted nothing has no document to go into.
      pendingMetadata = [];
    },
  };
}

/** The recorder both functions use, over {@link metrics}. */
export const powertoolsMetrics: MetricsRecorder = createPowertoolsMetrics(metrics);
