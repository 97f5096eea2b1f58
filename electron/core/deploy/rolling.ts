// Pure decisions of the rolling (hitless) agent upgrade, from the fleet alone: which hosts go one at a
// time and in which order, which may go together, whether a host may leave service now, when it is
// steady again, what a parallel deploy would hit, and which host runs which version. The I/O (maintenance,
// install, waiting) is in console.ts.
import type { Fleet, FleetGroup, GroupKey, HostView, Member } from '../fleet/types.js';
import { compareCandidates } from '../fleet/election.js';

export interface RollingHost {
  host: string;
  /** The groups it carries (keys, in fleet order). */
  groups: GroupKey[];
  /** The groups it is MASTER of now (they hand over first). */
  masters: GroupKey[];
}

export interface RollingPlan {
  /** Hosts whose live agent carries groups: upgraded one at a time, in this order. */
  sequence: RollingHost[];
  /** Hosts that may go together (before the sequence), each with why. */
  parallel: Array<{ host: string; why: string }>;
}

const natural = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

function groupsOf(fleet: Fleet, host: string): FleetGroup[] {
  return fleet.groups.filter((g) => g.members.some((m) => m.host === host));
}

/**
 * Splits `hosts` into the one-at-a-time sequence and the parallel batch.
 *
 * Parallel: hosts whose agent does not answer (first install, or down: nothing of theirs is in service),
 * hosts whose agent runs no group, and hosts that already run `version` (the deploy only checks them).
 *
 * Sequence (order rule): hosts that master nothing first, then by the number of groups they master
 * (fewest first), then by name. Backups first means a broken version shows up before any master moved,
 * and a master goes last, when its successor already runs the new version; without preempt it also
 * moves every master once at most. One host at a time, each steady before the next, is what keeps two
 * members of a group from being out together (see mayLeave for members that are already out).
 */
export function planRolling(fleet: Fleet, hosts: string[], opts: { version?: string } = {}): RollingPlan {
  const sequence: RollingHost[] = [];
  const parallel: RollingPlan['parallel'] = [];
  for (const host of hosts) {
    const h = fleet.hosts.find((x) => x.host === host);
    const groups = groupsOf(fleet, host);
    if (!h || h.status !== 'live') parallel.push({ host, why: h?.agentVersion ? `its agent is not answering (${h?.status ?? 'unknown'}): nothing of it is in service` : 'no agent answers yet (first install)' });
    else if (!groups.length) parallel.push({ host, why: 'its agent runs no group' });
    else if (opts.version && h.agentVersion === opts.version) parallel.push({ host, why: `already runs ${opts.version}` });
    else sequence.push({ host, groups: groups.map((g) => g.key), masters: groups.filter((g) => g.masters.includes(host)).map((g) => g.key) });
  }
  sequence.sort((a, b) => a.masters.length - b.masters.length || natural(a.host, b.host));
  return { sequence, parallel };
}

/**
 * Whether `host` may leave service now without putting a second member of one of its groups out: every
 * other member of each of its groups must be live, not in maintenance and not in INIT, and the group
 * must have another member at all (a single-member group loses its master whatever we do).
 */
export function mayLeave(fleet: Fleet, host: string): { ok: true } | { ok: false; why: string } {
  const problems: string[] = [];
  for (const g of groupsOf(fleet, host)) {
    const others = g.members.filter((m) => m.host !== host);
    const where = `${g.segment} vhid ${g.vhid}`;
    if (!others.length) {
      problems.push(`${where} has no other member: upgrading ${host} drops it`);
      continue;
    }
    const out = others.filter((m) => !m.live || m.maintenance || m.state === 'INIT');
    if (out.length)
      problems.push(`${where} already has ${out.map((m) => `${m.host} ${!m.live ? m.hostStatus : m.maintenance ? 'in maintenance' : m.state}`).join(', ')} out of service`);
  }
  if (!problems.length) return { ok: true };
  return { ok: false, why: `${problems.join('; ')}; taking ${host} out now would leave ${problems.length === 1 ? 'that group' : 'those groups'} without a standby (bring the member back first, or deploy with --parallel to restart anyway)` };
}

/**
 * Which role `host` should have in `g` once it is back, by the agent's own election order
 * (compareCandidates): MASTER when it is the one best live candidate that is not in maintenance and
 * not in INIT, and either preempts or nobody else holds the group (then its master-down timer wins);
 * 'either' when it ties for best with another candidate and the race is open (nobody tied holds the
 * group, and it preempts or nobody holds it): the protocol does not say who wins; BACKUP otherwise.
 */
export function expectedRole(g: FleetGroup, host: string): 'MASTER' | 'BACKUP' | 'either' {
  const candidates = g.members.filter((m) => m.live && !m.maintenance && m.state !== 'INIT');
  const me = candidates.find((m) => m.host === host);
  if (!me || candidates.some((m) => compareCandidates(m, me) < 0)) return 'BACKUP';
  const held = g.members.filter((m) => m.live && m.host !== host && m.state === 'MASTER');
  if (!me.preempt && held.length) return 'BACKUP';
  const tied = candidates.filter((m) => m.host !== host && compareCandidates(m, me) === 0);
  if (!tied.length) return 'MASTER';
  // A tie never preempts: a tied member that holds the group keeps it.
  return held.some((m) => tied.includes(m)) ? 'BACKUP' : 'either';
}

/** Whether `host` should hold `g` once it is back (expectedRole is MASTER). */
export function expectedMaster(g: FleetGroup, host: string): boolean {
  return expectedRole(g, host) === 'MASTER';
}

export interface Steady {
  steady: boolean;
  /** What it waits for, or what it is now ("BACKUP in vhid 1, MASTER in vhid 2"). */
  why: string;
}

export interface SteadyOptions {
  /** The version its agent must report. */
  version?: string;
  /** The operator had it in maintenance before the upgrade: it stays there (and BACKUP everywhere). */
  inMaintenance?: boolean;
}

/**
 * Steady rule: the host's agent is live (running `version` when given) and out of maintenance; in each
 * of its groups it reports BACKUP, or MASTER where it preempts and is the best (expectedMaster), and is
 * the only master there; and the fleet has no error-severity finding for any of its groups (split
 * brain, no master, password/address mismatch, vhid collision). The driver also wants it to hold for a
 * moment (RollingTimeouts.dwellMs) before the next host goes.
 */
export function steadyCheck(fleet: Fleet, host: string, opts: SteadyOptions = {}): Steady {
  const h = fleet.hosts.find((x) => x.host === host);
  if (!h) return { steady: false, why: `${host} is not in the fleet` };
  if (h.status !== 'live') return { steady: false, why: `${host}'s agent is ${h.status}` };
  if (opts.version && h.agentVersion !== opts.version) return { steady: false, why: `${host} runs ${h.agentVersion ?? 'no agent'}, not ${opts.version}` };
  if (!opts.inMaintenance && h.maintenance) return { steady: false, why: `${host} is still in maintenance` };
  if (opts.inMaintenance && !h.maintenance) return { steady: false, why: `${host} came back out of maintenance` };
  const groups = groupsOf(fleet, host);
  const said: string[] = [];
  for (const g of groups) {
    const m = g.members.find((x) => x.host === host) as Member;
    const where = `vhid ${g.vhid}`;
    if (!m.live) return { steady: false, why: `${host} is not live in ${where}` };
    const role = expectedRole(g, host);
    const want = role === 'either' ? m.state : role; // a tie: MASTER or BACKUP, as the race went
    if (m.state !== want)
      return { steady: false, why: `${host} is ${m.state} in ${where}, waiting for ${want}${want === 'MASTER' ? (m.preempt ? ' (it preempts and is the best)' : ' (it is the best and nobody holds the group)') : ''}` };
    if (want === 'MASTER' && g.master !== host) return { steady: false, why: `${where} has ${g.masters.length} masters (${g.masters.join(', ')})` };
    said.push(`${m.state} in ${where}`);
  }
  const keys = new Set(groups.map((g) => g.key));
  const bad = fleet.findings.find((f) => f.severity === 'error' && f.group !== undefined && keys.has(f.group));
  if (bad) return { steady: false, why: bad.message };
  return { steady: true, why: said.length ? said.join(', ') : `${host} runs no group` };
}

export interface VersionSummary {
  /** Every version seen with its hosts; the target version first. */
  versions: Array<{ version: string; hosts: string[] }>;
  /** "fw1 runs 0.2.0; fw2, fw3 run 0.1.0" */
  text: string;
}

function versionLabel(h: HostView | undefined): { label: string; runs: boolean } {
  if (!h) return { label: 'not in the fleet', runs: false };
  if (!h.agentVersion) return { label: h.status === 'no-agent' ? 'no agent' : `no agent known (${h.status})`, runs: false };
  return h.status === 'live' ? { label: h.agentVersion, runs: true } : { label: `${h.agentVersion} last known (${h.status})`, runs: false };
}

/** Which of `hosts` runs which version, as the fleet's agents report it (HostView.agentVersion). */
export function versionSummary(fleet: Fleet, hosts: string[], target?: string): VersionSummary {
  const by = new Map<string, { runs: boolean; hosts: string[] }>();
  for (const host of hosts) {
    const v = versionLabel(fleet.hosts.find((x) => x.host === host));
    const e = by.get(v.label) ?? { runs: v.runs, hosts: [] };
    e.hosts.push(host);
    by.set(v.label, e);
  }
  const entries = [...by].map(([version, e]) => ({ version, runs: e.runs, hosts: e.hosts.sort(natural) }));
  entries.sort((a, b) => (b.version === target ? 1 : 0) - (a.version === target ? 1 : 0));
  const text = entries.map((e) => (e.runs ? `${e.hosts.join(', ')} ${e.hosts.length === 1 ? 'runs' : 'run'} ${e.version}` : `${e.hosts.join(', ')}: ${e.version}`)).join('; ');
  return { versions: entries.map(({ version, hosts: hs }) => ({ version, hosts: hs })), text };
}

export interface ParallelHit {
  host: string;
  groups: GroupKey[];
  /** Plain words for the 'warning' deploy event. */
  detail: string;
}

/**
 * What a parallel deploy of `hosts` hits: each live host that carries groups and will be restarted (it
 * does not already run `version`), with who else restarts with it.
 */
export function parallelHits(fleet: Fleet, hosts: string[], version?: string): ParallelHit[] {
  const going = new Set(
    hosts.filter((h) => {
      const v = fleet.hosts.find((x) => x.host === h);
      return v?.status === 'live' && !(version && v.agentVersion === version);
    }),
  );
  const out: ParallelHit[] = [];
  for (const host of hosts) {
    if (!going.has(host)) continue;
    const groups = groupsOf(fleet, host);
    if (!groups.length) continue;
    const parts = groups.map((g) => {
      const with_ = g.members.filter((m) => m.host !== host && going.has(m.host)).map((m) => m.host);
      const role = g.masters.includes(host) ? ' MASTER' : '';
      return `${g.segment} vhid ${g.vhid}${role}${with_.length ? ` (restarted together with ${with_.join(', ')}${with_.length + 1 >= g.members.filter((m) => m.live).length ? ': every live member at once' : ''})` : ''}`;
    });
    const allAtOnce = groups.some((g) => g.members.filter((m) => m.live).every((m) => going.has(m.host)));
    out.push({
      host,
      groups: groups.map((g) => g.key),
      detail: `--parallel restarts ${host} without moving its groups first: ${parts.join(', ')}; ${allAtOnce ? 'a group whose members all restart is without a master for about its master-down time' : 'its groups fail over on the restart'} (leave out --parallel for a rolling, hitless upgrade)`,
    });
  }
  return out;
}
