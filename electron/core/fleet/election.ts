// Who wins a CARP election among a group's members, by the agent's own comparison
// (agent/engine/election.ts: maintenance last, then demote, then advbase*256 + advskew as put on the
// wire). A tie is not broken: the protocol leaves it to a race (docs/protocol.md §5.1), so the console
// predicts "either of them".
import { bestOf, compareElection, type ElectionValues } from '../../../agent/engine/election.js';
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
  return bestOf(candidates.map((m) => ({ ...electionValuesOf(m), m }))).map((x) => x.m);
}
