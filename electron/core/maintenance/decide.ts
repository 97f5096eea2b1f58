// Pure decisions of the maintenance orchestrator ("demote before reboot"): what the host masters
// and who takes over (preflight), and whether each group has handed over, from the fleet alone.
import type { Fleet, FleetGroup, GroupKey } from '../fleet/types.js';
import { predictSuccessors } from '../fleet/election.js';

export interface PreflightGroup {
  key: GroupKey;
  vhid: number;
  segment: string;
  /** The host that takes over; "fw2 or fw3" when they tie (the protocol leaves that race open). */
  successor: string | null;
  /** Why there is no live successor (set when successor is null). */
  why?: string;
}

export interface Preflight {
  host: string;
  ok: boolean;
  /** Groups the host is MASTER of now: they must hand over. */
  mastered: PreflightGroup[];
  /** Mastered groups with no live successor: refused unless forced. */
  blocked: PreflightGroup[];
  /** Why it cannot even start (unknown host, host not live). */
  problem?: string;
  message: string;
}

export function preflight(fleet: Fleet, host: string): Preflight {
  const view = fleet.hosts.find((h) => h.host === host);
  const base = { host, mastered: [], blocked: [] };
  if (!view) return { ...base, ok: false, problem: 'unknown-host', message: `${host} is not in the inventory (known: ${fleet.hosts.map((h) => h.host).join(', ')})` };
  if (view.status !== 'live') return { ...base, ok: false, problem: 'not-live', message: `${host} is ${view.status}${view.error ? ` (${view.error})` : ''}: its agent must answer to enter maintenance` };
  const mastered: PreflightGroup[] = fleet.groups
    .filter((g) => g.masters.includes(host))
    .map((g) => ({ key: g.key, vhid: g.vhid, segment: g.segment, ...successorOf(g, host) }));
  const blocked = mastered.filter((g) => g.successor === null);
  const message = blocked.length
    ? `${host} masters ${blocked.map((g) => `${g.segment} vhid ${g.vhid}`).join(', ')} with no live successor (${blocked.map((g) => `vhid ${g.vhid}: ${g.why}`).join('; ')}): entering maintenance would leave ${blocked.length === 1 ? 'that group' : 'those groups'} without a master (use --force to do it anyway)`
    : mastered.length
      ? `${host} masters ${mastered.map((g) => `vhid ${g.vhid} (successor ${g.successor})`).join(', ')}`
      : `${host} masters no group: nothing has to move`;
  return { host, ok: blocked.length === 0, mastered, blocked, message };
}

/**
 * Who takes over when `host` bows out: the best live BACKUP member other than the host that is not
 * in maintenance. A backup in maintenance never takes over from a bow-out (agent/engine/engine.ts),
 * so a group whose only candidates are in maintenance has no live successor.
 */
function successorOf(g: FleetGroup, host: string): { successor: string | null; why?: string } {
  const others = g.members.filter((m) => m.live && m.host !== host);
  const backups = others.filter((m) => m.state === 'BACKUP');
  const best = predictSuccessors(backups.filter((m) => !m.maintenance), host);
  if (best.length) return { successor: best.map((m) => m.host).join(' or ') };
  if (backups.length) return { successor: null, why: `${backups.map((m) => m.host).join(', ')} ${backups.length === 1 ? 'is' : 'are'} in maintenance, and a backup in maintenance never takes over` };
  return { successor: null, why: others.length ? `no other live member is BACKUP (${others.map((m) => `${m.host} ${m.state}`).join(', ')})` : 'no other live member' };
}

export interface Handover {
  /** key → the new master, reported MASTER by that host's own (live) agent. */
  moved: Map<GroupKey, string>;
  pending: GroupKey[];
  done: boolean;
}

/**
 * A group has handed over when another host's live agent reports MASTER for it, and it is the only
 * master (after a bow-out several backups may claim it for a moment; the best one keeps it).
 */
export function handoverProgress(fleet: Fleet, host: string, keys: GroupKey[]): Handover {
  const moved = new Map<GroupKey, string>();
  const pending: GroupKey[] = [];
  for (const key of keys) {
    const g = fleet.groups.find((x) => x.key === key);
    if (g?.master && g.master !== host) moved.set(key, g.master);
    else pending.push(key);
  }
  return { moved, pending, done: pending.length === 0 };
}

/** The host's agent answers again after a reboot: live, and a new process (its startedAt differs from before). */
export function agentReturned(fleet: Fleet, host: string, startedBefore: number | undefined): boolean {
  const h = fleet.hosts.find((x) => x.host === host);
  return h?.status === 'live' && h.agentStartedAt !== undefined && h.agentStartedAt !== startedBefore;
}

/** The host's pre-reboot agent is gone (the link lost it, or a new process already answers). */
export function agentLeft(fleet: Fleet, host: string, startedBefore: number | undefined): boolean {
  const h = fleet.hosts.find((x) => x.host === host);
  return !h || h.status !== 'live' || h.agentStartedAt !== startedBefore;
}

export function inMaintenance(fleet: Fleet, host: string): boolean | undefined {
  return fleet.hosts.find((x) => x.host === host)?.maintenance;
}
