// Formats CARP advertisement intervals (Member.effectiveIntervalMs) the way an operator reads them: "1.00 s".

export function formatInterval(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}
