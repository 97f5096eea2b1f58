// The normalised kernel-CARP state of one OpenBSD or FreeBSD host (KernelCarpState), built from the
// parsed tool outputs, and its mapping onto the agent's GroupStatus (agent/control/messages.ts) so
// the fleet model can treat kernel hosts and agent hosts alike.
import type { CarpState } from '../../../agent/engine/types.js';
import type { DropReason, GroupStatus } from '../../../agent/control/messages.js';
import type { KernelSystem } from './detect.js';
import { KernelParseError } from './errors.js';
import type { FreebsdInterface } from './freebsd-ifconfig.js';
import { inNetwork, networkOf, type InetAddress } from './ifconfig-common.js';
import type { CarpCounters } from './netstat.js';
import type { OpenbsdBalancing, OpenbsdIfconfig } from './openbsd-ifconfig.js';
import type { CarpSysctl } from './sysctl.js';

/** FreeBSD caps the advertised advskew (advskew + demotion) at CARP_MAXSKEW. */
export const FREEBSD_MAX_WIRE_ADVSKEW = 240;

export interface KernelVhid {
  vhid: number;
  /** Where the vhid is configured: OpenBSD the carp interface ("carp1"), FreeBSD the parent ("em0"). */
  interface: string;
  /** The parent interface carrying the adverts (OpenBSD carpdev; FreeBSD the same as `interface`); null: "carpdev none". */
  carpdev: string | null;
  state: CarpState;
  advbase: number;
  advskew: number;
  /** advskew as advertised: FreeBSD advskew + net.inet.carp.demotion clamped to 0..240; OpenBSD advskew. */
  wireAdvskew: number;
  /** Demote byte: OpenBSD the sum of the counters of the carp interface's groups (max 255); FreeBSD 0. */
  demote: number;
  /** The VIPs, IPv4 "A/len". */
  addresses: string[];
  addresses6: string[];
  /** net.inet.carp.preempt (one setting for the whole host). */
  preempt: boolean;
  /** The interface holding the vhid is UP (OpenBSD carpN; FreeBSD the parent). */
  up: boolean;
  /** OpenBSD carpnodes balancing (mode other than none): the vhids of this carp interface, ascending. */
  balancing?: { mode: OpenbsdBalancing; vhids: number[] };
  /** Unicast peer when not multicast (OpenBSD carppeer; FreeBSD peer other than 224.0.0.18). */
  peer?: string;
  /** LAN segment: network of the parent's own address that holds the first VIP, else of the VIP when its prefix is < 32; '' unknown. */
  segment: string;
  /** The parent's own address on that segment (the adverts' source); '' unknown. */
  srcip: string;
}

export type KernelDemotion =
  | { kind: 'openbsd-groups'; groups: Record<string, number> }
  | { kind: 'freebsd-global'; value: number; ifdownFactor?: number; senderrFactor?: number };

export interface KernelCarpState {
  system: KernelSystem;
  allow: boolean;
  preempt: boolean;
  log: number;
  demotion: KernelDemotion;
  vhids: KernelVhid[];
  /** Host-wide counters of `netstat -s -p carp` (the kernel keeps none per vhid); {} when not read. */
  counters: CarpCounters;
  /** Things read but not certain (e.g. counters unavailable), for the operator. */
  warnings: string[];
}

function place(first: InetAddress | undefined, parentOwn: InetAddress[]): { segment: string; srcip: string } {
  if (!first) return { segment: '', srcip: '' };
  const own = parentOwn.find((a) => a.prefixLen < 32 && inNetwork(first.address, a.cidr));
  if (own) return { segment: networkOf(own.cidr), srcip: own.address };
  return { segment: first.prefixLen < 32 ? networkOf(first.cidr) : '', srcip: '' };
}

export interface OpenbsdParts {
  system: KernelSystem;
  ifconfig: OpenbsdIfconfig;
  /** `ifconfig -g GROUP` counters of every group a carp interface is in. */
  groups: Record<string, number>;
  sysctl: CarpSysctl;
  counters: CarpCounters;
  warnings?: string[];
}

/** OpenBSD: one KernelVhid per (carp interface, vhid). Throws when a group's demote counter was not read. */
export function buildOpenbsdState(p: OpenbsdParts): KernelCarpState {
  const vhids: KernelVhid[] = [];
  for (const c of p.ifconfig.carp) {
    const groups = c.groups.length ? c.groups : ['carp'];
    const missing = groups.filter((g) => p.groups[g] === undefined);
    if (missing.length) throw new KernelParseError('OpenBSD state', `no demote counter was read for group ${missing.join(', ')} of ${c.name} (ifconfig -g ${missing[0]})`);
    const demote = Math.min(255, groups.reduce((sum, g) => sum + p.groups[g], 0));
    const parent = p.ifconfig.interfaces.find((i) => i.name === c.carpdev);
    const where = place(c.addresses[0], parent?.addresses ?? []);
    const balanced = c.nodes.length >= 2 && c.balancing && c.balancing !== 'none';
    for (const n of c.nodes)
      vhids.push({
        vhid: n.vhid,
        interface: c.name,
        carpdev: c.carpdev,
        state: n.state,
        advbase: c.advbase,
        advskew: n.advskew,
        wireAdvskew: n.advskew,
        demote,
        addresses: c.addresses.map((a) => a.cidr),
        addresses6: c.addresses6,
        preempt: p.sysctl.preempt,
        up: c.up,
        balancing: balanced ? { mode: c.balancing!, vhids: c.nodes.map((x) => x.vhid).sort((a, b) => a - b) } : undefined,
        peer: c.peer,
        ...where,
      });
  }
  return {
    system: p.system,
    allow: p.sysctl.allow,
    preempt: p.sysctl.preempt,
    log: p.sysctl.log,
    demotion: { kind: 'openbsd-groups', groups: { ...p.groups } },
    vhids,
    counters: p.counters,
    warnings: p.warnings ?? [],
  };
}

export interface FreebsdParts {
  system: KernelSystem;
  ifconfig: FreebsdInterface[];
  sysctl: CarpSysctl;
  counters: CarpCounters;
  warnings?: string[];
}

/** FreeBSD, pfSense, OPNsense: one KernelVhid per (parent, vhid); the advertised advskew includes the demotion. */
export function buildFreebsdState(p: FreebsdParts): KernelCarpState {
  const demotion = p.sysctl.demotion;
  if (demotion === undefined) throw new KernelParseError('FreeBSD state', 'net.inet.carp.demotion was not read');
  const vhids: KernelVhid[] = [];
  for (const i of p.ifconfig)
    for (const c of i.carp)
      vhids.push({
        vhid: c.vhid,
        interface: i.name,
        carpdev: i.name,
        state: c.state,
        advbase: c.advbase,
        advskew: c.advskew,
        wireAdvskew: Math.max(0, Math.min(FREEBSD_MAX_WIRE_ADVSKEW, c.advskew + demotion)),
        demote: 0,
        addresses: c.addresses.map((a) => a.cidr),
        addresses6: c.addresses6,
        preempt: p.sysctl.preempt,
        up: i.up,
        peer: c.peer && c.peer !== '224.0.0.18' ? c.peer : undefined,
        ...place(c.addresses[0], i.addresses),
      });
  return {
    system: p.system,
    allow: p.sysctl.allow,
    preempt: p.sysctl.preempt,
    log: p.sysctl.log,
    demotion: { kind: 'freebsd-global', value: demotion, ifdownFactor: p.sysctl.ifdownDemotionFactor, senderrFactor: p.sysctl.senderrDemotionFactor },
    vhids,
    counters: p.counters,
    warnings: p.warnings ?? [],
  };
}

/**
 * A kernel vhid as the agent's GroupStatus. What has no kernel equivalent:
 * - since: the kernel keeps no time of the last state change; the backend passes the time it saw it change.
 * - name: the operator's group name lives in the console, not on the host (OpenBSD's carpN is `interface` here).
 * - passwordCheck: the kernel never shows the key (FreeBSD prints it only with `ifconfig -k`, never run): absent.
 * - lastAdvert: the kernel does not expose the last advert heard: null.
 * - sent, received, drops: the kernel counts per host, not per vhid (see kernelDrops): 0 and {}.
 * - balanced: OpenBSD carpnodes balancing (ip/ip-stealth/ip-unicast) hashes packets, not ARP requests as the
 *   agent's arpbalance does; the vhid set is the same notion, the client-to-vhid mapping is not.
 * - wireAdvbase: both kernels advertise the configured advbase.
 * - IPv6 VIPs, the unicast peer, OpenBSD's per-interface private demote counter: no GroupStatus field.
 */
export function toGroupStatus(v: KernelVhid, since: number): GroupStatus {
  return {
    vhid: v.vhid,
    interface: v.carpdev ?? v.interface,
    segment: v.segment,
    srcip: v.srcip,
    addresses: v.addresses,
    state: v.state,
    since,
    advbase: v.advbase,
    advskew: v.advskew,
    wireAdvskew: v.wireAdvskew,
    wireAdvbase: v.advbase,
    demote: v.demote,
    preempt: v.preempt,
    ...(v.balancing && v.balancing.vhids.length >= 2 ? { balanced: v.balancing.vhids } : {}),
    lastAdvert: null,
    sent: 0,
    received: 0,
    drops: {},
  };
}

/**
 * Host-wide kernel drop counters by the agent's drop reasons, where they mean the same check:
 * ttl ← badttl, checksum ← badsum, version ← badver, hmac ← badauth, vhid ← badvhid,
 * short ← hdrops + badlen. No equivalent: badif, badaddrs (OpenBSD), onomem (a send error); the agent's
 * replay and own have no kernel counter.
 */
export function kernelDrops(c: CarpCounters): Partial<Record<DropReason, number>> {
  const out: Partial<Record<DropReason, number>> = {};
  const put = (k: DropReason, ...v: (number | undefined)[]) => {
    if (v.some((x) => x !== undefined)) out[k] = v.reduce<number>((a, x) => a + (x ?? 0), 0);
  };
  put('ttl', c.badttl);
  put('checksum', c.badsum);
  put('version', c.badver);
  put('hmac', c.badauth);
  put('vhid', c.badvhid);
  put('short', c.hdrops, c.badlen);
  return out;
}
