// The console's view of the fleet: what buildFleet derives from the hosts' reports. Plain data,
// serialisable as is (the UI and carpctl --json receive exactly these shapes).
import type { AgentRestarts, AllowStatus, CarpState, ForeignAdvert, InterfaceReport, LinkDemotion, Snapshot } from '../../../agent/control/messages.js';
import type { HostKeyProblem } from '../transport.js';
import type { PasswordAgreement } from './password.js';

export type HostStatus = 'live' | 'stale' | 'unreachable' | 'no-agent';

/** What the console knows about one host right now (kept current by its AgentLink). */
export interface HostReport {
  host: string;
  status: HostStatus;
  /** The agent's last snapshot with every event since applied to it; kept while stale/unreachable. */
  snapshot?: Snapshot;
  /** ms since epoch of the last line received from the host's agent (0: never). */
  lastSeen: number;
  error?: string;
  /** Set when the connection is refused over the host's SSH key. */
  hostKey?: HostKeyProblem;
}

/** Groups are identified by the LAN segment and the vhid: "198.18.0.0/24#42". */
export type GroupKey = string;

export interface Member {
  host: string;
  hostStatus: HostStatus;
  /** The host reports live and its agent runs this group. */
  live: boolean;
  /** The group's name as this member's agent reports it (GroupStatus.name). */
  name?: string;
  interface: string;
  srcip: string;
  state: CarpState;
  advbase: number;
  advskew: number;
  /** What the member puts on the wire now (maintenance raises these). */
  wireAdvbase: number;
  wireAdvskew: number;
  demote: number;
  preempt: boolean;
  maintenance: boolean;
  /** Advertisement period on the wire, ms (advbase + advskew/256 s; 1/256 s when both are 0). */
  effectiveIntervalMs: number;
  addresses: string[];
  /** Whether its password is the group's (compared by the agents' check values, which the fleet never carries). */
  password: PasswordAgreement;
  /**
   * While the host is not live: when the console last heard from it (0: never). Absent while it is
   * live, as in HostView.
   */
  lastSeen?: number;
  since: number;
  /** Adverts this member sent and received, and received packets it dropped, by reason. */
  sent: number;
  received: number;
  drops: Record<string, number>;
  /** Set when the member is an OpenBSD or FreeBSD kernel (no agent): its timers and demotion are the kernel's. */
  kernel?: 'openbsd' | 'freebsd' | 'pfsense' | 'opnsense';
  /**
   * OpenBSD's arpbalance as this member reports it (GroupStatus.balanced): the vhids of the balanced set
   * its group belongs to on this host, ascending, this one included. Absent: not balanced there.
   */
  balanced?: number[];
}

export interface FleetGroup {
  key: GroupKey;
  segment: string;
  vhid: number;
  name?: string;
  /** The master's addresses, else the first member's. */
  addresses: string[];
  members: Member[];
  /** The one live MASTER, or null when there is none or more than one (see findings). */
  master: string | null;
  /** Every live member that reports MASTER. */
  masters: string[];
  /**
   * Who takes over if the master leaves (or who should win now when there is no master), when the
   * election names exactly one; null when nobody can or when several tie (see `successors`).
   */
  successor: string | null;
  /**
   * Every member that may take over: one normally; several when they tie on demote, advbase and
   * advskew, a race the protocol leaves open (the console does not guess which wins); empty when nobody can.
   */
  successors: string[];
}

export type FindingKind =
  | 'split-brain'
  | 'no-master'
  | 'mismatch:password'
  | 'mismatch:addresses'
  | 'mismatch:advbase'
  | 'vhid-collision'
  | 'single-member'
  | 'host-down'
  | 'maintenance'
  /** Every live member of a group is in maintenance: nobody wants to be master. */
  | 'maintenance-all'
  /** Demotion above 0 on a host that is not in maintenance (left over from a script or a reboot). */
  | 'stuck-demotion'
  /** Groups on the same hosts mastered by different hosts (LAN on one firewall, WAN on the other). */
  | 'split-masters'
  /** The host's agent died and was restarted by its supervisor recently (several times: a crash loop). */
  | 'agent-restarting'
  /** A balanced set (arpbalance) with a member host missing from some of its vhids, or a vhid named that no group has. */
  | 'balance:member-missing'
  /** Balanced groups that share some but not all addresses, or that one host balances and another does not. */
  | 'balance:mismatch';

export type Severity = 'error' | 'warning' | 'info';

/** A one-click fix the UI may offer next to a finding (each is an existing ConsoleApi command). */
export type FindingAction = { kind: 'reset-demotion'; host: string } | { kind: 'maintenance-exit'; host: string };

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  group?: GroupKey;
  hosts: string[];
  /** What is wrong and what to do, in plain words. */
  message: string;
  action?: FindingAction;
}

export interface HostView {
  host: string;
  status: HostStatus;
  /**
   * While the host is not live: when the console last heard from it (0: never). Absent while it is live,
   * so that its heartbeats do not change the fleet (200 hosts would otherwise resend every host each second).
   */
  lastSeen?: number;
  error?: string;
  /** The connection is refused over the host's SSH key: 'unknown' (confirm it) or 'changed' (refused). */
  hostKey?: HostKeyProblem;
  agentVersion?: string;
  /** The host's system, as its agent reports it. */
  os?: string;
  /** The agent process's start (ms since epoch, host clock): changes when the agent restarts. */
  agentStartedAt?: number;
  /** Restarts of the agent by its supervisor (kill -9, OOM, crash, refused config), as the agent reports them. */
  restarts?: AgentRestarts;
  /** The operator's demotion counter (on the wire the agent adds linkDemotion.demote). */
  demote?: number;
  /** OpenBSD's link demotion: interfaces carrying groups that have lost their link (absent: an older agent). */
  linkDemotion?: LinkDemotion;
  maintenance?: boolean;
  /** net.inet.carp.allow as the host's agent reports it (absent: an older agent, always allowed). */
  allow?: AllowStatus;
  /** net.inet.carp.log: the syslog level of its CARP messages (absent: an older agent). */
  log?: number;
  /** net.inet.carp.arpbalance: groups sharing addresses balance clients (absent: an older agent). */
  arpbalance?: boolean;
  /** The host runs CARP in its BSD kernel, read and driven over SSH (no agent): which system. */
  kernel?: { system: 'openbsd' | 'freebsd' | 'pfsense' | 'opnsense'; label: string; counters?: Record<string, number> };
  groups: number;
  /** The host's interfaces as its agent reports them (name, own IPv4 addresses with prefix, segments, link, MAC). */
  interfaces?: InterfaceReport[];
  /**
   * Protocol-112 senders the host heard that are not fleet agents (VRRP routers, ucarp and other CARP peers):
   * its agent's report without the fleet's own addresses. Per segment over all hosts: sendersBySegment (foreign.ts).
   */
  foreign?: ForeignAdvert[];
}

/** One host's part in a balanced unit: the vhids it masters and the fraction of clients that means. */
export interface BalancedShare {
  host: string;
  /** The unit's vhids this host is a member of (ascending). */
  member: number[];
  /** The unit's vhids this host masters now (ascending; empty: it serves none of the unit's clients). */
  masters: number[];
  /** balanceShare(masters, vhids) (agent/protocol/balance.ts): 0..1 of the hash space, so of the clients. */
  share: number;
  live: boolean;
}

/**
 * OpenBSD's arpbalance: one address (set) on one segment served by several groups, each client hashed
 * to one of them (agent/protocol/balance.ts). Built from the groups whose members report `balanced`.
 */
export interface BalancedUnit {
  /** `${segment} ${addresses}`: one unit per address set on a segment. */
  key: string;
  segment: string;
  /** The shared addresses, sorted. */
  addresses: string[];
  /** The vhids of the set, ascending (the groups of the fleet that carry these addresses and are balanced). */
  vhids: number[];
  /** Their group keys, in vhid order. */
  groups: GroupKey[];
  name?: string;
  /** Every member host of any of its groups, by name. */
  hosts: BalancedShare[];
  /** vhids no live member masters: the clients hashed to them are not answered. */
  unserved: number[];
}

export interface Fleet {
  at: number;
  hosts: HostView[];
  groups: FleetGroup[];
  findings: Finding[];
  /** Balanced units (arpbalance), by segment then address; absent when the fleet has none. */
  balanced?: BalancedUnit[];
}

export function groupKey(segment: string, vhid: number): GroupKey {
  return `${segment}#${vhid}`;
}
