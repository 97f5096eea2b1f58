// Test data for the renderer's unit tests: members, hosts and fleets shaped like the core's
// (built by hand, not with buildFleet, so each test states exactly what it checks).
import type { Fleet, FleetGroup, HostView, Member } from '../../../../electron/core/fleet/types.js';

export function member(host: string, over: Partial<Member> = {}): Member {
  const advbase = over.advbase ?? 1;
  const advskew = over.advskew ?? 0;
  return {
    host,
    hostStatus: 'live',
    live: true,
    name: 'lan-gateway',
    interface: 'eth0',
    srcip: `198.18.0.${host.replace(/\D/g, '') || '9'}`,
    state: 'BACKUP',
    advbase,
    advskew,
    wireAdvbase: advbase,
    wireAdvskew: advskew,
    demote: 0,
    preempt: true,
    maintenance: false,
    effectiveIntervalMs: advbase * 1000 + (advskew * 1000) / 256,
    addresses: ['198.18.0.100/24'],
    password: 'same',
    lastSeen: 1_000_000,
    since: 900_000,
    sent: 0,
    received: 0,
    drops: {},
    ...over,
  };
}

export function hostView(host: string, over: Partial<HostView> = {}): HostView {
  return { host, status: 'live', lastSeen: 1_000_000, agentVersion: '0.1.0', agentStartedAt: 500_000, demote: 0, maintenance: false, groups: 1, ...over };
}

export function group(members: Member[], over: Partial<FleetGroup> = {}): FleetGroup {
  const masters = members.filter((m) => m.live && m.state === 'MASTER').map((m) => m.host);
  return {
    key: '198.18.0.0/24#1',
    segment: '198.18.0.0/24',
    vhid: 1,
    name: 'lan-gateway',
    addresses: ['198.18.0.100/24'],
    members,
    master: masters.length === 1 ? masters[0] : null,
    masters,
    successor: null,
    successors: over.successors ?? (over.successor ? [over.successor] : []),
    ...over,
  };
}

/** The lab's fleet: fw1 MASTER advskew 0, fw3 BACKUP 50, fw2 BACKUP 100; successor fw3. */
export function labFleet(over: { fw1?: Partial<Member>; fw2?: Partial<Member>; fw3?: Partial<Member>; hosts?: Partial<Record<string, Partial<HostView>>> } = {}): Fleet {
  const ms = [
    member('fw1', { state: 'MASTER', advskew: 0, ...over.fw1 }),
    member('fw2', { advskew: 100, ...over.fw2 }),
    member('fw3', { advskew: 50, ...over.fw3 }),
  ];
  return {
    at: 1_000_000,
    hosts: ['fw1', 'fw2', 'fw3'].map((h) => hostView(h, over.hosts?.[h])),
    groups: [group(ms, { successor: 'fw3' })],
    findings: [],
  };
}
