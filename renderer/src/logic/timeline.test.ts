// The timeline's logic: merging equal states, outages and their durations, failover causes, the
// console's gaps, clipping, CSV and the windowing of long lane lists.
import { describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../../electron/core/history/records.js';
import { buildTimeline, clip, formatDuration, masterSince, timelineCsv, visibleRange } from './timeline.js';
import { parseRoute, hrefOf } from './route.js';

const G = '198.18.0.0/24#1';
const st = (t: number, host: string, state: 'MASTER' | 'BACKUP' | 'INIT' | 'UNKNOWN', reason?: string): HistoryRecord => ({ t, kind: 'state', host, group: G, state, ...(reason ? { reason } : {}) });
const ms = (t: number, masters: string[], was: string[]): HistoryRecord => ({ t, kind: 'master', group: G, masters, was });

describe('timeline', () => {
  it('merges equal consecutive states into one bar whose length is the duration', () => {
    const tl = buildTimeline([st(0, 'fw1', 'MASTER'), st(10, 'fw1', 'MASTER'), st(20, 'fw1', 'BACKUP'), st(30, 'fw1', 'BACKUP')], 100);
    expect(tl.lanes).toHaveLength(1);
    expect(tl.lanes[0].bars.map((b) => [b.state, b.start, b.end])).toEqual([
      ['MASTER', 0, 20],
      ['BACKUP', 20, 100],
    ]);
  });

  it('finds an outage with its duration and the failover with its cause (master lost)', () => {
    const records = [
      ms(0, ['fw1'], []),
      st(0, 'fw1', 'MASTER'),
      st(0, 'fw2', 'BACKUP'),
      st(1000, 'fw1', 'UNKNOWN'),
      { ...ms(1000, [], ['fw1']), unseen: ['fw1'] } as HistoryRecord,
      st(4400, 'fw2', 'MASTER', 'master down timer expired (3.4 s without adverts)'),
      ms(4400, ['fw2'], []),
    ];
    const tl = buildTimeline(records, 10_000);
    expect(tl.outages).toEqual([{ group: G, start: 1000, end: 4400, ongoing: false, unseen: ['fw1'] }]);
    expect(tl.failovers).toEqual([{ group: G, t: 4400, from: ['fw1'], to: ['fw2'], gapMs: 3400, cause: 'master lost', reason: 'master down timer expired (3.4 s without adverts)' }]);
    expect(formatDuration(tl.outages[0].end - tl.outages[0].start)).toBe('3.4 s');
    // the group card: fw2 master since the failover the console saw, later than an older agent `since`
    expect(masterSince(2000, 'fw2', tl.failovers[0])).toBe(4400);
    expect(masterSince(5000, 'fw2', tl.failovers[0])).toBe(5000);
    expect(masterSince(2000, 'fw1', tl.failovers[0])).toBe(2000);
  });

  it('names maintenance and preempt as causes, and a handover without a gap has gapMs 0', () => {
    const records: HistoryRecord[] = [
      ms(0, ['fw1'], []),
      { t: 100, kind: 'maintenance', host: 'fw1', step: 'maintenance-on' },
      { t: 110, kind: 'demotion', host: 'fw1', demote: 255, maintenance: true },
      st(200, 'fw2', 'MASTER', 'master 198.18.0.1 bowed out (advbase 255, advskew 255)'),
      ms(200, ['fw2'], ['fw1']),
      { t: 10 * 60_000, kind: 'demotion', host: 'fw1', demote: 0, maintenance: false },
      st(10 * 60_000 + 50, 'fw1', 'MASTER', 'preempting less preferred master 198.18.0.2'),
      ms(10 * 60_000 + 50, ['fw1'], ['fw2']),
    ];
    const tl = buildTimeline(records, 11 * 60_000);
    expect(tl.failovers.map((f) => [f.from[0], f.to[0], f.cause, f.gapMs])).toEqual([
      ['fw1', 'fw2', 'maintenance', 0],
      ['fw2', 'fw1', 'preempt', 0],
    ]);
    expect(tl.outages).toEqual([]);
  });

  it('a moment with two masters is no one to move from; a loss after maintenance ended is "master lost"', () => {
    const records: HistoryRecord[] = [
      ms(0, ['fw3'], []),
      { t: 10, kind: 'demotion', host: 'fw1', demote: 0, maintenance: false },
      ms(20, ['fw1', 'fw3'], ['fw3']),
      st(20, 'fw1', 'MASTER', 'preempting less preferred master 198.18.0.3'),
      ms(30, ['fw1'], ['fw1', 'fw3']),
      { t: 1000, kind: 'maintenance', host: 'fw1', step: 'handover' }, // a run that stopped short of 'done'
      { t: 1500, kind: 'demotion', host: 'fw1', demote: 0, maintenance: false },
      st(3000, 'fw1', 'UNKNOWN'),
      ms(3000, [], ['fw1']),
      st(3300, 'fw3', 'MASTER', 'master down timer expired (3.2 s without adverts)'),
      ms(3300, ['fw3'], []),
    ];
    // fw1 heard again (it never left MASTER: no reason of its own); fw3 yields to it
    records.push(st(6000, 'fw3', 'BACKUP', 'preferred master 198.18.0.1 advertised'), ms(6000, [], ['fw3']), st(6020, 'fw1', 'MASTER'), ms(6020, ['fw1'], []));
    const tl = buildTimeline(records, 7000);
    expect(tl.failovers.map((f) => [f.from.join(','), f.to.join(','), f.cause, f.gapMs])).toEqual([
      ['fw3', 'fw1', 'preempt', 0],
      ['fw1', 'fw3', 'master lost', 300],
      ['fw3', 'fw1', 'preempt', 20],
    ]);
    expect(tl.failovers[2].reason).toBe('fw3: preferred master 198.18.0.1 advertised');
  });

  it('an outage still going on runs until now; a restart of the console ends bars where data ended', () => {
    const records: HistoryRecord[] = [
      { t: 0, kind: 'console', what: 'start' },
      ms(0, ['fw1'], []),
      st(0, 'fw1', 'MASTER'),
      { t: 500, kind: 'console', what: 'alive' },
      { t: 600, kind: 'console', what: 'stop' },
      { t: 5000, kind: 'console', what: 'start' },
      st(5100, 'fw1', 'MASTER'),
      ms(5100, [], ['fw1']),
    ];
    const tl = buildTimeline(records, 9000);
    expect(tl.gaps).toEqual([{ start: 600, end: 5000 }]);
    expect(tl.lanes[0].bars.map((b) => [b.start, b.end])).toEqual([
      [0, 600],
      [5100, 9000],
    ]);
    expect(tl.outages).toEqual([{ group: G, start: 5100, end: 9000, ongoing: true }]);
  });

  it('puts operator actions and demotion changes on the lanes of their host', () => {
    const tl = buildTimeline(
      [st(0, 'fw1', 'MASTER'), st(0, 'fw2', 'BACKUP'), { t: 5, kind: 'action', who: 'root (web)', method: 'demote', args: 'demote("fw2","add",1)', ok: true, host: 'fw2' }, { t: 6, kind: 'demotion', host: 'fw2', demote: 1, maintenance: false }],
      10,
    );
    expect(tl.lanes.find((l) => l.host === 'fw2')!.marks.map((m) => m.kind)).toEqual(['action', 'demotion']);
    expect(tl.lanes.find((l) => l.host === 'fw1')!.marks).toEqual([]);
  });

  it('exports the visible range as CSV, clipped, with quotes escaped', () => {
    const tl = buildTimeline([st(0, 'fw1', 'MASTER'), st(2000, 'fw1', 'BACKUP', 'preferred master "x", sure'), ms(0, ['fw1'], []), ms(2000, [], ['fw1'])], 5000);
    const csv = timelineCsv(tl, tl.lanes, 1000, 4000);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('kind,host,group,start,end,duration_s,what');
    expect(lines[1]).toBe(`state,fw1,${G},1970-01-01T00:00:01.000Z,1970-01-01T00:00:02.000Z,1.000,MASTER`);
    expect(lines[2]).toBe(`state,fw1,${G},1970-01-01T00:00:02.000Z,1970-01-01T00:00:04.000Z,2.000,"BACKUP: preferred master ""x"", sure"`);
    expect(lines[3]).toBe(`outage,,${G},1970-01-01T00:00:02.000Z,1970-01-01T00:00:04.000Z,2.000,no master (ongoing)`);
    expect(lines).toHaveLength(4);
  });

  it('has its own route', () => {
    expect(parseRoute('#/timeline')).toEqual({ view: 'timeline' });
    expect(hrefOf({ view: 'timeline' })).toBe('#/timeline');
  });

  it('clips to a range and windows long lists', () => {
    expect(clip([{ start: 0, end: 10 }, { start: 20, end: 30 }], 5, 25)).toEqual([{ start: 5, end: 10 }, { start: 20, end: 25 }]);
    expect(visibleRange(1000, 30, 3000, 600, 2)).toEqual({ first: 98, last: 122 });
    expect(visibleRange(10, 30, 0, 600, 2)).toEqual({ first: 0, last: 10 });
  });
});
