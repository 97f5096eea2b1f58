// Fleet deltas: the differ sends only what changed, the assembler rebuilds exactly the sender's fleet
// (through JSON, as on the wire), sharing unchanged items, and refuses a delta that does not follow.
import { describe, expect, it } from 'vitest';
import { fleetAssembler, fleetDiffer, fleetFollower, FleetDeltaError, type FleetUpdate } from './delta.js';
import type { Fleet, FleetGroup, HostView } from './types.js';

const host = (name: string, demote = 0) => ({ host: name, status: 'live', demote }) as unknown as HostView;
const group = (vhid: number, master: string) => ({ key: `s#${vhid}`, segment: 's', vhid, master, members: [] }) as unknown as FleetGroup;
const fleet = (at: number, hosts: HostView[], groups: FleetGroup[], findings: Fleet['findings'] = []): Fleet => ({ at, hosts, groups, findings });
const wire = (u: FleetUpdate): FleetUpdate => JSON.parse(JSON.stringify(u)) as FleetUpdate;

describe('fleetDiffer', () => {
  it('sends the whole fleet first, then only the hosts and groups whose content changed', () => {
    const diff = fleetDiffer();
    const f1 = fleet(1, [host('fw1'), host('fw2')], [group(1, 'fw1'), group(2, 'fw1'), group(3, 'fw2')]);
    expect(diff(f1)).toEqual({ kind: 'full', seq: 1, fleet: f1, findingIds: [] });
    // a rebuilt fleet: new objects, same content except group 2 and fw2
    const f2 = fleet(2, [host('fw1'), host('fw2', 1)], [group(1, 'fw1'), group(2, 'fw2'), group(3, 'fw2')]);
    const u = diff(f2);
    expect(u).toEqual({ kind: 'delta', delta: { seq: 2, base: 1, at: 2, hosts: [host('fw2', 1)], groups: [group(2, 'fw2')] } });
    // nothing changed but the time: an empty delta
    expect(diff(fleet(3, f2.hosts, f2.groups))).toEqual({ kind: 'delta', delta: { seq: 3, base: 2, at: 3, hosts: [], groups: [] } });
  });

  it('sends the order only when the set or the order changes, and findings only when they change', () => {
    const diff = fleetDiffer();
    diff(fleet(1, [host('fw1')], [group(1, 'fw1'), group(2, 'fw1')]));
    const u = diff(fleet(2, [host('fw1')], [group(2, 'fw1'), group(1, 'fw1')], [{ kind: 'no-master' } as never]));
    expect(u.kind === 'delta' && u.delta).toMatchObject({ groupOrder: ['s#2', 's#1'], groups: [], findings: { order: [1], added: [[1, { kind: 'no-master' }]] } });
    expect(u.kind === 'delta' && 'hostOrder' in u.delta).toBe(false);
    const gone = diff(fleet(3, [], [group(2, 'fw1')], [{ kind: 'no-master' } as never]));
    expect(gone.kind === 'delta' && gone.delta).toEqual({ seq: 3, base: 2, at: 3, hosts: [], hostOrder: [], groups: [], groupOrder: ['s#2'] });
  });

  it('sends each finding once: later lists are lists of numbers (equal findings in one list get their own)', () => {
    const diff = fleetDiffer();
    const a = { kind: 'no-master', message: 'a' } as never;
    const b = { kind: 'split-brain', message: 'b' } as never;
    const c = { kind: 'no-successor', message: 'c' } as never;
    expect(diff(fleet(1, [], [], [a, b]))).toMatchObject({ kind: 'full', findingIds: [1, 2] });
    // rebuilt objects with the same content keep their numbers; only c is new
    const u = diff(fleet(2, [], [], [{ ...(b as object) } as never, c, { ...(a as object) } as never]));
    expect(u.kind === 'delta' && u.delta.findings).toEqual({ order: [2, 3, 1], added: [[3, c]] });
    const twice = diff(fleet(3, [], [], [c, { ...(c as object) } as never]));
    expect(twice.kind === 'delta' && twice.delta.findings).toEqual({ order: [3, 4], added: [[4, c]] });
    // a finding that went away and comes back is new again (numbers are not kept for absent findings)
    const back = diff(fleet(4, [], [], [a]));
    expect(back.kind === 'delta' && back.delta.findings).toEqual({ order: [5], added: [[5, a]] });
  });
});

describe('fleetAssembler', () => {
  it('rebuilds every fleet the sender had, through JSON, keeping unchanged items as the same objects', () => {
    const diff = fleetDiffer();
    const assemble = fleetAssembler();
    let vhids = [1, 2, 3, 4];
    let held: Fleet | null = null;
    for (let i = 0; i < 40; i++) {
      if (i % 7 === 3) vhids = [...vhids.slice(1), 10 + i]; // groups come and go
      const findings = vhids.filter((v) => (v + i) % 3 === 0).map((v) => ({ kind: 'no-master', group: `s#${v}`, message: `vhid ${v}` }) as never);
      const f = fleet(i, [host('fw1', i % 3), host('fw2')], vhids.map((v) => group(v, (v + i) % 5 === 0 ? 'fw2' : 'fw1')), findings);
      const got = assemble(wire(diff(f)));
      expect(got).toEqual(f);
      if (held) {
        for (const g of got.groups) {
          const before = held.groups.find((x) => x.key === g.key);
          if (before && JSON.stringify(before) === JSON.stringify(g)) expect(g).toBe(before);
        }
        expect(got.hosts[1]).toBe(held.hosts[1]); // fw2 never changes
      }
      held = got;
    }
  });

  it('refuses a delta that does not follow the fleet it holds, naming both, and starts over on a whole fleet', () => {
    const diff = fleetDiffer();
    const assemble = fleetAssembler();
    const f1 = fleet(1, [host('fw1')], [group(1, 'fw1')]);
    const first = diff(f1);
    diff(fleet(2, [host('fw1')], [group(1, 'fw2')])); // lost on the way
    const third = diff(fleet(3, [host('fw1')], [group(1, 'fw1')]));
    expect(() => assemble(third)).toThrow(FleetDeltaError);
    expect(() => assemble(third)).toThrow(/update 3 follows 2, but this page holds no fleet/);
    assemble(first);
    expect(() => assemble(third)).toThrow(/follows 2, but this page holds 1/);
    expect(assemble({ kind: 'full', seq: 9, fleet: f1, findingIds: [] })).toBe(f1);
    expect(() => assemble({ kind: 'delta', delta: { seq: 10, base: 9, at: 10, hosts: [], groups: [], findings: { order: [99], added: [] } } })).toThrow(/finding 99, which neither it nor the fleet held carries/);
  });
});

describe('fleetFollower', () => {
  it('gives a late listener the whole fleet as it is now', () => {
    const diff = fleetDiffer();
    const follower = fleetFollower();
    expect(follower.current()).toBeNull();
    follower.follow(diff(fleet(1, [host('fw1')], [group(1, 'fw1')])));
    const f2 = fleet(2, [host('fw1')], [group(1, 'fw2')]);
    follower.follow(diff(f2));
    expect(follower.current()).toEqual({ kind: 'full', seq: 2, fleet: f2, findingIds: [] });
  });
});
