// Groups board logic: order of groups (segment, then vhid) and members (live MASTER first, then by
// election preference, hosts not live last), member state as text + shape, and each group's health.
import type { Finding, FleetGroup, Member } from '../../../electron/core/fleet/types.js';
import { compareCandidates } from '../../../electron/core/fleet/election.js';
import { lastHeard } from './age.js';
import type { Tone } from './host-status.js';

const segmentKeys = new Map<string, [number, string]>();
/** Numeric order of dotted IPv4 segments ("198.18.0.0/24"), text order for anything else; each segment parsed once. */
function segmentKey(segment: string): [number, string] {
  let k = segmentKeys.get(segment);
  if (!k) {
    if (segmentKeys.size > 10_000) segmentKeys.clear();
    segmentKeys.set(segment, (k = parseSegmentKey(segment)));
  }
  return k;
}

function parseSegmentKey(segment: string): [number, string] {
  const [ip, len] = segment.split('/');
  const p = (ip ?? '').split('.').map(Number);
  if (p.length === 4 && p.every((n) => Number.isInteger(n) && n >= 0 && n <= 255)) {
    return [((p[0] * 256 + p[1]) * 256 + p[2]) * 256 + p[3] + Number(len ?? 32) / 100, segment];
  }
  return [Number.MAX_SAFE_INTEGER, segment];
}

const sorted = new WeakMap<readonly FleetGroup[], FleetGroup[]>();
/** Groups by segment, then vhid; the same list sorts once however many screens ask (a fleet update makes a new list). */
export function sortGroups(groups: FleetGroup[]): FleetGroup[] {
  const done = sorted.get(groups);
  if (done) return done;
  const out = [...groups].sort((a, b) => {
    const [na, sa] = segmentKey(a.segment);
    const [nb, sb] = segmentKey(b.segment);
    return na - nb || (sa === sb ? 0 : sa.localeCompare(sb)) || a.vhid - b.vhid;
  });
  sorted.set(groups, out);
  return out;
}

const STATE_RANK: Record<string, number> = { MASTER: 0, BACKUP: 1, INIT: 2 };

/** Live MASTER first, then live members by who would win an election, then members whose host is not live. */
export function sortMembers(members: Member[]): Member[] {
  return [...members].sort((a, b) => {
    if (a.live !== b.live) return a.live ? -1 : 1;
    if (!a.live) return a.host.localeCompare(b.host);
    const ra = STATE_RANK[a.state] ?? 3;
    const rb = STATE_RANK[b.state] ?? 3;
    if ((ra === 0) !== (rb === 0)) return ra - rb;
    return compareCandidates(a, b) || a.host.localeCompare(b.host);
  });
}

export interface MemberStateDisplay {
  /** "MASTER", "BACKUP", "INIT" or "UNKNOWN" (host not live: its last state is not shown as current). */
  label: string;
  symbol: string;
  tone: 'master' | 'backup' | 'init' | 'unknown';
  /** For UNKNOWN: "last heard 12 s ago" (and the host's status). */
  detail?: string;
}

export function memberStateDisplay(m: Member, now: number): MemberStateDisplay {
  if (!m.live) {
    const why = m.hostStatus === 'stale' ? '' : ` · host ${m.hostStatus === 'no-agent' ? 'has no agent' : m.hostStatus}`;
    return { label: 'UNKNOWN', symbol: '?', tone: 'unknown', detail: `${lastHeard(m.lastSeen ?? 0, now)}${why}` };
  }
  switch (m.state) {
    case 'MASTER':
      return { label: 'MASTER', symbol: '●', tone: 'master' };
    case 'BACKUP':
      return { label: 'BACKUP', symbol: '○', tone: 'backup' };
    default:
      return { label: 'INIT', symbol: '◌', tone: 'init' };
  }
}

export type GroupHealthKind = 'redundant' | 'no-master' | 'split-brain' | 'misconfigured' | 'no-successor';

export interface GroupHealth {
  kind: GroupHealthKind;
  label: string;
  symbol: string;
  tone: Tone;
}

/**
 * Who takes over, in words: "fw3", or "fw2 or fw3 (tied: either may win)" when members tie on demote,
 * advbase and advskew (the protocol leaves that race open; the console does not guess). "" for nobody.
 */
export function successorText(g: Pick<FleetGroup, 'successors'>): string {
  const s = g.successors;
  if (s.length <= 1) return s[0] ?? '';
  return `${s.slice(0, -1).join(', ')} or ${s[s.length - 1]} (tied: either may win)`;
}

const MISMATCH_WORDS: Partial<Record<Finding['kind'], string>> = {
  'mismatch:password': 'passwords differ',
  'mismatch:addresses': 'addresses differ',
  'mismatch:advbase': 'advbase differs',
};

/**
 * The group's health in one line. A member set that disagrees on password, addresses or advbase is
 * never shown as redundant, whoever is MASTER now: those members do not hear each other as peers.
 */
export function groupHealth(g: FleetGroup, findings: readonly Finding[] = []): GroupHealth {
  // Memoised per group object and findings list: a fleet update keeps both when they did not change.
  const memo = healthMemo.get(g);
  if (memo?.findings === findings) return memo.health;
  const health = computeHealth(g, byGroup(findings).get(g.key) ?? []);
  healthMemo.set(g, { findings, health });
  return health;
}

const healthMemo = new WeakMap<FleetGroup, { findings: readonly Finding[]; health: GroupHealth }>();
const findingIndex = new WeakMap<readonly Finding[], Map<string, Finding[]>>();
/** The findings list by group key, made once per list (1,000 groups × every finding per render otherwise). */
function byGroup(findings: readonly Finding[]): Map<string, Finding[]> {
  let m = findingIndex.get(findings);
  if (!m) {
    m = new Map();
    for (const f of findings) if (f.group) m.set(f.group, [...(m.get(f.group) ?? []), f]);
    findingIndex.set(findings, m);
  }
  return m;
}

function computeHealth(g: FleetGroup, findings: readonly Finding[]): GroupHealth {
  if (g.masters.length > 1) return { kind: 'split-brain', label: `split brain: ${g.masters.join(' and ')} are all MASTER`, symbol: '✕', tone: 'bad' };
  if (!g.master) return { kind: 'no-master', label: 'no master', symbol: '✕', tone: 'bad' };
  const wrong = findings.filter((f) => f.group === g.key && f.severity === 'error' && MISMATCH_WORDS[f.kind]).map((f) => MISMATCH_WORDS[f.kind]!);
  if (wrong.length) return { kind: 'misconfigured', label: `misconfigured: ${wrong.join(', ')}`, symbol: '✕', tone: 'bad' };
  if (!g.successors.length) return { kind: 'no-successor', label: `not redundant: nobody can take over from ${g.master}`, symbol: '⚠', tone: 'warn' };
  return { kind: 'redundant', label: `redundant: ${g.master} MASTER, ${successorText(g)} takes over`, symbol: '✓', tone: 'ok' };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "3 groups · all redundant", or "3 groups · 1 group without a master · 1 group not redundant". */
export function summaryLine(groups: FleetGroup[], findings: readonly Finding[] = []): { text: string; tone: Tone } {
  if (!groups.length) return { text: 'No CARP groups yet', tone: 'unknown' };
  const count = { 'no-master': 0, 'split-brain': 0, misconfigured: 0, 'no-successor': 0, redundant: 0 } as Record<GroupHealthKind, number>;
  for (const g of groups) count[groupHealth(g, findings).kind]++;
  const head = plural(groups.length, 'group', 'groups');
  const parts: string[] = [];
  if (count['no-master']) parts.push(`${plural(count['no-master'], 'group', 'groups')} without a master`);
  if (count['split-brain']) parts.push(`${plural(count['split-brain'], 'group', 'groups')} in split brain`);
  if (count.misconfigured) parts.push(`${plural(count.misconfigured, 'group', 'groups')} misconfigured`);
  if (count['no-successor']) parts.push(`${plural(count['no-successor'], 'group', 'groups')} not redundant`);
  if (!parts.length) return { text: `${head} · all redundant`, tone: 'ok' };
  const tone: Tone = count['no-master'] || count['split-brain'] || count.misconfigured ? 'bad' : 'warn';
  return { text: `${head} · ${parts.join(' · ')}`, tone };
}

/** "vhid 1 · lan-gateway" (or "vhid 1" without a name). */
export function groupTitle(g: Pick<FleetGroup, 'vhid' | 'name'>): string {
  return g.name ? `vhid ${g.vhid} · ${g.name}` : `vhid ${g.vhid}`;
}

/** The accessible name of a group card: "Group vhid 1 (lan-gateway)". */
export function groupLabel(g: Pick<FleetGroup, 'vhid' | 'name'>): string {
  return g.name ? `Group vhid ${g.vhid} (${g.name})` : `Group vhid ${g.vhid}`;
}

/** What a member puts on the wire when maintenance (or a bow-out) raised it above its configuration. */
export function wireNote(m: Member): string | undefined {
  if (m.wireAdvbase === m.advbase && m.wireAdvskew === m.advskew) return undefined;
  return `on the wire: advbase ${m.wireAdvbase} advskew ${m.wireAdvskew}`;
}

/** Groups in which `host` is a member, in board order. */
export function groupsOfHost(groups: FleetGroup[], host: string): Array<{ group: FleetGroup; member: Member }> {
  return sortGroups(groups).flatMap((g) => g.members.filter((m) => m.host === host).map((member) => ({ group: g, member })));
}

/** Received packets dropped, by reason: "hmac 3, ttl 1", or "none". */
export function dropsText(drops: Record<string, number> | undefined): string {
  const parts = Object.entries(drops ?? {})
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${k} ${n}`);
  return parts.length ? parts.join(', ') : 'none';
}
