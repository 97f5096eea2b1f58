// The group editor's pure logic: members as a master order with advskew values assigned with gaps,
// the predicted master/successor (the agent's own election comparison), vhid suggestion and collisions
// per segment, password generation and CARP's 19-byte limit, and the GroupSpec built from the form.
import { bestOf, type ElectionValues } from '../../../agent/engine/election.js';
import { masterDownTimeoutMs } from '../../../agent/engine/timers.js';
import { MAX_PASSWORD_BYTES } from '../../../agent/config/schema.js';
import { GroupSpecSchema, type GroupSpec } from '../../../electron/core/commands/group-spec.js';
import type { Fleet, FleetGroup, GroupKey } from '../../../electron/core/fleet/types.js';
import type { ApplyOutcome } from '../../../electron/core/commands/two-phase.js';
import { sendersBySegment } from '../../../electron/core/fleet/foreign.js';

export { MAX_PASSWORD_BYTES };

/** The largest advskew a member may have (255 is the bow-out advert). */
export const MAX_ADVSKEW = 254;
/** The gap between consecutive members when the editor numbers them: 0, 50, 100, … */
export const SKEW_STEP = 50;

export interface EditorMember {
  host: string;
  advskew: number;
  preempt: boolean;
  /** Per-member interface when the host's LAN interface has another name than the group's. */
  interface?: string;
}

export interface EditorState {
  /** The group being edited (null: a new group). */
  editing: GroupKey | null;
  vhid: number;
  name: string;
  interface: string;
  /** One address per line or separated by spaces/commas, as typed. */
  addresses: string;
  password: string;
  advbase: number;
  /** Preferred master first, last resort last. */
  members: EditorMember[];
}

/** The lowest advskew a group may use: 1 at advbase 0 (the advert interval is advskew/256 s), else 0. */
export function skewFloor(advbase: number): number {
  return advbase === 0 ? 1 : 0;
}

/** Distinct advskews for `n` members in order, evenly spaced with gaps: 0, 50, 100, … (from `min`); a denser step past 6 members. */
export function assignAdvskews(n: number, step = SKEW_STEP, min = 0): number[] {
  if (n <= 0) return [];
  if (n > MAX_ADVSKEW - min + 1) throw new RangeError(`${n} members cannot have distinct advskews (${min}..${MAX_ADVSKEW})`);
  const s = n === 1 ? 0 : Math.max(1, Math.min(step, Math.floor((MAX_ADVSKEW - min) / (n - 1))));
  return Array.from({ length: n }, (_, i) => min + i * s);
}

/** Whether `skews` are strictly increasing within min..254 (the order they stand for is unambiguous). */
function increasing(skews: number[], min = 0): boolean {
  return skews.every((v, i) => valid(v, min) && (i === 0 || v > skews[i - 1]));
}

/** Indices of a longest strictly increasing run of valid advskews (the members that keep their value). */
function keptIndices(v: number[], min: number): Set<number> {
  const len = v.map(() => 1);
  const prev = v.map(() => -1);
  let best = -1;
  v.forEach((x, i) => {
    if (!valid(x, min)) {
      len[i] = 0;
      return;
    }
    for (let j = 0; j < i; j++) {
      if (valid(v[j], min) && v[j] < x && len[j] + 1 > len[i]) {
        len[i] = len[j] + 1;
        prev[i] = j;
      }
    }
    if (best < 0 || len[i] > len[best]) best = i;
  });
  const out = new Set<number>();
  for (let i = best; i >= 0; i = prev[i]) out.add(i);
  return out;
}

const valid = (x: number, min = 0) => Number.isInteger(x) && x >= min && x <= MAX_ADVSKEW;

/** `k` distinct values strictly between `lo` and `hi` (either end open), `step` apart where there is room; null when there is none. */
export function valuesBetween(lo: number | undefined, hi: number | undefined, k: number, step = SKEW_STEP, min = 0): number[] | null {
  const idx = Array.from({ length: k }, (_, j) => j);
  if (lo !== undefined && hi === undefined && lo + step * k <= MAX_ADVSKEW) return idx.map((j) => lo + step * (j + 1));
  if (lo === undefined && hi !== undefined && hi - step * k >= min) return idx.map((j) => hi - step * (k - j));
  const L = lo ?? min - 1;
  const H = hi ?? MAX_ADVSKEW + 1;
  if (H - L - 1 < k) return null;
  return idx.map((j) => L + Math.floor(((H - L) * (j + 1)) / (k + 1)));
}

/**
 * The members with advskews that follow their order: the longest run already in order keeps its values;
 * only the members out of place get values in the gaps between their neighbours (an insert or a move
 * needs no renumbering); when a gap has no room, everyone is renumbered with assignAdvskews.
 */
export function fitSkews(members: EditorMember[], min = 0): EditorMember[] {
  const v = members.map((m) => m.advskew);
  if (increasing(v, min)) return members;
  const kept = keptIndices(v, min);
  if (!kept.size) return renumber(members, min);
  const out = members.map((m) => ({ ...m }));
  for (let a = 0; a < out.length; a++) {
    if (kept.has(a)) continue;
    let b = a;
    while (b + 1 < out.length && !kept.has(b + 1)) b++;
    const vals = valuesBetween(a > 0 ? out[a - 1].advskew : undefined, b + 1 < out.length ? out[b + 1].advskew : undefined, b - a + 1, SKEW_STEP, min);
    if (!vals) return renumber(members, min);
    vals.forEach((x, j) => (out[a + j].advskew = x));
    a = b;
  }
  return out;
}

function renumber(members: EditorMember[], min = 0): EditorMember[] {
  const skews = assignAdvskews(members.length, SKEW_STEP, min);
  return members.map((m, i) => ({ ...m, advskew: skews[i] }));
}

/** Moves the member at `from` to `to` (drag-and-drop or the up/down buttons) and fits the advskews to the new order. */
export function moveMember(members: EditorMember[], from: number, to: number, min = 0): EditorMember[] {
  if (from === to || from < 0 || from >= members.length || to < 0 || to >= members.length) return members;
  const list = [...members];
  const [m] = list.splice(from, 1);
  list.splice(to, 0, m);
  // The moved member takes a value in the gap between its new neighbours; nobody else changes.
  const others = list.filter((_, i) => i !== to).map((x) => x.advskew);
  if (increasing(others, min)) {
    const v = valuesBetween(list[to - 1]?.advskew, list[to + 1]?.advskew, 1, SKEW_STEP, min);
    if (v) return list.map((x, i) => (i === to ? { ...x, advskew: v[0] } : x));
    return renumber(list, min);
  }
  return fitSkews(list, min);
}

/** Adds a host at the end (last resort) with an advskew past the last one; nobody else is renumbered when there is room. */
export function addMember(members: EditorMember[], host: string, min = 0): EditorMember[] {
  if (members.some((m) => m.host === host)) return members;
  const last = members[members.length - 1]?.advskew;
  const v = last === undefined ? [min] : valuesBetween(last, undefined, 1, SKEW_STEP, min);
  const list = [...members, { host, advskew: v?.[0] ?? MAX_ADVSKEW, preempt: true }];
  return v === null ? renumber(list, min) : list;
}

export function removeMember(members: EditorMember[], host: string): EditorMember[] {
  return members.filter((m) => m.host !== host);
}

/** After a hand edit of an advskew: the order follows the values (stable for equal ones). */
export function orderBySkew(members: EditorMember[]): EditorMember[] {
  return members.map((m, i) => ({ m, i })).sort((a, b) => a.m.advskew - b.m.advskew || a.i - b.i).map((x) => x.m);
}

/** Hosts listed with the same advskew (they would tie: a race the protocol leaves open). */
export function duplicateSkews(members: EditorMember[]): string[][] {
  const by = new Map<number, string[]>();
  for (const m of members) by.set(m.advskew, [...(by.get(m.advskew) ?? []), m.host]);
  return [...by.values()].filter((h) => h.length > 1);
}

/**
 * A member's master-down time in whole ms (how long a backup waits out a silent master): the agent's own
 * formula (agent/engine/timers.ts), 3 × advbase + advskew/256 s, and 3 × advskew/256 s at advbase 0.
 */
export function masterDownMs(advbase: number, advskew: number): number {
  return Math.round(masterDownTimeoutMs(advbase, advskew));
}

export interface HostElection {
  demote: number;
  maintenance: boolean;
}

export interface Prediction {
  /** Who wins with this config (several when they tie). */
  masters: string[];
  /** Who takes over if that master leaves (several on a tie, none with one member). */
  successors: string[];
}

/**
 * The predicted master and successor with the agent's own comparison (agent/engine/election.ts): each
 * member's configured advbase/advskew, with its host's current demotion and maintenance when known.
 */
export function predict(members: EditorMember[], advbase: number, hosts: ReadonlyMap<string, HostElection> = new Map()): Prediction {
  const nodes = members.map((m): ElectionValues & { host: string } => ({
    host: m.host,
    advbase,
    advskew: m.advskew,
    demote: hosts.get(m.host)?.demote ?? 0,
    maintenance: hosts.get(m.host)?.maintenance ?? false,
  }));
  const masters = bestOf(nodes).map((n) => n.host);
  const successors = masters.length === 1 ? bestOf(nodes.filter((n) => n.host !== masters[0])).map((n) => n.host) : [];
  return { masters, successors };
}

/** The network of an IPv4 address with its prefix: "198.18.0.100/24" → "198.18.0.0/24"; null when it is not one. */
export function segmentOf(cidr: string): string | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) return null;
  const parts = m.slice(1, 5).map(Number);
  const len = Number(m[5]);
  if (parts.some((p) => p > 255) || len > 32) return null;
  const ip = ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  const net = (ip & mask) >>> 0;
  return `${net >>> 24}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}/${len}`;
}

export function parseAddresses(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The LAN segments the group will live on: the segments of its addresses, and those the fleet reports
 * for groups its members run on the same interface (the agent derives a group's segment from its interface).
 */
export function segmentsOf(state: Pick<EditorState, 'addresses' | 'interface' | 'members' | 'editing'>, fleet: Fleet | null): string[] {
  const out = new Set<string>();
  for (const a of parseAddresses(state.addresses)) {
    const s = segmentOf(a);
    if (s) out.add(s);
  }
  if (state.editing && fleet) {
    const g = fleet.groups.find((x) => x.key === state.editing);
    if (g) out.add(g.segment);
  }
  for (const g of fleet?.groups ?? []) {
    for (const m of g.members) {
      const em = state.members.find((x) => x.host === m.host);
      if (em && (em.interface ?? state.interface) === m.interface) out.add(g.segment);
    }
  }
  return [...out];
}

/** Groups other than the edited one that use `vhid` on one of `segments` (each would collide). */
export function vhidCollisions(fleet: Fleet | null, vhid: number, segments: string[], editing: GroupKey | null): FleetGroup[] {
  return (fleet?.groups ?? []).filter((g) => g.vhid === vhid && g.key !== editing && segments.includes(g.segment));
}

/**
 * The lowest vhid nobody uses on `segments` (on any segment the fleet knows when none is given), or null when
 * all 255 are taken. Nobody: no fleet group, and no foreign sender the agents heard there (a VRRP router id
 * shares the virtual MAC of the vhid of that number; a foreign CARP sender runs that vhid).
 */
export function suggestVhid(fleet: Fleet | null, segments: string[], editing: GroupKey | null = null): number | null {
  const here = (segment: string) => segments.length === 0 || segments.includes(segment);
  const used = new Set((fleet?.groups ?? []).filter((g) => g.key !== editing && here(g.segment)).map((g) => g.vhid));
  for (const s of sendersBySegment(fleet?.hosts ?? [])) if (here(s.segment)) used.add(s.id);
  for (let v = 1; v <= 255; v++) if (!used.has(v)) return v;
  return null;
}

export function utf8Bytes(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** Why a password is refused (CARP's 19-byte key), or null when it fits. */
export function passwordProblem(p: string): string | null {
  const n = utf8Bytes(p);
  if (n > MAX_PASSWORD_BYTES) {
    return `${n} bytes is more than CARP's ${MAX_PASSWORD_BYTES}: the key field of a carp(4) advert holds ${MAX_PASSWORD_BYTES} bytes, so BSD would silently cut it (its peers would then disagree) and ucarp refuses it`;
  }
  return null;
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_';

/** A random password of `length` ASCII characters (1 byte each, at most 19) from crypto.getRandomValues, without modulo bias. */
export function generatePassword(length = MAX_PASSWORD_BYTES, random: (a: Uint8Array) => Uint8Array = (a) => crypto.getRandomValues(a)): string {
  if (!Number.isInteger(length) || length < 1 || length > MAX_PASSWORD_BYTES) throw new RangeError(`a CARP password is 1..${MAX_PASSWORD_BYTES} bytes`);
  const limit = 256 - (256 % ALPHABET.length);
  let out = '';
  while (out.length < length) {
    for (const b of random(new Uint8Array(length * 2))) {
      if (b < limit && out.length < length) out += ALPHABET[b % ALPHABET.length];
    }
  }
  return out;
}

/** A new group's form: the suggested vhid, advbase 1, no members yet. */
export function newEditorState(fleet: Fleet | null): EditorState {
  return { editing: null, vhid: suggestVhid(fleet, []) ?? 1, name: '', interface: 'eth0', addresses: '', password: '', advbase: 1, members: [] };
}

/**
 * The form for an existing group, from what its members report: members in election order (best first),
 * their advskews as they are. The password is never known to the console: it must be entered again.
 */
export function editorStateOf(g: FleetGroup): EditorState {
  const members = [...g.members].sort((a, b) => a.advskew - b.advskew || a.host.localeCompare(b.host));
  const iface = mostCommon(members.map((m) => m.interface)) ?? 'eth0';
  return {
    editing: g.key,
    vhid: g.vhid,
    name: g.name ?? '',
    interface: iface,
    addresses: g.addresses.join(' '),
    password: '',
    advbase: mostCommon(members.map((m) => m.advbase)) ?? 1,
    members: members.map((m) => ({ host: m.host, advskew: m.advskew, preempt: m.preempt, ...(m.interface !== iface ? { interface: m.interface } : {}) })),
  };
}

function mostCommon<T>(xs: T[]): T | undefined {
  const n = new Map<T, number>();
  for (const x of xs) n.set(x, (n.get(x) ?? 0) + 1);
  let best: T | undefined;
  for (const [x, c] of n) if (best === undefined || c > n.get(best)!) best = x;
  return best;
}

/** The interfaces each host reports (its agent's interface list; for an older agent, the interfaces its groups use). */
export function interfacesOf(fleet: Fleet | null): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const h of fleet?.hosts ?? []) if (h.interfaces) out.set(h.host, new Set(h.interfaces.map((i) => i.name)));
  const reported = new Set(out.keys());
  for (const g of fleet?.groups ?? []) {
    for (const m of g.members) if (!reported.has(m.host)) out.set(m.host, (out.get(m.host) ?? new Set()).add(m.interface));
  }
  return new Map([...out].map(([h, s]) => [h, [...s].sort()]));
}

export type SpecBuild = { ok: true; spec: GroupSpec } | { ok: false; problems: string[] };

/** The GroupSpec the form stands for, validated with the core's own schema (problems name the field). */
export function buildSpec(state: EditorState): SpecBuild {
  const problems: string[] = [];
  if (!state.members.length) problems.push('members: add at least one host');
  if (!state.password) problems.push("password: enter one (an existing group's current password to keep it: the console never stores passwords)");
  const pw = passwordProblem(state.password);
  if (pw) problems.push(`password: ${pw}`);
  const dups = duplicateSkews(state.members);
  for (const d of dups) problems.push(`advskew: ${d.join(' and ')} have the same advskew; give every member a distinct one (equal values tie)`);
  const data = {
    vhid: state.vhid,
    ...(state.name.trim() ? { name: state.name.trim() } : {}),
    interface: state.interface.trim(),
    addresses: parseAddresses(state.addresses),
    password: state.password,
    advbase: state.advbase,
    preempt: true,
    members: state.members.map((m) => ({
      host: m.host,
      advskew: m.advskew,
      preempt: m.preempt,
      ...(m.interface && m.interface !== state.interface ? { interface: m.interface } : {}),
    })),
  };
  const r = GroupSpecSchema.safeParse(data);
  if (!r.success) {
    for (const i of r.error.issues) {
      if (i.path[0] === 'password' && pw) continue; // said above, with the reason
      problems.push(`${i.path.join('.') || '(group)'}: ${i.message}`);
    }
  }
  if (problems.length || !r.success) return { ok: false, problems };
  return { ok: true, spec: r.data };
}

export interface ApplyFailureReport {
  /** The host(s) where the apply failed (or whose state is unknown after a lost reply). */
  failed: string[];
  rolledBack: string[];
  /** Hosts that kept the change because their rollback failed: they differ from the others. */
  kept: string[];
  /** One sentence for the operator. */
  text: string;
}

/** What a failed apply did, per host, in words: which host failed and that the others were rolled back. */
export function applyFailure(o: Pick<ApplyOutcome, 'ok' | 'phase' | 'hosts'>): ApplyFailureReport | null {
  if (o.ok) return null;
  const of = (...k: string[]) => [...new Set(o.hosts.filter((h) => k.includes(h.outcome)).map((h) => h.host))];
  const failed = of('failed', 'unknown', 'refused');
  const rolledBack = of('rolled-back');
  const kept = of('rollback-failed');
  let text: string;
  if (o.phase !== 'apply') text = `Nothing was changed: ${failed.length ? `${failed.join(', ')} refused it in validation` : 'the console sent nothing (the reason is below)'}.`;
  else {
    const parts = [`Apply failed on ${failed.join(', ') || 'a host'}.`];
    if (rolledBack.length) parts.push(`${rolledBack.join(', ')} ${rolledBack.length === 1 ? 'was' : 'were'} rolled back to ${rolledBack.length === 1 ? 'its' : 'their'} previous config.`);
    else if (!kept.length) parts.push('No other host had been changed yet.');
    if (kept.length) parts.push(`WARNING: ${kept.join(', ')} kept the change (rollback failed): fix by hand or apply again.`);
    if (of('unknown').length) parts.push(`The state of ${of('unknown').join(', ')} is unknown (no reply): check it before applying again.`);
    text = parts.join(' ');
  }
  return { failed, rolledBack, kept, text };
}
