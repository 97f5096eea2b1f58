// The engine at advbase 0 (sub-second adverts every advskew/256 s, OpenBSD's 3 × advskew/256 s
// master-down): exact periods and timeouts on the fake clock, and elections, preempt, demotion,
// maintenance and bow-out at those intervals in simulated segments (sim.ts).
import { describe, expect, it } from 'vitest';
import { advertIntervalMs, initialState, masterDownMs, skewMs, step } from './engine.js';
import { CarpSim } from './sim.js';
import { advertPeriodMs, masterDownTimeoutMs } from './timers.js';
import type { EngineParams } from './types.js';

const P = (o: Partial<EngineParams> = {}): EngineParams => ({ vhid: 1, advbase: 0, advskew: 10, demote: 0, preempt: false, maintenance: false, ...o });

/** fw1 (advskew 10) MASTER and fw2 (advskew 20) BACKUP hearing it, both advbase 0; `at` ms of the fake clock. */
function pair(o: { b?: Partial<EngineParams>; delayMs?: number } = {}) {
  const sim = new CarpSim({ delayMs: o.delayMs ?? 0.5 });
  const m = sim.add('fw1', '198.18.0.1', { advbase: 0, advskew: 10 });
  const b = sim.add('fw2', '198.18.0.2', { advbase: 0, advskew: 20, ...o.b });
  sim.fire(m, { type: 'start' });
  sim.runUntil(200); // fw1 alone times out after 117.1875 ms
  sim.fire(b, { type: 'start' });
  sim.runUntil(1000);
  return { sim, m, b };
}

describe('timers at advbase 0 (docs/carp-protocol.md §3.2, §5.1)', () => {
  it.each([
    // advskew, maintenance, advert period ms, master-down ms
    [1, false, 3.90625, 11.71875],
    [10, false, 39.0625, 117.1875],
    [20, false, 78.125, 234.375],
    [254, false, 992.1875, 2976.5625],
    [20, true, 78.125, 2812.5], // maintenance: master-down with advskew 240, adverts at the configured pace
  ])('advskew %i maintenance %s: advert every %f ms, master down after %f ms (3 periods, skew included)', (advskew, maintenance, period, down) => {
    const p = P({ advskew, maintenance });
    expect(advertIntervalMs(p)).toBe(period);
    expect(masterDownMs(p)).toBe(down);
    if (!maintenance) expect(masterDownMs(p)).toBe(3 * advertIntervalMs(p));
  });

  it('advbase 1 keeps the FreeBSD/ucarp master-down 3·advbase + advskew/256 s; the formulas meet at the advbase 0/1 boundary', () => {
    expect(masterDownTimeoutMs(1, 100)).toBe(3390.625);
    expect(masterDownTimeoutMs(0, 254)).toBeLessThan(masterDownTimeoutMs(1, 0));
    expect(advertPeriodMs(0, 0)).toBe(1000 / 256); // OpenBSD's floor (the config refuses 0/0)
  });

  it('a BACKUP arms exactly 3 × advskew/256 s after every advert it hears', () => {
    let s = step(initialState(P({ advskew: 20 })), { type: 'start', now: 0 }).state;
    for (const now of [10, 49.0625, 88.125]) {
      const r = step(s, { type: 'advert', advert: { src: '198.18.0.1', advbase: 0, advskew: 10, demote: 0 }, now });
      expect(r.actions).toEqual([{ type: 'arm', timer: 'masterdown', ms: 234.375 }]);
      expect(r.state.state).toBe('BACKUP');
      s = r.state;
    }
  });
});

describe('a pair at advbase 0 on the fake clock (master advskew 10, backup advskew 20)', () => {
  it('the master advertises every 39.0625 ms exactly, the backup never takes over while it hears them', () => {
    const { sim } = pair();
    sim.runUntil(5000);
    expect(sim.masters()).toEqual(['fw1']);
    expect(sim.transitions.filter((t) => t.node === 'fw2' && t.to === 'MASTER')).toEqual([]);
    const times = sim.sent.filter((x) => x.from === 'fw1').map((x) => x.t);
    const gaps = new Set(times.slice(1).map((t, i) => t - times[i]));
    expect(gaps).toEqual(new Set([39.0625]));
    expect(times.length).toBe(Math.floor((5000 - 117.1875) / 39.0625) + 1); // 125
    expect(sim.sent.every((x) => x.advbase === 0 && x.advskew === 10)).toBe(true);
  });

  it('the master dies: the backup is MASTER exactly 234.375 ms after the last advert reached it', () => {
    const { sim, m } = pair();
    sim.runUntil(2003);
    const last = sim.sent.filter((x) => x.from === 'fw1').at(-1)!;
    sim.crash(m);
    sim.runUntil(3000);
    const up = sim.transitions.filter((t) => t.node === 'fw2' && t.to === 'MASTER');
    expect(up).toEqual([expect.objectContaining({ t: last.t + 0.5 + 234.375, reason: 'master down timer expired (0.23 s without adverts)' })]);
    expect(sim.holders()).toEqual(['fw2']);
  });

  it('lost adverts: 4 in a row are ridden out; 5 are a takeover (the 6th is due on the deadline: 6 × 39.0625 ms = 234.375 ms)', () => {
    const period = advertIntervalMs(P({ advskew: 10 }));
    /** fw2 (advskew 20) hears fw1's adverts at i × period + 0.5 ms unless lost[i]; its one timer as the runtime keeps it. */
    const backupUnder = (lost: boolean[]) => {
      let s = step(initialState(P({ advskew: 20 })), { type: 'start', now: -1 }).state;
      let deadline = Infinity;
      for (let i = 0; i <= lost.length; i++) {
        const t = i * period + 0.5;
        if (deadline <= t) return { tookOverAt: deadline, state: step(s, { type: 'timer', timer: 'masterdown', now: deadline }).state.state };
        if (lost[i] === true) continue;
        const r = step(s, { type: 'advert', advert: { src: '198.18.0.1', advbase: 0, advskew: 10, demote: 0 }, now: t });
        s = r.state;
        for (const a of r.actions) if (a.type === 'arm') deadline = t + a.ms;
      }
      return { tookOverAt: null, state: s.state };
    };
    const x = false;
    const L = true;
    expect(backupUnder([x, L, L, L, L, x, x, L, L, L, L, x, L, L, L, L, x])).toEqual({ tookOverAt: null, state: 'BACKUP' });
    expect(backupUnder([x, x, L, L, L, L, L, x])).toEqual({ tookOverAt: period + 0.5 + 234.375, state: 'MASTER' });
  });

  it('preempt: a better node joining takes over after its own skew (5/256 s), holding the VIP at every instant', () => {
    const { sim } = pair();
    const c = sim.add('fw3', '198.18.0.3', { advbase: 0, advskew: 5, preempt: true });
    sim.watchHolders = true;
    sim.fire(c, { type: 'start' });
    const heardAt = sim.now;
    sim.runUntil(2000);
    expect(sim.masters()).toEqual(['fw3']);
    expect(sim.holderlessInstants).toBe(0);
    const up = sim.transitions.find((t) => t.node === 'fw3' && t.to === 'MASTER')!;
    // First advert of fw1 after fw3 started, plus the network delay, plus fw3's skew of 19.53125 ms.
    const firstHeard = sim.sent.find((x) => x.from === 'fw1' && x.t >= heardAt)!.t + 0.5;
    expect(up.t).toBe(firstHeard + skewMs(P({ advskew: 5 })));
    expect(up.reason).toMatch(/^preempting less preferred master 198\.18\.0\.1 .*\(after own skew 20 ms\)$/);
  });

  it('demotion: the master demoted by 1 advertises at once and the backup takes over after its skew (78.125 ms)', () => {
    const { sim, m } = pair();
    sim.watchHolders = true;
    const t0 = sim.now;
    sim.params(m, { demote: 1 });
    expect(sim.sent.at(-1)).toMatchObject({ t: t0, from: 'fw1', advbase: 0, advskew: 10, demote: 1 });
    sim.runUntil(t0 + 1000);
    expect(sim.masters()).toEqual(['fw2']);
    const up = sim.transitions.find((t) => t.node === 'fw2' && t.to === 'MASTER')!;
    expect(up.t).toBe(t0 + 0.5 + 78.125);
    expect(up.reason).toMatch(/^more demoted master/);
    expect(sim.holderlessInstants).toBe(0);
  });

  it('maintenance on the master hands over without a holderless instant', () => {
    const { sim, m } = pair();
    sim.watchHolders = true;
    sim.params(m, { maintenance: true });
    sim.runUntil(sim.now + 3000);
    expect(sim.masters()).toEqual(['fw2']);
    expect(sim.holders()).toEqual(['fw2']);
    expect(sim.holderlessInstants).toBe(0);
    expect(sim.holderlessMs).toBe(0);
  });

  it('a clean stop of the master (bow-out 255/255) is acted on at once at advbase 0 too', () => {
    const { sim, m } = pair();
    const t0 = sim.now;
    sim.fire(m, { type: 'stop' });
    sim.runUntil(t0 + 100);
    const up = sim.transitions.find((t) => t.node === 'fw2' && t.to === 'MASTER')!;
    expect(up.t).toBe(t0 + 0.5);
    expect(up.reason).toBe('master 198.18.0.1 bowed out (advbase 255, advskew 255)');
  });

  it('a master advertising every second (advbase 1) would time out a backup at advbase 0: it takes over after its skew', () => {
    let s = step(initialState(P({ advskew: 20 })), { type: 'start', now: 0 }).state;
    const r = step(s, { type: 'advert', advert: { src: '198.18.0.9', advbase: 1, advskew: 0, demote: 0 }, now: 5 });
    expect(r.actions).toEqual([{ type: 'arm', timer: 'masterdown', ms: 78.125 }]);
    s = step(r.state, { type: 'timer', timer: 'masterdown', now: 83.125 }).state;
    expect(s.state).toBe('MASTER');
    // A master at advbase 0 advskew 60 (period 234.375 ms) is not longer than the timeout: no takeover.
    const b = step(initialState(P({ advskew: 20 })), { type: 'start', now: 0 }).state;
    expect(step(b, { type: 'advert', advert: { src: '198.18.0.9', advbase: 0, advskew: 60, demote: 0 }, now: 5 }).state.pendingTakeover).toBeNull();
  });
});
