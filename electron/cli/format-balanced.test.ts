// carpctl status shows a balanced address as one unit made of several groups, with each host's share.
import { describe, expect, it } from 'vitest';
import { formatBalanced, percent } from './format-balanced.js';
import { formatHosts, formatStatus } from './format.js';
import { buildFleet } from '../core/fleet/build-fleet.js';
import type { BalancedUnit } from '../core/fleet/types.js';
import { groupStatus, snapshot } from '../core/testing/snapshots.js';

const unit = (over: Partial<BalancedUnit> = {}): BalancedUnit => ({
  key: '198.18.0.0/24 198.18.0.100/24',
  segment: '198.18.0.0/24',
  addresses: ['198.18.0.100/24'],
  vhids: [1, 2],
  groups: ['198.18.0.0/24#1', '198.18.0.0/24#2'],
  hosts: [
    { host: 'fw1', member: [1, 2], masters: [1], share: 0.5, live: true },
    { host: 'fw2', member: [1, 2], masters: [2], share: 0.5, live: true },
  ],
  unserved: [],
  ...over,
});

describe('carpctl status: balanced units', () => {
  it('one line per unit: the vhids, which each host masters and its fraction of the clients', () => {
    expect(formatBalanced(unit())).toBe('198.18.0.100/24 balanced over vhids 1, 2 on 198.18.0.0/24: fw1 masters 1 (50 %), fw2 masters 2 (50 %)');
  });

  it('a host that masters nothing serves nothing; a vhid without master says how many clients go unanswered', () => {
    const u = unit({
      name: 'lan',
      vhids: [1, 2, 3],
      hosts: [
        { host: 'fw1', member: [1, 2, 3], masters: [1, 2], share: 2 / 3, live: true },
        { host: 'fw2', member: [1, 2, 3], masters: [], share: 0, live: false },
      ],
      unserved: [3],
    });
    expect(formatBalanced(u)).toBe('198.18.0.100/24 (lan) balanced over vhids 1, 2, 3 on 198.18.0.0/24: fw1 masters 1, 2 (66.7 %), fw2 serves nothing (not live); no master for 3: 33.3 % of the clients get no answer');
    expect(percent(0.25)).toBe('25 %');
    expect(percent(1)).toBe('100 %');
  });

  it('formatStatus shows the unit after the groups, the members marked balanced, and no line without balancing', () => {
    const g = (vhid: number, srcip: string, over = {}) => groupStatus({ vhid, srcip, balanced: [1, 2], ...over });
    const f = buildFleet(
      [
        { host: 'fw1', status: 'live', lastSeen: 1, snapshot: snapshot('fw1', [g(1, '198.18.0.1', { state: 'MASTER' }), g(2, '198.18.0.1', { advskew: 100 })], { arpbalance: true }) },
        { host: 'fw2', status: 'live', lastSeen: 1, snapshot: snapshot('fw2', [g(1, '198.18.0.2', { advskew: 100 }), g(2, '198.18.0.2', { state: 'MASTER' })], { arpbalance: true }) },
      ],
      2,
    );
    const lines = formatStatus(f).split('\n');
    expect(lines).toContain('198.18.0.100/24 balanced over vhids 1, 2 on 198.18.0.0/24: fw1 masters 1 (50 %), fw2 masters 2 (50 %)');
    expect(lines.filter((l) => / balanced 1,2 /.test(l))).toHaveLength(4);
    expect(formatStatus({ ...f, balanced: undefined })).not.toMatch(/balanced over/);
    // carpctl hosts says which hosts balance (net.inet.carp.arpbalance)
    expect(formatHosts(f).split('\n').map((l) => l.endsWith('  arpbalance'))).toEqual([true, true]);
    expect(formatHosts({ ...f, hosts: f.hosts.map((h) => ({ ...h, arpbalance: false })) })).not.toMatch(/arpbalance/);
  });
});
