// Counter sequence and replay window tests (docs/protocol.md §3).
import { describe, expect, it } from 'vitest';
import { ReplayWindow, SentCounters, adoptCounter, nextCounter } from './index.js';

const hex = (s: string) => Buffer.from(s, 'hex');

describe('nextCounter', () => {
  it('starts from the random source', () => {
    expect(nextCounter(null, () => hex('0102030405060708')).toString('hex')).toBe('0102030405060708');
  });
  it('adds one, carrying across the 32-bit words', () => {
    expect(nextCounter(hex('00000000ffffffff'), () => Buffer.alloc(8)).toString('hex')).toBe('0000000100000000');
  });
  it('wraps after 2^64 - 1', () => {
    expect(nextCounter(hex('ffffffffffffffff')).toString('hex')).toBe('0000000000000000');
  });
  it('draws different random starts by default', () => {
    expect(nextCounter(null).equals(nextCounter(null))).toBe(false);
  });
  it('rejects a bad random source', () => {
    expect(() => nextCounter(null, () => Buffer.alloc(4))).toThrow(/8 bytes/);
  });
  it('adopts a heard counter as heard + 1 (ucarp observed 01..08 -> 01..09)', () => {
    expect(adoptCounter(hex('0102030405060708')).toString('hex')).toBe('0102030405060709');
  });
});

describe('ReplayWindow', () => {
  it('reports a repeat within the hour', () => {
    const w = new ReplayWindow();
    expect(w.seen('aa', 0)).toBe(false);
    expect(w.seen('bb', 1000)).toBe(false);
    expect(w.seen('aa', 59 * 60_000)).toBe(true);
  });
  it('forgets counters after the hour', () => {
    const w = new ReplayWindow();
    w.seen('aa', 0);
    expect(w.seen('aa', 3_600_000)).toBe(false);
    expect(w.size).toBe(1);
  });
  it('expires by time (memory does not grow with old entries)', () => {
    const w = new ReplayWindow({ ttlMs: 1000 });
    for (let i = 0; i < 100; i++) w.seen(`c${i}`, i * 100);
    expect(w.size).toBeLessThanOrEqual(10);
  });
  it('caps the number of counters, forgetting the oldest', () => {
    const w = new ReplayWindow({ max: 3 });
    for (const c of ['a', 'b', 'c', 'd']) w.seen(c, 0);
    expect(w.size).toBe(3);
    expect(w.seen('a', 1)).toBe(false); // forgotten
    expect(w.seen('d', 1)).toBe(true);
  });
  it('with src: an OpenBSD constant cookie repeated by the same sender is not a replay', () => {
    const w = new ReplayWindow();
    expect(w.seen('c00c1e', 0, '198.18.0.2')).toBe(false);
    expect(w.seen('c00c1e', 1000, '198.18.0.2')).toBe(false);
    expect(w.seen('c00c1e', 2000, '198.18.0.2')).toBe(false);
    // the same counter from another source is a replay
    expect(w.seen('c00c1e', 3000, '198.18.0.9')).toBe(true);
  });
  it('with src: an older counter of the same sender coming back is a replay', () => {
    const w = new ReplayWindow();
    w.seen('01', 0, '198.18.0.2');
    w.seen('02', 1000, '198.18.0.2');
    expect(w.seen('01', 2000, '198.18.0.2')).toBe(true);
  });
});

describe('SentCounters (own adverts coming back)', () => {
  it('knows what it sent, and nothing else', () => {
    const s = new SentCounters();
    s.add('01', 0);
    s.add('02', 1000);
    expect(s.has('01', 1500)).toBe(true);
    expect(s.has('02', 1500)).toBe(true);
    expect(s.has('03', 1500)).toBe(false);
  });
  it('forgets by age and by count', () => {
    const s = new SentCounters({ ttlMs: 1000, max: 2 });
    s.add('01', 0);
    s.add('02', 10);
    s.add('03', 20);
    expect(s.has('01', 30)).toBe(false); // pushed out by count
    expect(s.has('02', 30)).toBe(true);
    expect(s.has('02', 1010)).toBe(false); // expired
    expect(s.has('03', 1010)).toBe(true);
    expect(s.size).toBe(1);
  });
  it('a peer that adopts our counter (ucarp) sends heard + 1, never one of ours', () => {
    const s = new SentCounters();
    let c: Buffer | null = null;
    for (let i = 0; i < 5; i++) {
      c = nextCounter(c);
      s.add(c.toString('hex'), i);
    }
    expect(s.has(adoptCounter(c!).toString('hex'), 5)).toBe(false);
  });
});
