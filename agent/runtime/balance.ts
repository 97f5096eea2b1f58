// OpenBSD's arpbalance on Linux: groups that share their addresses split the clients by the hash in
// agent/protocol/balance.ts. The master of a balanced vhid holds the vhid's virtual MAC (a macvlan on
// the parent, NOARP) with the shared addresses on it, sends its adverts from that MAC so switches learn
// where it lives, and answers the ARP requests of the clients the hash gives its vhid, here, on a packet
// socket. The kernel answers none of them: while a balanced set runs on an interface, its arp_ignore is
// 1 (answer only for the interface's own addresses) and arp_announce 2 (never a shared address as the
// sender of the host's own requests); the old values come back when the set goes.
import type { AgentConfig, GroupConfig } from '../config/schema.js';
import { addressSet } from '../config/schema.js';
import { balancedVhid, decodeArpRequest, encodeArpReply, encodeEtherFrame, encodeIpPacket, virtualMac } from '../protocol/index.js';
import type { ArpListener, InterfaceInfo, NetPort } from '../net/index.js';
import { virtualMacLinkName } from '../net/macvlan.js';
import { groupKey, type ConfigDiff } from './diff.js';

/** The interface sysctls a balanced interface runs with, and why. */
export const BALANCED_SYSCTLS: Readonly<Record<string, string>> = {
  // The kernel answers ARP only for the interface's own addresses: the shared ones sit on the macvlans.
  arp_ignore: '1',
  // The host's own ARP requests name the interface's address as sender, never a shared one (that would
  // point the asked client at this host's own MAC, past the balancing).
  arp_announce: '2',
};

/**
 * Pure: every balanced group of `config` (by groupKey) with the vhids of its set, ascending. A set is the
 * groups on one interface with the same addresses, two or more, when the config has `arpbalance: true`
 * (the schema has checked that groups sharing an address share all of them).
 */
export function balancedSets(config: AgentConfig): Map<string, number[]> {
  const out = new Map<string, number[]>();
  if (!config.arpbalance) return out;
  const sets = new Map<string, GroupConfig[]>();
  for (const g of config.groups) {
    const k = `${g.interface} ${addressSet(g.addresses)}`;
    sets.set(k, [...(sets.get(k) ?? []), g]);
  }
  for (const groups of sets.values()) {
    if (groups.length < 2) continue;
    const vhids = groups.map((g) => g.vhid).sort((a, b) => a - b);
    for (const g of groups) out.set(groupKey(g), vhids);
  }
  return out;
}

/** Pure: whether two configs balance the same groups in the same sets. */
export function sameBalance(a: AgentConfig, b: AgentConfig): boolean {
  return JSON.stringify([...balancedSets(a)].sort()) === JSON.stringify([...balancedSets(b)].sort());
}

/**
 * Pure: `d` with every group that becomes balanced or stops being balanced as a hard change (it
 * restarts: its addresses move between the interface and a virtual MAC link). A set that only gains or
 * loses a vhid changes nothing in its groups: the hash follows the new set at once.
 */
export function withBalanceFlips(d: ConfigDiff, before: AgentConfig, after: AgentConfig): ConfigDiff {
  const was = balancedSets(before);
  const now = balancedSets(after);
  const old = new Map(before.groups.map((g) => [groupKey(g), g]));
  const flips = after.groups.filter((g) => old.has(groupKey(g)) && was.has(groupKey(g)) !== now.has(groupKey(g)));
  if (!flips.length) return d;
  const keys = new Set(flips.map(groupKey));
  return {
    ...d,
    soft: d.soft.filter((c) => !keys.has(groupKey(c.after))),
    hard: [...d.hard.filter((c) => !keys.has(groupKey(c.after))), ...flips.map((g) => ({ before: old.get(groupKey(g))!, after: g }))],
  };
}

/** What a balanced group does differently (GroupRunner asks for it per action). */
export interface BalancedEdge {
  /** The vhids of its set, ascending, itself included. */
  vhids: number[];
  /** Becoming MASTER: the virtual MAC link with the shared addresses on it. */
  hold(g: GroupConfig, iface: InterfaceInfo): void;
  /** Leaving MASTER: the link (and the addresses on it) goes. */
  release(g: GroupConfig, iface: InterfaceInfo | null): void;
  /** An advert (36-byte CARP header) from the vhid's virtual MAC. */
  sendAdvert(g: GroupConfig, srcip: string, carp: Buffer): void;
}

interface BalancedInterface {
  listener: ArpListener;
  /** The sysctl values before the agent set them. */
  saved: Record<string, string | null>;
}

export interface BalancerEnv {
  net: NetPort;
  /** Whether this host is MASTER of `vhid` on `ifname` now. */
  isMaster(ifname: string, vhid: number): boolean;
  error(key: string, message: string): void;
  info(message: string): void;
}

export class Balancer {
  private sets = new Map<string, number[]>();
  /** "eth0/198.18.0.100" -> the vhids that share it. */
  private byAddress = new Map<string, number[]>();
  private readonly ifaces = new Map<string, BalancedInterface>();
  /** Links this agent holds now (group key -> link name), so that a release or a stop removes them. */
  private readonly held = new Map<string, string>();

  constructor(private readonly env: BalancerEnv) {}

  /** What group `g` does as a member of its balanced set, or null when it is not balanced. */
  of(g: GroupConfig): BalancedEdge | null {
    const vhids = this.sets.get(groupKey(g));
    if (!vhids) return null;
    return {
      vhids,
      hold: (c, iface) => this.hold(c, iface),
      release: (c, iface) => this.release(c, iface),
      sendAdvert: (c, srcip, carp) => this.sendAdvert(c, srcip, carp),
    };
  }

  /**
   * Takes a (validated) config: which groups are balanced, which interfaces answer ARP. Throws when the
   * config balances and this platform cannot (no balance port).
   */
  configure(config: AgentConfig): void {
    const sets = balancedSets(config);
    const port = this.env.net.balance;
    if (sets.size && !port) throw new Error('arpbalance is not supported on this platform (the agent needs Linux macvlan and packet sockets)');
    this.sets = sets;
    this.byAddress = new Map();
    for (const g of config.groups) {
      const vhids = sets.get(groupKey(g));
      if (vhids) for (const a of g.addresses) this.byAddress.set(`${g.interface}/${a.split('/')[0]}`, vhids);
    }
    const wanted = new Set(config.groups.filter((g) => sets.has(groupKey(g))).map((g) => g.interface));
    for (const name of [...this.ifaces.keys()]) if (!wanted.has(name)) this.closeInterface(name);
    for (const name of wanted) if (!this.ifaces.has(name)) this.openInterface(name);
  }

  /** The interface was re-created (new index): the ARP socket is bound to the old one. */
  reopen(ifname: string): void {
    if (!this.ifaces.has(ifname)) return;
    this.ifaces.get(ifname)!.listener.close();
    try {
      this.ifaces.get(ifname)!.listener = this.env.net.balance!.listenArp(ifname, (f) => this.onFrame(ifname, f), (e) => this.env.error(`arp ${ifname}`, e.message));
    } catch (e) {
      this.env.error(`arp ${ifname}`, `cannot answer ARP for the balanced addresses on ${ifname}: ${(e as Error).message}`);
    }
  }

  /** Removes virtual MAC links left behind by an agent that did not stop cleanly; returns their names. */
  removeLeftovers(): string[] {
    const port = this.env.net.balance;
    if (!port) return [];
    const removed: string[] = [];
    for (const name of port.virtualMacLinks()) {
      try {
        port.deleteLink(name);
        removed.push(name);
      } catch (e) {
        this.env.error(`link ${name}`, `cannot remove ${name}, left behind by an agent that did not stop cleanly: ${(e as Error).message}`);
      }
    }
    return removed;
  }

  private hold(g: GroupConfig, iface: InterfaceInfo): void {
    const port = this.env.net.balance!;
    const name = virtualMacLinkName(g.interface, iface.ifindex, g.vhid);
    port.addMacvlan(g.interface, name, virtualMac(g.vhid));
    this.held.set(groupKey(g), name);
    // Traffic for the shared address arrives on the macvlan while the route back is the parent's: loose.
    port.writeIfSysctl(name, 'rp_filter', '2');
    for (const a of g.addresses) this.env.net.addAddress(name, `${a.split('/')[0]}/32`);
  }

  private release(g: GroupConfig, iface: InterfaceInfo | null): void {
    const name = this.held.get(groupKey(g)) ?? virtualMacLinkName(g.interface, iface?.ifindex ?? 0, g.vhid);
    this.env.net.balance!.deleteLink(name);
    this.held.delete(groupKey(g));
  }

  private sendAdvert(g: GroupConfig, srcip: string, carp: Buffer): void {
    this.env.net.sendFrame(g.interface, encodeEtherFrame(virtualMac(g.vhid), encodeIpPacket(carp, { src: srcip })));
  }

  /** Clean stop (after the groups have stopped): every link removed, every interface's sysctls restored. */
  stop(): void {
    this.releaseAllSync();
    for (const name of [...this.ifaces.keys()]) this.closeInterface(name);
  }

  /** Crash path: every link this agent holds removed, synchronously; errors ignored. */
  releaseAllSync(): void {
    for (const [key, name] of [...this.held]) {
      try {
        this.env.net.balance?.deleteLink(name);
      } catch {
        /* keep going */
      }
      this.held.delete(key);
    }
  }

  private openInterface(name: string): void {
    const port = this.env.net.balance!;
    const saved: Record<string, string | null> = {};
    for (const [key, value] of Object.entries(BALANCED_SYSCTLS)) {
      saved[key] = port.readIfSysctl(name, key);
      try {
        if (saved[key] !== value) port.writeIfSysctl(name, key, value);
      } catch (e) {
        this.env.error(`sysctl ${name}`, `${(e as Error).message}: the kernel may answer ARP for the balanced addresses itself`);
      }
    }
    let listener: ArpListener;
    try {
      listener = port.listenArp(name, (f) => this.onFrame(name, f), (e) => this.env.error(`arp ${name}`, e.message));
    } catch (e) {
      this.env.error(`arp ${name}`, `cannot answer ARP for the balanced addresses on ${name}: ${(e as Error).message}`);
      listener = { close() {} };
    }
    this.ifaces.set(name, { listener, saved });
    this.env.info(`${name}: arpbalance on (net.ipv4.conf.${name}.arp_ignore=1, arp_announce=2 while balanced addresses run here)`);
  }

  private closeInterface(name: string): void {
    const i = this.ifaces.get(name);
    if (!i) return;
    i.listener.close();
    for (const [key, value] of Object.entries(i.saved)) {
      if (value === null) continue;
      try {
        this.env.net.balance?.writeIfSysctl(name, key, value);
      } catch {
        /* the interface is gone */
      }
    }
    this.ifaces.delete(name);
  }

  /** An ARP frame on a balanced interface: a request for a shared address from a client the hash gives a vhid we master is answered. */
  private onFrame(ifname: string, frame: Buffer): void {
    const req = decodeArpRequest(frame);
    if (!req || req.senderIp === req.targetIp) return;
    const vhids = this.byAddress.get(`${ifname}/${req.targetIp}`);
    if (!vhids) return;
    const vhid = balancedVhid(req.senderIp, vhids);
    if (!this.env.isMaster(ifname, vhid)) return;
    this.env.net.sendFrame(ifname, encodeArpReply({ mac: virtualMac(vhid), ip: req.targetIp, to: req }));
  }
}
