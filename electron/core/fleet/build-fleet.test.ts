// Unit tests of the pure fleet model: every finding and the successor prediction, with plain data.
import { describe, expect, it } from 'vitest';
import { buildFleet } from './build-fleet.js';
import type { HostReport } from './types.js';
import { check, groupStatus, snapshot } from '../testing/snapshots.js';
import type { GroupStatus } from '../../../agent/control/messages.js';

const NOW = 50_000;

function live(host: string, groups: GroupStatus[], over: Parameters<typeof snapshot>[2] = {}): HostReport {
  return { host, status: 'live', lastSeen: NOW - 100, snapshot: snapshot(host, groups, over) };
}

/** Three healthy members of vhid 42: fw1 master (skew 0), fw2 skew 100, fw3 skew 50. */
function trio(): HostReport[] {
  return [
    live('fw1', [groupStatus({ vhid: 42, srcip: '198.18.0.1', state: 'MASTER', advskew: 0 })]),
    live('fw2', [groupStatus({ vhid: 42, srcip: '198.18.0.2', advskew: 100 })]),
    live('fw3', [groupStatus({ vhid: 42, srcip: '198.18.0.3', advskew: 50 })]),
  ];
}

describe('buildFleet', () => {
  it('groups members by segment and vhid, names the master and the successor, finds nothing wrong', () => {
    const f = buildFleet(trio(), NOW);
    expect(f.groups).toHaveLength(1);
    const g = f.groups[0];
    expect(g.key).toBe('198.18.0.0/24#42');
    expect(g.members.map((m) => m.host)).toEqual(['fw1', 'fw2', 'fw3']);
    expect(g.master).toBe('fw1');
    expect(g.successor).toBe('fw3'); // advskew 50 beats 100
    expect(g.members[1].effectiveIntervalMs).toBeCloseTo(1000 + 100 * 1000 / 256, 5);
    expect(f.findings).toEqual([]);
    expect(f.at).toBe(NOW);
    expect(f.hosts.map((h) => [h.host, h.status, h.groups])).toEqual([['fw1', 'live', 1], ['fw2', 'live', 1], ['fw3', 'live', 1]]);
  });

  it('predicts by demote first, then advbase*256+advskew on the wire', () => {
    const r = trio();
    // fw3 is demoted: fw2 (skew 100) becomes the successor despite the higher advskew.
    r[2] = live('fw3', [groupStatus({ vhid: 42, srcip: '198.18.0.3', advskew: 50, demote: 1 })], { demote: 1 });
    expect(buildFleet(r, NOW).groups[0].successor).toBe('fw2');
    // advbase weighs more than advskew: fw2 advbase 2 skew 0 loses to fw3 advbase 1 skew 200.
    r[1] = live('fw2', [groupStatus({ vhid: 42, srcip: '198.18.0.2', advbase: 2, advskew: 0 })]);
    r[2] = live('fw3', [groupStatus({ vhid: 42, srcip: '198.18.0.3', advbase: 1, advskew: 200 })]);
    expect(buildFleet(r, NOW).groups[0].successor).toBe('fw3');
  });

  it('names every member tied for best and no single successor: the protocol leaves that race open', () => {
    const r = trio();
    // fw2 ties with fw3 (advskew 50, demote 0): whichever times out first wins, whatever the source address.
    r[1] = live('fw2', [groupStatus({ vhid: 42, srcip: '198.18.0.2', advskew: 50 })]);
    r[2] = live('fw3', [groupStatus({ vhid: 42, srcip: '198.18.0.1', advskew: 50 })]);
    const g = buildFleet(r, NOW).groups[0];
    expect(g.successors).toEqual(['fw2', 'fw3']);
    expect(g.successor).toBeNull();
    // Not a tie any more: one name in both fields.
    r[1] = live('fw2', [groupStatus({ vhid: 42, srcip: '198.18.0.2', advskew: 51 })]);
    expect(buildFleet(r, NOW).groups[0]).toMatchObject({ successor: 'fw3', successors: ['fw3'] });
  });

  it('puts members in maintenance last and ignores members that are not live or in INIT', () => {
    const r = trio();
    // In maintenance the agent advertises demote 255 and advskew 240 (agent/engine MAINTENANCE_*).
    r[2] = live('fw3', [groupStatus({ vhid: 42, srcip: '198.18.0.3', advskew: 50, wireAdvskew: 240, demote: 255 })], { maintenance: true, demote: 255 });
    expect(buildFleet(r, NOW).groups[0].successor).toBe('fw2');
    r[1] = { ...live('fw2', [groupStatus({ vhid: 42, srcip: '198.18.0.2', advskew: 100 })]), status: 'stale' };
    expect(buildFleet(r, NOW).groups[0].successor).toBe('fw3'); // only candidate left, even in maintenance
    r[2] = live('fw3', [groupStatus({ vhid: 42, srcip: '198.18.0.3', state: 'INIT' })]);
    expect(buildFleet(r, NOW).groups[0].successor).toBeNull();
  });

  it('reports split brain with both masters and no single master', () => {
    const r = trio();
    r[1] = live('fw2', [groupStatus({ vhid: 42, srcip: '198.18.0.2', state: 'MASTER', advskew: 100 })]);
    const f = buildFleet(r, NOW);
    expect(f.groups[0].master).toBeNull();
    expect(f.groups[0].masters).toEqual(['fw1', 'fw2']);
    const sb = f.findings.filter((x) => x.kind === 'split-brain');
    expect(sb).toHaveLength(1);
    expect(sb[0].hosts).toEqual(['fw1', 'fw2']);
    expect(sb[0].severity).toBe('error');
    expect(sb[0].message).toContain('split brain');
  });

  it('reports no master and predicts who should win', () => {
    const r = trio();
    r[0] = live('fw1', [groupStatus({ vhid: 42, srcip: '198.18.0.1', advskew: 0 })]);
    const f = buildFleet(r, NOW);
    expect(f.findings.map((x) => x.kind)).toEqual(['no-master']);
    expect(f.groups[0].master).toBeNull();
    expect(f.groups[0].successor).toBe('fw1');
  });

  it('does not count a stale host that still says MASTER, and says the host is down', () => {
    const r = trio();
    r[0] = { ...r[0], status: 'stale' };
    const f = buildFleet(r, NOW);
    expect(f.groups[0].master).toBeNull();
    expect(f.findings.map((x) => x.kind).sort()).toEqual(['host-down', 'no-master']);
    expect(f.findings.find((x) => x.kind === 'host-down')!.message).toContain('fw1 is stale');
    // The console cannot see fw1, which was MASTER when last heard: no "unreachable" error on that alone.
    const nm = f.findings.find((x) => x.kind === 'no-master')!;
    expect(nm.severity).toBe('warning');
    expect(nm.hosts).toEqual(['fw2', 'fw3', 'fw1']);
    expect(nm.message).toBe(
      '198.18.0.0/24 vhid 42: no live member is MASTER (fw2 BACKUP, fw3 BACKUP), but the console cannot see every member: fw1 was MASTER when last heard and is stale now; 198.18.0.100/24 may well be served. Check fw1',
    );
  });

  it('says "no master" without "unreachable" while a host has not reported yet (it may be the master)', () => {
    const r = trio();
    r[0] = { host: 'fw1', status: 'unreachable', lastSeen: 0 };
    // Still connecting (no failure yet): not a host down either; a failed connection is.
    expect(buildFleet(r, NOW).findings.some((x) => x.kind === 'host-down')).toBe(false);
    expect(buildFleet([{ ...r[0], error: 'connect ECONNREFUSED 198.19.0.1:22' }, r[1], r[2]], NOW).findings.find((x) => x.kind === 'host-down')?.message).toMatch(/^fw1 is unreachable: connect ECONNREFUSED/);
    const nm = buildFleet(r, NOW).findings.find((x) => x.kind === 'no-master')!;
    expect(nm.severity).toBe('warning');
    expect(nm.message).toMatch(/fw1 has not reported yet; .* may well be served\. Check fw1$/);
    // Every member heard, none MASTER: the error it always was.
    const r2 = trio();
    r2[0] = live('fw1', [groupStatus({ vhid: 42, srcip: '198.18.0.1', advskew: 0 })]);
    expect(buildFleet(r2, NOW).findings.find((x) => x.kind === 'no-master')).toMatchObject({ severity: 'error' });
  });

  it('reports a password mismatch by check value, naming who differs, never the value', () => {
    const r = trio();
    r[2] = live('fw3', [groupStatus({ vhid: 42, srcip: '198.18.0.3', advskew: 50, passwordCheck: check(42, 'other') })]);
    const f = buildFleet(r, NOW);
    expect(f.findings.map((x) => x.kind)).toEqual(['mismatch:password']);
    expect(f.findings[0].hosts).toEqual(['fw1', 'fw2', 'fw3']);
    expect(f.findings[0].message).toContain('fw3 uses a password other than fw1, fw2');
    expect(f.groups[0].members.map((m) => [m.host, m.password])).toEqual([['fw1', 'same'], ['fw2', 'same'], ['fw3', 'differs']]);
    const text = JSON.stringify(f);
    for (const v of [check(42, 'other'), check(42, 'secret'), 'secret', 'other"']) expect(text).not.toContain(v);
  });

  it('does not call a member that has not derived its check value yet a mismatch', () => {
    const r = trio();
    r[2] = live('fw3', [groupStatus({ vhid: 42, srcip: '198.18.0.3', advskew: 50, passwordCheck: undefined })]);
    const f = buildFleet(r, NOW);
    expect(f.findings).toEqual([]);
    expect(f.groups[0].members.map((m) => m.password)).toEqual(['same', 'same', 'unknown']);
  });

  it('reports differing address sets that overlap as a mismatch', () => {
    const r = trio();
    r[1] = live('fw2', [groupStatus({ vhid: 42, srcip: '198.18.0.2', advskew: 100, addresses: ['198.18.0.100/24', '198.18.0.101/24'] })]);
    const f = buildFleet(r, NOW);
    expect(f.findings.map((x) => x.kind)).toEqual(['mismatch:addresses']);
    expect(f.findings[0].message).toContain('fw2: 198.18.0.100/24 198.18.0.101/24');
  });

  it('reports differing advbase as a warning', () => {
    const r = trio();
    r[1] = live('fw2', [groupStatus({ vhid: 42, srcip: '198.18.0.2', advbase: 3, advskew: 100 })]);
    const f = buildFleet(r, NOW);
    expect(f.findings.map((x) => [x.kind, x.severity])).toEqual([['mismatch:advbase', 'warning']]);
  });

  it('reports a vhid used by a different group on the same segment', () => {
    const r = [
      live('fw1', [groupStatus({ vhid: 7, srcip: '198.18.0.1', state: 'MASTER', addresses: ['198.18.0.100/24'] })]),
      live('fw2', [groupStatus({ vhid: 7, srcip: '198.18.0.2', advskew: 10, addresses: ['198.18.0.100/24'] })]),
      live('fw3', [groupStatus({ vhid: 7, srcip: '198.18.0.3', state: 'MASTER', addresses: ['198.18.0.150/24'], passwordCheck: check(7, 'x', ['198.18.0.150/24']) })]),
    ];
    const kinds = buildFleet(r, NOW).findings.map((x) => x.kind);
    expect(kinds).toContain('vhid-collision');
    expect(kinds).not.toContain('mismatch:password'); // a collision is not reported as drift as well
  });

  it('keeps the same vhid on different segments apart', () => {
    const r = [
      live('fw1', [groupStatus({ vhid: 1, srcip: '198.18.0.1', state: 'MASTER' }), groupStatus({ vhid: 1, srcip: '198.18.1.1', segment: '198.18.1.0/24', interface: 'eth1', state: 'MASTER', addresses: ['198.18.1.100/24'] })]),
      live('fw2', [groupStatus({ vhid: 1, srcip: '198.18.0.2', advskew: 9 }), groupStatus({ vhid: 1, srcip: '198.18.1.2', segment: '198.18.1.0/24', interface: 'eth1', advskew: 9, addresses: ['198.18.1.100/24'] })]),
    ];
    const f = buildFleet(r, NOW);
    expect(f.groups.map((g) => g.key)).toEqual(['198.18.0.0/24#1', '198.18.1.0/24#1']);
    expect(f.findings).toEqual([]);
  });

  it('reports a group with a single live member', () => {
    const r = trio().slice(0, 2);
    r[1] = { host: 'fw2', status: 'unreachable', lastSeen: 0, error: 'connect timeout' };
    const f = buildFleet(r, NOW);
    expect(f.findings.map((x) => x.kind).sort()).toEqual(['host-down', 'single-member']);
    expect(f.findings.find((x) => x.kind === 'single-member')!.hosts).toEqual(['fw1']);
    expect(f.groups[0].successor).toBeNull();
    expect(f.hosts[1]).toMatchObject({ host: 'fw2', status: 'unreachable', error: 'connect timeout', groups: 0 });
  });

  it('shows a host in maintenance as such', () => {
    const r = trio();
    r[0] = live('fw1', [groupStatus({ vhid: 42, srcip: '198.18.0.1', wireAdvskew: 240 })], { maintenance: true, demote: 255 });
    r[2] = live('fw3', [groupStatus({ vhid: 42, srcip: '198.18.0.3', state: 'MASTER', advskew: 50 })]);
    const f = buildFleet(r, NOW);
    expect(f.findings.map((x) => x.kind)).toEqual(['maintenance']);
    expect(f.hosts[0]).toMatchObject({ maintenance: true, demote: 255 });
    expect(f.groups[0].master).toBe('fw3');
    expect(f.groups[0].successor).toBe('fw2');
  });

  it('offers to take a host in maintenance out, and finds a group whose every member is in maintenance', () => {
    const inM = { maintenance: true, demote: 255 };
    const r = [
      live('fw1', [groupStatus({ vhid: 42, srcip: '198.18.0.1', state: 'MASTER' })], inM),
      live('fw2', [groupStatus({ vhid: 42, srcip: '198.18.0.2', advskew: 100 })], inM),
    ];
    const f = buildFleet(r, NOW);
    expect(f.findings.find((x) => x.kind === 'maintenance')?.action).toEqual({ kind: 'maintenance-exit', host: 'fw1' });
    const all = f.findings.find((x) => x.kind === 'maintenance-all');
    expect(all).toMatchObject({ severity: 'warning', group: '198.18.0.0/24#42', hosts: ['fw1', 'fw2'] });
    expect(all!.message).toMatch(/every member \(fw1, fw2\) is in maintenance/);
    // One member out of maintenance: the group has a standby again.
    r[1] = live('fw2', [groupStatus({ vhid: 42, srcip: '198.18.0.2', advskew: 100 })]);
    expect(buildFleet(r, NOW).findings.some((x) => x.kind === 'maintenance-all')).toBe(false);
  });

  it('finds a demotion left behind on a host that is not in maintenance, with a reset action', () => {
    const r = trio();
    r[1] = live('fw2', [groupStatus({ vhid: 42, srcip: '198.18.0.2', advskew: 100, demote: 5 })], { demote: 5 });
    const f = buildFleet(r, NOW);
    const stuck = f.findings.filter((x) => x.kind === 'stuck-demotion');
    expect(stuck).toHaveLength(1);
    expect(stuck[0]).toMatchObject({ severity: 'warning', hosts: ['fw2'], action: { kind: 'reset-demotion', host: 'fw2' } });
    expect(stuck[0].message).toMatch(/fw2 has demotion 5 but is not in maintenance/);
    // In maintenance the demotion is expected: no stuck finding.
    r[1] = live('fw2', [groupStatus({ vhid: 42, srcip: '198.18.0.2', advskew: 100 })], { demote: 255, maintenance: true });
    expect(buildFleet(r, NOW).findings.some((x) => x.kind === 'stuck-demotion')).toBe(false);
  });

  it('finds groups on the same hosts mastered by different hosts (LAN on one, WAN on the other)', () => {
    const wan = (vhid: number, srcip: string, over: Partial<GroupStatus> = {}) =>
      groupStatus({ vhid, srcip, segment: '198.18.1.0/24', addresses: ['198.18.1.100/24'], ...over });
    const r = [
      live('fw1', [groupStatus({ vhid: 1, srcip: '198.18.0.1', state: 'MASTER' }), wan(2, '198.18.1.1', { advskew: 100 })]),
      live('fw2', [groupStatus({ vhid: 1, srcip: '198.18.0.2', advskew: 100 }), wan(2, '198.18.1.2', { state: 'MASTER' })]),
    ];
    const f = buildFleet(r, NOW);
    const split = f.findings.filter((x) => x.kind === 'split-masters');
    expect(split).toHaveLength(1);
    expect(split[0]).toMatchObject({ group: '198.18.1.0/24#2', hosts: ['fw1', 'fw2'] });
    expect(split[0].message).toBe(
      'fw1 masters 198.18.0.0/24 vhid 1 while fw2 masters 198.18.1.0/24 vhid 2 on the same hosts: traffic between them crosses both firewalls and stateful filtering may drop it; ' +
        'check link demotion and preempt (with preempt on every member, a host that loses a link hands every group to its peer) and give one host the lowest advskew in every group',
    );
    // Same master everywhere: nothing to say.
    r[0] = live('fw1', [groupStatus({ vhid: 1, srcip: '198.18.0.1', state: 'MASTER' }), wan(2, '198.18.1.1', { state: 'MASTER' })]);
    r[1] = live('fw2', [groupStatus({ vhid: 1, srcip: '198.18.0.2', advskew: 100 }), wan(2, '198.18.1.2', { advskew: 100 })]);
    expect(buildFleet(r, NOW).findings.filter((x) => x.kind === 'split-masters')).toEqual([]);
  });

  it('says why groups are split: a host that lost a link (link demotion), members without preempt; group names', () => {
    const wan = (vhid: number, srcip: string, over: Partial<GroupStatus> = {}) =>
      groupStatus({ vhid, srcip, interface: 'eth1', segment: '198.18.1.0/24', addresses: ['198.18.1.100/24'], name: 'wan', ...over });
    const lan = (srcip: string, over: Partial<GroupStatus> = {}) => groupStatus({ vhid: 1, srcip, name: 'lan', ...over });
    const r = [
      live('fw1', [lan('198.18.0.1', { state: 'MASTER' }), wan(2, '198.18.1.1', { state: 'INIT' })], { linkDemotion: { demote: 1, down: ['eth1'] } }),
      live('fw2', [lan('198.18.0.2', { advskew: 100, preempt: false }), wan(2, '198.18.1.2', { state: 'MASTER', advskew: 100 })]),
    ];
    const f = buildFleet(r, NOW);
    expect(f.hosts[0].linkDemotion).toEqual({ demote: 1, down: ['eth1'] });
    expect(f.hosts[1].linkDemotion).toBeUndefined();
    const split = f.findings.filter((x) => x.kind === 'split-masters');
    expect(split).toHaveLength(1);
    expect(split[0].message).toBe(
      'fw1 masters lan (198.18.0.0/24 vhid 1) while fw2 masters wan (198.18.1.0/24 vhid 2) on the same hosts: traffic between them crosses both firewalls and stateful filtering may drop it; ' +
        'fw1 has lost its link on eth1 (link demotion 1); preempt is off for fw2 in 198.18.0.0/24 vhid 1: without it neither link demotion nor advskew moves a group back',
    );
    // With preempt on, the demoted fw1 hands the LAN over too: both on fw2, nothing to say (the demotion shows on the host).
    r[0] = live('fw1', [lan('198.18.0.1'), wan(2, '198.18.1.1', { state: 'INIT' })], { linkDemotion: { demote: 1, down: ['eth1'] } });
    r[1] = live('fw2', [lan('198.18.0.2', { advskew: 100, state: 'MASTER' }), wan(2, '198.18.1.2', { state: 'MASTER', advskew: 100 })]);
    expect(buildFleet(r, NOW).findings.filter((x) => x.kind === 'split-masters' || x.kind === 'stuck-demotion')).toEqual([]);
  });

  it('carries the agent restarts into the host view and finds a recent restart, a crash loop in words', () => {
    const r = trio();
    const restarts = { count: 1, recent: 1, lastAt: NOW - 45_000, lastReason: 'killed by SIGKILL (kill -9 or the kernel OOM killer)' };
    r[0] = live('fw1', [groupStatus({ vhid: 42, srcip: '198.18.0.1', advskew: 0 })], { agent: { ...snapshot('fw1', []).agent, restarts } });
    r[2] = live('fw3', [groupStatus({ vhid: 42, srcip: '198.18.0.3', state: 'MASTER', advskew: 50 })]);
    const f = buildFleet(r, NOW);
    expect(f.hosts[0].restarts).toEqual(restarts);
    expect(f.hosts[1].restarts).toBeUndefined();
    const found = f.findings.filter((x) => x.kind === 'agent-restarting');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'warning', hosts: ['fw1'] });
    expect(found[0].message).toBe(
      'fw1: its agent was restarted by its supervisor 1 time, the last 45 s ago (killed by SIGKILL (kill -9 or the kernel OOM killer)); its virtual addresses were removed before each restart. Find the cause in /var/log/carp-agent.log (or journalctl -u carp-agent) on fw1',
    );
    // Several restarts in the window: a crash loop.
    const loop = { count: 6, recent: 5, lastAt: NOW - 3000, lastReason: 'exit code 2: refusing to start: groups[0].advskew: must be 0..254' };
    r[0] = live('fw1', [groupStatus({ vhid: 42, srcip: '198.18.0.1', advskew: 0 })], { agent: { ...snapshot('fw1', []).agent, restarts: loop } });
    const m = buildFleet(r, NOW).findings.find((x) => x.kind === 'agent-restarting')!.message;
    expect(m).toMatch(/^fw1: its agent is in a crash loop: it was restarted by its supervisor 6 times \(5 in the last 10 min\), the last 3 s ago \(exit code 2: refusing to start/);
    // Long ago, or a host that is not live: nothing to say (the host view still carries the count).
    r[0] = live('fw1', [groupStatus({ vhid: 42, srcip: '198.18.0.1', advskew: 0 })], { agent: { ...snapshot('fw1', []).agent, restarts: { ...restarts, lastAt: NOW - 10 * 60_000 } } });
    expect(buildFleet(r, NOW).findings.filter((x) => x.kind === 'agent-restarting')).toEqual([]);
    expect(buildFleet(r, NOW).hosts[0].restarts?.count).toBe(1);
    r[0] = { ...r[0], snapshot: { ...r[0].snapshot!, agent: { ...r[0].snapshot!.agent, restarts } }, status: 'stale' };
    expect(buildFleet(r, NOW).findings.filter((x) => x.kind === 'agent-restarting')).toEqual([]);
  });
});
