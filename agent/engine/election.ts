// Who is the better CARP node: the one comparison of the election (docs/protocol.md §5.1), pure.
// The engine decides with it, the console's fleet model predicts successors with it, the fakes elect
// with it: one rule, one place.
//
// Order: a node in maintenance is worse than any node that is not (it yields to every advert and
// never takes over on one); then the lower demote wins (OpenBSD byte 4); then the smaller key
// advbase*256 + advskew (a node that advertises more often). Equal on all of these is a tie, and the
// protocol leaves a tie open: a MASTER yields to an equal advert (kernel rule), two BACKUPs race on
// their equal master-down timers and whichever fires first wins. Nothing here breaks a tie.

/** What a node is compared on: the values it advertises in an election (not a maintenance bow-out). */
export interface ElectionValues {
  demote: number;
  advbase: number;
  advskew: number;
  /** Only the node itself knows it is in maintenance; a peer's advert does not say (default false). */
  maintenance?: boolean;
}

/** advbase*256 + advskew: orders like the advertisement interval; smaller is preferred. */
export function electionKey(v: Pick<ElectionValues, 'advbase' | 'advskew'>): number {
  return v.advbase * 256 + v.advskew;
}

/** Negative when `a` is the better node, positive when `b` is, 0 on a tie (which the protocol leaves open). */
export function compareElection(a: ElectionValues, b: ElectionValues): number {
  const ma = a.maintenance === true;
  const mb = b.maintenance === true;
  if (ma !== mb) return ma ? 1 : -1;
  if (a.demote !== b.demote) return a.demote - b.demote;
  return electionKey(a) - electionKey(b);
}

/**
 * The best of `nodes` by compareElection: one when it is unique, every node tied for best otherwise
 * (in the order given), none for an empty list. A tie is a race: any of them may win.
 */
export function bestOf<T extends ElectionValues>(nodes: readonly T[]): T[] {
  let best: T[] = [];
  for (const n of nodes) {
    const c = best.length ? compareElection(n, best[0]) : -1;
    if (c < 0) best = [n];
    else if (c === 0) best.push(n);
  }
  return best;
}
