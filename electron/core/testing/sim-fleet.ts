// A simulated fleet for scale work (`npm run serve -- --simulate 200x1000`, `npm run bench -- --only console-ui`):
// H fake agents (fake-agent.ts) carrying G groups spread over many segments, and a driver that flips masters.
import { createHash } from 'node:crypto';
import { electionValues } from '../../../agent/engine/engine.js';
import { bestOf } from '../../../agent/engine/election.js';
import type { GroupConfig } from '../../../agent/config/schema.js';
import type { InterfaceReport } from '../../../agent/control/messages.js';
import { FakeAgent, FakeNet, FakeTransport } from './fake-agent.js';

/** Groups per segment (vhids 1..GROUPS_PER_SEGMENT on each); segments are 198.18.0.0/24 .. 198.19.255.0/24. */
export const GROUPS_PER_SEGMENT = 4;
export const MAX_SIM_HOSTS = 250;
export const MAX_SIM_GROUPS = 512 * GROUPS_PER_SEGMENT;
/** Members per group. */
export const SIM_MEMBERS = 3;

export interface SimSize {
  hosts: number;
  groups: number;
}

/** "200x1000" → 200 hosts, 1,000 groups; throws an Error saying what is wrong. */
export function parseSimSize(text: string): SimSize {
  const m = /^(\d{1,4})x(\d{1,5})$/.exec(text.trim());
  if (!m) throw new Error(`--simulate wants HOSTSxGROUPS (e.g. 200x1000), got ${JSON.stringify(text)}`);
  const hosts = Number(m[1]);
  const groups = Number(m[2]);
  if (hosts < SIM_MEMBERS || hosts > MAX_SIM_HOSTS) throw new Error(`--simulate: hosts must be ${SIM_MEMBERS}..${MAX_SIM_HOSTS}, got ${hosts}`);
  if (groups < 1 || groups > MAX_SIM_GROUPS) throw new Error(`--simulate: groups must be 1..${MAX_SIM_GROUPS}, got ${groups}`);
  return { hosts, groups };
}

/** Where simulated group i lives: its segment (a /24 in 198.18.0.0/15), interface, vhid and members. */
export function simGroupLayout(i: number, hosts: number): { segment: string; prefix: string; iface: string; vhid: number; members: number[] } {
  const s = Math.floor(i / GROUPS_PER_SEGMENT);
  const prefix = `198.${18 + (s >> 8)}.${s & 255}`;
  // Members: consecutive hosts, spread so every host carries about the same number of groups.
  const first = (i * SIM_MEMBERS) % hosts;
  const members = Array.from({ length: SIM_MEMBERS }, (_, k) => (first + k) % hosts);
  return { segment: `${prefix}.0/24`, prefix, iface: `vlan${s}`, vhid: (i % GROUPS_PER_SEGMENT) + 1, members };
}

/** 32 hex characters from the group's identity and password (sha256, not scrypt: simulation only). */
function simPasswordCheck(c: GroupConfig): string {
  return createHash('sha256').update(`${c.interface}/${c.vhid}/${c.password}`).digest('hex').slice(0, 32);
}

/** A fake agent whose groups report their own segment and source address (fake-agent.ts reports one LAN). */
class SimAgent extends FakeAgent {
  constructor(
    net: FakeNet,
    host: string,
    readonly index: number,
    private readonly segments: Map<string, { segment: string; prefix: string }>,
  ) {
    super(net, host, `198.18.0.${index + 1}`);
  }
  /** One VLAN interface per segment this host has a group on (vlanN with its address there), link up. */
  override interfaces(): InterfaceReport[] {
    const ifs = new Set(this.groups.map((g) => g.config.interface));
    return [...ifs].sort().flatMap((name) => {
      const seg = this.segments.get(name);
      return seg ? [{ name, addresses: [`${seg.prefix}.${this.index + 1}/24`], segments: [seg.segment], up: true }] : [];
    });
  }

  /** The group's own segment and this host's address there. */
  protected override placeOf(c: GroupConfig): { segment: string; srcip: string } {
    const seg = this.segments.get(c.interface);
    return { segment: seg?.segment ?? '198.18.0.0/24', srcip: seg ? `${seg.prefix}.${this.index + 1}` : this.srcip };
  }

  /**
   * A stand-in password check value (the same for every member of a group): the real one is an 80 ms
   * scrypt per group, 80 s of start-up for 1,000 groups, and the simulation's passwords are all the same.
   */
  protected override passwordCheckOf(c: GroupConfig): string {
    return simPasswordCheck(c);
  }
}

/** Elects per interface + vhid (fake-agent.ts elects per vhid, one LAN), and only the group that changed. */
class SimNet extends FakeNet {
  readonly segments = new Map<string, { segment: string; prefix: string }>();
  /** The members of each group, by `${iface}/${vhid}`. */
  readonly members = new Map<string, FakeAgent[]>();

  addSim(host: string, index: number): FakeAgent {
    const a = new SimAgent(this, host, index, this.segments);
    this.agents.set(host, a);
    return a;
  }

  override elect(): void {
    for (const key of this.members.keys()) this.electGroup(key);
  }

  electGroup(key: string): void {
    const slash = key.lastIndexOf('/');
    const iface = key.slice(0, slash);
    const vhid = Number(key.slice(slash + 1));
    const members = (this.members.get(key) ?? []).flatMap((a) => (a.up ? a.groups.filter((g) => g.config.interface === iface && g.config.vhid === vhid).map((g) => ({ a, g })) : []));
    if (!members.length) return;
    const ranked = members.map((m) => ({ ...electionValues({ vhid, advbase: m.g.config.advbase, advskew: m.g.config.advskew, demote: m.a.demote, preempt: m.g.config.preempt ?? false, maintenance: m.a.maintenance }), m }));
    const tied = bestOf(ranked).map((x) => x.m);
    const best = tied.find((m) => m.g.state === 'MASTER') ?? tied[0];
    for (const m of members) {
      const to = m === best ? 'MASTER' : 'BACKUP';
      if (m.g.state === to) continue;
      const from = m.g.state;
      m.g.state = to;
      m.g.since = Date.now();
      if (!m.a.frozen) m.a.emit({ kind: 'state', at: m.g.since, vhid, interface: iface, from, to, reason: to === 'MASTER' ? 'simulated election won' : 'simulated election lost' });
    }
  }
}

export interface SimFleet {
  size: SimSize;
  net: FakeNet;
  agents: FakeAgent[];
  transports: FakeTransport[];
  /** Group keys as the core names them (`segment/vhid`, see fleet/), index = simulated group number. */
  groups: Array<{ segment: string; iface: string; vhid: number; members: string[] }>;
  /**
   * Hands group i to its next member (advskew rotated, then that group re-elected): one MASTER → BACKUP
   * and one BACKUP → MASTER state event. Returns the new master's host name.
   */
  flip(i: number): string;
  /** The host that masters group i now. */
  masterOf(i: number): string | undefined;
  stop(): void;
}

/** Builds the simulated fleet: hosts sim1..simH, groups running at once (no deploy, no apply). */
export function simFleet(size: SimSize, heartbeatMs = 1000): SimFleet {
  const net = new SimNet();
  const agents = Array.from({ length: size.hosts }, (_, i) => net.addSim(`sim${i + 1}`, i));
  const groups: SimFleet['groups'] = [];
  const now = Date.now();
  for (let i = 0; i < size.groups; i++) {
    const l = simGroupLayout(i, size.hosts);
    net.segments.set(l.iface, { segment: l.segment, prefix: l.prefix });
    const members = l.members.map((h) => agents[h]);
    net.members.set(`${l.iface}/${l.vhid}`, members);
    members.forEach((a, k) => {
      const config: GroupConfig = { vhid: l.vhid, name: `sim-${i + 1}`, interface: l.iface, addresses: [`${l.prefix}.${200 + l.vhid}/24`], password: 'simulated', advbase: 1, advskew: k * 50, preempt: true, neutral: false };
      a.groups.push({ config, state: k === 0 ? 'MASTER' : 'BACKUP', since: now });
    });
    groups.push({ segment: l.segment, iface: l.iface, vhid: l.vhid, members: members.map((a) => a.host) });
  }
  // A VRRP router on the first segment (router id 9, which no simulated group uses there), heard by its members.
  const first = groups[0];
  if (first) {
    const l = simGroupLayout(0, size.hosts);
    for (const h of first.members) {
      const a = net.agents.get(h)!;
      a.foreign = [{ interface: l.iface, segment: l.segment, kind: 'vrrp', version: 2, id: 9, from: `${l.prefix}.250`, count: 1, firstAt: now, lastAt: now, priority: 100, intervalMs: 1000, addresses: [`${l.prefix}.209`] }];
    }
  }
  net.startHeartbeats(heartbeatMs);
  const running = (i: number) => {
    const g = groups[i];
    if (!g) throw new Error(`no simulated group ${i}`);
    return g.members.map((h) => net.agents.get(h)!.groups.find((x) => x.config.interface === g.iface && x.config.vhid === g.vhid)!);
  };
  return {
    size,
    net,
    agents,
    transports: agents.map((a) => new FakeTransport(a)),
    groups,
    flip(i) {
      const rs = running(i);
      // rotate the advskews (0, 50, 100 from the new master on): the member after the master becomes the best one
      const m = rs.findIndex((r) => r.state === 'MASTER');
      const next = (m + 1) % rs.length;
      rs.forEach((r, k) => (r.config = { ...r.config, advskew: ((k - next + rs.length) % rs.length) * 50 }));
      net.electGroup(`${groups[i].iface}/${groups[i].vhid}`);
      return groups[i].members[next];
    },
    masterOf(i) {
      const k = running(i).findIndex((r) => r.state === 'MASTER');
      return k < 0 ? undefined : groups[i].members[k];
    },
    stop: () => net.stop(),
  };
}
