// The timeline built incrementally: records (oldest first) are added in any number of batches and extend
// the lanes, outages, failovers and console gaps already built (no rebuild); snapshot(now) is what a screen draws.
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

/** A span the console was not running: no data (from its last record before a restart to the restart). */
export interface Gap {
  start: number;
  end: number;
}

export interface Timeline {
  lanes: Lane[];
  outages: Outage[];
  failovers: Failover[];
  /** Intervals the console was not running (no data). */
  gaps: Gap[];
  /** Marks that concern no one host (deploys of all, group applies without a host). */
  consoleMarks: Mark[];
}

/** Records within this long of a failover tell its cause (before it; half as long after it). */
const NEAR_MS = 10_000;

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

/** The index of the first record at or after t (records oldest first). */
function firstAtOrAfter(records: { t: number }[], t: number): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (records[mid].t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

type Demotions = (host: string) => HistoryRecord[];

/** `states`: the group's own state records, oldest first (all a cause looks at besides demotions). */
function causeWith(states: HistoryRecord[], demotions: Demotions, group: string, from: string[], to: string[], t: number): { cause: FailoverCause; reason?: string } {
  // records are oldest first: the window around t by binary search, not a scan (many failovers, long histories)
  const near = states.slice(firstAtOrAfter(states, t - NEAR_MS), firstAtOrAfter(states, t + NEAR_MS / 2 + 1));
  // the new master's own change: the one recorded with the master change, else the nearest before it
  const candidates = near.filter((r) => r.kind === 'state' && r.group === group && to.includes(r.host) && r.state === 'MASTER' && r.t <= t);
  const newState = candidates.at(-1);
  const reason = newState?.kind === 'state' ? newState.reason : undefined;
  const withReason = (cause: FailoverCause) => ({ cause, ...(reason ? { reason } : {}) });
  if (reason && /preempt/i.test(reason)) return withReason('preempt');
  // the old master was in maintenance when it lost the group: its agent's last demotion report says so
  // (at any age; the maintenance run's steps may stop short of 'done'), or its own reason to step down was maintenance
  const inMaintenance = from.some((h) => {
    const list = demotions(h);
    const i = firstAtOrAfter(list, t + 1);
    const last = i > 0 ? list[i - 1] : undefined;
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

/** Each host's demotion records and each group's state records, per records array (built once, then looked up by binary search). */
const recordIndex = new WeakMap<HistoryRecord[], { demotions: Map<string, HistoryRecord[]>; states: Map<string, HistoryRecord[]> }>();

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** Why the master changed, from what was recorded around it: the new master's reason, the old master's maintenance or loss. */
export function causeOf(records: HistoryRecord[], group: string, from: string[], to: string[], t: number): { cause: FailoverCause; reason?: string } {
  let idx = recordIndex.get(records);
  if (!idx) {
    idx = { demotions: new Map(), states: new Map() };
    for (const r of records) {
      if (r.kind === 'demotion') push(idx.demotions, r.host, r);
      else if (r.kind === 'state') push(idx.states, r.group, r);
    }
    recordIndex.set(records, idx);
  }
  const { demotions, states } = idx;
  return causeWith(states.get(group) ?? [], (h) => demotions.get(h) ?? [], group, from, to, t);
}

interface GroupMasters {
  lastNonEmpty: string[];
  outageStart: number | null;
  unseen?: string[];
}

/**
 * Builds a timeline from records added oldest first, in batches (add), without rebuilding what is built:
 * lanes (equal consecutive states merged), marks, console gaps, outages and failovers. A failover's cause
 * needs the records up to 5 s after it: it is settled once a later record arrives, and until then worked
 * out again at each snapshot. `lanes: false` keeps only the masters (outages, failovers: the group cards).
 */
export class TimelineBuilder {
  /** Every record added, oldest first (failover causes look around each failover). */
  readonly records: HistoryRecord[] = [];
  /** Bumped by every add: a screen redraws when it changes. */
  version = 0;
  private readonly lanes = new Map<string, Lane>();
  private readonly open = new Map<string, Bar>();
  private readonly hostMarks = new Map<string, Mark[]>();
  private readonly consoleMarks: Mark[] = [];
  private readonly gaps: Gap[] = [];
  private readonly demotions = new Map<string, HistoryRecord[]>();
  /** Each group's state records, oldest first: what a failover's cause looks at. */
  private readonly groupStates = new Map<string, HistoryRecord[]>();
  /** The version the unsettled causes were last worked out at. */
  private settledAt = -1;
  private readonly byGroup = new Map<string, GroupMasters>();
  private readonly outages: Outage[] = [];
  private readonly failovers: Failover[] = [];
  /** Indexes into failovers whose cause may still change (a record within 5 s after it may yet come). */
  private unsettled: number[] = [];
  /** The console's last record time in its current run (null: none yet), and whether it stopped cleanly. */
  private last: number | null = null;
  private stopped = false;
  private sorted: Lane[] | null = null;

  constructor(private readonly withLanes = true) {}

  /** Adds records (oldest first, none older than those added before). Returns this. */
  add(records: readonly HistoryRecord[]): this {
    for (const r of records) this.step(r);
    if (records.length) this.version++;
    return this;
  }

  /** The newest record time added (null: none). */
  get newest(): number | null {
    return this.records.length ? this.records[this.records.length - 1].t : null;
  }

  private demotionsOf = (host: string): HistoryRecord[] => this.demotions.get(host) ?? [];

  private closeAll(t: number): void {
    for (const b of this.open.values()) b.end = t;
    this.open.clear();
  }

  private marksOf(host: string): Mark[] {
    let list = this.hostMarks.get(host);
    if (!list) this.hostMarks.set(host, (list = []));
    return list;
  }

  private step(r: HistoryRecord): void {
    this.records.push(r);
    // settle the causes of failovers that now have every record within 5 s after them
    while (this.unsettled.length && this.failovers[this.unsettled[0]].t + NEAR_MS / 2 < r.t) this.settle(this.unsettled.shift()!);
    // the console's own gaps: from its last record before a restart up to that restart
    let gap: Gap | null = null;
    if (r.kind === 'console' && r.what === 'start') {
      if (this.last !== null && r.t > this.last) {
        gap = { start: this.last, end: r.t };
        this.gaps.push(gap);
        this.closeAll(gap.start);
      }
      this.stopped = false;
      // after a restart the console knows nothing until it hears again: an open outage ends where data ended
      for (const [group, s] of this.byGroup) {
        if (s.outageStart !== null && gap) this.outages.push({ group, start: s.outageStart, end: Math.max(s.outageStart, gap.start), ongoing: false, ...(s.unseen ? { unseen: s.unseen } : {}) });
        s.outageStart = null;
      }
    }
    if (!this.stopped) this.last = r.t;
    if (r.kind === 'console' && r.what === 'stop') this.stopped = true;
    if (r.kind === 'demotion') push(this.demotions, r.host, r);
    if (r.kind === 'state') push(this.groupStates, r.group, r);
    if (r.kind === 'master') this.master(r);
    if (!this.withLanes) return;
    if (r.kind === 'state') {
      const id = `${r.host}|${r.group}`;
      let lane = this.lanes.get(id);
      if (!lane) {
        lane = { id, host: r.host, group: r.group, bars: [], marks: this.marksOf(r.host) };
        this.lanes.set(id, lane);
        this.sorted = null;
      }
      if (r.name && lane.name !== r.name) {
        lane.name = r.name;
        this.sorted = null;
      }
      const cur = this.open.get(id);
      if (cur && cur.state === r.state) return; // merged: the same state goes on
      if (cur) {
        cur.end = r.t;
        this.open.delete(id);
      }
      if (r.state === 'GONE') return;
      const bar: Bar = { start: r.t, end: r.t, state: r.state, ...(r.reason ? { reason: r.reason } : {}) };
      lane.bars.push(bar);
      this.open.set(id, bar);
      return;
    }
    const m = markOf(r);
    if (!m) return;
    if ('host' in r && r.host) this.marksOf(r.host).push(m);
    else this.consoleMarks.push(m);
  }

  private master(r: Extract<HistoryRecord, { kind: 'master' }>): void {
    let s = this.byGroup.get(r.group);
    if (!s) this.byGroup.set(r.group, (s = { lastNonEmpty: [], outageStart: null }));
    if (r.masters.length === 0) {
      if (s.outageStart === null && (s.lastNonEmpty.length || r.was.length)) {
        s.outageStart = r.t;
        s.unseen = r.unseen?.length ? r.unseen : undefined;
      }
      return;
    }
    const gapMs = s.outageStart !== null ? r.t - s.outageStart : 0;
    if (s.outageStart !== null) {
      const from = s.outageStart;
      const g = this.gaps.find((x) => x.start >= from && x.start < r.t);
      this.outages.push({ group: r.group, start: from, end: g ? g.start : r.t, ongoing: false, ...(s.unseen ? { unseen: s.unseen } : {}) });
      s.outageStart = null;
    }
    const before = s.lastNonEmpty;
    // a moment with two masters (a handover's make-before-break) is not who the group moved from
    const overlap = r.masters.length > 1 && r.masters.some((m) => before.includes(m));
    if (before.length && before.join(',') !== r.masters.join(',') && !overlap) {
      this.failovers.push({ group: r.group, t: r.t, from: before, to: r.masters, gapMs, cause: 'unknown' });
      this.unsettled.push(this.failovers.length - 1);
    }
    if (!overlap) s.lastNonEmpty = r.masters;
  }

  private settle(i: number): void {
    const f = this.failovers[i];
    const { cause, reason } = causeWith(this.groupStates.get(f.group) ?? [], this.demotionsOf, f.group, f.from, f.to, f.t);
    const next: Failover = { group: f.group, t: f.t, from: f.from, to: f.to, gapMs: f.gapMs, cause, ...(reason ? { reason } : {}) };
    this.failovers[i] = next;
  }

  /** The timeline as of `now`: open bars and outages run until `now`. */
  snapshot(now: number): Timeline {
    if (this.settledAt !== this.version) for (const i of this.unsettled) this.settle(i);
    this.settledAt = this.version;
    for (const b of this.open.values()) b.end = Math.max(b.start, now);
    if (!this.sorted) this.sorted = [...this.lanes.values()].sort((a, b) => a.group.localeCompare(b.group) || a.host.localeCompare(b.host));
    const outages = [...this.outages];
    for (const [group, s] of this.byGroup) if (s.outageStart !== null) outages.push({ group, start: s.outageStart, end: now, ongoing: true, ...(s.unseen ? { unseen: s.unseen } : {}) });
    outages.sort((a, b) => a.start - b.start);
    // marks of hosts with no lane (no groups) still show: on the console row
    const withLane = new Set(this.sorted.map((l) => l.host));
    const consoleMarks = [...this.consoleMarks];
    for (const [host, ms] of this.hostMarks) if (!withLane.has(host)) consoleMarks.push(...ms.map((m) => ({ ...m, text: `${host}: ${m.text}` })));
    consoleMarks.sort((a, b) => a.t - b.t);
    return { lanes: this.sorted, outages, failovers: [...this.failovers], gaps: [...this.gaps], consoleMarks };
  }
}

/** Builds the timeline of `records` (oldest first) up to `now`; bars of the last known state run until `now`. */
export function buildTimeline(records: HistoryRecord[], now: number): Timeline {
  return new TimelineBuilder().add(records).snapshot(now);
}

/** Intervals with no data: from the last record before each restart of the console up to that restart. */
export function consoleGaps(records: HistoryRecord[]): Gap[] {
  return new TimelineBuilder(false).add(records).snapshot(0).gaps;
}

/** The failovers and outages alone (no lanes): what the group cards need, at a fraction of buildTimeline's cost. */
export function failoversOf(records: HistoryRecord[], now: number): Pick<Timeline, 'failovers' | 'outages'> {
  const { failovers, outages } = new TimelineBuilder(false).add(records).snapshot(now);
  return { failovers, outages };
}

/**
 * Adds `records` to `builder` in slices of at most about `budgetMs` each, yielding between them (`yieldNow`:
 * the next macrotask) so that no one task holds the main thread; `stop()` true abandons the rest.
 */
export async function addInSlices(builder: TimelineBuilder, records: readonly HistoryRecord[], o: { budgetMs?: number; clock?: () => number; yieldNow?: () => Promise<void>; stop?: () => boolean } = {}): Promise<boolean> {
  const budget = o.budgetMs ?? 8;
  const clock = o.clock ?? (() => performance.now());
  const yieldNow = o.yieldNow ?? (() => new Promise<void>((r) => setTimeout(r, 0)));
  let i = 0;
  while (i < records.length) {
    if (o.stop?.()) return false;
    const t0 = clock();
    let j = i;
    // check the clock every 64 records: cheap, and a slice overruns its budget by at most 64 records' work
    while (j < records.length) {
      const end = Math.min(records.length, j + 64);
      builder.add(records.slice(j, end));
      j = end;
      if (clock() - t0 >= budget) break;
    }
    i = j;
    if (i < records.length) await yieldNow();
  }
  return true;
}
