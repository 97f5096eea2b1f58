// The fleet model's interfaces and foreign senders: each host's report carried into its HostView, the
// fleet's own agents left out by address, senders merged per segment, and the agent's events applied.
import { describe, expect, it } from 'vitest';
import { buildFleet } from './build-fleet.js';
import { hostReportText, senderText, sendersBySegment, vrrpVirtualMac } from './foreign.js';
import { applyAgentEvent } from '../agent-link/apply-event.js';
import { groupStatus, snapshot } from '../testing/snapshots.js';
import type { ForeignAdvert, InterfaceReport } from '../../../agent/control/messages.js';
import type { HostReport } from './types.js';

const NOW = 90_000;
const LAN = '198.18.0.0/24';

const eth0 = (n: number): InterfaceReport => ({ name: 'eth0', addresses: [`198.18.0.${n}/24`], segments: [LAN], up: true, mac: `02:00:00:00:00:0${n}` });
const eth1 = (n: number): InterfaceReport => ({ name: 'eth1', addresses: [`198.18.1.${n}/24`], segments: ['198.18.1.0/24'], up: false });

function vrrp(from: string, id: number, over: Partial<ForeignAdvert> = {}): ForeignAdvert {
  return { interface: 'eth0', segment: LAN, kind: 'vrrp', version: 2, id, from, count: 10, firstAt: 1000, lastAt: 80_000, priority: 100, intervalMs: 1000, addresses: ['198.18.0.207'], ...over };
}
function carp(from: string, id: number, over: Partial<ForeignAdvert> = {}): ForeignAdvert {
  return { interface: 'eth0', segment: LAN, kind: 'carp', version: 2, id, from, count: 5, firstAt: 1000, lastAt: 80_000, advbase: 1, advskew: 0, demote: 0, hmac: 'match', impl: 'foreign', ...over };
}

function host(h: string, n: number, foreign: ForeignAdvert[]): HostReport {
  return {
    host: h,
    status: 'live',
    lastSeen: NOW,
    snapshot: snapshot(h, [groupStatus({ vhid: 1, srcip: `198.18.0.${n}`, state: n === 1 ? 'MASTER' : 'BACKUP', advskew: n * 10 })], { interfaces: [eth0(n), eth1(n)], foreign }),
  };
}

describe('interfaces and foreign senders in the fleet', () => {
  const fleet = buildFleet(
    [
      // fw1 hears fw2 (a fleet agent: left out), a VRRP router and a ucarp peer; fw2 hears the router and fw1
      host('fw1', 1, [carp('198.18.0.2', 1), vrrp('198.18.0.9', 7), carp('198.18.0.8', 1, { hmac: 'one-address', impl: 'ucarp', evidence: 'its HMAC covers only 198.18.0.100' })]),
      // fw2 also hears a keepalived on fw1's own address: VRRP is never a fleet agent, it stays
      host('fw2', 2, [carp('198.18.0.1', 1), vrrp('198.18.0.9', 7, { lastAt: 85_000, priority: 150, interface: 'lan0' }), vrrp('198.18.0.1', 12)]),
    ],
    NOW,
  );

  it('carries each host’s interfaces into its HostView', () => {
    expect(fleet.hosts.map((h) => h.interfaces?.map((i) => `${i.name} ${i.addresses.join(',')} ${i.up ? 'up' : 'down'}`))).toEqual([
      ['eth0 198.18.0.1/24 up', 'eth1 198.18.1.1/24 down'],
      ['eth0 198.18.0.2/24 up', 'eth1 198.18.1.2/24 down'],
    ]);
    expect(fleet.hosts[0].interfaces?.[0].mac).toBe('02:00:00:00:00:01');
  });

  it('leaves the fleet’s own agents out of the senders a host heard', () => {
    expect(fleet.hosts[0].foreign?.map((f) => f.from)).toEqual(['198.18.0.9', '198.18.0.8']);
    expect(fleet.hosts[1].foreign?.map((f) => `${f.kind} ${f.from}`)).toEqual(['vrrp 198.18.0.9', 'vrrp 198.18.0.1']);
  });

  it('merges the senders per segment, with the hosts that heard each and the freshest values', () => {
    const s = sendersBySegment(fleet.hosts);
    expect(s.map((x) => `${x.segment} ${x.kind} ${x.id} ${x.from}`)).toEqual([`${LAN} carp 1 198.18.0.8`, `${LAN} vrrp 7 198.18.0.9`, `${LAN} vrrp 12 198.18.0.1`]);
    expect(s[1].heardBy).toEqual([
      { host: 'fw1', interface: 'eth0' },
      { host: 'fw2', interface: 'lan0' },
    ]);
    expect(s[1].advert.priority).toBe(150);
    expect(s[0].advert.impl).toBe('ucarp');
    expect(senderText(s[1].advert)).toBe('VRRPv2 router 7 from 198.18.0.9 (priority 150)');
    expect(senderText(s[0].advert)).toBe('ucarp peer of vhid 1 from 198.18.0.8 (advskew 0, HMAC over one address only)');
  });

  it('names the virtual MAC a VRRP router id shares with the CARP vhid of that number', () => {
    expect(vrrpVirtualMac(7)).toBe('00:00:5e:00:01:07');
    expect(vrrpVirtualMac(200)).toBe('00:00:5e:00:01:c8');
  });

  it('an older agent (no interfaces, no senders) gives a HostView without them', () => {
    const f = buildFleet([{ host: 'old', status: 'live', lastSeen: NOW, snapshot: snapshot('old', []) }], NOW);
    expect(f.hosts[0].interfaces).toBeUndefined();
    expect(f.hosts[0].foreign).toBeUndefined();
  });

  it('the agent’s interfaces and foreign events replace the lists in the snapshot', () => {
    const s0 = snapshot('fw1', [], { interfaces: [eth0(1)], foreign: [] });
    const s1 = applyAgentEvent(s0, { kind: 'interfaces', at: 5, interfaces: [eth0(1), eth1(1)] });
    expect(s1.interfaces?.map((i) => i.name)).toEqual(['eth0', 'eth1']);
    const s2 = applyAgentEvent(s1, { kind: 'foreign', at: 6, foreign: [vrrp('198.18.0.9', 7)] });
    expect(s2.foreign?.map((f) => f.id)).toEqual([7]);
    expect(s0.interfaces).toHaveLength(1); // not mutated
    expect(hostReportText({ kind: 'interfaces', at: 5, interfaces: [eth0(1), eth1(1)] })).toBe('interfaces: eth0 up 198.18.0.1/24, eth1 DOWN 198.18.1.1/24');
    expect(hostReportText({ kind: 'foreign', at: 6, foreign: [vrrp('198.18.0.9', 7)] })).toBe('protocol-112 senders: eth0 VRRPv2 router 7 from 198.18.0.9 (priority 100)');
  });
});
