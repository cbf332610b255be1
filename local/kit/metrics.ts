import type { CounterName, MetricsRecorder } from '../../lambdas/runtime/metrics';

/** A metrics recorder that keeps what was recorded instead of writing EMF, for assertions. */
export function recordingMetrics(): MetricsRecorder & {
  counts: { name: CounterName; dimensions?: Record<string, string> }[];
  durations: { name: string; ms: number }[];
  countOf(name: CounterName): number;
} {
  const counts: { name: CounterName; dimensions?: Record<string, string> }[] = [];
  const durations: { name: string; ms: number }[] = [];
  return {
    counts,
    durations,
    count: (name, dimensions, times = 1) => {
      for (let i = 0; i < times; i += 1) counts.push({ name, dimensions });
    },
    duration: (name, ms) => durations.push({ name, ms }),
    flush: () => undefined,
    countOf: (name) => counts.filter((entry) => entry.name === name).length,
  };
}
