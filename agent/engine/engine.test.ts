// Table-driven tests of the pure CARP state machine with a fake clock, and small simulated
// networks of 2–3 engines (sim.ts) for elections and make-before-break maintenance handovers.
import { describe, expect, it } from 'vitest';
import { advertIntervalMs, initialState, masterDownMs, skewMs, step, wireValues, type EngineState } from './engine.js';
import { CarpSim } from './sim.js';
import type { EngineAction, EngineEvent, EngineParams, PeerAdvert } from './types.js';

const P = (o: Partial<EngineParams> = {}): EngineParams => ({ vhid: 1, advbase: 1, advskew: 0, demote: 0, preempt: false, maintenance: false, ...o });

/** Applies events in order, returning the final state and the actions of the last event. */
function run(s: EngineState, ...evs: EngineEvent[]): { state: EngineState; actions: EngineAction[] } {
  let r = { state: s, actions: [] as EngineAction[] };
  for (const ev of evs) r = step(r.state, ev);
  return r;
}
const backup = (p: EngineParams) => run(initialState(p), { type: 'start', now: 0 }).state;
const master = (p: EngineParams) => run(backup(p), { type: 'timer', timer: 'masterdown', now: masterDownMs(p) }).state;
const adv = (advbase: number, advskew: number, demote = 0, src = '198.18.0.2'): PeerAdvert => ({ src, advbase, advskew, demote });
const types = (a: EngineAction[]) => a.map((x) => (x.type === 'arm' || x.type === 'cancel' ? `${x.type}:${x.timer}` : x.type === 'hook' ? `hook:${x.which}` : x.type));
const stateAction = (a: EngineAction[]) => a.find((x): x is Extract<EngineAction, { type: 'state' }> => x.type === 'state');

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

describe('timers (FreeBSD/ucarp formulas)', () => {
  it.each([
    [1, 0, false, 3000, 1000],
    [1, 100, false, 3390.625, 1390.625],
    [2, 50, false, 6195.3125, 2195.3125],
    [1, 0, true, 3937.5, 1000], // maintenance: master-down with advskew 240, adverts at the configured pace
    [1, 250, true, 3976.5625, 1976.5625],
  ])('advbase %i advskew %i maintenance %s: master down %f ms, advert %f ms', (advbase, advskew, maintenance, down, interval) => {
    const p = P({ advbase, advskew, maintenance });
    expect(masterDownMs(p)).toBe(down);
    expect(advertIntervalMs(p)).toBe(interval);
  });
});

describe('start, master-down, adverts', () => {
  const p = P({ advskew: 100 });

  it('INIT -> BACKUP on start, arming the master-down timer', () => {
    const s0 = initialState(p);
    expect(s0.state).toBe('INIT');
    const r = step(s0, { type: 'start', now: 5 });
    expect(r.state.state).toBe('BACKUP');
    expect(r.actions).toContainEqual({ type: 'arm', timer: 'masterdown', ms: 3390.625 });
    expect(stateAction(r.actions)).toMatchObject({ from: 'INIT', to: 'BACKUP' });
    expect(r.actions.some((a) => a.type === 'send')).toBe(false);
  });

  it('BACKUP -> MASTER when the master-down timer fires: addresses and garp, then the advert at once, hook, advert timer', () => {
    const r = step(backup(p), { type: 'timer', timer: 'masterdown', now: 3390.625 });
    expect(r.state.state).toBe('MASTER');
    expect(types(r.actions)).toEqual(['state', 'cancel:masterdown', 'addAddresses', 'garp', 'send', 'hook:up', 'arm:advert']);
    expect(r.actions).toContainEqual({ type: 'send', advbase: 1, advskew: 100, demote: 0 });
    expect(r.actions).toContainEqual({ type: 'arm', timer: 'advert', ms: 1390.625 });
    expect(stateAction(r.actions)!.reason).toBe('master down timer expired (3.39 s without adverts)');
  });

  it('MASTER sends on every advert timer and garps again after two adverts', () => {
    let s = master(p);
    const garps: boolean[] = [];
    for (let i = 1; i <= 4; i++) {
      const r = step(s, { type: 'timer', timer: 'advert', now: 3390.625 + i * 1390.625 });
      expect(r.actions).toContainEqual({ type: 'send', advbase: 1, advskew: 100, demote: 0 });
      expect(r.actions).toContainEqual({ type: 'arm', timer: 'advert', ms: 1390.625 });
      garps.push(r.actions.some((a) => a.type === 'garp'));
      s = r.state;
    }
    expect(garps).toEqual([false, true, false, false]);
  });

  it('ignores stale timers and adverts in INIT', () => {
    const b = backup(p);
    expect(step(b, { type: 'timer', timer: 'advert', now: 10 }).actions).toEqual([]);
    const m = master(p);
    expect(step(m, { type: 'timer', timer: 'masterdown', now: 10 }).actions).toEqual([]);
    const i = initialState(p);
    expect(step(i, { type: 'advert', advert: adv(1, 0), now: 1 })).toEqual({ state: i, actions: [] });
    expect(step(b, { type: 'start', now: 20 }).actions).toEqual([]); // already running
  });

  it('never mutates its input', () => {
    const s = deepFreeze(master(p));
    const copy = structuredClone(s);
    step(s, { type: 'advert', advert: adv(1, 0), now: 1 });
    step(s, { type: 'params', params: P({ demote: 3 }), now: 1 });
    step(s, { type: 'stop', now: 1 });
    expect(s).toEqual(copy);
  });
});

describe('MASTER hears a valid advert (docs/protocol.md §5.2, OpenBSD demote rule, kernel tie rule)', () => {
  it.each([
    // [own advbase, own advskew, own demote, peer advbase, peer advskew, peer demote, steps down, reason]
    [1, 100, 0, 1, 0, 0, true, 'preferred master 198.18.0.2 advertised (advbase 1, advskew 0, demote 0)'],
    [2, 0, 0, 1, 200, 0, true, 'preferred master'], // advbase weighs more than advskew
    [1, 100, 0, 1, 100, 0, true, 'equal advbase/advskew'],
    [1, 100, 0, 1, 200, 0, false, ''],
    [1, 0, 0, 2, 0, 0, false, ''],
    [1, 100, 0, 1, 0, 1, false, ''], // better key but more demoted: stays
    [1, 0, 1, 1, 200, 0, true, 'less demoted master'], // worse key but less demoted: yields
    [1, 0, 0, 255, 255, 255, false, ''], // a maintenance master's bow-out
  ])('own (%i,%i,d%i) hears (%i,%i,d%i): steps down %s', (ab, as, ad, pb, ps, pd, down, reason) => {
    const r = step(master(P({ advbase: ab, advskew: as, demote: ad })), { type: 'advert', advert: adv(pb, ps, pd), now: 10_000 });
    expect(r.state.state).toBe(down ? 'BACKUP' : 'MASTER');
    if (down) {
      expect(types(r.actions)).toEqual(['state', 'cancel:advert', 'removeAddresses', 'hook:down', 'arm:masterdown']);
      expect(stateAction(r.actions)!.reason).toContain(reason);
    } else {
      expect(types(r.actions)).toEqual(['garp']);
    }
    expect(r.state.lastAdvert).toMatchObject({ src: '198.18.0.2', advbase: pb, advskew: ps, demote: pd, at: 10_000 });
  });
});

describe('BACKUP hears a valid advert (docs/protocol.md §5.3)', () => {
  it.each([
    // [own advbase, own advskew, own demote, preempt, peer advbase, peer advskew, peer demote, takes over, reason]
    [1, 100, 0, false, 1, 0, 0, false, ''],
    [1, 100, 0, false, 1, 200, 0, false, ''], // worse master, no preempt: wait
    [1, 100, 0, true, 1, 200, 0, true, 'preempting less preferred master'],
    [1, 100, 0, true, 1, 100, 0, false, ''], // tie: no preempt
    [1, 100, 1, true, 1, 200, 0, false, ''], // peer worse key but less demoted: no preempt
    [1, 100, 0, false, 1, 0, 1, true, 'more demoted master'], // OpenBSD: even without preempt
    [1, 100, 0, false, 1, 240, 0, false, ''], // FreeBSD-demoted master, no preempt: wait (as ucarp without -P)
    [1, 100, 0, true, 1, 240, 0, true, 'preempting'], // ... with preempt: take over
    [1, 100, 0, false, 255, 255, 0, true, 'bowed out'],
    [84, 0, 0, false, 255, 255, 0, true, 'bowed out'], // 255*256+255 > 3*84*256
    [100, 0, 0, false, 255, 255, 0, false, ''], // too slow a backup for the bow-out row
    [1, 100, 0, false, 4, 0, 0, true, 'would time out'], // 1024 > 3*256+100
  ])('own (%i,%i,d%i,preempt %s) hears (%i,%i,d%i): takes over %s', (ab, as, ad, preempt, pb, ps, pd, takes, reason) => {
    const p = P({ advbase: ab, advskew: as, demote: ad, preempt });
    const heard = step(backup(p), { type: 'advert', advert: adv(pb, ps, pd), now: 1000 });
    // A takeover from a master that still holds the addresses waits out the skew (advskew/256 s);
    // a bow-out from a node that is leaving (demote < 255) is acted on at once.
    const leaving = pb === 255 && ps === 255 && pd < 255;
    const r = takes && !leaving && as > 0 ? step(heard.state, { type: 'timer', timer: 'masterdown', now: 1000 + skewMs(p) }) : heard;
    if (takes && !leaving && as > 0) {
      expect(heard.state.state).toBe('BACKUP');
      expect(heard.actions).toEqual([{ type: 'arm', timer: 'masterdown', ms: skewMs(p) }]);
    }
    expect(r.state.state).toBe(takes ? 'MASTER' : 'BACKUP');
    if (takes) {
      expect(stateAction(r.actions)!.reason).toContain(reason);
      expect(r.actions.some((a) => a.type === 'addAddresses')).toBe(true);
    } else {
      expect(r.actions).toEqual([{ type: 'arm', timer: 'masterdown', ms: masterDownMs(p) }]);
      expect(r.state.masterdownFrom).toBe(1000);
    }
  });

  it('reports the silence since the last advert when the timer finally fires', () => {
    const p = P();
    const s = run(backup(p), { type: 'advert', advert: adv(1, 0), now: 2000 }).state;
    const r = step(s, { type: 'timer', timer: 'masterdown', now: 5000 });
    expect(stateAction(r.actions)!.reason).toBe('master down timer expired (3.00 s without adverts)');
  });
});

describe('parameter changes', () => {
  it('MASTER: a demotion change sends an advert at once with the new value', () => {
    const r = step(master(P()), { type: 'params', params: P({ demote: 5 }), now: 4000 });
    expect(r.actions).toEqual([
      { type: 'send', advbase: 1, advskew: 0, demote: 5 },
      { type: 'arm', timer: 'advert', ms: 1000 },
    ]);
    expect(wireValues(r.state)).toEqual({ advbase: 1, advskew: 0, demote: 5 });
  });

  it('MASTER: an advskew change sends at once and re-arms with the new interval', () => {
    const r = step(master(P()), { type: 'params', params: P({ advskew: 128 }), now: 4000 });
    expect(r.actions).toEqual([
      { type: 'send', advbase: 1, advskew: 128, demote: 0 },
      { type: 'arm', timer: 'advert', ms: 1500 },
    ]);
  });

  it('MASTER: a preempt change alone sends nothing', () => {
    expect(step(master(P()), { type: 'params', params: P({ preempt: true }), now: 4000 }).actions).toEqual([]);
  });

  it('BACKUP: a new advskew keeps the deadline relative to the last advert', () => {
    const s = run(backup(P()), { type: 'advert', advert: adv(1, 0), now: 1000 }).state;
    const r = step(s, { type: 'params', params: P({ advskew: 128 }), now: 2000 });
    expect(r.actions).toEqual([{ type: 'arm', timer: 'masterdown', ms: 1000 + 3500 - 2000 }]);
    expect(r.state.params.advskew).toBe(128);
  });

  it('INIT: parameters are only stored', () => {
    const r = step(initialState(P()), { type: 'params', params: P({ advskew: 7 }), now: 1 });
    expect(r.actions).toEqual([]);
    expect(r.state.params.advskew).toBe(7);
  });
});

describe('link and stop', () => {
  it('link down as MASTER releases the addresses and goes INIT without sending', () => {
    const r = step(master(P()), { type: 'link', up: false, now: 5000 });
    expect(r.state.state).toBe('INIT');
    expect(types(r.actions)).toEqual(['state', 'cancel:advert', 'removeAddresses', 'hook:down']);
    expect(stateAction(r.actions)!.reason).toBe('link down');
  });

  it('link down as BACKUP cancels the master-down timer; link up starts again', () => {
    const d = step(backup(P()), { type: 'link', up: false, now: 1000 });
    expect(types(d.actions)).toEqual(['state', 'cancel:masterdown']);
    const u = step(d.state, { type: 'link', up: true, now: 2000 });
    expect(u.state.state).toBe('BACKUP');
    expect(u.actions).toContainEqual({ type: 'arm', timer: 'masterdown', ms: 3000 });
    expect(stateAction(u.actions)!.reason).toBe('link up');
  });

  it('link up after stop does not start', () => {
    const s = run(backup(P()), { type: 'stop', now: 1 }).state;
    const r = step(s, { type: 'link', up: true, now: 2 });
    expect(r.state.state).toBe('INIT');
    expect(r.actions).toEqual([]);
  });

  it('stop as MASTER sends the bow-out with its demote, then releases the addresses', () => {
    const r = step(master(P({ demote: 3 })), { type: 'stop', now: 5000 });
    expect(r.state.state).toBe('INIT');
    expect(types(r.actions)).toEqual(['state', 'send', 'cancel:advert', 'removeAddresses', 'hook:down']);
    expect(r.actions[1]).toEqual({ type: 'send', advbase: 255, advskew: 255, demote: 3 });
  });

  it('stop as BACKUP sends nothing', () => {
    const r = step(backup(P()), { type: 'stop', now: 5 });
    expect(types(r.actions)).toEqual(['state', 'cancel:masterdown']);
  });
});

describe('maintenance', () => {
  const M = (o: Partial<EngineParams> = {}) => P({ maintenance: true, ...o });

  it('wire values: demote 255 and advskew >= 240; as MASTER the 255/255 bow-out', () => {
    expect(wireValues(backup(M({ advskew: 10, demote: 2 })))).toEqual({ advbase: 1, advskew: 240, demote: 255 });
    expect(wireValues(backup(M({ advskew: 250 })))).toEqual({ advbase: 1, advskew: 250, demote: 255 });
    expect(wireValues(master(M()))).toEqual({ advbase: 255, advskew: 255, demote: 255 });
  });

  it('MASTER entering maintenance bows out at once but keeps its addresses', () => {
    const r = step(master(P()), { type: 'params', params: M(), now: 4000 });
    expect(r.state.state).toBe('MASTER');
    expect(r.actions).toEqual([
      { type: 'send', advbase: 255, advskew: 255, demote: 255 },
      { type: 'arm', timer: 'advert', ms: 1000 },
    ]);
    const next = step(r.state, { type: 'timer', timer: 'advert', now: 5000 });
    expect(next.actions).toContainEqual({ type: 'send', advbase: 255, advskew: 255, demote: 255 });
    expect(next.actions.some((a) => a.type === 'removeAddresses')).toBe(false);
  });

  it('maintenance MASTER steps down on any valid advert (even a worse one): make-before-break', () => {
    const r = step(master(M()), { type: 'advert', advert: adv(1, 200, 0, '198.18.0.3'), now: 9000 });
    expect(r.state.state).toBe('BACKUP');
    expect(stateAction(r.actions)!.reason).toBe('maintenance: successor 198.18.0.3 heard');
    expect(r.actions).toContainEqual({ type: 'removeAddresses' });
  });

  it.each([
    ['a maintenance bow-out (demote 255)', adv(255, 255, 255), true, false],
    ['a normal node bowing out (demote 0)', adv(255, 255, 0), false, true],
    ['a worse master with preempt on', adv(1, 200), true, false],
    ['a more demoted master', adv(1, 0, 7), false, false],
  ])('maintenance BACKUP hears %s', (_name, a, preempt, takes) => {
    const r = step(backup(M({ preempt })), { type: 'advert', advert: a, now: 100 });
    expect(r.state.state).toBe(takes ? 'MASTER' : 'BACKUP');
  });

  it('maintenance BACKUP still takes the addresses when the master-down timer fires', () => {
    const r = step(backup(M()), { type: 'timer', timer: 'masterdown', now: 3937.5 });
    expect(r.state.state).toBe('MASTER');
    expect(r.actions).toContainEqual({ type: 'addAddresses' });
    expect(r.actions).toContainEqual({ type: 'send', advbase: 255, advskew: 255, demote: 255 });
  });

  it('leaving maintenance as MASTER advertises normal values at once', () => {
    const r = step(master(M({ advskew: 20 })), { type: 'params', params: P({ advskew: 20 }), now: 4000 });
    expect(r.actions[0]).toEqual({ type: 'send', advbase: 1, advskew: 20, demote: 0 });
  });
});

describe('simulated segments (fake network, fake clock)', () => {
  it('three nodes started together elect the smallest advskew; the others stay quiet', () => {
    const sim = new CarpSim();
    for (const [n, skew] of [['a', 0], ['b', 50], ['c', 100]] as const) sim.add(n, `198.18.0.${skew + 1}`, { advskew: skew });
    for (const n of sim.nodes) sim.fire(n, { type: 'start' });
    sim.runUntil(30_000);
    expect(sim.masters()).toEqual(['a']);
    expect(sim.holders()).toEqual(['a']);
    expect(sim.transitions.filter((t) => t.to === 'MASTER')).toEqual([expect.objectContaining({ t: 3000, node: 'a' })]);
    expect(new Set(sim.sent.map((x) => x.from))).toEqual(new Set(['a']));
    expect(sim.sent.length).toBeGreaterThanOrEqual(27);
  });

  it('equal keys, staggered start: the first to time out stays master (no flapping)', () => {
    const sim = new CarpSim();
    const a = sim.add('a', '198.18.0.1');
    const b = sim.add('b', '198.18.0.2');
    sim.fire(a, { type: 'start' });
    sim.runUntil(100);
    sim.fire(b, { type: 'start' });
    sim.runUntil(20_000);
    expect(sim.masters()).toEqual(['a']);
    expect(sim.transitions.filter((t) => t.to === 'MASTER')).toHaveLength(1);
  });

  it.each([
    [true, 'a'],
    [false, 'c'],
  ])('a better node joining later with preempt %s: master is %s', (preempt, expected) => {
    const sim = new CarpSim();
    const c = sim.add('c', '198.18.0.3', { advskew: 100 });
    const a = sim.add('a', '198.18.0.1', { advskew: 0, preempt });
    sim.fire(c, { type: 'start' });
    sim.runUntil(10_000);
    expect(sim.masters()).toEqual(['c']);
    sim.fire(a, { type: 'start' });
    sim.watchHolders = true;
    sim.runUntil(30_000);
    expect(sim.masters()).toEqual([expected]);
    expect(sim.holders()).toEqual([expected]);
    expect(sim.holderlessInstants).toBe(0);
  });

  it('demoting the master hands over to an OpenBSD-style backup after its skew', () => {
    const sim = new CarpSim();
    const a = sim.add('a', '198.18.0.1', { advskew: 0 });
    sim.add('b', '198.18.0.2', { advskew: 100 });
    for (const n of sim.nodes) sim.fire(n, { type: 'start' });
    sim.runUntil(5000);
    expect(sim.masters()).toEqual(['a']);
    sim.watchHolders = true;
    sim.params(a, { demote: 1 });
    sim.runUntil(5300);
    expect(sim.masters()).toEqual(['a']); // b heard demote 1 > 0 and waits out its skew (100/256 s)
    sim.runUntil(5400);
    expect(sim.masters()).toEqual(['b']); // then took over; a heard b (demote 0 < 1)
    expect(sim.holders()).toEqual(['b']);
    expect(sim.holderlessInstants).toBe(0);
    sim.params(a, { demote: 0 });
    sim.runUntil(20_000);
    expect(sim.masters()).toEqual(['b']); // no preempt: a waits
  });

  it('maintenance hands over with no VIP-less instant, and the best remaining node ends up master', () => {
    const sim = new CarpSim();
    const a = sim.add('a', '198.18.0.1', { advskew: 0 });
    sim.add('b', '198.18.0.2', { advskew: 50 });
    sim.add('c', '198.18.0.3', { advskew: 100 });
    for (const n of sim.nodes) sim.fire(n, { type: 'start' });
    sim.runUntil(10_000);
    expect(sim.masters()).toEqual(['a']);
    sim.watchHolders = true;
    sim.params(a, { maintenance: true });
    expect(sim.holders()).toEqual(['a']); // still holds until a successor is heard
    sim.runUntil(10_190);
    expect(sim.holders()).toEqual(['a']); // b and c wait out their skews (195 and 391 ms) while a holds on
    sim.runUntil(10_205);
    expect(sim.node('a').s.state).toBe('BACKUP');
    expect(sim.holders()).toEqual(['b']);
    // Only the best remaining node took over: c heard b before its own, longer skew ran out.
    expect(sim.transitions.filter((t) => t.node === 'c' && t.to === 'MASTER')).toEqual([]);
    const bTook = sim.transitions.find((t) => t.node === 'b' && t.to === 'MASTER')!;
    const aLeft = sim.transitions.find((t) => t.node === 'a' && t.to === 'BACKUP' && t.from === 'MASTER')!;
    expect(bTook.t).toBeLessThan(aLeft.t);
    expect(aLeft.reason).toMatch(/^maintenance: successor 198\.18\.0\.[23] heard$/);
    sim.runUntil(60_000);
    expect(sim.masters()).toEqual(['b']);
    expect(sim.holderlessInstants).toBe(0);
    expect(sim.holderlessMs).toBe(0);
  });

  it('a maintenance node still takes the VIP when the only other node dies', () => {
    const sim = new CarpSim();
    const a = sim.add('a', '198.18.0.1', { advskew: 0 });
    const b = sim.add('b', '198.18.0.2', { advskew: 50 });
    for (const n of sim.nodes) sim.fire(n, { type: 'start' });
    sim.runUntil(10_000);
    sim.params(a, { maintenance: true });
    sim.runUntil(20_000);
    expect(sim.masters()).toEqual(['b']);
    sim.crash(b);
    sim.runUntil(30_000);
    expect(sim.masters()).toEqual(['a']);
    expect(sim.holders()).toEqual(['a']);
    const took = sim.transitions.find((t) => t.node === 'a' && t.to === 'MASTER' && t.t > 20_000)!;
    expect(took.t - 20_000).toBeLessThanOrEqual(1000 + 3937.5);
    // while alone it keeps bowing out, and keeps the addresses
    expect(sim.sent.filter((x) => x.from === 'a' && x.t > took.t).every((x) => x.advbase === 255 && x.advskew === 255)).toBe(true);
  });

  it('two nodes in maintenance do not flap: the master keeps the VIP', () => {
    const sim = new CarpSim();
    const a = sim.add('a', '198.18.0.1', { advskew: 0 });
    const b = sim.add('b', '198.18.0.2', { advskew: 50 });
    for (const n of sim.nodes) sim.fire(n, { type: 'start' });
    sim.runUntil(10_000);
    sim.params(b, { maintenance: true });
    sim.params(a, { maintenance: true });
    sim.watchHolders = true;
    const before = sim.transitions.length;
    sim.runUntil(60_000);
    expect(sim.masters()).toEqual(['a']);
    expect(sim.transitions.length).toBe(before);
    expect(sim.holderlessInstants).toBe(0);
  });

  it('leaving maintenance with preempt takes the master role back on the next advert', () => {
    const sim = new CarpSim();
    const a = sim.add('a', '198.18.0.1', { advskew: 0, preempt: true });
    sim.add('b', '198.18.0.2', { advskew: 50 });
    for (const n of sim.nodes) sim.fire(n, { type: 'start' });
    sim.runUntil(10_000);
    sim.params(a, { maintenance: true });
    sim.runUntil(20_000);
    expect(sim.masters()).toEqual(['b']);
    sim.watchHolders = true;
    sim.params(a, { maintenance: false });
    sim.runUntil(21_500); // b advertises every 1.195 s
    expect(sim.masters()).toEqual(['a']);
    expect(sim.holders()).toEqual(['a']);
    expect(sim.holderlessInstants).toBe(0);
  });

  it('a clean stop of the master lets the backup take over within the network delay', () => {
    const sim = new CarpSim();
    const a = sim.add('a', '198.18.0.1', { advskew: 0 });
    sim.add('b', '198.18.0.2', { advskew: 50 });
    for (const n of sim.nodes) sim.fire(n, { type: 'start' });
    sim.runUntil(10_000);
    sim.watchHolders = true;
    sim.fire(a, { type: 'stop' });
    sim.runUntil(10_010);
    expect(sim.masters()).toEqual(['b']);
    expect(sim.holderlessMs).toBe(1); // the 1 ms one-way delay of the fake network: break-before-make by nature
  });

  it('a crashed master is replaced after the backup\'s master-down time', () => {
    const sim = new CarpSim();
    const a = sim.add('a', '198.18.0.1', { advskew: 0 });
    sim.add('b', '198.18.0.2', { advskew: 100 });
    for (const n of sim.nodes) sim.fire(n, { type: 'start' });
    sim.runUntil(10_000);
    const lastHeard = sim.sent.filter((x) => x.from === 'a').at(-1)!.t + 1;
    sim.crash(a);
    sim.runUntil(20_000);
    const took = sim.transitions.find((t) => t.node === 'b' && t.to === 'MASTER')!;
    expect(took.t - lastHeard).toBe(3390.625);
    expect(took.reason).toBe('master down timer expired (3.39 s without adverts)');
  });
});

describe('a takeover waiting out its skew', () => {
  const p = P({ advskew: 100, preempt: true });
  const waiting = () => step(backup(p), { type: 'advert', advert: adv(1, 200), now: 1000 }).state; // worse master: preempt after skew

  it('is called off when maintenance goes on before the skew runs out, and waits for silence again', () => {
    const s = waiting();
    expect(s.pendingTakeover).toMatch(/preempting/);
    const r = step(s, { type: 'params', params: { ...p, maintenance: true }, now: 1100 });
    expect(r.state.pendingTakeover).toBeNull();
    expect(r.state.state).toBe('BACKUP');
    // the master-down deadline counts from the advert heard at 1000, with the maintenance timeout
    expect(r.actions).toEqual([{ type: 'arm', timer: 'masterdown', ms: 1000 + masterDownMs({ ...p, maintenance: true }) - 1100 }]);
  });

  it('is called off when preempt goes off', () => {
    const r = step(waiting(), { type: 'params', params: { ...p, preempt: false }, now: 1100 });
    expect(r.state.pendingTakeover).toBeNull();
    expect(r.actions).toEqual([{ type: 'arm', timer: 'masterdown', ms: 1000 + masterDownMs(p) - 1100 }]);
  });

  it('stands when the new parameters still call for it (its timer untouched)', () => {
    const r = step(waiting(), { type: 'params', params: { ...p, advskew: 90 }, now: 1100 });
    expect(r.state.pendingTakeover).toMatch(/preempting/);
    expect(r.actions).toEqual([]);
    expect(step(r.state, { type: 'timer', timer: 'masterdown', now: 1000 + skewMs(p) }).state.state).toBe('MASTER');
  });
});

describe('a clean stop in maintenance', () => {
  it('bows out with the host own demotion, not the maintenance 255, so maintenance backups act on it', () => {
    const m = run(master(P({ demote: 3 })), { type: 'params', params: P({ demote: 3, maintenance: true }), now: 5000 }).state;
    const r = step(m, { type: 'stop', now: 6000 });
    expect(r.actions).toContainEqual({ type: 'send', advbase: 255, advskew: 255, demote: 3 });
    // a backup in maintenance takes over at once on that bow-out
    const b = step(backup(P({ advskew: 50, maintenance: true })), { type: 'advert', advert: adv(255, 255, 3), now: 6001 });
    expect(b.state.state).toBe('MASTER');
  });
});
