// Who wins a CARP election among a group's members: the agent's own rules (OpenBSD demote
// first, then advbase*256+advskew as put on the wire; members in maintenance last).
import type { Member } from './types.js';

function ipNumber(ip: string): number {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((n) => !Number.isInteger(n))) return Number.MAX_SAFE_INTEGER;
  return ((p[0] * 256 + p[1]) * 256 + p[2]) * 256 + p[3];
}

/** Negative when a is preferred over b. Ties on every key fall to the lower source address (deterministic). */
export function compareCandidates(a: Member, b: Member): number {
  if (a.maintenance !== b.maintenance) return a.maintenance ? 1 : -1;
  if (a.demote !== b.demote) return a.demote - b.demote;
  const ka = a.wireAdvbase * 256 + a.wireAdvskew;
  const kb = b.wireAdvbase * 256 + b.wireAdvskew;
  if (ka !== kb) return ka - kb;
  return ipNumber(a.srcip) - ipNumber(b.srcip);
}

/**
 * The member that takes over if `master` leaves: the best live member other than the master
 * that is in BACKUP (INIT members cannot win). With no master, the best live candidate overall.
 */
export function predictSuccessor(members: Member[], master: string | null): Member | null {
  const candidates = members.filter((m) => m.live && m.host !== master && m.state !== 'INIT' && (master === null || m.state === 'BACKUP'));
  if (!candidates.length) return null;
  return [...candidates].sort(compareCandidates)[0];
}
