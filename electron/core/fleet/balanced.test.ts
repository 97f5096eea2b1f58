// Balanced units (arpbalance) in the fleet model: the article's two hosts, each host's share of the
// clients, the findings of an incomplete or mismatched set, and the units through the build cache and
// the fleet deltas.
import { describe, expect, it } from 'vitest';
import { buildFleet, newFleetBuildCache } from './build-fleet.js';
import { fleetAssembler, fleetDiffer, type FleetUpdate } from './delta.js';
import type { GroupStatus } from '../../../agent/control/messages.js';
import type { Fleet, HostReport } from './types.js';
import { groupStatus, snapshot } from '../testing/snapshots.js';

const NOW = 50_000;
const ADDR = ['198.18.0.100/24'];

/** The article's setup: rachael vhid 1 advskew 0 / vhid 2 advskew 100, pris the reverse, both balanced. */
function article(o: { rachael?: Partial<GroupStatus>[]; pris?: Partial<GroupStatus>[]; prisArpbalance?: boolean } = {}) {
  const g = (vhid: number, srcip: string, over: Partial<GroupStatus> = {}) => groupStatus({ vhid, srcip, addresses: ADDR, balanced: [1, 2], ...over });
  const rachael = [g(1, '198.18.0.1', { state: 'MASTER', ...o.rachael?.[0] }), g(2, '198.18.0.1', { advskew: 100, ...o.rachael?.[1] })];
  const pris = [g(1, '198.18.0.2', { advskew: 100, ...o.pris?.[0] }), g(2, '198.18.0.2', { state: 'MASTER', ...o.pris?.[1] })];
  return { rachael, pris, prisArpbalance: o.prisArpbalance ?? true };
}

function reports(w: ReturnType<typeof article>, extra: HostReport[] = []): HostReport[] {
  return [
    { host: 'rachael', status: 'live', lastSeen: NOW, snapshot: snapshot('rachael', w.rachael, { arpbalance: true }) },
    { host: 'pris', status: 'live', lastSeen: NOW, snapshot: snapshot('pris', w.pris, { arpbalance: w.prisArpbalance }) },
    ...extra,
  ];
}

const kinds = (f: Fleet) => f.findings.map((x) => x.kind).filter((k) => k.startsWith('balance:') || k === 'split-masters');

describe('balanced units', () => {
  it("the article's set is one unit of two groups, each host mastering one vhid: half of the clients each, no finding", () => {
    const f = buildFleet(reports(article()), NOW);
    expect(f.groups.map((g) => [g.vhid, g.master, g.members.map((m) => m.balanced)])).toEqual([
      [1, 'rachael', [[1, 2], [1, 2]]],
      [2, 'pris', [[1, 2], [1, 2]]],
    ]);
    expect(f.hosts.map((h) => [h.host, h.arpbalance])).toEqual([['pris', true], ['rachael', true]]);
    expect(f.balanced).toEqual([
      {
        key: '198.18.0.0/24 198.18.0.100/24',
        segment: '198.18.0.0/24',
        addresses: ADDR,
        vhids: [1, 2],
        groups: ['198.18.0.0/24#1', '198.18.0.0/24#2'],
        hosts: [
          { host: 'pris', member: [1, 2], masters: [2], share: 0.5, live: true },
          { host: 'rachael', member: [1, 2], masters: [1], share: 0.5, live: true },
        ],
        unserved: [],
      },
    ]);
    // mastered apart by design: not the split-masters finding that the same groups unbalanced raise
    expect(kinds(f)).toEqual([]);
    const plain = article({ rachael: [{ balanced: undefined }, { balanced: undefined }], pris: [{ balanced: undefined }, { balanced: undefined }] });
    const unbalanced = buildFleet(reports(plain), NOW);
    expect(unbalanced.balanced).toBeUndefined();
    expect(kinds(unbalanced)).toEqual(['split-masters']);
  });

  it('a host that fails hands its share over: the other serves every client; a vhid nobody masters is unserved', () => {
    const w = article({ pris: [{}, { state: 'MASTER' }], rachael: [{ state: 'BACKUP' }, {}] });
    w.pris[0] = { ...w.pris[0], state: 'MASTER' };
    const f = buildFleet(reports(w), NOW);
    expect(f.balanced![0].hosts.map((h) => [h.host, h.masters, h.share])).toEqual([
      ['pris', [1, 2], 1],
      ['rachael', [], 0],
    ]);
    const down = buildFleet(reports(article({ rachael: [{ state: 'MASTER' }, {}], pris: [{}, { state: 'BACKUP' }] })), NOW);
    expect(down.balanced![0].unserved).toEqual([2]);
    expect(down.balanced![0].hosts.find((h) => h.host === 'rachael')!.share).toBe(0.5);
  });

  it('a host in some vhids of the set but not all: balance:member-missing, naming it and what to do', () => {
    const fw3 = groupStatus({ vhid: 1, srcip: '198.18.0.3', addresses: ADDR, advskew: 200, balanced: [1, 2] });
    const f = buildFleet(reports(article(), [{ host: 'fw3', status: 'live', lastSeen: NOW, snapshot: snapshot('fw3', [fw3], { arpbalance: true }) }]), NOW);
    const missing = f.findings.filter((x) => x.kind === 'balance:member-missing');
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({ severity: 'warning', hosts: ['fw3'], group: '198.18.0.0/24#2' });
    expect(missing[0].message).toBe(
      "198.18.0.100/24 on 198.18.0.0/24, balanced over vhids 1, 2: fw3 is a member of vhid 1 but not of vhid 2, so it cannot take over the clients hashed to it when its master fails; add fw3 to every vhid of the set (apply the balanced set's file again) or remove it from all of them",
    );
    expect(f.balanced![0].hosts.find((h) => h.host === 'fw3')).toEqual({ host: 'fw3', member: [1], masters: [], share: 0, live: true });
  });

  it('a host balancing over a vhid no group on the segment has: an error (and its list differs from its peers)', () => {
    const w = article({ pris: [{ balanced: [1, 2, 3] }, { balanced: [1, 2, 3] }] });
    const f = buildFleet(reports(w), NOW);
    const missing = f.findings.filter((x) => x.kind === 'balance:member-missing');
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({ severity: 'error', hosts: ['pris'] });
    expect(missing[0].message).toMatch(/pris hashes its clients over vhids 1, 2, 3, but no host reports vhid 3 on 198\.18\.0\.0\/24, so the clients it hashes to that vhid get no answer/);
    const differ = f.findings.filter((x) => x.kind === 'balance:mismatch');
    expect(differ.map((x) => x.message)).toEqual([
      expect.stringMatching(/members of vhid 1 balance over different vhids \(pris: 1, 2, 3; rachael: 1, 2\)/),
      expect.stringMatching(/members of vhid 2 balance over different vhids/),
    ]);
  });

  it('arpbalance off on one host: its groups are not balanced there, a mismatch that says so', () => {
    const w = article({ pris: [{ balanced: undefined }, { balanced: undefined }], prisArpbalance: false });
    const f = buildFleet(reports(w), NOW);
    const mm = f.findings.filter((x) => x.kind === 'balance:mismatch');
    expect(mm.map((x) => [x.group, x.severity])).toEqual([
      ['198.18.0.0/24#1', 'error'],
      ['198.18.0.0/24#2', 'error'],
    ]);
    expect(mm[1].message).toMatch(/rachael balances vhid 2 but pris \(arpbalance is off there\) does not: as its master, a host that does not balance answers ARP for every client/);
    // still one unit: rachael reports it balanced
    expect(f.balanced![0].vhids).toEqual([1, 2]);
  });

  it('a group sharing some but not all of the set’s addresses, or all of them unbalanced: balance:mismatch', () => {
    const partial = groupStatus({ vhid: 3, srcip: '198.18.0.3', addresses: [...ADDR, '198.18.0.101/24'], state: 'MASTER' });
    const f = buildFleet(reports(article(), [{ host: 'fw3', status: 'live', lastSeen: NOW, snapshot: snapshot('fw3', [partial]) }]), NOW);
    const mm = f.findings.filter((x) => x.kind === 'balance:mismatch');
    expect(mm).toHaveLength(1);
    expect(mm[0]).toMatchObject({ group: '198.18.0.0/24#3', hosts: ['fw3', 'pris', 'rachael'] });
    expect(mm[0].message).toMatch(/vhid 3 shares 198\.18\.0\.100\/24 but carries 198\.18\.0\.100\/24 198\.18\.0\.101\/24; balanced groups must list exactly the same addresses/);
    const same = groupStatus({ vhid: 3, srcip: '198.18.0.3', addresses: ADDR, state: 'MASTER' });
    const g = buildFleet(reports(article(), [{ host: 'fw3', status: 'live', lastSeen: NOW, snapshot: snapshot('fw3', [same]) }]), NOW);
    expect(g.findings.filter((x) => x.kind === 'balance:mismatch').map((x) => x.message)).toEqual([expect.stringMatching(/vhid 3 carries the same addresses but none of its members balances it/)]);
    // another address entirely: nothing to say
    const other = groupStatus({ vhid: 3, srcip: '198.18.0.3', addresses: ['198.18.0.200/24'], state: 'MASTER' });
    expect(kinds(buildFleet(reports(article(), [{ host: 'fw3', status: 'live', lastSeen: NOW, snapshot: snapshot('fw3', [other]) }]), NOW))).toEqual([]);
  });

  it('through the build cache: equal to a build from scratch, unchanged groups kept', () => {
    const cache = newFleetBuildCache();
    const w = article();
    const a = buildFleet(reports(w), NOW, cache);
    const b = buildFleet(reports(w), NOW + 1000, cache);
    expect(b.groups[0]).toBe(a.groups[0]);
    expect(b.balanced).toEqual(a.balanced);
    const moved = { ...w, rachael: [{ ...w.rachael[0], state: 'BACKUP' as const }, w.rachael[1]], pris: [{ ...w.pris[0], state: 'MASTER' as const }, w.pris[1]] };
    const c = buildFleet(reports(moved), NOW + 2000, cache);
    expect(c).toEqual(buildFleet(reports(moved), NOW + 2000));
    expect(c.balanced![0].hosts.map((h) => h.share)).toEqual([1, 0]);
  });
});

describe('balanced units through fleet deltas', () => {
  const wire = (u: FleetUpdate): FleetUpdate => JSON.parse(JSON.stringify(u)) as FleetUpdate;
  it('sent whole when they change, not at all otherwise, and gone when the fleet has none', () => {
    const diff = fleetDiffer();
    const assemble = fleetAssembler();
    const w = article();
    const f1 = buildFleet(reports(w), NOW);
    expect(assemble(wire(diff(f1))).balanced).toEqual(f1.balanced);
    // rebuilt, same content: no balanced units in the delta
    const f2 = buildFleet(reports(w), NOW + 1);
    const u2 = diff(f2);
    expect(u2.kind === 'delta' && 'balanced' in u2.delta).toBe(false);
    expect(assemble(wire(u2)).balanced).toEqual(f1.balanced);
    // pris takes vhid 1: the units go again
    const moved = { ...w, rachael: [{ ...w.rachael[0], state: 'BACKUP' as const }, w.rachael[1]], pris: [{ ...w.pris[0], state: 'MASTER' as const }, w.pris[1]] };
    const f3 = buildFleet(reports(moved), NOW + 2);
    const u3 = diff(f3);
    expect(u3.kind === 'delta' && u3.delta.balanced).toEqual(f3.balanced);
    expect(assemble(wire(u3))).toEqual(f3);
    // balancing switched off: an empty list, and the assembled fleet has none
    const plain = article({ rachael: [{ balanced: undefined }, { balanced: undefined }], pris: [{ balanced: undefined }, { balanced: undefined }] });
    const f4 = buildFleet(reports(plain), NOW + 3);
    const u4 = diff(f4);
    expect(u4.kind === 'delta' && u4.delta.balanced).toEqual([]);
    const got = assemble(wire(u4));
    expect(got.balanced).toBeUndefined();
    expect(got).toEqual(f4);
  });
});
