// How a host's status is shown: label + symbol + CSS class, never colour alone. A stale host is
// UNKNOWN (grey, "?") with its age: its last known state is never shown as if it were current.
import type { HostStatus, HostView } from '../../../electron/core/fleet/types.js';
import { lastHeard } from './age.js';

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
      return { label: 'UNKNOWN', symbol: '?', tone: 'unknown', detail: `${lastHeard(lastSeen, now)}${error ? ` · ${error}` : ''}` };
    case 'unreachable':
      return { label: 'unreachable', symbol: '✕', tone: 'bad', detail: error ?? 'the console cannot reach it over SSH' };
    case 'no-agent':
      return { label: 'no agent', symbol: '!', tone: 'warn', detail: error ?? 'reachable over SSH, but no carp-agent answers: deploy it' };
    default:
      return { label: String(status), symbol: '?', tone: 'unknown' };
  }
}

export function hostDisplay(h: HostView, now: number): StatusDisplay {
  return hostStatusDisplay(h.status, h.lastSeen, now, h.error);
}

/**
 * A value the agent reported (demotion, maintenance, version) is current only while the host is live;
 * otherwise it is the last known one and is shown as such.
 */
export function isCurrent(h: Pick<HostView, 'status'>): boolean {
  return h.status === 'live';
}
