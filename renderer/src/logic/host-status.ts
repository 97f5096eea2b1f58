// How a host's status is shown: label + symbol + CSS class, never colour alone. A stale host is
// UNKNOWN (grey, "?") with its age: its last known state is never shown as if it were current.
import type { HostStatus, HostView } from '../../../electron/core/fleet/types.js';
import { ageOf, lastHeard } from './age.js';

export type Tone = 'ok' | 'unknown' | 'bad' | 'warn';

export interface StatusDisplay {
  /** Short label: "live", "UNKNOWN", "unreachable", "no agent". */
  label: string;
  /** A shape that differs per status, for readers who cannot tell the colours apart. */
  symbol: string;
  tone: Tone;
  /** One line under the label: the age for UNKNOWN, the error for unreachable / no agent. */
  detail?: string;
}

export function hostStatusDisplay(status: HostStatus, lastSeen: number, now: number, error?: string): StatusDisplay {
  switch (status) {
    case 'live':
      return { label: 'live', symbol: '✓', tone: 'ok' };
    case 'stale':
      // The age says it all (the link's error is frozen at the moment it went silent).
      return { label: 'UNKNOWN', symbol: '?', tone: 'unknown', detail: lastHeard(lastSeen, now) };
    case 'unreachable':
      return { label: 'unreachable', symbol: '✕', tone: 'bad', detail: shortError(error) ?? 'the console cannot reach it over SSH' };
    case 'no-agent':
      return { label: 'no agent', symbol: '!', tone: 'warn', detail: 'reachable over SSH, but no carp-agent answers: deploy it' };
    default:
      return { label: String(status), symbol: '?', tone: 'unknown' };
  }
}

/** Errors longer than this are cut in a table cell; the whole text is one click away ("Full error"). */
export const SHORT_ERROR = 90;

export function shortError(error: string | undefined): string | undefined {
  if (!error) return undefined;
  const first = error.split('\n')[0];
  return first.length > SHORT_ERROR ? `${first.slice(0, SHORT_ERROR - 1)}…` : first;
}

/** "just now" while live (heartbeats every second keep it within the stale threshold), else the age. */
export function heardOf(h: Pick<HostView, 'status' | 'lastSeen'>, now: number): string {
  return h.status === 'live' ? 'just now' : ageOf(h.lastSeen ?? 0, now);
}

/** Consecutive repeats dropped: unreachable → unreachable → live reads unreachable → live. */
export function collapseRuns<T>(xs: T[]): T[] {
  return xs.filter((x, i) => i === 0 || x !== xs[i - 1]);
}

export function hostDisplay(h: HostView, now: number): StatusDisplay {
  return hostStatusDisplay(h.status, h.lastSeen ?? 0, now, h.error);
}

/**
 * A value the agent reported (demotion, maintenance, version) is current only while the host is live;
 * otherwise it is the last known one and is shown as such.
 */
export function isCurrent(h: Pick<HostView, 'status'>): boolean {
  return h.status === 'live';
}
