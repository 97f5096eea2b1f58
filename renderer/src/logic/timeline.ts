// The timeline's pure logic: lanes (host × group) of state bars with equal consecutive states merged,
// marks (operator actions, demotion, maintenance), outages (a group with no master), failovers with
// their cause, the console's own gaps, and the CSV of the visible range.
import type { HistoryRecord, LaneState } from '../../../electron/core/history/records.js';

export interface Bar {
  start: number;
  end: number;
  state: LaneState;
  reason?: string;
}

export interface Mark {
  t: number;
  kind: 'action' | 'demotion' | 'maintenance' | 'deploy' | 'apply';
  text: string;
}

export interface Lane {
  id: string;
  host: string;
  group: string;
  name?: string;
  bars: Bar[];
  marks: Mark[];
}

export interface Outage {
  group: string;
  start: number;
  end: number;
  /** Still without a master now. */
  ongoing: boolean;
  /** Members the console could not hear that were MASTER when last heard: they may have served all along. */
  unseen?: string[];
}

export type FailoverCause = 'maintenance' | 'preempt' | 'master lost' | 'demotion' | 'unknown';

export interface Failover {
  group: string;
  t: number;
  from: string[];
  to: string[];
  /** How long the group had no master in between (0: a handover without a gap). */
  gapMs: number;
  cause: FailoverCause;
  /** The new master's own reason, when its agent gave one. */
  reason?: string;
}

export interface Timeline {
  lanes: Lane[];
  outages: Outage[];
  failovers: Failover[];
  /** Intervals the console was not running (no data). */
  gaps: { start: number; end: number }[];
  /** Marks that concern no one host (deploys of all, group applies without a host). */
  consoleMarks: Mark[];
}

/** Intervals with no data: from the last record before each restart of the console up to that restart. */
export function consoleGaps(records: HistoryRecord[]): { start: number; end: number }[] {
  const gaps: { start: number; end: number }[] = [];
  let last: number | null = null;
  let stopped = false;
  for (const r of records) {
    if (r.kind === 'console' && r.what === 'start' && last !== null && r.t > last) gaps.push({ start: last, end: r.t });
    if (r.kind === 'console' && r.what === 'start') stopped = false;
    if (!stopped) last = r.t;
    if (r.kind === 'console' && r.what === 'stop') stopped = true;
  }
  return gaps;
}

function markOf(r: HistoryRecord): Mark | null {
  switch (r.kind) {
    case 'action':
      return { t: r.t, kind: 'action', text: `${r.who}: ${r.args}${r.ok ? '' : ` failed: ${r.error ?? ''}`}` };
    case 'demotion':
      return { t: r.t, kind: 'demotion', text: `demotion ${r.demote}${r.maintenance ? ', maintenance on' : ''}` };
    case 'maintenance':
      return { t: r.t, kind: 'maintenance', text: `maintenance: ${r.step}${r.group && r.to ? ` ${r.group} → ${r.to}` : ''}${r.detail ? ` (${r.detail})` : ''}` };
    case 'deploy':
      return ['done', 'failed', 'rolled-back', 'warning'].includes(r.step) ? { t: r.t, kind: 'deploy', text: `deploy: ${r.step}${r.detail ? ` (${r.detail})` : ''}` } : null;
    case 'apply':
      return ['applied', 'failed', 'rolled-back', 'rollback-failed'].includes(r.step) ? { t: r.t, kind: 'apply', text: `apply: ${r.step}${r.detail ? ` (${r.detail})` : ''}` } : null;
    default:
      return null;
  }
}

/** Builds the timeline of `records` (oldest first) up to `now`; bars of the last known state run until `now`. */
export function buildTimeline(records: HistoryRecord[], now: number): Timeline {
  const gaps = consoleGaps(records);
  const lanes = new Map<string, Lane>();
  const open = new Map<string, Bar>();
  const hostMarks = new Map<string, Mark[]>();
  const consoleMarks: Mark[] = [];
  let gi = 0;
  const closeAll = (t: number) => {
    for (const [id, b] of open) {
      b.end = t;
      open.delete(id);
    }
  };
  for (const r of records) {
    while (gi < gaps.length && gaps[gi].end <= r.t) closeAll(gaps[gi++].start);
    if (r.kind === 'state') {
      const id = `${r.host}|${r.group}`;
      let lane = lanes.get(id);
      if (!lane) {
        lane = { id, host: r.host, group: r.group, bars: [], marks: [] };
        lanes.set(id, lane);
      }
      if (r.name) lane.name = r.name;
      const cur = open.get(id);
      if (cur && cur.state === r.state) continue; // merged: the same state goes on
      if (cur) {
        cur.end = r.t;
        open.delete(id);
      }
      if (r.state === 'GONE') continue;
      const bar: Bar = { start: r.t, end: now, state: r.state, ...(r.reason ? { reason: r.reason } : {}) };
      lane.bars.push(bar);
      open.set(id, bar);
    } else {
      const m = markOf(r);
      if (!m) continue;
      const host = 'host' in r ? r.host : undefined;
      if (host) {
        const list = hostMarks.get(host);
        if (list) list.push(m);
        else hostMarks.set(host, [m]);
      }
      else consoleMarks.push(m);
    }
  }
  while (gi < gaps.length) closeAll(gaps[gi++].start);
  for (const lane of lanes.values()) lane.marks = hostMarks.get(lane.host) ?? [];
  const list = [...lanes.values()].sort((a, b) => a.group.localeCompare(b.group) || a.host.localeCompare(b.host));
  // marks of hosts with no lane (no groups) still show: on the console row
  for (const [host, ms] of hostMarks) if (!list.some((l) => l.host === host)) consoleMarks.push(...ms.map((m) => ({ ...m, text: `${host}: ${m.text}` })));
  consoleMarks.sort((a, b) => a.t - b.t);
  const { outages, failovers } = mastersOf(records, gaps, now);
  return { lanes: list, outages, failovers, gaps, consoleMarks };
}

function mastersOf(records: HistoryRecord[], gaps: { start: number; end: number }[], now: number): { outages: Outage[]; failovers: Failover[] } {
  const outages: Outage[] = [];
  const failovers: Failover[] = [];
  const byGroup = new Map<string, { masters: string[]; lastNonEmpty: string[]; outageStart: number | null; unseen?: string[] }>();
  const gapAt = (a: number, b: number) => gaps.find((g) => g.start >= a && g.start < b);
  for (const r of records) {
    if (r.kind === 'console' && r.what === 'start') {
      // after a restart the console knows nothing until it hears again: an open outage ends where data ended
      const g = gaps.find((x) => x.end === r.t);
      for (const [group, s] of byGroup) {
        if (s.outageStart !== null && g) outages.push({ group, start: s.outageStart, end: Math.max(s.outageStart, g.start), ongoing: false, ...(s.unseen ? { unseen: s.unseen } : {}) });
        s.outageStart = null;
      }
      continue;
    }
    if (r.kind !== 'master') continue;
    let s = byGroup.get(r.group);
    if (!s) {
      s = { masters: [], lastNonEmpty: [], outageStart: null };
      byGroup.set(r.group, s);
    }
    if (r.masters.length === 0) {
      if (s.outageStart === null && (s.lastNonEmpty.length || r.was.length)) {
        s.outageStart = r.t;
        s.unseen = r.unseen?.length ? r.unseen : undefined;
      }
      s.masters = [];
      continue;
    }
    const gapMs = s.outageStart !== null ? r.t - s.outageStart : 0;
    if (s.outageStart !== null) {
      const g = gapAt(s.outageStart, r.t);
      outages.push({ group: r.group, start: s.outageStart, end: g ? g.start : r.t, ongoing: false, ...(s.unseen ? { unseen: s.unseen } : {}) });
      s.outageStart = null;
    }
    const before = s.lastNonEmpty;
    if (before.length && before.join(',') !== r.masters.join(',') && !(r.masters.length > 1 && r.masters.some((m) => before.includes(m)))) {
      failovers.push({ group: r.group, t: r.t, from: before, to: r.masters, gapMs, ...causeOf(records, r.group, before, r.masters, r.t) });
    }
    s.masters = r.masters;
    // a moment with two masters (a handover's make-before-break) is not who the group moved from
    if (!(r.masters.length > 1 && r.masters.some((m) => before.includes(m)))) s.lastNonEmpty = r.masters;
  }
  for (const [group, s] of byGroup) if (s.outageStart !== null) outages.push({ group, start: s.outageStart, end: now, ongoing: true, ...(s.unseen ? { unseen: s.unseen } : {}) });
  outages.sort((a, b) => a.start - b.start);
  return { outages, failovers };
}

const NEAR_MS = 10_000;

/** The index of the first record at or after t (records oldest first). */
function firstAtOrAfter(records: HistoryRecord[], t: number): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (records[mid].t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Each host's demotion records, per records array (built once, then looked up by binary search). */
const demotionIndex = new WeakMap<HistoryRecord[], Map<string, HistoryRecord[]>>();

function lastDemotion(records: HistoryRecord[], host: string, t: number): HistoryRecord | undefined {
  let idx = demotionIndex.get(records);
  if (!idx) {
    idx = new Map();
    for (const r of records) {
      if (r.kind !== 'demotion') continue;
      const list = idx.get(r.host);
      if (list) list.push(r);
      else idx.set(r.host, [r]);
    }
    demotionIndex.set(records, idx);
  }
  const list = idx.get(host) ?? [];
  const i = firstAtOrAfter(list, t + 1);
  return i > 0 ? list[i - 1] : undefined;
}

/** Why the master changed, from what was recorded around it: the new master's reason, the old master's maintenance or loss. */
export function causeOf(records: HistoryRecord[], group: string, from: string[], to: string[], t: number): { cause: FailoverCause; reason?: string } {
  // records are oldest first: the window around t by binary search, not a scan (many failovers, long histories)
  const near = records.slice(firstAtOrAfter(records, t - NEAR_MS), firstAtOrAfter(records, t + NEAR_MS / 2 + 1));
  // the new master's own change: the one recorded with the master change, else the nearest before it
  const candidates = near.filter((r) => r.kind === 'state' && r.group === group && to.includes(r.host) && r.state === 'MASTER' && r.t <= t);
  const newState = candidates.at(-1);
  const reason = newState?.kind === 'state' ? newState.reason : undefined;
  const withReason = (cause: FailoverCause) => ({ cause, ...(reason ? { reason } : {}) });
  if (reason && /preempt/i.test(reason)) return withReason('preempt');
  // the old master was in maintenance when it lost the group: its agent's last demotion report says so
  // (at any age; the maintenance run's steps may stop short of 'done'), or its own reason to step down was maintenance
  const inMaintenance = from.some((h) => {
    const last = lastDemotion(records, h, t);
    if (last?.kind === 'demotion' && last.maintenance) return true;
    const own = near.filter((r) => r.kind === 'state' && r.host === h && r.group === group && r.t <= t).at(-1);
    return own?.kind === 'state' && /^maintenance/.test(own.reason ?? '');
  });
  if (inMaintenance) return withReason('maintenance');
  // the old master stepped down on hearing a better one (which then needs no reason of its own: it may never have left MASTER)
  const yielded = near.find((r) => r.kind === 'state' && from.includes(r.host) && r.group === group && r.state === 'BACKUP' && /^(preferred master|less demoted master)/.test(r.reason ?? ''));
  if (!reason && yielded?.kind === 'state') return { cause: 'preempt', ...(yielded.reason ? { reason: `${yielded.host}: ${yielded.reason}` } : {}) };
  if (reason && /master down timer|bowed out|time out/i.test(reason)) return withReason('master lost');
  const oldLost = from.some((h) => near.some((r) => r.kind === 'state' && r.host === h && r.group === group && Math.abs(r.t - t) <= NEAR_MS && ['UNKNOWN', 'INIT', 'GONE'].includes(r.state)));
  if (oldLost) return withReason('master lost');
  if (reason && /demote/i.test(reason)) return withReason('demotion');
  return withReason('unknown');
}

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

/** The failovers and outages alone (no lanes): what the group cards need, at a fraction of buildTimeline's cost. */
export function failoversOf(records: HistoryRecord[], now: number): Pick<Timeline, 'failovers' | 'outages'> {
  return mastersOf(records, consoleGaps(records), now);
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
