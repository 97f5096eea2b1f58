// Nearest-rank percentile of benchmark samples (p95 of the console-ui latencies).

/** The nearest-rank p-th percentile (0 < p <= 100) of the finite samples; NaN for none. */
export function percentile(samples: number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new Error(`percentile wants 0 < p <= 100, got ${p}`);
  const xs = samples.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!xs.length) return NaN;
  return xs[Math.max(0, Math.ceil((p / 100) * xs.length) - 1)];
}
