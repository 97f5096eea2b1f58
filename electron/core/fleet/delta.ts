// Fleet deltas for the transports: instead of the whole fleet (1.6 MB of JSON at 1,000 groups) each
// change sends only the hosts and groups whose content changed, the balanced units (whole) when they
// change, and findings by number (each stream numbers the findings it sent: a new one goes once, the list
// is then a list of numbers). Pure: a sender-side differ and a receiver-side assembler; the receiver
// keeps unchanged items as the same objects.
import type { BalancedUnit, Finding, Fleet, FleetGroup, GroupKey, HostView } from './types.js';

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
  /** Present only when the findings changed: every finding's number in fleet order, and the ones new to this stream. */
  findings?: { order: number[]; added: Array<[number, Finding]> };
  /** Present only when the balanced units changed: all of them (few and small; empty: the fleet has none now). */
  balanced?: BalancedUnit[];
}

/** The first event of a stream is the whole fleet with its sequence number; the rest are deltas. */
export type FleetUpdate = FullUpdate | { kind: 'delta'; delta: FleetDelta };
/** `findingIds`: the number of each of the fleet's findings, in order. */
export type FullUpdate = { kind: 'full'; seq: number; fleet: Fleet; findingIds: number[] };

interface Sent {
  seq: number;
  hosts: Map<string, HostView>;
  hostOrder: string;
  groups: Map<GroupKey, FleetGroup>;
  groupOrder: string;
  findings: Finding[];
  findingOrder: number[];
  balanced: BalancedUnit[];
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

/** A fleet without balanced units compares as this one empty list. */
const NONE: BalancedUnit[] = [];

/** One per event stream (one web client, one Electron page): turns each fleet into what that stream lacks. */
export function fleetDiffer(): (next: Fleet) => FleetUpdate {
  let sent: Sent | null = null;
  // each finding this stream sent, by content, with its number (pruned to the current list)
  let ids = new Map<string, number>();
  let nextId = 1;
  const number = (findings: Finding[], added: Array<[number, Finding]>): number[] => {
    const now = new Map<string, number>();
    const order = findings.map((f) => {
      const j = jsonOf(f);
      let id = now.get(j) ?? ids.get(j);
      if (id === undefined || now.has(j)) {
        // a new finding (or a second, equal one in the same list)
        id = nextId++;
        added.push([id, f]);
      }
      now.set(j, id);
      return id;
    });
    ids = now;
    return order;
  };
  return (next) => {
    const hostOrder = next.hosts.map((h) => h.host).join('\n');
    const groupOrder = next.groups.map((g) => g.key).join('\n');
    const prev = sent;
    const findingsChanged = !prev || changed(prev.findings, next.findings);
    const added: Array<[number, Finding]> = [];
    const findingOrder = findingsChanged ? number(next.findings, added) : prev.findingOrder;
    sent = {
      seq: (prev?.seq ?? 0) + 1,
      hosts: new Map(next.hosts.map((h) => [h.host, h])),
      groups: new Map(next.groups.map((g) => [g.key, g])),
      findings: next.findings,
      findingOrder,
      hostOrder,
      groupOrder,
      balanced: next.balanced ?? NONE,
    };
    if (!prev) return { kind: 'full', seq: sent.seq, fleet: next, findingIds: findingOrder };
    const delta: FleetDelta = {
      seq: sent.seq,
      base: prev.seq,
      at: next.at,
      hosts: next.hosts.filter((h) => changed(prev.hosts.get(h.host), h)),
      groups: next.groups.filter((g) => changed(prev.groups.get(g.key), g)),
    };
    if (hostOrder !== prev.hostOrder) delta.hostOrder = next.hosts.map((h) => h.host);
    if (groupOrder !== prev.groupOrder) delta.groupOrder = next.groups.map((g) => g.key);
    if (findingsChanged) delta.findings = { order: findingOrder, added };
    if (changed(prev.balanced, sent.balanced)) delta.balanced = sent.balanced;
    return { kind: 'delta', delta };
  };
}

/** Thrown when a delta does not follow the fleet the receiver holds (a transport bug: resubscribe). */
export class FleetDeltaError extends Error {}

/** One per subscription on the receiving side: gives back whole fleets, sharing unchanged items. */
export function fleetAssembler(): (u: FleetUpdate) => Fleet {
  let have: { seq: number; fleet: Fleet; findings: Map<number, Finding> } | null = null;
  return (u) => {
    if (u.kind === 'full') {
      have = { seq: u.seq, fleet: u.fleet, findings: new Map(u.findingIds.map((id, i) => [id, u.fleet.findings[i]])) };
      return u.fleet;
    }
    const d = u.delta;
    if (!have || have.seq !== d.base) {
      throw new FleetDeltaError(`fleet update ${d.seq} follows ${d.base}, but this page holds ${have ? have.seq : 'no fleet'}: reload the page`);
    }
    const f = have.fleet;
    let findings = f.findings;
    let byId = have.findings;
    if (d.findings) {
      const known = new Map([...byId, ...d.findings.added]);
      findings = d.findings.order.map((id) => {
        const x = known.get(id);
        if (x === undefined) throw new FleetDeltaError(`fleet update names finding ${id}, which neither it nor the fleet held carries: reload the page`);
        return x;
      });
      byId = new Map(d.findings.order.map((id, i) => [id, findings[i]]));
    }
    const balanced = d.balanced ? (d.balanced.length ? d.balanced : undefined) : f.balanced;
    const fleet: Fleet = {
      at: d.at,
      hosts: merge(f.hosts, d.hosts, d.hostOrder, (h) => h.host),
      groups: merge(f.groups, d.groups, d.groupOrder, (g) => g.key),
      findings,
      ...(balanced ? { balanced } : {}),
    };
    have = { seq: d.seq, fleet, findings: byId };
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
  let findingIds: number[] = [];
  return {
    follow(u) {
      const fleet = assemble(u);
      if (u.kind === 'full') findingIds = u.findingIds;
      else if (u.delta.findings) findingIds = u.delta.findings.order;
      now = { kind: 'full', seq: u.kind === 'full' ? u.seq : u.delta.seq, fleet, findingIds };
    },
    current: () => now,
  };
}
