// carp-console lab: emulated BSD command surfaces (not kernels): what the emulation daemon needs from a
// flavour (OpenBSD, FreeBSD), and the view of the carp-agent underneath that every renderer reads.
import type { AgentConfig } from '../../../agent/config/schema.js';
import type { CarpState } from '../../../agent/engine/types.js';
import type { InterfaceReport, Snapshot } from '../../../agent/control/messages.js';

/** What an invocation prints and its exit status. */
export interface Reply {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * The outcome of a command on the emulated kernel state: the new state, what it printed and the /etc
 * files it rewrites (name under /etc → content), or the tool's error and exit status.
 */
export type Outcome<S> = { ok: true; state: S; stdout: string; etc?: Record<string, string> } | { ok: false; stderr: string; code: number };

/** What the environment knows when a command runs. */
export interface Ctx {
  /** The host's own interfaces (a carpdev/parent must be one; undefined: not checked). */
  ifnames?: string[];
  /** The link demotion the agent adds (OpenBSD counts it in the carp group's counter). */
  linkDemote?: number;
  /** /etc files a command reads (FreeBSD's sysrc: rc.conf). */
  etc?: Record<string, string>;
  /** The host's boot time, seconds since the epoch (sysctl kern.boottime). */
  bootTime?: number;
}

/** A read answered from the rendered files, or a change to commit (`refused`: the tool's error if the agent refuses it). */
export type Handled<S> = { reply: Reply } | { outcome: Outcome<S>; refused: string };

/** What the agent must run for a state: its config, the operator demote counter, allow, and (when only it changed) the log level. */
export interface AgentPlan {
  config: AgentConfig;
  demote: number;
  allow: boolean;
  log?: number;
}

export interface Flavour<S> {
  /** "carp-console lab: emulated OpenBSD command surface". */
  tag: string;
  /** The /etc files netstart reads, among the names in /etc. */
  etcFiles(names: string[]): string[];
  netstart(etc: Record<string, string>): { state: S; messages: string[] };
  summary(state: S): string;
  /** An invocation the shims hand to the daemon (argv[0] the tool); `file` gives a rendered file. */
  handle(state: S, argv: string[], ctx: Ctx, file: (name: string) => string | undefined): Handled<S>;
  agent(state: S): AgentPlan;
  /** Every file the read shims print (name under /run/bsd-emu/out). */
  files(state: S, view: AgentView): Record<string, string>;
  /** Per interface, a key whose change route monitor reports (empty: no route monitor). */
  links(state: S, view: AgentView): Record<string, string>;
  /** The route monitor message for an interface whose key changed. */
  message(name: string, key: string, at: Date): string;
}

/** What the renderers need from the agent: per interface/vhid state, the host's interfaces, link demotion, counters. */
export interface AgentView {
  /** "eth0/1" → state. */
  states: Record<string, CarpState>;
  interfaces: InterfaceReport[];
  linkDemote: number;
  sent: number;
  received: number;
  /** Drops by the agent's reasons, summed over groups and unmatched packets. */
  drops: Record<string, number>;
  /** Transitions to MASTER seen by the emulation since boot. */
  transitions: number;
}

export const EMPTY_VIEW: AgentView = { states: {}, interfaces: [], linkDemote: 0, sent: 0, received: 0, drops: {}, transitions: 0 };

/** The view of an agent snapshot (null: no agent yet, every vhid INIT). */
export function viewOf(snap: Snapshot | null, transitions: number): AgentView {
  if (!snap) return { ...EMPTY_VIEW, transitions };
  const drops: Record<string, number> = {};
  const add = (d: Record<string, number>) => {
    for (const [k, v] of Object.entries(d)) drops[k] = (drops[k] ?? 0) + v;
  };
  for (const g of snap.groups) add(g.drops);
  add(snap.unmatchedDrops);
  return {
    states: Object.fromEntries(snap.groups.map((g) => [`${g.interface}/${g.vhid}`, g.state])),
    interfaces: snap.interfaces ?? [],
    linkDemote: snap.linkDemotion?.demote ?? 0,
    sent: snap.groups.reduce((a, g) => a + g.sent, 0),
    received: snap.groups.reduce((a, g) => a + g.received, 0),
    drops,
    transitions,
  };
}

/** "\tinet A netmask 0xffffff00 broadcast B" (both BSDs' in_status; no broadcast for /31 and /32 unless `bcast32`). */
export function inetLine(cidr: string, suffix = '', bcast32 = false): string {
  const [ip, l] = cidr.split('/');
  const len = Number(l);
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  const n = ip.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);
  const b = (n | ~mask) >>> 0;
  const bcast = len < 31 || bcast32 ? ` broadcast ${[24, 16, 8, 0].map((s) => (b >>> s) & 255).join('.')}` : '';
  return `\tinet ${ip} netmask 0x${mask.toString(16).padStart(8, '0')}${bcast}${suffix}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ctime(3): "Mon Nov 30 03:30:00 2026\n" (local time). */
export function ctime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${d.getFullYear()}\n`;
}
