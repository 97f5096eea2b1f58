// Pure helpers for benchmark figures: median / worst / mean of samples and the number formats
// used in the table (seconds, milliseconds, signed deltas, ratios, MiB, percent).

export interface Summary {
  n: number;
  median: number;
  worst: number;
  best: number;
  mean: number;
}

/** Median, worst (largest), best (smallest) and mean; NaN everywhere for no samples. */
export function summarise(samples: number[], worstIs: 'max' | 'min' = 'max'): Summary {
  const xs = samples.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (xs.length === 0) return { n: 0, median: NaN, worst: NaN, best: NaN, mean: NaN };
  const mid = xs.length >> 1;
  const median = xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const hi = xs[xs.length - 1];
  const lo = xs[0];
  return { n: xs.length, median, worst: worstIs === 'max' ? hi : lo, best: worstIs === 'max' ? lo : hi, mean };
}

/** The median by distance from zero of a signed series, e.g. deltas vs a bound; worst = largest |x|. */
export function worstAbs(samples: number[]): number {
  const xs = samples.filter((x) => Number.isFinite(x));
  if (xs.length === 0) return NaN;
  return xs.reduce((w, x) => (Math.abs(x) > Math.abs(w) ? x : w), xs[0]);
}

const na = (x: number) => !Number.isFinite(x);

export const fmtS = (ms: number, digits = 2): string => (na(ms) ? 'n/a' : `${(ms / 1000).toFixed(digits)} s`);
export const fmtMs = (ms: number): string => (na(ms) ? 'n/a' : `${Math.round(ms)} ms`);
export const fmtSigned = (ms: number): string => (na(ms) ? 'n/a' : `${ms >= 0 ? '+' : '-'}${Math.abs(Math.round(ms))} ms`);
export const fmtRatio = (x: number): string => (na(x) ? 'n/a' : `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}x`);
export const fmtMiB = (kib: number): string => (na(kib) ? 'n/a' : `${(kib / 1024).toFixed(1)} MiB`);
export const fmtPct = (p: number): string => (na(p) ? 'n/a' : `${p.toFixed(p < 1 ? 2 : 1)} %`);

/** a / b, NaN when either is missing or b is 0. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN;
}

/** Pads columns of a table of strings to a readable fixed-width block. */
export function renderTable(rows: string[][], gap = 3): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + gap))).join('').trimEnd()).join('\n');
}

/** CPU % of one core from two (utime+stime) readings in clock ticks, over wall ms. */
export function cpuPercent(ticksBefore: number, ticksAfter: number, wallMs: number, ticksPerSecond = 100): number {
  if (!(wallMs > 0)) return NaN;
  return ((ticksAfter - ticksBefore) / ticksPerSecond / (wallMs / 1000)) * 100;
}

/** utime + stime (clock ticks) from the text of /proc/PID/stat; the command may contain spaces and ')'. */
export function ticksFromStat(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime is field 14, stime field 15.
  return Number(rest[11]) + Number(rest[12]);
}

/** VmRSS in KiB from the text of /proc/PID/status. */
export function rssKiBFromStatus(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) : NaN;
}

/** Pss (proportional set size: shared pages divided among their users) in KiB from /proc/PID/smaps_rollup. */
export function pssKiBFromRollup(rollup: string): number {
  const m = /^Pss:\s+(\d+)\s+kB/m.exec(rollup);
  return m ? Number(m[1]) : NaN;
}
