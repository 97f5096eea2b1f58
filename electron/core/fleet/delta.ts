// Fleet deltas for the transports: instead of the whole fleet (1.4 MB of JSON at 1,000 groups) each
// change sends only the hosts and groups whose content changed. Pure: a sender-side differ and a
// receiver-side assembler; the receiver keeps unchanged hosts and groups as the same objects.
import type { Finding, Fleet, FleetGroup, GroupKey, HostView } from './types.js';

/** What changed since the fleet with sequence number `base`; applying it gives fleet number `seq`. */
export interface FleetDelta {
  seq: number;
  base: number;
  at: number;
  /** Hosts added or changed (by name). */
  hosts: HostView[];
  /** Every host name in fleet order, present only when the set or the order changed. */
  hostOrder?: string[];
  groups: FleetGroup[];
  /** Every group key in fleet order, present only when the set or the order changed. */
  groupOrder?: GroupKey[];
  /** The whole findings list, present only when it changed. */
  findings?: Finding[];
}

/** The first event of a stream is the whole fleet with its sequence number; the rest are deltas. */
export type FleetUpdate = FullUpdate | { kind: 'delta'; delta: FleetDelta };
export type FullUpdate = { kind: 'full'; seq: number; fleet: Fleet };

interface Sent {
  seq: number;
  hosts: Map<string, HostView>;
  hostOrder: string;
  groups: Map<GroupKey, FleetGroup>;
  groupOrder: string;
  findings: Finding[];
}

/** Each object's JSON, made once however many streams compare it. */
const json = new WeakMap<object, string>();
function jsonOf(o: object): string {
  let j = json.get(o);
  if (j === undefined) json.set(o, (j = JSON.stringify(o)));
  return j;
}

/** The console shares unchanged items between fleets (share.ts), so most compare by identity; others by content. */
function changed(before: object | undefined, after: object): boolean {
  return before !== after && (before === undefined || jsonOf(before) !== jsonOf(after));
}

/** One per event stream (one web client, one Electron page): turns each fleet into what that stream lacks. */
export function fleetDiffer(): (next: Fleet) => FleetUpdate {
  let sent: Sent | null = null;
  return (next) => {
    const hostOrder = next.hosts.map((h) => h.host).join('\n');
    const groupOrder = next.groups.map((g) => g.key).join('\n');
    const prev = sent;
    sent = {
      seq: (prev?.seq ?? 0) + 1,
      hosts: new Map(next.hosts.map((h) => [h.host, h])),
      groups: new Map(next.groups.map((g) => [g.key, g])),
      findings: next.findings,
      hostOrder,
      groupOrder,
    };
    if (!prev) return { kind: 'full', seq: sent.seq, fleet: next };
    const delta: FleetDelta = {
      seq: sent.seq,
      base: prev.seq,
      at: next.at,
      hosts: next.hosts.filter((h) => changed(prev.hosts.get(h.host), h)),
      groups: next.groups.filter((g) => changed(prev.groups.get(g.key), g)),
    };
    if (hostOrder !== prev.hostOrder) delta.hostOrder = next.hosts.map((h) => h.host);
    if (groupOrder !== prev.groupOrder) delta.groupOrder = next.groups.map((g) => g.key);
    if (changed(prev.findings, next.findings)) delta.findings = next.findings;
    return { kind: 'delta', delta };
  };
}

/** Thrown when a delta does not follow the fleet the receiver holds (a transport bug: resubscribe). */
export class FleetDeltaError extends Error {}

/** One per subscription on the receiving side: gives back whole fleets, sharing unchanged items. */
export function fleetAssembler(): (u: FleetUpdate) => Fleet {
  let have: { seq: number; fleet: Fleet } | null = null;
  return (u) => {
    if (u.kind === 'full') {
      have = { seq: u.seq, fleet: u.fleet };
      return u.fleet;
    }
    const d = u.delta;
    if (!have || have.seq !== d.base) {
      throw new FleetDeltaError(`fleet update ${d.seq} follows ${d.base}, but this page holds ${have ? have.seq : 'no fleet'}: reload the page`);
    }
    const f = have.fleet;
    const fleet: Fleet = {
      at: d.at,
      hosts: merge(f.hosts, d.hosts, d.hostOrder, (h) => h.host),
      groups: merge(f.groups, d.groups, d.groupOrder, (g) => g.key),
      findings: d.findings ?? f.findings,
    };
    have = { seq: d.seq, fleet };
    return fleet;
  };
}

function merge<T>(prev: T[], changed: T[], order: string[] | undefined, key: (t: T) => string): T[] {
  if (!changed.length && !order) return prev;
  const byKey = new Map(changed.map((t) => [key(t), t]));
  if (!order) return prev.map((t) => byKey.get(key(t)) ?? t);
  const old = new Map(prev.map((t) => [key(t), t]));
  return order.map((k) => {
    const t = byKey.get(k) ?? old.get(k);
    if (t === undefined) throw new FleetDeltaError(`fleet update names "${k}", which neither it nor the fleet held carries: reload the page`);
    return t;
  });
}

/**
 * For a stream shared by several listeners (the preload, the WebSocket transport): follows the updates
 * so that a listener that joins late can start with the whole fleet as it is now.
 */
export function fleetFollower(): { follow(u: FleetUpdate): void; current(): FullUpdate | null } {
  const assemble = fleetAssembler();
  let now: FullUpdate | null = null;
  return {
    follow(u) {
      const fleet = assemble(u);
      now = { kind: 'full', seq: u.kind === 'full' ? u.seq : u.delta.seq, fleet };
    },
    current: () => now,
  };
}
