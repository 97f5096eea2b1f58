// Protocol-112 senders that are not fleet agents, as the console sees them: each host's report without
// the fleet's own addresses, and merged per LAN segment (VRRP routers, ucarp and other CARP peers). Pure.
import type { AgentEvent, ForeignAdvert, Snapshot } from '../../../agent/control/messages.js';
import type { HostView } from './types.js';

/** Every address a fleet agent sends from: its groups' source addresses and its interfaces' own addresses. */
export function fleetAddresses(snapshots: Array<Snapshot | undefined>): Set<string> {
  const out = new Set<string>();
  for (const s of snapshots) {
    if (!s) continue;
    for (const g of s.groups) if (g.srcip) out.add(g.srcip);
    for (const i of s.interfaces ?? []) for (const a of i.addresses) out.add(a.split('/')[0]);
  }
  return out;
}

/**
 * A host's report of senders without the fleet's own agents (CARP from a fleet address) and those on no segment.
 * VRRP is never a fleet agent: a keepalived on a fleet host stays in.
 */
export function foreignOf(s: Snapshot | undefined, fleet: ReadonlySet<string>): ForeignAdvert[] | undefined {
  if (!s?.foreign) return undefined;
  return s.foreign.filter((f) => f.segment !== '' && !(f.kind === 'carp' && fleet.has(f.from)));
}

/** One sender on a segment, merged over the hosts that heard it. */
export interface SegmentSender {
  segment: string;
  kind: ForeignAdvert['kind'];
  version: number;
  /** VRRP router id, or CARP vhid. */
  id: number;
  from: string;
  /** The freshest report of it (its values, HMAC verdict and implementation). */
  advert: ForeignAdvert;
  /** The fleet hosts that heard it, with the interface. */
  heardBy: Array<{ host: string; interface: string }>;
  lastAt: number;
}

/** The foreign senders the fleet's hosts heard, per segment (sorted by segment, kind, id, source). */
export function sendersBySegment(hosts: readonly HostView[]): SegmentSender[] {
  const by = new Map<string, SegmentSender>();
  for (const h of hosts) {
    for (const f of h.foreign ?? []) {
      const key = `${f.segment}|${f.kind}|${f.id}|${f.from}`;
      const cur = by.get(key);
      if (!cur) {
        by.set(key, { segment: f.segment, kind: f.kind, version: f.version, id: f.id, from: f.from, advert: f, heardBy: [{ host: h.host, interface: f.interface }], lastAt: f.lastAt });
        continue;
      }
      cur.heardBy.push({ host: h.host, interface: f.interface });
      if (f.lastAt > cur.lastAt) {
        cur.lastAt = f.lastAt;
        cur.advert = f;
        cur.version = f.version;
      }
    }
  }
  return [...by.values()].sort((a, b) => a.segment.localeCompare(b.segment) || a.kind.localeCompare(b.kind) || a.id - b.id || a.from.localeCompare(b.from));
}

/** The virtual MAC of a VRRP router id (RFC 5798 §7.3), which CARP uses for the vhid of the same number. */
export function vrrpVirtualMac(vrid: number): string {
  return `00:00:5e:00:01:${vrid.toString(16).padStart(2, '0')}`;
}

/** One sender in words: "VRRPv2 router 7 from 198.18.0.9 (priority 100)", "ucarp peer of vhid 9 from 198.18.0.8". */
export function senderText(f: Pick<ForeignAdvert, 'kind' | 'version' | 'id' | 'from' | 'priority' | 'impl' | 'hmac' | 'advskew'>): string {
  if (f.kind === 'vrrp') return `VRRPv${f.version} router ${f.id} from ${f.from}${f.priority !== undefined ? ` (priority ${f.priority})` : ''}`;
  const who = f.impl === 'ucarp' ? 'ucarp peer' : 'CARP peer';
  const hmac = f.hmac === 'mismatch' ? ', HMAC does not match' : f.hmac === 'one-address' ? ', HMAC over one address only' : '';
  return `${who} of vhid ${f.id} from ${f.from}${f.advskew !== undefined ? ` (advskew ${f.advskew}${hmac})` : ''}`;
}

/** carpctl's line for an agent's 'interfaces' or 'foreign' event. */
export function hostReportText(e: Extract<AgentEvent, { kind: 'interfaces' | 'foreign' }>): string {
  if (e.kind === 'interfaces') return `interfaces: ${e.interfaces.map((i) => `${i.name} ${i.up ? 'up' : 'DOWN'}${i.addresses.length ? ` ${i.addresses.join(' ')}` : ''}`).join(', ') || 'none'}`;
  return `protocol-112 senders: ${e.foreign.map((f) => `${f.interface} ${senderText(f)}`).join('; ') || 'none'}`;
}
