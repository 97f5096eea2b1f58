// Unit tests of the groups board logic: ordering, member state display, health and the summary line.
import { describe, expect, it } from 'vitest';
import { dropsText, groupHealth, groupLabel, groupTitle, memberStateDisplay, sortGroups, sortMembers, successorText, summaryLine, wireNote } from './groups.js';
import { group, labFleet, member } from './testing/fleet-fixture.js';

describe('sortGroups', () => {
  it('orders by segment (numerically) then vhid', () => {
    const g = (segment: string, vhid: number) => group([], { key: `${segment}#${vhid}`, segment, vhid });
    const out = sortGroups([g('198.18.10.0/24', 1), g('198.18.2.0/24', 5), g('198.18.2.0/24', 2), g('lan', 1)]);
    expect(out.map((x) => x.key)).toEqual(['198.18.2.0/24#2', '198.18.2.0/24#5', '198.18.10.0/24#1', 'lan#1']);
  });
});

describe('sortMembers', () => {
  it('puts the MASTER first, then by preference, hosts not live last', () => {
    const ms = [
      member('fw2', { advskew: 100 }),
      member('fw4', { advskew: 10, live: false, hostStatus: 'stale', state: 'MASTER' }),
      member('fw3', { advskew: 50 }),
      member('fw1', { state: 'MASTER', advskew: 0 }),
    ];
    expect(sortMembers(ms).map((m) => m.host)).toEqual(['fw1', 'fw3', 'fw2', 'fw4']);
  });
  it('ranks a demoted backup after a less preferred one', () => {
    const ms = [member('fw3', { advskew: 50, demote: 1 }), member('fw2', { advskew: 100 })];
    expect(sortMembers(ms).map((m) => m.host)).toEqual(['fw2', 'fw3']);
  });
});

describe('memberStateDisplay', () => {
  it('shows state as word + shape', () => {
    expect(memberStateDisplay(member('fw1', { state: 'MASTER' }), 0)).toMatchObject({ label: 'MASTER', symbol: '●', tone: 'master' });
    expect(memberStateDisplay(member('fw1', { state: 'BACKUP' }), 0)).toMatchObject({ label: 'BACKUP', symbol: '○' });
    expect(memberStateDisplay(member('fw1', { state: 'INIT' }), 0)).toMatchObject({ label: 'INIT', symbol: '◌' });
  });
  it('never shows the last state of a host that is not live', () => {
    const d = memberStateDisplay(member('fw2', { state: 'MASTER', live: false, hostStatus: 'stale', lastSeen: 100_000 }), 112_000);
    expect(d).toMatchObject({ label: 'UNKNOWN', symbol: '?', tone: 'unknown', detail: 'last heard 12 s ago' });
  });
  it('says why for an unreachable host', () => {
    expect(memberStateDisplay(member('fw2', { live: false, hostStatus: 'unreachable', lastSeen: 0 }), 1).detail).toBe('never heard from · host unreachable');
  });
});

describe('groupHealth and summaryLine', () => {
  it('a group with master and successor is redundant', () => {
    const f = labFleet();
    expect(groupHealth(f.groups[0]).kind).toBe('redundant');
    expect(summaryLine(f.groups).text).toBe('1 group · all redundant');
  });
  it('counts groups without a master', () => {
    const ok = labFleet().groups[0];
    const none = group([member('fw1'), member('fw2')], { key: 'x#2', vhid: 2 });
    const lone = group([member('fw1', { state: 'MASTER' })], { key: 'x#3', vhid: 3, successor: null });
    const s = summaryLine([ok, none, lone]);
    expect(s.text).toBe('3 groups · 1 group without a master · 1 group not redundant');
    expect(s.tone).toBe('bad');
  });
  it('names a split brain', () => {
    const g = group([member('fw1', { state: 'MASTER' }), member('fw2', { state: 'MASTER' })]);
    expect(groupHealth(g)).toMatchObject({ kind: 'split-brain', tone: 'bad' });
    expect(summaryLine([g, g]).text).toBe('2 groups · 2 groups in split brain');
  });
  it('a tie for successor is redundant and names both, not one of them', () => {
    const g = group(labFleet().groups[0].members, { successor: null, successors: ['fw2', 'fw3'] });
    expect(groupHealth(g)).toMatchObject({ kind: 'redundant', label: 'redundant: fw1 MASTER, fw2 or fw3 (tied: either may win) takes over' });
    expect(successorText({ successors: ['fw3'] })).toBe('fw3');
    expect(successorText({ successors: [] })).toBe('');
  });
  it('members that disagree on the password are never shown as redundant, and the fleet line says so', () => {
    const f = labFleet();
    const g = f.groups[0];
    const finding = { kind: 'mismatch:password' as const, severity: 'error' as const, group: g.key, hosts: ['fw3'], message: 'fw3 uses another password' };
    expect(groupHealth(g).kind).toBe('redundant');
    expect(groupHealth(g, [finding])).toMatchObject({ kind: 'misconfigured', label: 'misconfigured: passwords differ', tone: 'bad' });
    expect(groupHealth(g, [{ ...finding, group: 'other#9' }]).kind).toBe('redundant'); // another group's finding
    expect(summaryLine([g], [finding])).toEqual({ text: '1 group · 1 group misconfigured', tone: 'bad' });
  });
  it('says so when there are no groups', () => {
    expect(summaryLine([]).text).toBe('No CARP groups yet');
  });
});

describe('titles', () => {
  it('titles and accessible names', () => {
    expect(groupTitle({ vhid: 1, name: 'lan-gateway' })).toBe('vhid 1 · lan-gateway');
    expect(groupLabel({ vhid: 1, name: 'lan-gateway' })).toBe('Group vhid 1 (lan-gateway)');
    expect(groupLabel({ vhid: 7 })).toBe('Group vhid 7');
  });
  it('notes raised wire values', () => {
    expect(wireNote(member('fw1'))).toBeUndefined();
    expect(wireNote(member('fw1', { wireAdvbase: 255, wireAdvskew: 255 }))).toBe('on the wire: advbase 255 advskew 255');
  });
});

describe('dropsText', () => {
  it('lists reasons with counts, most first', () => {
    expect(dropsText({ ttl: 1, hmac: 3, own: 0 })).toBe('hmac 3, ttl 1');
    expect(dropsText({})).toBe('none');
    expect(dropsText(undefined)).toBe('none');
  });
});
