// The incremental timeline: records added in batches (live pages, slices) give the same timeline as all at
// once; console-down gaps (a clean stop, a crash with no stop record); a state begun before the range; paging.
import { describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../../electron/core/history/records.js';
import { TimelineBuilder, addInSlices, buildTimeline, clip } from './timeline.js';
import { takePage, type Cursor } from './timeline-pages.js';

const G = '198.18.0.0/24#1';
const st = (t: number, host: string, state: 'MASTER' | 'BACKUP' | 'UNKNOWN', reason?: string): HistoryRecord => ({ t, kind: 'state', host, group: G, state, ...(reason ? { reason } : {}) });
const ms = (t: number, masters: string[], was: string[] = []): HistoryRecord => ({ t, kind: 'master', group: G, masters, was });
const con = (t: number, what: 'start' | 'stop' | 'alive'): HistoryRecord => ({ t, kind: 'console', what });

/** A busy made-up history: three hosts handing the group around, a demotion, an outage, a restart. */
function history(): HistoryRecord[] {
  const out: HistoryRecord[] = [con(0, 'start'), ms(0, ['fw1']), st(0, 'fw1', 'MASTER'), st(0, 'fw2', 'BACKUP'), st(0, 'fw3', 'BACKUP')];
  const hosts = ['fw1', 'fw2', 'fw3'];
  for (let k = 1; k <= 60; k++) {
    const t = k * 3000;
    const from = hosts[(k - 1) % 3];
    const to = hosts[k % 3];
    if (k === 20) {
      out.push({ t: t - 100, kind: 'demotion', host: from, demote: 255, maintenance: true });
      out.push({ t: t - 50, kind: 'action', who: 'ops', method: 'demote', args: 'x', ok: true, host: from });
    }
    if (k === 30) {
      out.push(st(t, from, 'UNKNOWN'), { ...ms(t, [], [from]), unseen: [from] } as HistoryRecord);
      out.push(st(t + 1200, to, 'MASTER', 'master down timer expired (1.2 s without adverts)'), ms(t + 1200, [to]));
      continue;
    }
    if (k === 40) out.push(con(t - 500, 'alive'), con(t + 100, 'start')); // a crash: no stop record
    out.push(st(t, to, 'MASTER', 'preempting less preferred master'), st(t, from, 'BACKUP', 'preferred master advertised'), ms(t, [to], [from]));
  }
  return out.sort((a, b) => a.t - b.t);
}

describe('incremental timeline', () => {
  it('records added in batches of any size build the same timeline as all at once', () => {
    const all = history();
    const whole = buildTimeline(all, 200_000);
    for (const size of [1, 7, 64, 500]) {
      const b = new TimelineBuilder();
      for (let i = 0; i < all.length; i += size) b.add(all.slice(i, i + size));
      expect(b.snapshot(200_000)).toEqual(whole);
    }
    expect(whole.failovers.length).toBeGreaterThan(50);
    expect(whole.outages).toHaveLength(1);
  });

  it('a live page extends the lanes already built: the same lane objects, a new bar, nothing rebuilt', () => {
    const b = new TimelineBuilder().add([ms(0, ['fw1']), st(0, 'fw1', 'MASTER'), st(0, 'fw2', 'BACKUP')]);
    const first = b.snapshot(1000);
    const lane = first.lanes.find((l) => l.host === 'fw2')!;
    const v = b.version;
    b.add([st(1500, 'fw2', 'MASTER', 'master down timer expired'), st(1500, 'fw1', 'UNKNOWN'), ms(1500, ['fw2'])]);
    expect(b.version).toBeGreaterThan(v);
    const next = b.snapshot(2000);
    expect(next.lanes).toBe(first.lanes); // no lane added: the same sorted list
    expect(next.lanes.find((l) => l.host === 'fw2')).toBe(lane);
    expect(lane.bars.map((x) => [x.state, x.start, x.end])).toEqual([
      ['BACKUP', 0, 1500],
      ['MASTER', 1500, 2000],
    ]);
    expect(next.failovers).toEqual([expect.objectContaining({ from: ['fw1'], to: ['fw2'], cause: 'master lost' })]);
  });

  it("a failover's cause is settled by records up to 5 s after it, arriving in a later page", () => {
    const b = new TimelineBuilder().add([ms(0, ['fw1']), st(0, 'fw1', 'MASTER'), ms(1000, ['fw2']), st(1000, 'fw2', 'MASTER')]);
    expect(b.snapshot(1500).failovers[0].cause).toBe('unknown');
    b.add([st(3000, 'fw1', 'BACKUP', 'preferred master 198.18.0.2 advertised'), con(9000, 'alive')]);
    expect(b.snapshot(9000).failovers[0]).toMatchObject({ cause: 'preempt', reason: 'fw1: preferred master 198.18.0.2 advertised' });
  });

  it('adds in slices within a time budget, yielding between them, with the same result', async () => {
    const all = history();
    let now = 0;
    let yields = 0;
    const b = new TimelineBuilder();
    // a clock that moves 1 ms per look (one look per 64 records): a 2 ms budget makes slices of 128
    const done = await addInSlices(b, all, { budgetMs: 2, clock: () => now++, yieldNow: async () => void yields++ });
    expect(done).toBe(true);
    expect(yields).toBe(Math.ceil(all.length / 128) - 1);
    expect(b.snapshot(200_000)).toEqual(buildTimeline(all, 200_000));
    // stopped (the range changed): the rest is not added
    const c = new TimelineBuilder();
    let calls = 0;
    expect(await addInSlices(c, all, { budgetMs: 1, clock: () => now++, yieldNow: async () => undefined, stop: () => ++calls > 1 })).toBe(false);
    expect(c.records.length).toBeLessThan(all.length);
  });
});

describe('console-down gaps', () => {
  it('a clean stop: the gap runs from the stop to the next start, and lanes end at the stop', () => {
    const tl = buildTimeline([con(0, 'start'), st(0, 'fw1', 'MASTER'), con(60_000, 'alive'), con(70_000, 'stop'), con(300_000, 'start'), st(301_000, 'fw1', 'BACKUP')], 400_000);
    expect(tl.gaps).toEqual([{ start: 70_000, end: 300_000 }]);
    expect(tl.lanes[0].bars.map((b) => [b.state, b.start, b.end])).toEqual([
      ['MASTER', 0, 70_000],
      ['BACKUP', 301_000, 400_000],
    ]);
  });

  it('a crash (no stop record): the gap starts at the last record of the previous run (its last "alive")', () => {
    const tl = buildTimeline([con(0, 'start'), st(0, 'fw1', 'MASTER'), con(60_000, 'alive'), con(120_000, 'alive'), st(130_000, 'fw2', 'BACKUP'), con(500_000, 'start')], 600_000);
    expect(tl.gaps).toEqual([{ start: 130_000, end: 500_000 }]);
    // no bar crosses the gap: nothing is known of it
    for (const l of tl.lanes) for (const b of l.bars) expect(b.end <= 130_000 || b.start >= 500_000).toBe(true);
    // the first start of all is no gap; a start right after the last record neither
    expect(buildTimeline([con(0, 'start'), st(5, 'fw1', 'MASTER')], 10).gaps).toEqual([]);
  });

  it('an outage open when the console went down ends where its data ended', () => {
    const tl = buildTimeline([con(0, 'start'), ms(0, ['fw1']), ms(1000, [], ['fw1']), con(2000, 'alive'), con(9000, 'start'), ms(9500, ['fw1'])], 10_000);
    expect(tl.outages).toEqual([{ group: G, start: 1000, end: 2000, ongoing: false }]);
    expect(tl.gaps).toEqual([{ start: 2000, end: 9000 }]);
  });
});

describe('a state begun before the range', () => {
  it("is drawn from the range's start: the history's state at `from` opens the lane and the outage", () => {
    // what history({from: 10_000}) answers: each lane's and the group's last record before 10_000, then the range
    const page: HistoryRecord[] = [st(2000, 'fw2', 'BACKUP'), st(4000, 'fw1', 'UNKNOWN'), { ...ms(4000, [], ['fw1']), unseen: ['fw1'] } as HistoryRecord, st(12_000, 'fw2', 'MASTER', 'master down timer expired'), ms(12_000, ['fw2'])];
    const tl = buildTimeline(page, 20_000);
    const [outage] = clip(tl.outages, 10_000, 20_000);
    expect(outage).toMatchObject({ group: G, start: 10_000, end: 12_000 });
    expect(tl.outages[0]).toMatchObject({ start: 4000, end: 12_000 }); // its full duration, for the label
    const fw1 = tl.lanes.find((l) => l.host === 'fw1')!;
    expect(clip(fw1.bars, 10_000, 20_000).map((b) => [b.state, b.start, b.end])).toEqual([['UNKNOWN', 10_000, 20_000]]);
  });
});

describe('reading a range page by page', () => {
  it('repeats nothing across pages, also when a page ends amid records of one instant, and moves past a full instant', () => {
    const all: HistoryRecord[] = [st(5, 'fw1', 'MASTER'), st(9, 'fw3', 'MASTER'), st(10, 'fw1', 'BACKUP'), st(10, 'fw2', 'MASTER'), st(10, 'fw3', 'BACKUP'), st(11, 'fw1', 'MASTER'), st(12, 'fw2', 'BACKUP')];
    // what the store answers for {from: cursor.t, limit: 3}, the state at from (t 5) on the first page only
    const ask = (c: Cursor, first: boolean) => {
      const range = all.filter((r) => r.t >= c.t && r.t >= 9);
      return { records: [...(first ? [all[0]] : []), ...range.slice(0, 3)], truncated: range.length > 3 };
    };
    let c: Cursor = { t: 9, seen: 0 };
    const got: HistoryRecord[] = [];
    for (let first = true; ; first = false) {
      const page = ask(c, first);
      const { records, next } = takePage(c, page);
      got.push(...records);
      c = next;
      if (!page.truncated) break;
    }
    expect(got).toEqual(all);
    // every record of a page is at the cursor's instant and already taken: move past it rather than loop
    expect(takePage({ t: 10, seen: 3 }, { records: all.slice(2, 5), truncated: true }).next).toEqual({ t: 11, seen: 0 });
  });
});
