// The group editor's view of the network: each member's interfaces as its agent reports them (segment,
// link), whether the chosen members share a segment, the VRRP routers and foreign CARP senders heard there
// (a vhid equal to a VRRP router id shares its virtual MAC), and ucarp peers of a multi-address group. Pure.
import type { InterfaceReport } from '../../../agent/control/messages.js';
import { sendersBySegment, senderText, vrrpVirtualMac, type SegmentSender } from '../../../electron/core/fleet/foreign.js';
import type { Fleet, GroupKey } from '../../../electron/core/fleet/types.js';
import { parseAddresses, segmentOf, type EditorMember, type EditorState } from './editor.js';

/** An interface the editor can offer for a host. `reported`: from the agent's interface list (else from its groups). */
export interface InterfaceChoice {
  name: string;
  segments: string[];
  up: boolean;
  reported: boolean;
}

/**
 * The interfaces `host` offers: its agent's report (interfaces with IPv4 first, then by name); for an older agent
 * that reports none, the interfaces its groups use, with their segments.
 */
export function interfaceChoices(fleet: Fleet | null, host: string): InterfaceChoice[] {
  const view = fleet?.hosts.find((h) => h.host === host);
  if (view?.interfaces) {
    return [...view.interfaces]
      .sort((a, b) => Number(b.segments.length > 0) - Number(a.segments.length > 0) || a.name.localeCompare(b.name))
      .map((i: InterfaceReport) => ({ name: i.name, segments: [...i.segments], up: i.up, reported: true }));
  }
  const out = new Map<string, InterfaceChoice>();
  for (const g of fleet?.groups ?? []) {
    for (const m of g.members) {
      if (m.host !== host) continue;
      const c = out.get(m.interface) ?? { name: m.interface, segments: [], up: true, reported: false };
      if (!c.segments.includes(g.segment)) c.segments.push(g.segment);
      out.set(m.interface, c);
    }
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** "eth0 · 198.18.0.0/24", "eth2 · no IPv4 address", "eth1 · 198.18.1.0/24 · link down". */
export function choiceLabel(c: InterfaceChoice): string {
  return [c.name, c.segments.length ? c.segments.join(', ') : c.reported ? 'no IPv4 address' : 'segment unknown', ...(c.up ? [] : ['link down'])].join(' · ');
}

/** The interface a member runs the group on: its own when set, else the group's. */
export function memberInterface(state: Pick<EditorState, 'interface'>, m: EditorMember): string {
  return m.interface ?? state.interface;
}

export interface MemberNetwork {
  host: string;
  interface: string;
  /** The chosen interface as the host reports it; undefined when the host does not have it (or reports nothing). */
  choice?: InterfaceChoice;
  /** The host reports its interfaces (or runs groups): whether `choice` missing means "no such interface". */
  known: boolean;
}

export function memberNetworks(state: Pick<EditorState, 'interface' | 'members'>, fleet: Fleet | null): MemberNetwork[] {
  return state.members.map((m) => {
    const name = memberInterface(state, m);
    const choices = interfaceChoices(fleet, m.host);
    const choice = choices.find((c) => c.name === name);
    return { host: m.host, interface: name, ...(choice ? { choice } : {}), known: choices.length > 0 };
  });
}

/** The segments every member's chosen interface is on (null when some member's is not known). */
export function commonSegments(nets: MemberNetwork[]): string[] | null {
  if (!nets.length || nets.some((n) => !n.choice)) return null;
  return nets.map((n) => n.choice!.segments).reduce((acc, s) => acc.filter((x) => s.includes(x)));
}

/**
 * The interface to give a host that joins: none (the group's) when it has the group's interface on the
 * group's segment or reports nothing; else its interface on a segment the others (or the addresses) are on.
 */
export function interfaceForNewMember(state: EditorState, fleet: Fleet | null, host: string): string | undefined {
  const choices = interfaceChoices(fleet, host);
  if (!choices.length) return undefined;
  const others = memberNetworks(state, fleet).flatMap((n) => n.choice?.segments ?? []);
  const wanted = new Set([...others, ...parseAddresses(state.addresses).flatMap((a) => segmentOf(a) ?? [])]);
  const own = choices.find((c) => c.name === state.interface);
  if (own && (wanted.size === 0 || own.segments.some((s) => wanted.has(s)))) return undefined;
  const match = choices.find((c) => c.segments.some((s) => wanted.has(s)));
  return match && match.name !== state.interface ? match.name : undefined;
}

/** Sets a member's interface (undefined when it is the group's). */
export function withMemberInterface(state: EditorState, host: string, name: string): EditorMember[] {
  return state.members.map((m) => (m.host === host ? { host: m.host, advskew: m.advskew, preempt: m.preempt, ...(name !== state.interface ? { interface: name } : {}) } : m));
}

/** Problems with the members' interfaces, in words: missing, no address, link down, no common segment, VIP off the segment. */
export function networkWarnings(state: Pick<EditorState, 'interface' | 'members' | 'addresses'>, fleet: Fleet | null): string[] {
  const nets = memberNetworks(state, fleet);
  const out: string[] = [];
  for (const n of nets) {
    if (!n.known) continue;
    if (!n.choice) {
      const has = interfaceChoices(fleet, n.host).map((c) => c.name);
      out.push(`${n.host} has no interface ${n.interface} (it reports ${has.join(', ')}): choose one of them for it`);
    } else if (!n.choice.segments.length) out.push(`${n.host} ${n.interface} has no IPv4 address: CARP needs one to send its adverts from`);
    else if (!n.choice.up) out.push(`${n.host} ${n.interface} has its link down: it stays in INIT until the link is back`);
  }
  const common = commonSegments(nets);
  if (common && nets.length > 1 && common.length === 0) {
    out.push(
      `The chosen members have no interface on a common segment (${nets.map((n) => `${n.host} ${n.interface} ${n.choice!.segments.join(', ')}`).join('; ')}): CARP adverts do not cross a router, so each would be MASTER`,
    );
  }
  if (common && common.length) {
    for (const a of parseAddresses(state.addresses)) {
      const s = segmentOf(a);
      if (s && !common.includes(s)) out.push(`${a} is not on the members' segment ${common.join(', ')}: a virtual address belongs on the segment the members share`);
    }
  }
  return out;
}

/** The segments the members' chosen interfaces are on (what the vhid must be free on). */
export function interfaceSegments(state: Pick<EditorState, 'interface' | 'members'>, fleet: Fleet | null): string[] {
  return [...new Set(memberNetworks(state, fleet).flatMap((n) => n.choice?.segments ?? []))];
}

/** Foreign senders (not fleet agents) heard on `segments`. */
export function sendersOn(fleet: Fleet | null, segments: string[]): SegmentSender[] {
  return sendersBySegment(fleet?.hosts ?? []).filter((s) => segments.includes(s.segment));
}

/** VRRP routers on `segments` whose router id is `vhid`: the same virtual MAC 00:00:5e:00:01:vhid. */
export function vrrpCollisions(fleet: Fleet | null, vhid: number, segments: string[]): SegmentSender[] {
  return sendersOn(fleet, segments).filter((s) => s.kind === 'vrrp' && s.id === vhid);
}

/** "VRRP router 7 from 198.18.0.9 uses the same virtual MAC 00:00:5e:00:01:07 (heard by fw1, fw2 on 198.18.0.0/24)". */
export function vrrpWarning(s: SegmentSender): string {
  return `VRRP router ${s.id} from ${s.from} uses the same virtual MAC ${vrrpVirtualMac(s.id)} (VRRPv${s.version}, heard by ${s.heardBy.map((h) => h.host).join(', ')} on ${s.segment}): choose another vhid`;
}

/** CARP senders that are not fleet agents and use `vhid` on `segments` (for a new group: another group's vhid). */
export function foreignCarpOn(fleet: Fleet | null, vhid: number, segments: string[]): SegmentSender[] {
  return sendersOn(fleet, segments).filter((s) => s.kind === 'carp' && s.id === vhid);
}

/** Router ids and vhids foreign senders use on `segments` (all segments when none is given): never suggested. */
export function foreignIds(fleet: Fleet | null, segments: string[]): Set<number> {
  const all = sendersBySegment(fleet?.hosts ?? []);
  return new Set(all.filter((s) => segments.length === 0 || segments.includes(s.segment)).map((s) => s.id));
}

/** ucarp peers of this vhid on `segments` (reported by the agents: by their HMAC, or by ucarp's wire signature). */
export function ucarpPeers(fleet: Fleet | null, vhid: number, segments: string[]): SegmentSender[] {
  return foreignCarpOn(fleet, vhid, segments).filter((s) => s.advert.impl === 'ucarp');
}

/**
 * The warning for a group with more than one address when a peer of it runs ucarp (null when it has one
 * address or no ucarp peer was heard): ucarp hashes exactly one address, so the two reject each other's adverts.
 */
export function ucarpWarning(addressCount: number, peers: SegmentSender[]): string | null {
  if (addressCount < 2 || !peers.length) return null;
  const who = peers.map((p) => `${p.from} (heard by ${p.heardBy.map((h) => h.host).join(', ')}${p.advert.evidence ? `; ${p.advert.evidence}` : ''})`).join('; ');
  return `${addressCount} addresses, but a peer of this vhid runs ucarp: ${who}. ucarp hashes exactly one address, so it rejects these adverts and both sides become MASTER: keep one address per vhid, or replace the ucarp peer`;
}

/**
 * Segments where no live fleet agent runs a group: agents hear protocol 112 only on interfaces they run a
 * group on, so a VRRP router or foreign CARP there is not known (the vhid check covers fleet groups only).
 */
export function unheardSegments(fleet: Fleet | null, segments: string[]): string[] {
  const heard = new Set((fleet?.groups ?? []).filter((g) => g.members.some((m) => m.live)).map((g) => g.segment));
  return segments.filter((s) => !heard.has(s));
}

/** Every foreign sender on the segments, in words (for the editor's "heard on this segment" line). */
export function sendersText(senders: SegmentSender[]): string[] {
  return senders.map((s) => `${senderText(s.advert)} on ${s.segment}`);
}

export type { SegmentSender, GroupKey };
