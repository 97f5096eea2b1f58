// Who wins a CARP election among a group's members, by the agent's own comparison
// (agent/engine/election.ts: maintenance last, then demote, then advbase*256 + advskew as put on the
// wire). A tie is not broken: the protocol leaves it to a race (docs/protocol.md §5.1), so the console
// predicts "either of them".
import { bestOf, compareElection, type ElectionValues } from '../../../agent/engine/election.js';
import { masterDownTicks, openbsdMasterDownTicks } from '../../../agent/engine/timers.js';
import type { Member } from './types.js';

/** What a member is compared on: what its agent reports it advertises (maintenance raises these). */
function electionValuesOf(m: Member): ElectionValues {
  return { demote: m.demote, advbase: m.wireAdvbase, advskew: m.wireAdvskew, maintenance: m.maintenance };
}

/** Negative when a is preferred over b, 0 when they tie (no made-up tie breaker), for sorting. */
export function compareCandidates(a: Member, b: Member): number {
  return compareElection(electionValuesOf(a), electionValuesOf(b));
}

/**
 * Who takes over if `master` leaves: the best live members other than the master that are in BACKUP
 * (INIT members cannot win); with no master, the best live candidates overall. One member normally;
 * several when they tie on maintenance, demote, advbase and advskew (any of them may win the race);
 * none when nobody can.
 */
export function predictSuccessors(members: Member[], master: string | null): Member[] {
  const candidates = members.filter((m) => m.live && m.host !== master && m.state !== 'INIT' && (master === null || m.state === 'BACKUP'));
  const best = bestOf(candidates.map((m) => ({ ...electionValuesOf(m), m }))).map((x) => x.m);
  // A mixed group (docs/carp-protocol.md §6): when the master falls silent, the backup whose own
  // master-down runs out first takes over, and an OpenBSD kernel's runs longer (3 × its period). The
  // best member takes the group from it only with preempt; without, the first one to fire keeps it.
  // Only a group that mixes OpenBSD's formula with the others' times it differently from the agents'.
  const openbsd = candidates.filter((m) => m.kernel === 'openbsd').length;
  if (openbsd === 0 || openbsd === candidates.length) return best;
  const first = firstToFire(candidates);
  // OpenBSD also takes over from a master advertising a higher demote, preempt or not (carp_proto_input).
  const takes = (b: Member) => b.preempt || (b.kernel === 'openbsd' && first.every((f) => f.demote > b.demote));
  if (!first.length || best.some((b) => first.includes(b)) || best.every(takes)) return best;
  return first;
}

/** The member's master-down time on the wire values it advertises, by its implementation's formula. */
export function masterDownTicksOf(m: Member): number {
  return m.kernel === 'openbsd' ? openbsdMasterDownTicks(m.wireAdvbase, m.wireAdvskew) : masterDownTicks(m.wireAdvbase, m.wireAdvskew);
}

/** The candidates whose master-down runs out first (several on a tie). */
function firstToFire(candidates: Member[]): Member[] {
  const t = candidates.map(masterDownTicksOf);
  const min = Math.min(...t);
  return candidates.filter((_, i) => t[i] === min);
}
