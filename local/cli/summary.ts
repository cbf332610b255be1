import type { Exchange } from './http';

/** Nearest-rank percentile (p in 0–100) of the values; undefined when there are none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** `200 × 18, 401 × 2`: exchanges counted by status, or by why no answer came. */
export function countByOutcome(exchanges: readonly Exchange[]): string {
  const counts = new Map<string, number>();
  for (const exchange of exchanges) {
    const key = exchange.kind === 'answer' ? String(exchange.status) : exchange.reason;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, count]) => `${key} × ${count}`)
    .join(', ');
}

/** `p50 12 ms, p99 40 ms` over the exchanges that got an answer. */
export function latencyLine(exchanges: readonly Exchange[]): string | undefined {
  const answered = exchanges.filter((exchange) => exchange.kind === 'answer').map((e) => e.elapsedMs);
  const p50 = percentile(answered, 50);
  const p99 = percentile(answered, 99);
  return p50 === undefined || p99 === undefined ? undefined : `latency p50 ${p50} ms, p99 ${p99} ms`;
}

/**
 * Runs `total` tasks with at most `concurrency` in flight, the way Smartcar delivers concurrently.
 * Tasks report their own failures; one failing does not stop the others.
 */
export async function runPool(
  total: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
}
