// The editor's network logic on fleets built by the core's own buildFleet: interfaces offered per member,
// the common-segment warning, the interface a joining host gets, VRRP router ids kept out of the vhid
// suggestion and warned about, and the ucarp warning for a group with several addresses.
import { describe, expect, it } from 'vitest';
import { buildFleet } from '../../../electron/core/fleet/build-fleet.js';
import { groupStatus, snapshot } from '../../../electron/core/testing/snapshots.js';
import type { ForeignAdvert, InterfaceReport } from '../../../agent/control/messages.js';
import type { Fleet } from '../../../electron/core/fleet/types.js';
import { newEditorState, suggestVhid, type EditorState } from './editor.js';
import {
  choiceLabel,
  interfaceChoices,
  interfaceForNewMember,
  interfaceSegments,
  networkWarnings,
  ucarpPeers,
  ucarpWarning,
  unheardSegments,
  vrrpCollisions,
  vrrpWarning,
  withMemberInterface,
} from './editor-segments.js';

const LAN = '198.18.0.0/24';
const WAN = '198.18.1.0/24';
const iface = (name: string, addr: string | null, up = true): InterfaceReport => {
  const seg = addr ? `${addr.split('.').slice(0, 3).join('.')}.0/24` : null;
  return { name, addresses: addr ? [`${addr}/24`] : [], segments: seg ? [seg] : [], up };
};
const vrrp = (id: number, from: string): ForeignAdvert => ({ interface: 'eth0', segment: LAN, kind: 'vrrp', version: 2, id, from, count: 4, firstAt: 1, lastAt: 2, priority: 100, intervalMs: 1000, addresses: ['198.18.0.207'] });
const ucarp = (id: number, from: string): ForeignAdvert => ({
  interface: 'eth0',
  segment: LAN,
  kind: 'carp',
  version: 2,
  id,
  from,
  count: 4,
  firstAt: 1,
  lastAt: 2,
  advbase: 1,
  advskew: 0,
  demote: 0,
  hmac: 'one-address',
  impl: 'ucarp',
  evidence: "its HMAC covers only 198.18.0.100 of the group's addresses: ucarp hashes exactly one",
});

/**
 * fw1 and fw2 on the LAN as eth0 (vhid 1 and 2 there), fw3 on the LAN as lan0 and the WAN as eth0;
 * fw1 hears VRRP router 3 and a ucarp peer of vhid 1; fw4 runs an older agent (no interface list).
 */
function fleet(): Fleet {
  const g = (vhid: number, n: number, ifname = 'eth0') => groupStatus({ vhid, srcip: `198.18.0.${n}`, interface: ifname });
  return buildFleet(
    [
      { host: 'fw1', status: 'live', lastSeen: 1, snapshot: snapshot('fw1', [g(1, 1), g(2, 1)], { interfaces: [iface('eth0', '198.18.0.1'), iface('eth9', null)], foreign: [vrrp(3, '198.18.0.9'), ucarp(1, '198.18.0.8')] }) },
      { host: 'fw2', status: 'live', lastSeen: 1, snapshot: snapshot('fw2', [g(1, 2), g(2, 2)], { interfaces: [iface('eth0', '198.18.0.2'), iface('eth1', '198.18.1.2', false)] }) },
      { host: 'fw3', status: 'live', lastSeen: 1, snapshot: snapshot('fw3', [], { interfaces: [iface('eth0', '198.18.1.3'), iface('lan0', '198.18.0.3')] }) },
      { host: 'fw4', status: 'live', lastSeen: 1, snapshot: snapshot('fw4', [g(2, 4)]) },
    ],
    1,
  );
}

const state = (over: Partial<EditorState>): EditorState => ({ ...newEditorState(null), ...over });

describe('interfaces offered per member', () => {
  const f = fleet();
  it('offers the host’s reported interfaces, with IPv4 first, their segment and link', () => {
    expect(interfaceChoices(f, 'fw2').map(choiceLabel)).toEqual(['eth0 · 198.18.0.0/24', 'eth1 · 198.18.1.0/24 · link down']);
    expect(interfaceChoices(f, 'fw1').map(choiceLabel)).toEqual(['eth0 · 198.18.0.0/24', 'eth9 · no IPv4 address']);
  });
  it('an older agent without an interface list: the interfaces its groups use', () => {
    expect(interfaceChoices(f, 'fw4')).toEqual([{ name: 'eth0', segments: [LAN], up: true, reported: false }]);
    expect(interfaceChoices(f, 'nobody')).toEqual([]);
  });
  it('a joining host gets its interface on the others’ segment when the group’s interface is elsewhere', () => {
    const s = state({ interface: 'eth0', members: [{ host: 'fw1', advskew: 0, preempt: true }] });
    expect(interfaceForNewMember(s, f, 'fw2')).toBeUndefined(); // eth0 is on the LAN there too
    expect(interfaceForNewMember(s, f, 'fw3')).toBe('lan0'); // fw3's eth0 is on the WAN
    expect(interfaceForNewMember(state({ interface: 'eth0', addresses: '198.18.1.100/24' }), f, 'fw3')).toBeUndefined();
  });
  it('a member set to the group’s interface has no interface of its own', () => {
    const s = state({ interface: 'eth0', members: [{ host: 'fw3', advskew: 0, preempt: true }] });
    expect(withMemberInterface(s, 'fw3', 'lan0')[0].interface).toBe('lan0');
    expect(withMemberInterface(s, 'fw3', 'eth0')[0]).not.toHaveProperty('interface');
  });
});

describe('network warnings', () => {
  const f = fleet();
  it('nothing to say when the members share a segment on live links', () => {
    const s = state({ interface: 'eth0', addresses: '198.18.0.100/24', members: [{ host: 'fw1', advskew: 0, preempt: true }, { host: 'fw3', advskew: 50, preempt: true, interface: 'lan0' }] });
    expect(networkWarnings(s, f)).toEqual([]);
    expect(interfaceSegments(s, f)).toEqual([LAN]);
  });
  it('warns when the chosen members have no interface on a common segment', () => {
    const s = state({ interface: 'eth0', members: [{ host: 'fw1', advskew: 0, preempt: true }, { host: 'fw3', advskew: 50, preempt: true }] });
    const w = networkWarnings(s, f);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/no interface on a common segment \(fw1 eth0 198\.18\.0\.0\/24; fw3 eth0 198\.18\.1\.0\/24\)/);
  });
  it('names a missing interface, one without IPv4, a link down, and a VIP off the shared segment', () => {
    const missing = networkWarnings(state({ interface: 'eth7', members: [{ host: 'fw2', advskew: 0, preempt: true }] }), f);
    expect(missing).toEqual(['fw2 has no interface eth7 (it reports eth0, eth1): choose one of them for it']);
    expect(networkWarnings(state({ interface: 'eth9', members: [{ host: 'fw1', advskew: 0, preempt: true }] }), f)[0]).toMatch(/fw1 eth9 has no IPv4 address/);
    expect(networkWarnings(state({ interface: 'eth1', members: [{ host: 'fw2', advskew: 0, preempt: true }] }), f)[0]).toMatch(/fw2 eth1 has its link down/);
    const off = networkWarnings(state({ interface: 'eth0', addresses: '198.18.5.100/24', members: [{ host: 'fw1', advskew: 0, preempt: true }] }), f);
    expect(off).toEqual([`198.18.5.100/24 is not on the members' segment ${LAN}: a virtual address belongs on the segment the members share`]);
  });
});

describe('foreign senders: VRRP router ids and ucarp peers', () => {
  const f = fleet();
  it('keeps a VRRP router id heard on the segment out of the vhid suggestion', () => {
    // fleet groups use 1 and 2 on the LAN, VRRP router 3 is heard there: 4 is the first free one
    expect(suggestVhid(f, [LAN])).toBe(4);
    expect(suggestVhid(f, [WAN])).toBe(1);
    expect(newEditorState(f).vhid).toBe(4);
  });
  it('warns when the vhid equals a VRRP router id on the segment, naming the shared virtual MAC', () => {
    expect(vrrpCollisions(f, 3, [WAN])).toEqual([]);
    const c = vrrpCollisions(f, 3, [LAN]);
    expect(c.map(vrrpWarning)).toEqual(['VRRP router 3 from 198.18.0.9 uses the same virtual MAC 00:00:5e:00:01:03 (VRRPv2, heard by fw1 on 198.18.0.0/24): choose another vhid']);
  });
  it('a segment where no live agent runs a group is unheard (no foreign sender can be known there)', () => {
    expect(unheardSegments(f, [LAN, WAN])).toEqual([WAN]);
    expect(unheardSegments(null, [LAN])).toEqual([LAN]);
  });
  it('names the ucarp peer when the group has more than one address; nothing with one address', () => {
    const peers = ucarpPeers(f, 1, [LAN]);
    expect(peers.map((p) => p.from)).toEqual(['198.18.0.8']);
    expect(ucarpWarning(1, peers)).toBeNull();
    expect(ucarpWarning(2, [])).toBeNull();
    expect(ucarpWarning(2, peers)).toMatch(/^2 addresses, but a peer of this vhid runs ucarp: 198\.18\.0\.8 \(heard by fw1; its HMAC covers only 198\.18\.0\.100/);
    expect(ucarpPeers(f, 2, [LAN])).toEqual([]);
  });
});
