// The control protocol of carp-agent: JSON lines over the unix socket (and over SSH via
// `carp-agent attach`). Defined once here; the agent and the console core both import it.
import { z } from 'zod';
import { GroupConfigSchema, AgentConfigSchema, Ipv4Schema, describeIssues } from '../config/schema.js';
import { CARP_STATES, type CarpState } from '../engine/types.js';
import { DropReasonSchema, type DropReason } from '../protocol/drops.js';

export const PROTOCOL_VERSION = 1;

// The domain types are defined where they belong (the engine's states, the codec's drop reasons);
// the contract validates with them and re-exports them for its users.
export const CarpStateSchema = z.enum(CARP_STATES);
export type { CarpState };

/** Why a received packet was dropped; counted per group (or under vhid 0 when no group matched). */
export { DropReasonSchema, type DropReason };

export const AdvertSeenSchema = z.object({
  from: Ipv4Schema,
  advbase: z.number().int(),
  advskew: z.number().int(),
  demote: z.number().int(),
  at: z.number(), // ms since epoch
});
export type AdvertSeen = z.infer<typeof AdvertSeenSchema>;

export const GroupStatusSchema = z.object({
  vhid: z.number().int(),
  name: z.string().optional(),
  interface: z.string(),
  /** LAN segment of the interface, e.g. "198.18.0.0/24": groups are (segment, vhid). */
  segment: z.string(),
  srcip: z.string(),
  addresses: z.array(z.string()),
  state: CarpStateSchema,
  since: z.number(), // ms since epoch of the last state change
  advbase: z.number().int(),
  /** Configured advskew. */
  advskew: z.number().int(),
  /** advskew and advbase as put on the wire now (maintenance raises them). */
  wireAdvskew: z.number().int(),
  wireAdvbase: z.number().int(),
  /** Demotion counter as advertised in byte 4. */
  demote: z.number().int(),
  preempt: z.boolean(),
  /**
   * The password's check value (agent/config/password-check.ts: scrypt salted with vhid and addresses),
   * absent until the agent has derived it (it does so off the event loop, at start and on a change).
   * The console compares members with it and never shows or relays it.
   */
  passwordCheck: z.string().regex(/^[0-9a-f]{32}$/).optional(),
  /**
   * OpenBSD's arpbalance: set when this group's addresses are balanced, that is the config has
   * `arpbalance: true` and two or more groups on this interface share exactly these addresses. The
   * vhids of that set, ascending, this one included; each client is served by the vhid
   * agent/protocol/balance.ts picks. Absent: not balanced (and on older agents).
   */
  balanced: z.array(z.number().int().min(1).max(255)).min(2).max(255).optional(),
  /** The last valid advert heard from another node (normally the master), or null. */
  lastAdvert: AdvertSeenSchema.nullable(),
  sent: z.number().int(),
  received: z.number().int(),
  drops: z.record(z.string(), z.number().int()),
});
export type GroupStatus = z.infer<typeof GroupStatusSchema>;

/**
 * OpenBSD's link demotion (agent/runtime/link-demotion.ts): while an interface that carries a group has
 * lost its link, 1 per such interface, added on the wire to the operator's `demote` (kept apart from it:
 * `demote` and maintenance never clobber it). `down` names those interfaces.
 */
export const LinkDemotionSchema = z.object({ demote: z.number().int().min(0).max(255), down: z.array(z.string()) });
export type LinkDemotion = z.infer<typeof LinkDemotionSchema>;

/**
 * One network interface of the host as the agent reads it (agent/net/iface.ts): what the console's group
 * editor offers. `addresses` are the host's own IPv4 addresses with prefix (the agent's VIPs left out),
 * `segments` their networks ("198.18.0.0/24": where a group on this interface lives), `up` the link.
 */
export const InterfaceReportSchema = z.object({
  name: z.string().min(1).max(64),
  addresses: z.array(z.string().max(18)).max(64),
  segments: z.array(z.string().max(18)).max(64),
  up: z.boolean(),
  mac: z.string().max(17).optional(),
});
export type InterfaceReport = z.infer<typeof InterfaceReportSchema>;
/** The most interfaces an agent reports. */
export const MAX_REPORTED_INTERFACES = 256;

/**
 * A sender of protocol-112 packets heard on one of the agent's interfaces (agent/runtime/foreign-adverts.ts,
 * decoded by agent/protocol/foreign.ts): a VRRP router (v2 or v3; `id` is its router id, whose virtual MAC
 * 00:00:5e:00:01:id a CARP vhid of the same number shares), or a CARP peer (`id` is the vhid): of a vhid this
 * agent runs (`hmac` says whether its HMAC matched this group's password and addresses; 'one-address': only
 * over one of them, as ucarp hashes) or of another vhid ('no-key'). `impl` 'ucarp' when the agent can tell
 * (`evidence` says how), else 'foreign'. Peers that are other fleet agents are reported too: the console knows
 * their addresses and leaves them out.
 */
export const ForeignAdvertSchema = z.object({
  interface: z.string().max(64),
  /** The interface's segment when the packet came in ("" when it had none). */
  segment: z.string().max(18),
  kind: z.enum(['vrrp', 'carp']),
  version: z.number().int().min(2).max(3),
  id: z.number().int().min(0).max(255),
  from: Ipv4Schema,
  count: z.number().int().min(1),
  firstAt: z.number(),
  lastAt: z.number(),
  /** VRRP: priority, advert interval (ms) and the router's virtual addresses. */
  priority: z.number().int().optional(),
  intervalMs: z.number().optional(),
  addresses: z.array(Ipv4Schema).max(32).optional(),
  /** CARP: the advert's values. */
  advbase: z.number().int().optional(),
  advskew: z.number().int().optional(),
  demote: z.number().int().optional(),
  hmac: z.enum(['match', 'one-address', 'mismatch', 'no-key']).optional(),
  impl: z.enum(['ucarp', 'foreign']).optional(),
  evidence: z.string().max(300).optional(),
});
export type ForeignAdvert = z.infer<typeof ForeignAdvertSchema>;
/** The most senders an agent keeps (the oldest heard is forgotten first), and how long one unheard is kept. */
export const MAX_FOREIGN_ADVERTS = 64;
export const FOREIGN_ADVERT_TTL_MS = 5 * 60_000;

/**
 * net.inet.carp.allow as the agent runs it: `allowed` false = this host takes no part in CARP (sends
 * nothing, ignores adverts, holds no VIP); `leaving` while it hands its masters over first (maintenance
 * style) before it stops; `persistedOff` when state.json keeps it off across restarts (`allow off --persist`).
 */
export const AllowStatusSchema = z.object({ allowed: z.boolean(), leaving: z.boolean(), persistedOff: z.boolean() });
export type AllowStatus = z.infer<typeof AllowStatusSchema>;

export const SnapshotSchema = z.object({
  type: z.literal('snapshot'),
  protocol: z.number().int(),
  agent: z.object({
    version: z.string(),
    hostname: z.string(),
    pid: z.number().int(),
    startedAt: z.number(),
    uptimeMs: z.number(),
    configPath: z.string(),
    configRevision: z.number().int(),
    /** The host's system as its operator knows it: "Debian GNU/Linux 12 (bookworm), Linux 6.1.0". Optional: older agents. */
    os: z.string().max(200).optional(),
    /**
     * Set when the agent runs under `carp-agent supervise` and the supervisor has restarted it since the
     * supervisor started (boot or service start): how often, how often in the last RESTART_RECENT_MS
     * (as of this agent's start), when last and why ("killed by SIGKILL", "exit code 2: refusing to
     * start: …"). Optional: older agents, and agents not restarted.
     */
    restarts: z
      .object({
        count: z.number().int().min(1),
        recent: z.number().int().min(0),
        lastAt: z.number(),
        lastReason: z.string().max(500),
      })
      .optional(),
  }),
  /** The operator's demotion counter (`carp-agent demote`); what goes on the wire adds linkDemotion.demote. */
  demote: z.number().int(),
  maintenance: z.boolean(),
  /** Link demotion now. Optional: older agents. */
  linkDemotion: LinkDemotionSchema.optional(),
  /** net.inet.carp.allow (AllowStatusSchema). Optional: older agents (always allowed). */
  allow: AllowStatusSchema.optional(),
  /** net.inet.carp.log: the syslog level of CARP messages now (0..7). Optional: older agents. */
  log: z.number().int().min(0).max(7).optional(),
  /**
   * Set by the console's kernel-CARP backend (electron/core/kernel-link), never by an agent: the host runs
   * CARP in its BSD kernel, read and driven over SSH with the base system's tools. Absent: a carp-agent.
   */
  kernel: z
    .object({
      system: z.enum(['openbsd', 'freebsd', 'pfsense', 'opnsense']),
      label: z.string().max(200),
      /** `netstat -s -p carp`: the kernel's host-wide CARP counters (ipackets, opackets, badauth…; it keeps none per vhid). */
      counters: z.record(z.string().max(32), z.number().int().min(0)).optional(),
    })
    .optional(),
  /** net.inet.carp.arpbalance: the config's top-level `arpbalance` (groups sharing addresses balance clients). Optional: older agents. */
  arpbalance: z.boolean().optional(),
  groups: z.array(GroupStatusSchema),
  /** The host's interfaces (InterfaceReportSchema). Optional: older agents. */
  interfaces: z.array(InterfaceReportSchema).max(MAX_REPORTED_INTERFACES).optional(),
  /** Protocol-112 senders heard lately (ForeignAdvertSchema). Optional: older agents. */
  foreign: z.array(ForeignAdvertSchema).max(MAX_FOREIGN_ADVERTS).optional(),
  /** Drops of packets that matched no group (e.g. unknown vhid), by reason. */
  unmatchedDrops: z.record(z.string(), z.number().int()),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;
export type AgentRestarts = NonNullable<Snapshot['agent']['restarts']>;
/** The window of `restarts.recent`: restarts within it count as recent (a crash loop, when several). */
export const RESTART_RECENT_MS = 10 * 60_000;

export const AgentEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('state'),
    at: z.number(),
    vhid: z.number().int(),
    interface: z.string(),
    from: CarpStateSchema,
    to: CarpStateSchema,
    /** Human reason, e.g. "master down timer expired (3.39 s of silence)". */
    reason: z.string(),
  }),
  /** A group's parameters or counters changed (advskew, demote, preempt, lastAdvert source...). */
  z.object({ kind: z.literal('group'), at: z.number(), group: GroupStatusSchema }),
  z.object({ kind: z.literal('demotion'), at: z.number(), demote: z.number().int(), maintenance: z.boolean(), linkDemotion: LinkDemotionSchema.optional(), allow: AllowStatusSchema.optional() }),
  z.object({
    kind: z.literal('config'),
    at: z.number(),
    revision: z.number().int(),
    added: z.array(z.number().int()),
    removed: z.array(z.number().int()),
    changed: z.array(z.number().int()),
  }),
  z.object({ kind: z.literal('error'), at: z.number(), vhid: z.number().int().optional(), message: z.string() }),
  /** The host's interfaces changed (address, link, MAC, added or gone): the whole list. */
  z.object({ kind: z.literal('interfaces'), at: z.number(), interfaces: z.array(InterfaceReportSchema).max(MAX_REPORTED_INTERFACES) }),
  /** A protocol-112 sender appeared, changed (values, HMAC verdict) or was forgotten: the whole list. */
  z.object({ kind: z.literal('foreign'), at: z.number(), foreign: z.array(ForeignAdvertSchema).max(MAX_FOREIGN_ADVERTS) }),
]);
export type AgentEvent = z.infer<typeof AgentEventSchema>;

export const EventMessageSchema = z.object({ type: z.literal('event'), event: AgentEventSchema });

/** Sent every HEARTBEAT_MS on every connection, so a client can tell a silent host from a quiet one. */
export const HEARTBEAT_MS = 1000;
export const HeartbeatMessageSchema = z.object({ type: z.literal('heartbeat'), at: z.number() });

/** Result of a config-changing command: what changed and the revision that is now in force. */
export const ApplyResultSchema = z.object({
  revision: z.number().int(),
  dryRun: z.boolean(),
  added: z.array(z.number().int()),
  removed: z.array(z.number().int()),
  changed: z.array(z.number().int()),
});
export type ApplyResult = z.infer<typeof ApplyResultSchema>;

export const ReplyMessageSchema = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('reply'), id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({
    type: z.literal('reply'),
    id: z.number().int(),
    ok: z.literal(false),
    /** code: machine-readable ("invalid", "unknown-vhid", "conflict", ...); message: names what and why. */
    error: z.object({ code: z.string(), message: z.string() }),
  }),
]);
export type ReplyMessage = z.infer<typeof ReplyMessageSchema>;

/** Everything the agent writes on the socket (by `type`, so a bad message's problems name its fields). */
export const AgentMessageSchema = z.discriminatedUnion('type', [SnapshotSchema, EventMessageSchema, HeartbeatMessageSchema, ReplyMessageSchema]);
export type AgentMessage = z.infer<typeof AgentMessageSchema>;

/** Everything a client may send. Each command gets exactly one reply with the same id. */
export const CommandSchema = z.discriminatedUnion('cmd', [
  /** Replies with a Snapshot (same shape as the one sent on connect). */
  z.object({ id: z.number().int(), cmd: z.literal('status') }),
  /** demote: "set" to value, or "add" value (may be negative); result 0..255 or refused. */
  z.object({ id: z.number().int(), cmd: z.literal('demote'), op: z.enum(['set', 'add']), value: z.number().int() }),
  /** Maintenance: hand every group to a peer (persists across restarts until switched off). */
  z.object({ id: z.number().int(), cmd: z.literal('maintenance'), on: z.boolean() }),
  z.object({
    id: z.number().int(),
    cmd: z.literal('set'),
    vhid: z.number().int(),
    key: z.enum(['advskew', 'advbase', 'preempt']),
    value: z.union([z.number().int(), z.boolean()]),
  }),
  /** Replace the whole config (dryRun: validate and diff only). Result: ApplyResult. */
  z.object({ id: z.number().int(), cmd: z.literal('apply'), config: AgentConfigSchema, dryRun: z.boolean().optional() }),
  /**
   * Add or replace one group (matched by interface + vhid). `arpbalance`: also set the config's top-level
   * arpbalance (a balanced set applied by the console: each of its groups comes with `arpbalance: true`).
   * Result: ApplyResult.
   */
  z.object({ id: z.number().int(), cmd: z.literal('putGroup'), group: GroupConfigSchema, arpbalance: z.boolean().optional(), dryRun: z.boolean().optional() }),
  z.object({
    id: z.number().int(),
    cmd: z.literal('deleteGroup'),
    vhid: z.number().int(),
    interface: z.string().optional(),
    dryRun: z.boolean().optional(),
  }),
  /** Put back the config that was in force before `revision` was applied: one of the last few (ROLLBACK_KEPT), refused while a later change is still in force. */
  z.object({ id: z.number().int(), cmd: z.literal('rollback'), revision: z.number().int() }),
  /** net.inet.carp.allow: off = bow out where master (as maintenance), then stop; persist: kept in state.json across restarts. Result: AllowStatus. */
  z.object({ id: z.number().int(), cmd: z.literal('allow'), on: z.boolean(), persist: z.boolean().optional() }),
  /** net.inet.carp.log: the syslog level of CARP messages, 0..7, until the next restart (the config's `log` keeps it). Result: { log }. */
  z.object({ id: z.number().int(), cmd: z.literal('log'), level: z.number().int().min(0, 'must be a syslog level 0..7').max(7, 'must be a syslog level 0..7') }),
]);
export type Command = z.infer<typeof CommandSchema>;

/**
 * The longest line either side of the control socket accepts (a command from a client, a message from
 * the agent, through `carp-agent attach` too): 1 MiB, far above a snapshot of 255 groups. Longer is refused
 * before it is parsed (or even kept: see agent/boundary/lines.ts).
 */
export const MAX_LINE_BYTES = 1 << 20;

/** A line that is not a valid message: too long, not JSON, or not the schema (each problem names the field). */
export class ControlMessageError extends Error {
  readonly code = 'invalid';
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'ControlMessageError';
  }
}

/** UTF-8 size of `s`, exact up to `limit` (past it, counting stops: only "more than limit" matters). */
export function utf8Length(s: string, limit: number): number {
  if (s.length > limit) return s.length; // UTF-8 never takes fewer bytes than UTF-16 takes units
  let n = 0;
  for (let i = 0; i < s.length && n <= limit; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** JSON of one line, after its size is checked; throws ControlMessageError. */
function decodeLine(line: string, what: string): unknown {
  if (utf8Length(line, MAX_LINE_BYTES) > MAX_LINE_BYTES) throw new ControlMessageError([`${what} is longer than the ${MAX_LINE_BYTES} bytes a line may have`]);
  try {
    return JSON.parse(line) as unknown;
  } catch (e) {
    throw new ControlMessageError([`${what} is not JSON (${(e as Error).message.slice(0, 160)})`]);
  }
}

/** Parses one JSON line from the agent; throws ControlMessageError naming every bad field. */
export function parseAgentMessage(line: string): AgentMessage {
  const r = AgentMessageSchema.safeParse(decodeLine(line, 'the message'));
  if (!r.success) throw new ControlMessageError(describeIssues(r.error));
  return r.data;
}

/** A client's line as the server reads it: the command, or why not with the id to answer (0 if none). */
export type CommandLine = { ok: true; command: Command } | { ok: false; id: number; error: { code: 'invalid'; message: string } };

export function parseCommandLine(line: string): CommandLine {
  let raw: unknown;
  try {
    raw = decodeLine(line, 'the command');
  } catch (e) {
    return { ok: false, id: 0, error: { code: 'invalid', message: (e as ControlMessageError).message } };
  }
  const r = CommandSchema.safeParse(raw);
  if (r.success) return { ok: true, command: r.data };
  const id = (raw as { id?: unknown } | null)?.id;
  return {
    ok: false,
    id: typeof id === 'number' && Number.isSafeInteger(id) ? id : 0,
    error: { code: 'invalid', message: describeIssues(r.error).join('; ') },
  };
}

/** Parses one JSON line from a client; throws ControlMessageError. */
export function parseCommand(line: string): Command {
  const r = parseCommandLine(line);
  if (!r.ok) throw new ControlMessageError([r.error.message]);
  return r.command;
}
