// The console's successor prediction agrees with the agent's engine: for a table of groups, the
// master crashes in a simulated network of real engines (agent/engine/sim.ts) and the one that ends
// up MASTER is the predicted successor; on a tie, either may win (who hears the last advert first),
// and the console names both instead of inventing a rule (it used to pick the lower source address).
import { describe, expect, it } from 'vitest';
import { CarpSim, type SimNode } from '../../../agent/engine/sim.js';
import { advertIntervalMs, wireValues } from '../../../agent/engine/engine.js';
import type { EngineEvent, EngineParams } from '../../../agent/engine/types.js';
import { predictSuccessors } from './election.js';
import type { Member } from './types.js';

/** A Member as buildFleet makes it from an agent's report of this engine. */
function memberOf(n: SimNode): Member {
  const w = wireValues(n.s);
  const p = n.s.params;
  return {
    host: n.name,
    hostStatus: 'live',
    live: true,
    interface: 'eth0',
    srcip: n.src,
    state: n.s.state,
    advbase: p.advbase,
    advskew: p.advskew,
    wireAdvbase: w.advbase,
    wireAdvskew: w.advskew,
    demote: w.demote,
    preempt: p.preempt,
    maintenance: p.maintenance,
    effectiveIntervalMs: advertIntervalMs(p),
    addresses: ['198.18.0.100/24'],
    lastSeen: 0,
    since: 0,
    sent: 0,
    received: 0,
    drops: {},
  } as Member;
}

type Backup = [name: string, params: Partial<EngineParams>];

/**
 * m (advbase 1, advskew 0) masters the group, the backups join, m crashes. `late`: that backup hears
 * m's last advert 5 ms after the others (network jitter). Returns the prediction made before the
 * crash and who is MASTER 30 s later.
 */
function failover(backups: Backup[], late?: string): { predicted: string[]; winner: string[] } {
  const sim = new CarpSim();
  const m = sim.add('m', '198.18.0.1', { advskew: 0 });
  // Source addresses in the opposite order of the names: a lower-address rule would show.
  backups.forEach(([name, p], i) => sim.add(name, `198.18.0.${200 - i}`, p));
  sim.fire(m, { type: 'start' });
  sim.runUntil(4000);
  for (const n of sim.nodes.slice(1)) sim.fire(n, { type: 'start' });
  sim.runUntil(10_000);
  expect(sim.masters()).toEqual(['m']);
  const predicted = predictSuccessors(sim.nodes.map(memberOf), 'm').map((x) => x.host);
  sim.crash(m);
  if (late) {
    sim.runUntil(sim.now + 5);
    const w = wireValues(m.s);
    sim.fire(sim.node(late), { type: 'advert', advert: { src: m.src, ...w } } as EngineEvent);
  }
  sim.runUntil(sim.now + 30_000);
  return { predicted, winner: sim.masters() };
}

describe('predictSuccessors agrees with the engine', () => {
  it.each<[string, Backup[], string]>([
    ['lower advskew', [['b', { advskew: 100 }], ['c', { advskew: 50 }]], 'c'],
    ['advbase before advskew', [['b', { advbase: 2, advskew: 0 }], ['c', { advskew: 200 }]], 'c'],
    ['lower demote before advskew', [['b', { advskew: 10, demote: 1 }], ['c', { advskew: 100 }]], 'c'],
    ['a member in maintenance loses to any other', [['b', { advskew: 0, maintenance: true }], ['c', { advskew: 250 }]], 'c'],
    ['a member in maintenance still takes over when it is the only one', [['b', { advskew: 0, maintenance: true }]], 'b'],
    ['preempt does not change who wins a failover', [['b', { advskew: 60, preempt: true }], ['c', { advskew: 50 }]], 'c'],
  ])('%s', (_, backups, want) => {
    const r = failover(backups);
    expect(r.predicted).toEqual([want]);
    expect(r.winner).toEqual([want]);
  });

  it('a tie is a race: either member may win, and the console predicts both', () => {
    const tied: Backup[] = [['b', { advskew: 100 }], ['c', { advskew: 100 }], ['d', { advskew: 150 }]];
    const lateC = failover(tied, 'c');
    const lateB = failover(tied, 'b');
    expect(lateC.winner).toEqual(['b']);
    expect(lateB.winner).toEqual(['c']);
    // c has the lower source address (.199 vs .200): the old rule predicted c alone, wrong in the first race.
    expect(lateC.predicted).toEqual(['b', 'c']);
    expect(lateB.predicted).toEqual(['b', 'c']);
  });
});

describe('predictSuccessors in a mixed group (docs/carp-protocol.md §6: OpenBSD\'s longer master-down)', () => {
  const m = (host: string, advskew: number, o: Partial<Member> = {}): Member =>
    ({ host, hostStatus: 'live', live: true, interface: 'eth0', srcip: '198.18.0.9', state: 'BACKUP', advbase: 1, advskew, wireAdvbase: 1, wireAdvskew: advskew, demote: 0, preempt: true, maintenance: false, effectiveIntervalMs: 1000, addresses: [], password: 'same', since: 0, sent: 0, received: 0, drops: {}, ...o });
  const master = m('a', 0, { state: 'MASTER' });

  it('an OpenBSD backup with the best advskew fires after an agent backup (3.59 s against 3.39 s) and takes the group with preempt', () => {
    const k = m('k', 50, { kernel: 'openbsd' });
    const c = m('c', 100);
    expect(predictSuccessors([master, k, c], 'a').map((x) => x.host)).toEqual(['k']);
  });

  it('without preempt the agent backup that fired first keeps it', () => {
    const k = m('k', 50, { kernel: 'openbsd', preempt: false });
    const c = m('c', 100);
    expect(predictSuccessors([master, k, c], 'a').map((x) => x.host)).toEqual(['c']);
    // OpenBSD takes over from a master advertising a higher demote whatever its preempt.
    expect(predictSuccessors([master, k, m('c', 10, { demote: 1 })], 'a').map((x) => x.host)).toEqual(['k']);
    // Among agents (or FreeBSD kernels: the same formula) the best is the first to fire: nothing changes.
    expect(predictSuccessors([master, m('k', 50, { kernel: 'freebsd', preempt: false }), c], 'a').map((x) => x.host)).toEqual(['k']);
  });
});
