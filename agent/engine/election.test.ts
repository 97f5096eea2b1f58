// The election's one comparison (election.ts): its order and ties, and that the state machine decides
// by it: over a grid of own/peer values a MASTER steps down exactly when the peer is not worse.
import { describe, expect, it } from 'vitest';
import { bestOf, compareElection, electionKey, type ElectionValues } from './election.js';
import { electionValues, initialState, masterDownMs, step } from './engine.js';
import type { EngineParams } from './types.js';

const V = (advbase: number, advskew: number, demote = 0, maintenance = false): ElectionValues => ({ advbase, advskew, demote, maintenance });
const sign = (n: number) => Math.sign(n);

describe('compareElection', () => {
  it.each([
    // [a, b, sign: -1 a better, 1 b better, 0 tie]
    [V(1, 0), V(1, 100), -1],
    [V(1, 200), V(2, 0), -1], // advbase weighs more than advskew
    [V(1, 100, 1), V(1, 200, 0), 1], // lower demote first, whatever the key
    [V(1, 0, 0, true), V(1, 254, 200), 1], // maintenance last, whatever demote and key
    [V(1, 100), V(1, 100), 0], // equal on every value: a tie
    [V(1, 240, 255, true), V(1, 240, 255, true), 0],
  ])('%o vs %o: %i', (a, b, want) => {
    expect(sign(compareElection(a, b))).toBe(want);
    expect(sign(compareElection(b, a))).toBe(want === 0 ? 0 : -want);
  });

  it('the key orders like the advertisement interval', () => {
    expect(electionKey(V(1, 255))).toBeLessThan(electionKey(V(2, 0)));
    expect(electionKey(V(3, 7))).toBe(3 * 256 + 7);
  });
});

describe('bestOf', () => {
  it('names the one best node, or every node tied for best, never a tie breaker', () => {
    const a = { ...V(1, 100), n: 'a' };
    const b = { ...V(1, 50), n: 'b' };
    const c = { ...V(1, 50), n: 'c' };
    expect(bestOf([a, b]).map((x) => x.n)).toEqual(['b']);
    expect(bestOf([a, c, b]).map((x) => x.n)).toEqual(['c', 'b']);
    expect(bestOf([])).toEqual([]);
  });
});

describe('the engine decides by compareElection', () => {
  const P = (advbase: number, advskew: number, demote: number): EngineParams => ({ vhid: 1, advbase, advskew, demote, preempt: false, maintenance: false });
  const grid: Array<[number, number, number]> = [];
  for (const advbase of [1, 2]) for (const advskew of [0, 100, 254]) for (const demote of [0, 1]) grid.push([advbase, advskew, demote]);

  it('a MASTER steps down exactly when the peer is better or tied (kernel tie rule), over a grid', () => {
    let cases = 0;
    for (const own of grid) {
      const p = P(...own);
      const backup = step(initialState(p), { type: 'start', now: 0 }).state;
      const master = step(backup, { type: 'timer', timer: 'masterdown', now: masterDownMs(p) }).state;
      expect(master.state).toBe('MASTER');
      for (const [advbase, advskew, demote] of grid) {
        const r = step(master, { type: 'advert', now: 10_000, advert: { src: '198.18.0.9', advbase, advskew, demote } });
        const peerNotWorse = compareElection({ advbase, advskew, demote }, electionValues(p)) <= 0;
        expect(r.state.state, `own ${own.join('/')} hears ${advbase}/${advskew}/${demote}`).toBe(peerNotWorse ? 'BACKUP' : 'MASTER');
        cases++;
      }
    }
    expect(cases).toBe(grid.length * grid.length);
  });

  it('a preempting BACKUP takes over from a worse master of its demotion, never from a tied one', () => {
    for (const own of grid) {
      const p = { ...P(...own), preempt: true };
      const backup = step(initialState(p), { type: 'start', now: 0 }).state;
      for (const [advbase, advskew] of grid) {
        const peer = { advbase, advskew, demote: p.demote };
        const r = step(backup, { type: 'advert', now: 1000, advert: { src: '198.18.0.9', ...peer } });
        const takes = r.state.pendingTakeover !== null || r.state.state === 'MASTER';
        expect(takes, `own ${own.join('/')} hears ${advbase}/${advskew}`).toBe(compareElection(electionValues(p), peer) < 0);
      }
    }
  });
});
