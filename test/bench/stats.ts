/** Order statistics for benchmark samples: medians and high percentiles, never means alone. */

/** Nearest-rank percentile (0–100) of `samples`; NaN for an empty list. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** The 50th percentile. */
export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** p50, p99 and the count of a sample list. */
export interface Summary {
  n: number;
  p50: number;
  p99: number;
}

/** Summarizes `samples`, rounded to `digits` decimals. */
export function summarize(samples: readonly number[], digits = 3): Summary {
  return {
    n: samples.length,
    p50: round(median(samples), digits),
    p99: round(percentile(samples, 99), digits),
  };
}

/** Rounds to `digits` decimals (keeps the JSON readable). */
export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Milliseconds elapsed since `start` (a `process.hrtime.bigint()` reading). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Writes a progress line to stderr (the benchmark's stdout stays free for the handlers' output). */
export function progress(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}
