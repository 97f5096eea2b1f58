// The live fleet model: a pure function from the hosts' reports to groups (segment + vhid),
// their members, master, predicted successor, and findings. No I/O, no clock reads (`now` is given).
import type { Fleet, FleetGroup, Finding, HostReport, HostView, Member } from './types.js';
import { groupKey } from './types.js';
import { predictSuccessors } from './election.js';
import { advertIntervalMs } from '../../../agent/engine/engine.js';
import { RESTART_RECENT_MS } from '../../../agent/control/messages.js';
import { passwordAgreement } from './password.js';

function sameSet(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

function setId(a: string[]): string {
  return [...a].sort().join(',');
}

function hostView(r: HostReport): HostView {
  const s = r.snapshot;
  return {
    host: r.host,
    status: r.status,
    lastSeen: r.lastSeen,
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
        }
      : {}),
    groups: s?.groups.length ?? 0,
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

function membersOf(reports: HostReport[]): Map<string, { segment: string; vhid: number; name?: string; members: Member[] }> {
  const groups = new Map<string, { segment: string; vhid: number; name?: string; members: Member[] }>();
  /** Each member's password check value, for the comparison alone: it stays in this function. */
  const checks = new Map<Member, string | undefined>();
  for (const r of reports) {
    const s = r.snapshot;
    if (!s) continue;
    for (const g of s.groups) {
      const key = groupKey(g.segment, g.vhid);
      let entry = groups.get(key);
      if (!entry) {
        entry = { segment: g.segment, vhid: g.vhid, name: g.name, members: [] };
        groups.set(key, entry);
      }
      if (!entry.name && g.name) entry.name = g.name;
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
      };
      checks.set(member, g.passwordCheck);
      entry.members.push(member);
    }
  }
  for (const e of groups.values()) {
    const verdicts = passwordAgreement(e.members.map((m) => ({ check: checks.get(m), addresses: m.addresses })));
    e.members.forEach((m, i) => (m.password = verdicts[i]!));
  }
  return groups;
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

/**
 * Groups that run on exactly the same live hosts but are mastered by different ones: the LAN on one
 * firewall and the WAN on the other, so traffic through both takes an asymmetric path that stateful
 * filtering (pf, pfsync without defer) may drop. One finding per pair of groups.
 */
function splitMasters(groups: FleetGroup[]): Finding[] {
  const out: Finding[] = [];
  const bySet = new Map<string, FleetGroup[]>();
  for (const g of groups) {
    const live = g.members.filter((m) => m.live).map((m) => m.host);
    if (live.length < 2 || !g.master) continue;
    const id = setId(live);
    bySet.set(id, [...(bySet.get(id) ?? []), g]);
  }
  for (const gs of bySet.values()) {
    const masters = new Set(gs.map((g) => g.master));
    if (masters.size < 2) continue;
    const first = gs[0];
    for (const g of gs.slice(1)) {
      if (g.master === first.master) continue;
      out.push({
        kind: 'split-masters',
        severity: 'warning',
        group: g.key,
        hosts: [first.master!, g.master!],
        message: `${g.segment} vhid ${g.vhid} is mastered by ${g.master} but ${first.segment} vhid ${first.vhid} on the same hosts by ${first.master}: traffic between them crosses both firewalls and stateful filtering may drop it; give one host the lowest advskew in every group (and preempt), or move the odd group back`,
      });
    }
  }
  return out;
}

/** Derives the fleet from the hosts' reports. `now` is only stamped on the result. */
export function buildFleet(reports: HostReport[], now: number): Fleet {
  const sorted = [...reports].sort((a, b) => a.host.localeCompare(b.host));
  const groups: FleetGroup[] = [];
  for (const [key, entry] of membersOf(sorted)) {
    const masters = entry.members.filter((m) => m.live && m.state === 'MASTER').map((m) => m.host);
    const master = masters.length === 1 ? masters[0] : null;
    const successors = masters.length > 1 ? [] : predictSuccessors(entry.members, master).map((m) => m.host);
    const masterMember = entry.members.find((m) => m.host === master);
    groups.push({
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
    });
  }
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
  for (const g of groups) findings.push(...groupFindings(g, unheard));
  findings.push(...splitMasters(groups));

  return { at: now, hosts: sorted.map(hostView), groups, findings };
}
