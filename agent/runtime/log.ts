// The agent's log: syslog (RFC 3164 `<PRI>carp-agent[pid]: msg`, facility daemon) where /dev/log exists,
// otherwise lines on stderr (the service's log file). CARP's own messages follow OpenBSD's
// net.inet.carp.log level (0..7, default 2 = LOG_CRIT: state changes); the daemon's lines and its errors
// are always written, errors rate limited per class (the same limiter keeps error events on the control
// socket from flooding the console). Drop counters are kept whatever the level (they are not log lines).
import type { CarpState } from '../control/messages.js';

/** syslog(3) severities. */
export const LOG_EMERG = 0;
export const LOG_ALERT = 1;
export const LOG_CRIT = 2;
export const LOG_ERR = 3;
export const LOG_WARNING = 4;
export const LOG_NOTICE = 5;
export const LOG_INFO = 6;
export const LOG_DEBUG = 7;
/** OpenBSD's default net.inet.carp.log: LOG_CRIT (MASTER/BACKUP transitions). */
export const DEFAULT_LOG_LEVEL = LOG_CRIT;
/** syslog facility LOG_DAEMON (3). */
export const FACILITY_DAEMON = 3;
export const SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

export interface Logger {
  /** The daemon's own lines (start, stop, config, operator actions): always written, severity notice. */
  info(msg: string): void;
  /**
   * Errors of one class (`key`) are logged at most a few times a minute, then summarised. A class that is a
   * CARP drop message (carpDropSeverity) is written only when the log level lets its OpenBSD severity through.
   */
  error(key: string, msg: string): void;
  /** A CARP message (carp(4)'s CARP_LOG) at its OpenBSD severity: written when `severity` <= the log level. */
  carp?(severity: number, msg: string): void;
  /** Whether a CARP message of `severity` would be written now (to skip building debug lines). */
  enabled?(severity: number): boolean;
  /** The log level now, and the way to change it (config `log`, `carp-agent set log N`). */
  level?(): number;
  setLevel?(level: number): void;
}

// ---- wording (as OpenBSD's ip_carp.c, with the vhid and the interface the agent runs it on) ----

/** `carp: vhid 1 (eth0): ` */
export function carpPrefix(vhid: number, iface: string): string {
  return `carp: vhid ${vhid} (${iface}): `;
}

/** carp_set_state's line: `carp: vhid 1 (eth0): state transition: BACKUP -> MASTER`. */
export function transitionMessage(vhid: number, iface: string, from: CarpState, to: CarpState): string {
  return `${carpPrefix(vhid, iface)}state transition: ${from} -> ${to}`;
}

/** carp_set_state: LOG_WARNING when INIT is one end (link, start, stop), LOG_CRIT between BACKUP and MASTER. */
export function transitionSeverity(from: CarpState, to: CarpState): number {
  return from === 'INIT' || to === 'INIT' ? LOG_WARNING : LOG_CRIT;
}

/**
 * The severity OpenBSD logs a dropped advert at (carp_proto_input): a wrong TTL or version LOG_NOTICE, a
 * short packet, bad checksum or wrong HMAC ("incorrect hash") LOG_INFO, a replay or our own advert back
 * ("replay or network loop detected") LOG_WARNING. `key` is the error class the runtime uses
 * (`drop ttl eth0`, `hmac 1`, `replay 1`, `own 1`); undefined when the class is not a drop (an error).
 */
export function carpDropSeverity(key: string): number | undefined {
  const [head, reason] = key.split(' ');
  const why = head === 'drop' ? reason : head;
  switch (why) {
    case 'ttl':
    case 'version':
      return LOG_NOTICE;
    case 'short':
    case 'checksum':
    case 'hmac':
    case 'vhid':
      return LOG_INFO;
    case 'replay':
    case 'own':
      return LOG_WARNING;
    default:
      return undefined;
  }
}

/** One syslog datagram as glibc's syslog(3) sends it to /dev/log, without the timestamp (RFC 3164 lets the receiver add it). */
export function syslogDatagram(severity: number, msg: string, pid = process.pid, facility = FACILITY_DAEMON): string {
  return `<${facility * 8 + severity}>carp-agent[${pid}]: ${msg}`;
}

/** The level as given (config, `set log`): 0..7, else why not. */
export function logLevelProblem(level: unknown): string | null {
  if (typeof level !== 'number' || !Number.isInteger(level) || level < 0 || level > 7) {
    return `log must be a syslog level 0..7 (2 = crit, the default: state changes; 7 = debug), got ${JSON.stringify(level)}`;
  }
  return null;
}

// ---- rate limiting -------------------------------------------------------------------------------------

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

// ---- the logger ------------------------------------------------------------------------------------------

/** Where lines go: one message at a severity (no prefix, no newline). */
export type LogSink = (severity: number, msg: string) => void;

/** stderr (or `write`): `carp-agent[pid]: msg\n`. */
export function streamSink(write: (line: string) => void = (l) => process.stderr.write(l), pid = process.pid): LogSink {
  return (_severity, msg) => write(`carp-agent[${pid}]: ${msg}\n`);
}

/** A logger writing to `sink`, filtering CARP messages by `level` (changed with setLevel). */
export function createLogger(sink: LogSink, o: { now?: () => number; level?: number } = {}): Required<Logger> {
  const limiter = new BurstLimiter(3, 60_000, o.now ?? Date.now);
  let level = o.level ?? DEFAULT_LOG_LEVEL;
  const enabled = (severity: number) => severity <= level;
  return {
    info: (msg) => sink(LOG_NOTICE, msg),
    error(key, msg) {
      const severity = carpDropSeverity(key);
      if (severity !== undefined && !enabled(severity)) return;
      const r = limiter.take(key);
      if (r.suppressedBefore > 0) sink(severity ?? LOG_ERR, `(${r.suppressedBefore} more "${key}" errors suppressed in the last minute)`);
      if (r.allowed) sink(severity ?? LOG_ERR, severity === undefined ? `error: ${msg}` : `carp: ${msg}`);
    },
    carp(severity, msg) {
      if (enabled(severity)) sink(severity, msg);
    },
    enabled,
    level: () => level,
    setLevel(n) {
      const problem = logLevelProblem(n);
      if (problem) throw new RangeError(problem);
      level = n;
    },
  };
}

/** The log on stderr (kept for callers and tests that write lines themselves). */
export function stderrLogger(write: (line: string) => void = (l) => process.stderr.write(l), now = () => Date.now()): Required<Logger> {
  return createLogger(streamSink(write), { now });
}
