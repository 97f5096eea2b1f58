// What the agent reports about its host beyond its groups: its interfaces (polled, reported on change) and
// the protocol-112 senders heard on its sockets (VRRP routers, CARP peers with their HMAC verdict and
// implementation), counted per sender and forgotten when unheard for FOREIGN_ADVERT_TTL_MS.
import { decodePacket, type DecodeResult } from '../protocol/index.js';
import { carpPeerImpl, decodeVrrp, peerHmac } from '../protocol/foreign.js';
import { segmentOf } from '../net/iface.js';
import type { HostInterface } from '../net/iface.js';
import {
  FOREIGN_ADVERT_TTL_MS,
  MAX_FOREIGN_ADVERTS,
  MAX_REPORTED_INTERFACES,
  type ForeignAdvert,
  type InterfaceReport,
} from '../control/messages.js';

/** The group a CARP vhid belongs to on the interface, for the HMAC verdict. */
export type GroupKeyLookup = (vhid: number) => { key: Buffer; addresses: string[] } | undefined;

interface Entry {
  advert: ForeignAdvert;
  /** CARP: the last counter heard and whether it ever changed, and the TOS. */
  counter?: string;
  counterChanges?: boolean;
}

/** The fields whose change is worth an event (counts and times are not: the snapshot carries them). */
function shape(a: ForeignAdvert): string {
  const { count: _c, firstAt: _f, lastAt: _l, ...rest } = a;
  return JSON.stringify(rest);
}

/** Per sender (interface, kind, id, source): the protocol-112 packets that are not this host's own. */
export class ForeignAdverts {
  private readonly entries = new Map<string, Entry>();

  /**
   * One received packet (IP header + payload) on `iface`, whose segment is `segment`. Returns `vrrp` when it
   * was a VRRP advert (the caller counts it no further: it is not a CARP drop) and `changed` when the list's
   * shape changed (a new sender, other values or verdicts).
   */
  /** `r`: the packet's CARP decoding, when the caller (the runtime's receive path) has it already. */
  observe(iface: string, segment: string, ip: Buffer, now: number, lookup: GroupKeyLookup, r: DecodeResult = decodePacket(ip)): { vrrp: boolean; changed: boolean } {
    // A valid CARP packet is CARP, even where its bytes would also read as VRRPv2 (the same version and
    // type; 7 addresses make VRRP's 44 bytes, a mutated CARP packet may fit): only what CARP refuses may be VRRP.
    if (!r.ok) {
      const v = decodeVrrp(ip);
      if (!v) return { vrrp: false, changed: false };
      const changed = this.put(
        `${iface}|vrrp|${v.vrid}|${v.src}`,
        { interface: iface, segment, kind: 'vrrp', version: v.version, id: v.vrid, from: v.src, priority: v.priority, intervalMs: v.intervalMs, addresses: v.addresses.slice(0, 32) },
        now,
      );
      return { vrrp: true, changed };
    }
    const h = r.header;
    const key = `${iface}|carp|${h.vhid}|${r.src}`;
    const prev = this.entries.get(key);
    const counter = h.counter.toString('hex');
    const counterChanges = prev?.counter === undefined ? undefined : (prev.counterChanges ?? false) || prev.counter !== counter;
    const group = lookup(h.vhid);
    const verdict = group ? peerHmac(h, group.key, group.addresses) : { verdict: 'no-key' as const };
    const impl = carpPeerImpl({ hmac: verdict.verdict, ...('address' in verdict && verdict.address ? { address: verdict.address } : {}), tos: ip[1], demote: h.demote, ...(counterChanges !== undefined ? { counterChanges } : {}) });
    const changed = this.put(
      key,
      { interface: iface, segment, kind: 'carp', version: 2, id: h.vhid, from: r.src, advbase: h.advbase, advskew: h.advskew, demote: h.demote, hmac: verdict.verdict, impl: impl.impl, ...(impl.evidence ? { evidence: impl.evidence } : {}) },
      now,
    );
    const e = this.entries.get(key)!;
    e.counter = counter;
    if (counterChanges !== undefined) e.counterChanges = counterChanges;
    return { vrrp: false, changed };
  }

  private put(key: string, fields: Omit<ForeignAdvert, 'count' | 'firstAt' | 'lastAt'>, now: number): boolean {
    const prev = this.entries.get(key);
    const advert: ForeignAdvert = { ...fields, count: (prev?.advert.count ?? 0) + 1, firstAt: prev?.advert.firstAt ?? now, lastAt: now };
    if (prev) {
      const changed = shape(prev.advert) !== shape(advert);
      prev.advert = advert;
      return changed;
    }
    if (this.entries.size >= MAX_FOREIGN_ADVERTS) {
      const oldest = [...this.entries].sort((a, b) => a[1].advert.lastAt - b[1].advert.lastAt)[0];
      if (oldest) this.entries.delete(oldest[0]);
    }
    this.entries.set(key, { advert });
    return true;
  }

  /** Forgets senders unheard for FOREIGN_ADVERT_TTL_MS; true when one went. */
  expire(now: number): boolean {
    let gone = false;
    for (const [k, e] of this.entries) {
      if (now - e.advert.lastAt > FOREIGN_ADVERT_TTL_MS) {
        this.entries.delete(k);
        gone = true;
      }
    }
    return gone;
  }

  list(): ForeignAdvert[] {
    return [...this.entries.values()]
      .map((e) => ({ ...e.advert }))
      .sort((a, b) => a.interface.localeCompare(b.interface) || a.kind.localeCompare(b.kind) || a.id - b.id || a.from.localeCompare(b.from));
  }
}

/** The interfaces as reported: the agent's own VIPs left out of the addresses, segments derived, bounded. */
export function interfaceReports(list: HostInterface[], vips: string[]): InterfaceReport[] {
  const ours = new Set(vips.map((a) => a.split('/')[0]));
  return list.slice(0, MAX_REPORTED_INTERFACES).map((i) => {
    const addresses = i.addresses.filter((a) => !ours.has(a.split('/')[0])).slice(0, 64);
    const segments = [...new Set(addresses.map((a) => segmentOf(a.split('/')[0], Number(a.split('/')[1] ?? 32))))];
    return { name: i.name.slice(0, 64), addresses, segments, up: i.up, ...(i.mac ? { mac: i.mac } : {}) };
  });
}

export interface HostReporterOptions {
  /** The host's interfaces now (agent/net/iface.ts listInterfaces); absent: none are reported. */
  listInterfaces?: () => HostInterface[];
  /** The VIPs the agent manages now (left out of the interfaces' addresses). */
  vips: () => string[];
  onInterfaces: (list: InterfaceReport[]) => void;
  onForeign: (list: ForeignAdvert[]) => void;
  pollMs?: number;
  now?: () => number;
}

/** At most one 'foreign' event per this gap, with the latest list: a flood of spoofed senders must not flood the console. */
export const FOREIGN_EVENT_GAP_MS = 1000;

/** Polls the interfaces and expires senders every `pollMs` (5 s), reporting each list when it changed. */
export class HostReporter {
  readonly foreign = new ForeignAdverts();
  private interfaces: InterfaceReport[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastForeignAt = -Infinity;
  private foreignTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: HostReporterOptions) {}

  start(): void {
    this.poll(false);
    this.timer = setInterval(() => this.poll(true), this.o.pollMs ?? 5000);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.foreignTimer) clearTimeout(this.foreignTimer);
    this.foreignTimer = null;
  }

  /** Reports the senders: at once after a quiet spell, else the latest list when FOREIGN_EVENT_GAP_MS has passed. */
  private reportForeign(): void {
    if (this.foreignTimer) return;
    const send = () => {
      this.foreignTimer = null;
      this.lastForeignAt = (this.o.now ?? Date.now)();
      this.o.onForeign(this.foreign.list());
    };
    const wait = this.lastForeignAt + FOREIGN_EVENT_GAP_MS - (this.o.now ?? Date.now)();
    if (wait <= 0) return send();
    this.foreignTimer = setTimeout(send, wait);
    this.foreignTimer.unref?.();
  }

  /** Re-reads the interfaces now (after an apply, say); reports them when they changed and `report`. */
  poll(report = true): void {
    if (this.o.listInterfaces) {
      let next: InterfaceReport[];
      try {
        next = interfaceReports(this.o.listInterfaces(), this.o.vips());
      } catch {
        next = this.interfaces; // unreadable now: keep the last list
      }
      if (JSON.stringify(next) !== JSON.stringify(this.interfaces)) {
        this.interfaces = next;
        if (report) this.o.onInterfaces(next);
      }
    }
    if (this.foreign.expire((this.o.now ?? Date.now)())) this.reportForeign();
  }

  /** A received packet: true when it was VRRP (not a CARP drop). Reports the senders when their shape changed. */
  observe(iface: string, segment: string, ip: Buffer, lookup: GroupKeyLookup, decoded?: DecodeResult): boolean {
    const r = this.foreign.observe(iface, segment, ip, (this.o.now ?? Date.now)(), lookup, decoded);
    if (r.changed) this.reportForeign();
    return r.vrrp;
  }

  /** The snapshot's fields. */
  fields(): { interfaces?: InterfaceReport[]; foreign: ForeignAdvert[] } {
    return { ...(this.o.listInterfaces ? { interfaces: this.interfaces } : {}), foreign: this.foreign.list() };
  }
}
