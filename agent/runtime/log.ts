// Syslog-style lines on stderr (`carp-agent[pid]: ...`), one per state change, rate limited per error class.
export interface Logger {
  info(msg: string): void;
  /** Errors of one class (`key`) are logged at most a few times a minute, then summarised. */
  error(key: string, msg: string): void;
}

export function stderrLogger(write: (line: string) => void = (l) => process.stderr.write(l), now = () => Date.now()): Logger {
  const WINDOW_MS = 60_000;
  const BURST = 3;
  const classes = new Map<string, { start: number; count: number; suppressed: number }>();
  const line = (msg: string) => write(`carp-agent[${process.pid}]: ${msg}\n`);
  return {
    info: line,
    error(key, msg) {
      const t = now();
      let c = classes.get(key);
      if (!c || t - c.start >= WINDOW_MS) {
        if (c && c.suppressed > 0) line(`(${c.suppressed} more "${key}" errors suppressed in the last minute)`);
        c = { start: t, count: 0, suppressed: 0 };
        classes.set(key, c);
      }
      if (c.count < BURST) {
        c.count++;
        line(`error: ${msg}`);
      } else c.suppressed++;
    },
  };
}
