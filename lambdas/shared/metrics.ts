import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ENV_VARS, METRICS } from '../../lib/smartcar-webhooks-defaults';

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
  typeof METRICS.namespace | typeof METRICS.endToEndLag
>;

/** What the handlers record; an interface so tests and the emulator can observe it. */
export interface MetricsRecorder {
  count(name: CounterName, dimensions?: Record<string, string>): void;
  /** Milliseconds. */
  duration(name: typeof METRICS.endToEndLag, ms: number): void;
  /** Writes what was recorded during this invocation. */
  flush(): void;
}

/** The recorder over Powertools metrics. */
export const powertoolsMetrics: MetricsRecorder = {
  count(name, dimensions) {
    if (dimensions === undefined) {
      metrics.addMetric(name, MetricUnit.Count, 1);
      return;
    }
    // Extra dimensions go on a metric of their own, so they do not leak onto the other metrics.
    const single = metrics.singleMetric();
    for (const [key, value] of Object.entries(dimensions)) single.addDimension(key, value);
    single.addMetric(name, MetricUnit.Count, 1);
  },
  duration(name, ms) {
    metrics.addMetric(name, MetricUnit.Milliseconds, ms);
  },
  flush() {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  },
};
