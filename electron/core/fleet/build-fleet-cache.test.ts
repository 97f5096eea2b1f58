// buildFleet with its cache: a group whose inputs (GroupStatus objects, host states) did not change is
// the same object as before, with the same findings; any change rebuilds it; the result always equals
// a build from scratch.
import { describe, expect, it } from 'vitest';
import { buildFleet, newFleetBuildCache } from './build-fleet.js';
import type { HostReport } from './types.js';
import { groupStatus, snapshot } from '../testing/snapshots.js';

const NOW = 50_000;
const s1 = [groupStatus({ vhid: 1, srcip: '198.18.0.1', state: 'MASTER' }), groupStatus({ vhid: 2, srcip: '198.18.0.1', advskew: 100 })];
const s2 = [groupStatus({ vhid: 1, srcip: '198.18.0.2', advskew: 100 }), groupStatus({ vhid: 2, srcip: '198.18.0.2', state: 'MASTER' })];
// the agent link keeps a host's snapshot object until an event changes it: one object per (host, groups)
const snaps = new Map<string, ReturnType<typeof snapshot>>();
const snap = (host: string, groups: typeof s1) => {
  const k = `${host}:${groups.map((g) => JSON.stringify(g)).join()}`;
  if (!snaps.has(k)) snaps.set(k, snapshot(host, groups));
  return snaps.get(k)!;
};
const report = (host: string, groups: typeof s1, over: Partial<HostReport> = {}): HostReport => ({ host, status: 'live', lastSeen: NOW, snapshot: snap(host, groups), ...over });

describe('buildFleet with a cache', () => {
  it('keeps unchanged groups as the same objects and rebuilds a changed one, equal to a build from scratch', () => {
    const cache = newFleetBuildCache();
    const a = buildFleet([report('fw1', s1), report('fw2', s2)], NOW, cache);
    // a heartbeat: new reports and snapshots, the same GroupStatus objects
    const b = buildFleet([report('fw1', s1, { lastSeen: NOW + 1000 }), report('fw2', s2)], NOW + 1000, cache);
    expect(b.groups[0]).toBe(a.groups[0]);
    expect(b.groups[1]).toBe(a.groups[1]);
    expect(b.hosts[1]).toBe(a.hosts[1]); // fw2's report is unchanged; a live host's heartbeat changes nothing shown
    expect(b.hosts[0]).toBe(a.hosts[0]);
    // fw2 takes vhid 1: that GroupStatus is a new object (the agent link replaces what changed)
    const s2b = [{ ...s2[0], state: 'MASTER' as const }, s2[1]];
    const s1b = [{ ...s1[0], state: 'BACKUP' as const }, s1[1]];
    const reports = [report('fw1', s1b), report('fw2', s2b)];
    const c = buildFleet(reports, NOW + 2000, cache);
    expect(c.groups[0]).not.toBe(b.groups[0]);
    expect(c.groups[0].master).toBe('fw2');
    expect(c.groups[1]).toBe(b.groups[1]);
    expect(c).toEqual(buildFleet(reports, NOW + 2000));
  });

  it('rebuilds a group when a member host changes state even with the same GroupStatus, and its findings with it', () => {
    const cache = newFleetBuildCache();
    const a = buildFleet([report('fw1', s1), report('fw2', s2)], NOW, cache);
    expect(a.findings.filter((f) => f.kind === 'no-master')).toEqual([]);
    const stale = [report('fw1', s1, { status: 'stale', lastSeen: NOW - 5000 }), report('fw2', s2)];
    const b = buildFleet(stale, NOW, cache);
    expect(b.groups[0]).not.toBe(a.groups[0]);
    expect(b.groups[0].members[0]).toMatchObject({ host: 'fw1', live: false, lastSeen: NOW - 5000 });
    expect(b.hosts[0]).toMatchObject({ host: 'fw1', status: 'stale', lastSeen: NOW - 5000 });
    expect(b.hosts[1]).toBe(a.hosts[1]);
    expect(b).toEqual(buildFleet(stale, NOW));
    // while stale, a later last-heard time is a change too (it is shown)
    const later = [report('fw1', s1, { status: 'stale', lastSeen: NOW - 4000 }), report('fw2', s2)];
    expect(buildFleet(later, NOW, cache).groups[0].members[0].lastSeen).toBe(NOW - 4000);
    // a host not heard from yet changes every group's findings (it may be any group's member)
    const unheard = [...later, { host: 'fw9', status: 'unreachable', lastSeen: 0, error: 'refused' } as HostReport];
    expect(buildFleet(unheard, NOW, cache)).toEqual(buildFleet(unheard, NOW));
  });
});
