// The live fleet model: a pure function from the hosts' reports to groups (segment + vhid),
// their members, master, predicted successor, and findings. No I/O, no clock reads (`now` is given).
import type { Fleet, FleetGroup, Finding, HostReport, HostView, Member } from './types.js';
import { groupKey } from './types.js';
import { predictSuccessors } from './election.js';
import { advertIntervalMs } from '../../../agent/engine/engine.js';
import { RESTART_RECENT_MS, type Snapshot } from '../../../agent/control/messages.js';
import { passwordAgreement } from './password.js';
import { splitMasters } from './split-masters.js';
import { fleetAddresses, foreignOf } from './foreign.js';
import { balanceFindings, balancedUnits } from './balanced.js';

function sameSet(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

function setId(a: string[]): string {
  return [...a].sort().join(',');
}

function hostView(r: HostReport, fleetAddrs: ReadonlySet<string> = new Set()): HostView {
  const s = r.snapshot;
  const foreign = foreignOf(s, fleetAddrs);
  return {
    host: r.host,
    status: r.status,
    ...(r.status === 'live' ? {} : { lastSeen: r.lastSeen }),
    ...(r.error ? { error: r.error } : {}),
    ...(r.hostKey ? { hostKey: r.hostKey } : {}),
    ...(s
      ? {
          agentVersion: s.agent.version,
          ...(s.agent.os ? { os: s.agent.os } : {}),
          agentStartedAt: s.agent.startedAt,
          ...(s.agent.restarts ? { restarts: { ...s.agent.restarts } } : {}),
          demote: s.demote,
          maintenance: s.maintenance,
          ...(s.linkDemotion ? { linkDemotion: { demote: s.linkDemotion.demote, down: [...s.linkDemotion.down] } } : {}),
          ...(s.allow ? { allow: { ...s.allow } } : {}),
          ...(s.log !== undefined ? { log: s.log } : {}),
          ...(s.arpbalance !== undefined ? { arpbalance: s.arpbalance } : {}),
          ...(s.kernel ? { kernel: { ...s.kernel, ...(s.kernel.counters ? { counters: { ...s.kernel.counters } } : {}) } } : {}),
        }
      : {}),
    groups: s?.groups.length ?? 0,
    ...(s?.interfaces ? { interfaces: s.interfaces.map((i) => ({ ...i, addresses: [...i.addresses], segments: [...i.segments] })) } : {}),
    ...(foreign ? { foreign } : {}),
  };
}

/** "45 s", "3 min", "2 h": how long ago, for finding messages. */
function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/** Restarts at least this many within RESTART_RECENT_MS read as a crash loop. */
export const CRASH_LOOP_RESTARTS = 3;

/**
 * `agent-restarting` (warning): the live agent reports that its supervisor restarted it within the last
 * RESTART_RECENT_MS (10 min). It names how often, the last reason, and says whether it looks like a crash loop.
 */
export function restartFinding(r: HostReport, now: number): Finding | null {
  const x = r.snapshot?.agent.restarts;
  if (!x || r.status !== 'live') return null;
  const since = now - x.lastAt;
  if (since >= RESTART_RECENT_MS) return null;
  const loop = x.recent >= CRASH_LOOP_RESTARTS;
  const recent = x.recent !== x.count ? ` (${x.recent} in the last ${RESTART_RECENT_MS / 60_000} min)` : '';
  return {
    kind: 'agent-restarting',
    severity: 'warning',
    hosts: [r.host],
    message:
      `${r.host}: its agent ${loop ? 'is in a crash loop: it was' : 'was'} restarted by its supervisor ${x.count} time${x.count === 1 ? '' : 's'}${recent}, ` +
      `the last ${ago(since)} ago (${x.lastReason}); its virtual addresses were removed before each restart. ` +
      `Find the cause in /var/log/carp-agent.log (or journalctl -u carp-agent) on ${r.host}`,
  };
}

/** What one member of a group is built from: its host's report and the agent's GroupStatus (an immutable object per change). */
interface MemberInput {
  r: HostReport;
  s: Snapshot;
  g: Snapshot['groups'][number];
}

interface GroupEntry {
  segment: string;
  vhid: number;
  name?: string;
  members: Member[];
}

/**
 * Between builds: each group's inputs and what was built from them, so that a group none of whose
 * members changed is not built again (1,000 groups, one changed: one group built). Pure otherwise.
 */
export interface FleetBuildCache {
  groups: Map<string, { inputs: MemberInput[]; group: FleetGroup; findings: Map<string, Finding[]> }>;
  /** Each host's view and the report it was made from (kept while the fleet has no foreign CARP sender to filter). */
  hosts: Map<string, { r: HostReport; view: HostView }>;
}

export function newFleetBuildCache(): FleetBuildCache {
  return { groups: new Map(), hosts: new Map() };
}

/** The same host view: the same snapshot object and the same status, error, key problem (and last-heard time when not live). */
function sameReport(a: HostReport, b: HostReport): boolean {
  return a.snapshot === b.snapshot && a.status === b.status && a.error === b.error && a.hostKey === b.hostKey && (a.status === 'live' || a.lastSeen === b.lastSeen);
}

/** Same inputs: the same GroupStatus objects, host states and maintenance (and last-heard times when not live). */
function sameInputs(a: MemberInput[], b: MemberInput[]): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => {
      const y = b[i];
      return x.g === y.g && x.r.host === y.r.host && x.r.status === y.r.status && x.s.maintenance === y.s.maintenance && (x.r.status === 'live' || x.r.lastSeen === y.r.lastSeen);
    })
  );
}

function inputsOf(reports: HostReport[]): Map<string, MemberInput[]> {
  const byKey = new Map<string, MemberInput[]>();
  for (const r of reports) {
    const s = r.snapshot;
    if (!s) continue;
    for (const g of s.groups) {
      const key = groupKey(g.segment, g.vhid);
      const list = byKey.get(key);
      if (list) list.push({ r, s, g });
      else byKey.set(key, [{ r, s, g }]);
    }
  }
  return byKey;
}

function entryOf(inputs: MemberInput[]): GroupEntry {
  const first = inputs[0].g;
  const entry: GroupEntry = { segment: first.segment, vhid: first.vhid, name: inputs.find((x) => x.g.name)?.g.name, members: [] };
  /** Each member's password check value, for the comparison alone: it stays in this function. */
  const checks: Array<string | undefined> = [];
  for (const { r, s, g } of inputs) {
    const member: Member = {
      host: r.host,
      hostStatus: r.status,
      live: r.status === 'live',
      ...(g.name !== undefined ? { name: g.name } : {}),
      interface: g.interface,
      srcip: g.srcip,
      state: g.state,
      advbase: g.advbase,
      advskew: g.advskew,
      wireAdvbase: g.wireAdvbase,
      wireAdvskew: g.wireAdvskew,
      demote: g.demote,
      preempt: g.preempt,
      maintenance: s.maintenance,
      effectiveIntervalMs: advertIntervalMs({ vhid: g.vhid, advbase: g.wireAdvbase, advskew: g.wireAdvskew, demote: g.demote, preempt: g.preempt, maintenance: s.maintenance }),
      addresses: [...g.addresses],
      password: 'unknown', // set below, once every member is in: compared by check value, never kept
      ...(r.status === 'live' ? {} : { lastSeen: r.lastSeen }),
      since: g.since,
      sent: g.sent,
      received: g.received,
      drops: { ...g.drops },
      ...(g.balanced ? { balanced: [...g.balanced] } : {}),
      ...(s.kernel ? { kernel: s.kernel.system } : {}),
    };
    checks.push(g.passwordCheck);
    entry.members.push(member);
  }
  const verdicts = passwordAgreement(entry.members.map((m, i) => ({ check: checks[i], addresses: m.addresses })));
  entry.members.forEach((m, i) => (m.password = verdicts[i]!));
  return entry;
}

function groupOf(key: string, entry: GroupEntry): FleetGroup {
  const masters = entry.members.filter((m) => m.live && m.state === 'MASTER').map((m) => m.host);
  const master = masters.length === 1 ? masters[0] : null;
  const successors = masters.length > 1 ? [] : predictSuccessors(entry.members, master).map((m) => m.host);
  const masterMember = entry.members.find((m) => m.host === master);
  return {
    key,
    segment: entry.segment,
    vhid: entry.vhid,
    ...(entry.name ? { name: entry.name } : {}),
    addresses: [...(masterMember ?? entry.members[0]).addresses],
    members: entry.members,
    master,
    masters,
    successor: successors.length === 1 ? successors[0] : null,
    successors,
  };
}

/**
 * `unheard`: inventory hosts the console has no snapshot from (not connected yet, or never reachable):
 * they may be members of any group, even its master.
 */
function groupFindings(g: FleetGroup, unheard: string[] = []): Finding[] {
  const out: Finding[] = [];
  const live = g.members.filter((m) => m.live);
  const where = `${g.segment} vhid ${g.vhid}`;
  const hostsOf = (ms: Member[]) => ms.map((m) => m.host);

  // vhid collision: members whose address sets do not overlap at all are different groups that share a vhid.
  const clusters = new Map<string, Member[]>();
  for (const m of g.members) {
    const id = setId(m.addresses);
    const overlapping = [...clusters.keys()].find((k) => k.split(',').some((a) => m.addresses.includes(a)));
    const k = overlapping ?? id;
    clusters.set(k, [...(clusters.get(k) ?? []), m]);
  }
  const collision = clusters.size > 1;
  if (collision) {
    const parts = [...clusters.values()].map((ms) => `${hostsOf(ms).join(', ')} (${ms[0].addresses.join(' ')})`);
    out.push({
      kind: 'vhid-collision',
      severity: 'error',
      group: g.key,
      hosts: hostsOf(g.members),
      message: `${where} is used by ${clusters.size} different groups on the same segment: ${parts.join(' vs ')}; give each group its own vhid`,
    });
  }

  if (g.masters.length > 1) {
    out.push({
      kind: 'split-brain',
      severity: 'error',
      group: g.key,
      hosts: [...g.masters],
      message: `${where}: ${g.masters.join(' and ')} are all MASTER (split brain); check that they hear each other's adverts (link, password, addresses)`,
    });
  } else if (live.length > 0 && g.masters.length === 0) {
    // A master the console cannot see is not a missing master: live backups that stay BACKUP are hearing
    // someone. Say what is known (a warning), never "unreachable" (an error) on the console's own blindness.
    const unseen = g.members.filter((m) => !m.live && m.state === 'MASTER');
    const states = live.map((m) => `${m.host} ${m.state}`).join(', ');
    if (unseen.length || unheard.length) {
      const why = [
        ...unseen.map((m) => `${m.host} was MASTER when last heard and is ${m.hostStatus} now`),
        ...(unheard.length ? [`${unheard.join(', ')} ${unheard.length === 1 ? 'has' : 'have'} not reported yet`] : []),
      ].join('; ');
      out.push({
        kind: 'no-master',
        severity: 'warning',
        group: g.key,
        hosts: [...hostsOf(live), ...unseen.map((m) => m.host)],
        message: `${where}: no live member is MASTER (${states}), but the console cannot see every member: ${why}; ${g.addresses.join(' ')} may well be served. Check ${[...unseen.map((m) => m.host), ...unheard].join(', ')}`,
      });
    } else {
      out.push({
        kind: 'no-master',
        severity: 'error',
        group: g.key,
        hosts: hostsOf(live),
        message: `${where}: no live member is MASTER (${states}); ${g.addresses.join(' ')} is unreachable`,
      });
    }
  }

  if (!collision) {
    const differ = g.members.filter((m) => m.password === 'differs');
    if (differ.length) {
      const same = g.members.filter((m) => m.password === 'same');
      const who = same.length
        ? `${hostsOf(differ).join(', ')} ${differ.length === 1 ? 'uses a password other than' : 'use passwords other than'} ${hostsOf(same).join(', ')}`
        : `${hostsOf(differ).join(', ')} each use a different password`;
      out.push({
        kind: 'mismatch:password',
        severity: 'error',
        group: g.key,
        hosts: hostsOf(g.members),
        message: `${where}: members use different passwords (${who}); their adverts fail HMAC and each may become MASTER. Apply the group file again to give every member the same one`,
      });
    }
    const first = g.members[0];
    const odd = g.members.filter((m) => !sameSet(m.addresses, first.addresses));
    if (odd.length) {
      out.push({
        kind: 'mismatch:addresses',
        severity: 'error',
        group: g.key,
        hosts: hostsOf(g.members),
        message: `${where}: members disagree on the virtual addresses (${g.members.map((m) => `${m.host}: ${m.addresses.join(' ')}`).join('; ')}); the HMAC covers them, so adverts are dropped`,
      });
    }
    const bases = new Set(g.members.map((m) => m.advbase));
    if (bases.size > 1) {
      out.push({
        kind: 'mismatch:advbase',
        severity: 'warning',
        group: g.key,
        hosts: hostsOf(g.members),
        message: `${where}: members use different advbase (${g.members.map((m) => `${m.host} ${m.advbase}`).join(', ')}); the election then depends on advbase before advskew`,
      });
    }
  }

  if (live.length > 1 && live.every((m) => m.maintenance)) {
    out.push({
      kind: 'maintenance-all',
      severity: 'warning',
      group: g.key,
      hosts: hostsOf(live),
      message: `${where}: every member (${hostsOf(live).join(', ')}) is in maintenance, so no standby wants to be master and nothing can take over cleanly; take one of them out of maintenance`,
    });
  }

  if (live.length === 1) {
    out.push({
      kind: 'single-member',
      severity: 'warning',
      group: g.key,
      hosts: hostsOf(live),
      message: `${where}: ${live[0].host} is the only live member; nobody can take over if it fails`,
    });
  }
  return out;
}

/** Derives the fleet from the hosts' reports. `now` is only stamped on the result. */
export function buildFleet(reports: HostReport[], now: number, cache: FleetBuildCache = newFleetBuildCache()): Fleet {
  const sorted = [...reports].sort((a, b) => a.host.localeCompare(b.host));
  const groups: FleetGroup[] = [];
  const built = new Map<string, { inputs: MemberInput[]; group: FleetGroup; findings: Map<string, Finding[]> }>();
  for (const [key, inputs] of inputsOf(sorted)) {
    const before = cache.groups.get(key);
    const entry = before && sameInputs(before.inputs, inputs) ? before : { inputs, group: groupOf(key, entryOf(inputs)), findings: new Map<string, Finding[]>() };
    built.set(key, entry);
    groups.push(entry.group);
  }
  cache.groups = built;
  groups.sort((a, b) => a.segment.localeCompare(b.segment) || a.vhid - b.vhid);

  const findings: Finding[] = [];
  for (const r of sorted) {
    // Not heard yet and no failure yet: the console is still connecting (it just started, or the host was
    // just added). That is not a host down; it becomes one when the connection fails or goes silent.
    const connecting = r.status === 'unreachable' && !r.error && !r.lastSeen && !r.snapshot;
    if (r.status !== 'live' && !connecting) {
      findings.push({
        kind: 'host-down',
        severity: 'warning',
        hosts: [r.host],
        message: `${r.host} is ${r.status}${r.error ? `: ${r.error}` : ''}${r.lastSeen ? ` (last heard ${new Date(r.lastSeen).toISOString()})` : ''}`,
      });
    }
    if (r.snapshot?.maintenance) {
      findings.push({
        kind: 'maintenance',
        severity: 'info',
        hosts: [r.host],
        message: `${r.host} is in maintenance: its groups advertise as least preferred (demote 255 on the wire${r.snapshot.demote ? `, demotion counter ${r.snapshot.demote}` : ''}), so it masters nothing; leave maintenance (\`carpctl maintenance exit ${r.host}\`) to put it back in service`,
        action: { kind: 'maintenance-exit', host: r.host },
      });
    } else if (r.snapshot && r.snapshot.demote > 0) {
      findings.push({
        kind: 'stuck-demotion',
        severity: 'warning',
        hosts: [r.host],
        message: `${r.host} has demotion ${r.snapshot.demote} but is not in maintenance (left over from a script, a failed reboot or \`carp-agent demote\`): its groups advertise as less preferred; reset it to 0 unless something should keep it demoted`,
        action: { kind: 'reset-demotion', host: r.host },
      });
    }
  }
  for (const r of sorted) {
    const f = restartFinding(r, now);
    if (f) findings.push(f);
  }
  const unheard = sorted.filter((r) => !r.snapshot && r.status !== 'live').map((r) => r.host);
  // a group's findings depend on the group and the hosts not heard from: kept with the group while both hold
  const unheardId = unheard.join(',');
  for (const g of groups) {
    const memo = built.get(g.key)!.findings;
    let fs = memo.get(unheardId);
    if (!fs) {
      memo.clear();
      memo.set(unheardId, (fs = groupFindings(g, unheard)));
    }
    findings.push(...fs);
  }
  findings.push(...splitMasters(groups, new Map(sorted.map((r) => [r.host, r.snapshot?.linkDemotion]))));

  // the fleet's own addresses matter only to filter foreign CARP senders out of the hosts' reports
  const foreignCarp = sorted.some((r) => r.snapshot?.foreign?.some((f) => f.kind === 'carp'));
  const fleetAddrs = foreignCarp ? fleetAddresses(sorted.map((r) => r.snapshot)) : new Set<string>();
  const hosts = sorted.map((r) => {
    const before = cache.hosts.get(r.host);
    if (!foreignCarp && before && sameReport(before.r, r)) return before.view;
    const view = hostView(r, fleetAddrs);
    cache.hosts.set(r.host, { r, view });
    return view;
  });
  const present = new Set(sorted.map((r) => r.host));
  for (const h of [...cache.hosts.keys()]) if (!present.has(h)) cache.hosts.delete(h);
  // arpbalance: groups sharing one address set, as one unit (fleet/balanced.ts)
  const balanced = balancedUnits(groups);
  findings.push(...balanceFindings(groups, balanced, hosts));
  return { at: now, hosts, groups, findings, ...(balanced.length ? { balanced } : {}) };
}
