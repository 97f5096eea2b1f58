// Syslog-style lines on stderr (`carp-agent[pid]: ...`), one per state change, rate limited per error class
// (the same limiter keeps error events on the control socket from flooding the console).
export interface Logger {
  info(msg: string): void;
  /** Errors of one class (`key`) are logged at most a few times a minute, then summarised. */
  error(key: string, msg: string): void;
}

/** At most `burst` per class (`key`) per window; says how many were held back in the window before. */
export class BurstLimiter {
  private readonly classes = new Map<string, { start: number; count: number; suppressed: number }>();
  constructor(
    private readonly burst = 3,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** `allowed`: this one may pass; `suppressedBefore`: how many the previous window held back (reported once). */
  take(key: string): { allowed: boolean; suppressedBefore: number } {
    const t = this.now();
    let c = this.classes.get(key);
    let suppressedBefore = 0;
    if (!c || t - c.start >= this.windowMs) {
      suppressedBefore = c?.suppressed ?? 0;
      c = { start: t, count: 0, suppressed: 0 };
      this.classes.set(key, c);
    }
    if (c.count < this.burst) {
      c.count++;
      return { allowed: true, suppressedBefore };
    }
    c.suppressed++;
    return { allowed: false, suppressedBefore };
  }
}

export function stderrLogger(write: (line: string) => void = (l) => process.stderr.write(l), now = () => Date.now()): Logger {
  const limiter = new BurstLimiter(3, 60_000, now);
  const line = (msg: string) => write(`carp-agent[${process.pid}]: ${msg}\n`);
  return {
    info: line,
    error(key, msg) {
      const r = limiter.take(key);
      if (r.suppressedBefore > 0) line(`(${r.suppressedBefore} more "${key}" errors suppressed in the last minute)`);
      if (r.allowed) line(`error: ${msg}`);
    },
  };
}
