// The history store's reads by range: memory holds an index and a bounded tail, a query reads its range's
// segments back from disk; each lane's state at `from` comes first; paging with `limit`; the folder's lock.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openHistoryStore, type HistoryStore } from './store.js';
import { HistoryLockedError, LOCK_FILE, lockDir } from './lock.js';
import { startHistory } from './service.js';
import type { HistoryRecord } from './records.js';

const dirs: string[] = [];
const stores: HistoryStore[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'carp-history-range-'));
  dirs.push(d);
  return d;
};
const open = (...a: Parameters<typeof openHistoryStore>) => {
  const s = openHistoryStore(...a);
  stores.push(s);
  return s;
};
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const G = '198.18.0.0/24#1';
const st = (t: number, host: string, state: 'MASTER' | 'BACKUP' | 'UNKNOWN', group = G): HistoryRecord => ({ t, kind: 'state', host, group, state, reason: 'r'.repeat(60) });
const hostOf = (r: HistoryRecord) => ('host' in r ? r.host : '');

describe('history store: ranges read from disk, a bounded tail in memory', () => {
  it('keeps at most tailRecords in memory however much is on disk, and reads any range back from the segments', () => {
    const dir = tmp();
    const s = open(dir, { segmentBytes: 8192, tailRecords: 100 }, () => 1_000_000);
    for (let t = 0; t < 2000; t++) s.append([st(1_000_000 + t, `fw${t % 7}`, t % 2 ? 'MASTER' : 'BACKUP')]);
    expect(s.inMemory).toBeLessThanOrEqual(100);
    // an old range (not in memory): exactly its records, oldest first, with the state at `from` before them
    const page = s.query({ from: 1_000_500, to: 1_000_599 });
    const inRange = page.records.filter((r) => r.t >= 1_000_500);
    expect(inRange.map((r) => r.t)).toEqual(Array.from({ length: 100 }, (_, i) => 1_000_500 + i));
    const pre = page.records.filter((r) => r.t < 1_000_500);
    // each of the 7 lanes once, its last record before `from`
    expect(pre.map(hostOf).sort()).toEqual(['fw0', 'fw1', 'fw2', 'fw3', 'fw4', 'fw5', 'fw6']);
    for (const r of pre) expect(r.t).toBe(Math.max(...Array.from({ length: 500 }, (_, t) => t).filter((t) => `fw${t % 7}` === hostOf(r))) + 1_000_000);
    // a recent range (in memory) answers the same way as from disk
    const recent = s.query({ from: 1_001_950 });
    expect(recent.records.filter((r) => r.t >= 1_001_950)).toHaveLength(50);
    expect(recent.records.filter((r) => r.t < 1_001_950)).toHaveLength(7);
    expect(page.oldest).toBe(1_000_000);
  });

  it('after a restart, reads ranges of the earlier run from disk with the state at `from` (an outage begun before the range)', () => {
    const dir = tmp();
    const a = open(dir, { segmentBytes: 4096 }, () => 0);
    const masters = (t: number, m: string[]): HistoryRecord => ({ t, kind: 'master', group: G, masters: m, was: [] });
    a.append([st(0, 'fw1', 'MASTER'), st(0, 'fw2', 'BACKUP'), masters(0, ['fw1'])]);
    for (let t = 1; t < 200; t++) a.append([st(t, 'fw9', 'BACKUP', `198.18.9.0/24#${t}`)]); // filler over several segments
    a.append([st(500, 'fw1', 'UNKNOWN'), masters(500, [])]); // the outage begins at 500
    for (let t = 501; t < 700; t++) a.append([st(t, 'fw9', 'BACKUP', `198.18.9.0/24#${t}`)]);
    a.close();
    const b = open(dir, { segmentBytes: 4096, tailRecords: 10 }, () => 800);
    const page = b.query({ from: 600, to: 650, groups: [G] });
    // the range holds nothing of G, but its state at 600 does: fw1 UNKNOWN, fw2 BACKUP, no master (since 500)
    expect(page.records).toEqual([st(0, 'fw2', 'BACKUP'), st(500, 'fw1', 'UNKNOWN'), masters(500, [])]);
    expect(b.query({ from: 600, to: 650, groups: [G], prelude: false }).records).toEqual([]);
  });

  it('pages forward with limit: the oldest first, truncated while more follow', () => {
    const dir = tmp();
    const s = open(dir, {}, () => 0);
    s.append(Array.from({ length: 25 }, (_, t) => st(t, 'fw1', t % 2 ? 'MASTER' : 'BACKUP')));
    const first = s.query({ from: 0, limit: 10 });
    expect(first.truncated).toBe(true);
    expect(first.records.map((r) => r.t)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const last = s.query({ from: 20, limit: 10, prelude: false });
    expect(last.truncated).toBe(false);
    expect(last.records.map((r) => r.t)).toEqual([20, 21, 22, 23, 24]);
  });
});

describe('history folder lock', () => {
  it('refuses a second console on the same folder, naming the folder, the holder and what to do; free again after close', () => {
    const dir = tmp();
    const a = open(dir);
    let err: unknown;
    try {
      openHistoryStore(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HistoryLockedError);
    expect((err as Error).message).toContain(dir);
    expect((err as Error).message).toContain(`pid ${process.pid}`);
    expect((err as Error).message).toMatch(/Stop that console .*XDG_DATA_HOME/);
    // held by another live process: refused too
    a.close();
    writeFileSync(join(dir, LOCK_FILE), '1\n'); // pid 1 is always alive
    expect(() => lockDir(dir)).toThrow(/in use by another console \(pid 1\)/);
    // once its holder is gone, the folder opens again
    rmSync(join(dir, LOCK_FILE));
    open(dir).append([st(1, 'fw1', 'MASTER')]);
  });

  it('takes over a stale lock (its pid is dead: a crashed console)', () => {
    const dir = tmp();
    writeFileSync(join(dir, LOCK_FILE), '4194304\n');
    const l = lockDir(dir, (pid) => pid !== 4194304);
    expect(l.tookOver).toBe(true);
    l.release();
    // and through the store: a stale lock does not stop the history
    writeFileSync(join(dir, LOCK_FILE), '4194304\n');
    const s = open(dir);
    s.append([st(2, 'fw1', 'MASTER')]);
    expect(s.query({ from: 0 }).records).toHaveLength(1);
  });

  it('a console whose folder is locked runs without history, and history() says why', async () => {
    const h = startHistory({ who: 'x', off: new HistoryLockedError('/data/carp-console/history', 4242).message }, () => 0);
    h.onEvent({ type: 'error', at: 0, code: 'x', message: 'y' });
    expect(() => h.query({ from: 0 })).toThrow(/\/data\/carp-console\/history is in use by another console \(pid 4242\): this console runs without history/);
    // through the console API, as the timeline screen asks: an 'unavailable' error with the same words
    const { createConsole } = await import('../console.js');
    const c = createConsole({ hosts: [], transport: () => { throw new Error('no hosts'); }, history: { who: 'x', off: new HistoryLockedError('/data/h', 4242).message } });
    try {
      await expect(c.history({ from: 0 })).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/\/data\/h is in use by another console \(pid 4242\)/) });
    } finally {
      c.close();
    }
  });
});
