// The timeline's pure logic: lanes (host × group) of state bars with equal consecutive states merged,
// marks (operator actions, demotion, maintenance), outages (a group with no master), failovers with
// their cause, the console's own gaps, and the CSV of the visible range.
import type { LaneState } from '../../../electron/core/history/records.js';
import type { Failover, Lane, Timeline } from './timeline-builder.js';

// the building itself (incremental, in slices) is in timeline-builder.ts
export { TimelineBuilder, addInSlices, buildTimeline, causeOf, consoleGaps, failoversOf } from './timeline-builder.js';
export type { Bar, FailoverCause, Failover, Gap, Lane, Mark, Outage, Timeline } from './timeline-builder.js';

/** The bars and marks of a lane within [from, to], clipped to it. */
export function clip<T extends { start: number; end: number }>(items: T[], from: number, to: number): T[] {
  return items.filter((b) => b.end > from && b.start < to).map((b) => ({ ...b, start: Math.max(b.start, from), end: Math.min(b.end, to) }));
}

/** Keeps the lanes whose host and group pass the filters (empty filter: all). */
export function filterLanes(lanes: Lane[], hosts: string[], groups: string[]): Lane[] {
  return lanes.filter((l) => (!hosts.length || hosts.includes(l.host)) && (!groups.length || groups.includes(l.group)));
}

/** "850 ms", "3.4 s", "2 min 5 s", "1 h 20 min", "2 d 3 h". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.round(s / 60);
  if (m < 24 * 60) return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
  const h = Math.round(m / 60);
  return `${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ''}`;
}

/** The zoom levels: the width of the visible window. */
export const SPANS = [
  { label: '1 min', ms: 60_000 },
  { label: '5 min', ms: 5 * 60_000 },
  { label: '15 min', ms: 15 * 60_000 },
  { label: '1 h', ms: 3600_000 },
  { label: '6 h', ms: 6 * 3600_000 },
  { label: '1 day', ms: 24 * 3600_000 },
  { label: '7 days', ms: 7 * 24 * 3600_000 },
] as const;

function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const iso = (t: number) => new Date(t).toISOString();

/** The visible range as CSV: one row per bar, mark, outage and failover, clipped to [from, to]. */
export function timelineCsv(tl: Timeline, lanes: Lane[], from: number, to: number): string {
  const rows: (string | number)[][] = [['kind', 'host', 'group', 'start', 'end', 'duration_s', 'what']];
  const groups = new Set(lanes.map((l) => l.group));
  for (const l of lanes) {
    for (const b of clip(l.bars, from, to)) rows.push(['state', l.host, l.group, iso(b.start), iso(b.end), ((b.end - b.start) / 1000).toFixed(3), b.state + (b.reason ? `: ${b.reason}` : '')]);
    for (const m of l.marks.filter((m) => m.t >= from && m.t <= to)) rows.push([m.kind, l.host, l.group, iso(m.t), '', '', m.text]);
  }
  for (const o of clip(tl.outages, from, to).filter((o) => groups.has(o.group))) {
    rows.push(['outage', '', o.group, iso(o.start), iso(o.end), ((o.end - o.start) / 1000).toFixed(3), `no master${o.ongoing ? ' (ongoing)' : ''}${o.unseen ? `; unseen: ${o.unseen.join(' ')}` : ''}`]);
  }
  for (const f of tl.failovers.filter((f) => groups.has(f.group) && f.t >= from && f.t <= to)) {
    rows.push(['failover', f.to.join(' '), f.group, iso(f.t), '', (f.gapMs / 1000).toFixed(3), `${f.from.join(' ')} → ${f.to.join(' ')} (${f.cause}${f.reason ? `: ${f.reason}` : ''})`]);
  }
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Which lanes of a scrolled list are on screen (plus `overscan` either side): simple windowing. */
export function visibleRange(count: number, rowHeight: number, scrollTop: number, viewHeight: number, overscan = 5): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + viewHeight) / rowHeight) + overscan);
  return { first, last };
}

/** The last failover of a group (from the history), for the group card. */
export function lastFailover(tl: Pick<Timeline, 'failovers'>, group: string): Failover | null {
  for (let i = tl.failovers.length - 1; i >= 0; i--) if (tl.failovers[i].group === group) return tl.failovers[i];
  return null;
}

/** Since when `host` has been master: its agent's own `since`, or the last failover to it when the console saw that later. */
export function masterSince(agentSince: number, host: string, last: Failover | null): number {
  return last && last.to.includes(host) ? Math.max(agentSince, last.t) : agentSince;
}

/** How a lane state looks: a word, a shape and a tone (never colour alone). */
export function stateLook(state: LaneState): { label: string; symbol: string; tone: 'master' | 'backup' | 'init' | 'unknown' } {
  switch (state) {
    case 'MASTER':
      return { label: 'MASTER', symbol: '●', tone: 'master' };
    case 'BACKUP':
      return { label: 'BACKUP', symbol: '○', tone: 'backup' };
    case 'INIT':
      return { label: 'INIT', symbol: '◌', tone: 'init' };
    default:
      return { label: 'UNKNOWN', symbol: '?', tone: 'unknown' };
  }
}

/** About `n` round tick times within [from, to] for the time axis. */
export function axisTicks(from: number, to: number, n = 6): number[] {
  const span = to - from;
  const steps = [1e3, 5e3, 10e3, 30e3, 60e3, 300e3, 600e3, 1800e3, 3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, 24 * 3600e3];
  const step = steps.find((s) => span / s <= n) ?? 24 * 3600e3;
  const out: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) out.push(t);
  return out;
}

/** The rows of the lane list: each group's header (its outages and failovers), then its lanes. */
export type Row = { kind: 'group'; group: string; name?: string } | { kind: 'lane'; lane: Lane };

export function rowsOf(lanes: Lane[]): Row[] {
  const rows: Row[] = [];
  let last: string | null = null;
  for (const l of lanes) {
    if (l.group !== last) {
      rows.push({ kind: 'group', group: l.group, ...(l.name ? { name: l.name } : {}) });
      last = l.group;
    }
    rows.push({ kind: 'lane', lane: l });
  }
  return rows;
}
