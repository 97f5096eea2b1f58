// The arpbalance hash: who serves which client, and that clients split evenly (the 45/55 bound).
import { describe, expect, it } from 'vitest';
import { balanceIndex, balancedVhid, balanceShare } from './balance.js';

/** Fraction of `clients` served by each vhid of `vhids`. */
function split(clients: string[], vhids: number[]): Map<number, number> {
  const n = new Map<number, number>(vhids.map((v) => [v, 0]));
  for (const c of clients) n.set(balancedVhid(c, vhids), n.get(balancedVhid(c, vhids))! + 1);
  return new Map([...n].map(([v, k]) => [v, k / clients.length]));
}

/** A seeded generator (mulberry32), so the "random" set is the same on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

describe('the arpbalance hash', () => {
  it('is the address modulo the number of vhids, in ascending vhid order', () => {
    expect(balanceIndex('198.18.0.16', 2)).toBe(0);
    expect(balanceIndex('198.18.0.17', 2)).toBe(1);
    expect(balancedVhid('198.18.0.16', [2, 1])).toBe(1);
    expect(balancedVhid('198.18.0.17', [2, 1])).toBe(2);
    // 198.18.0.10 = 3323068426; mod 3 = 1: the second of 5, 7, 9.
    expect(balancedVhid('198.18.0.10', [9, 5, 7])).toBe(7);
    expect(() => balanceIndex('198.18.0.1', 0)).toThrow(/at least one vhid/);
  });

  it('splits a contiguous range exactly, and the lab\'s 64 clients 32/32', () => {
    const lab = Array.from({ length: 64 }, (_, i) => `198.18.60.${128 + i}`);
    expect(split(lab, [1, 2])).toEqual(new Map([[1, 0.5], [2, 0.5]]));
    const range = Array.from({ length: 1000 }, (_, i) => dotted(0xc6120000 + 37 + i));
    for (const f of split(range, [3, 4, 11]).values()) expect(Math.abs(f - 1 / 3)).toBeLessThan(0.001);
  });

  it('splits random client sets within 45/55 on two hosts', () => {
    // 1,000 clients: 45/55 is 3.2 standard deviations of a fair split; five seeds, and 10,000 clients.
    for (const [seed, size] of [[1, 1000], [2, 1000], [3, 1000], [4, 1000], [5, 10_000]]) {
      const next = rng(seed);
      const clients = Array.from({ length: size }, () => dotted(Math.floor(next() * 2 ** 32)));
      const [a] = split(clients, [1, 2]).values();
      expect(a, `${size} random clients, seed ${seed}`).toBeGreaterThanOrEqual(0.45);
      expect(a, `${size} random clients, seed ${seed}`).toBeLessThanOrEqual(0.55);
    }
  });

  it('a host\'s share is the fraction of the balanced vhids it masters', () => {
    expect(balanceShare([1], [1, 2])).toBe(0.5);
    expect(balanceShare([1, 2], [1, 2])).toBe(1);
    expect(balanceShare([3], [1, 2])).toBe(0);
    expect(balanceShare([], [])).toBe(0);
  });
});
