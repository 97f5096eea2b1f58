// CARP's two timer formulas, pure and in one place: the engine runs on them, the console predicts
// with them (master-down in the group editor, advert periods in the fleet model). Times in 1/256 s.
//
// Advert period: advbase + advskew/256 s, as all three implementations; 1/256 s when both are 0
// (OpenBSD). Master-down: 3·advbase + advskew/256 s (FreeBSD, ucarp with deadratio 3) for advbase
// 1..255; at advbase 0, which only OpenBSD and ucarp accept, OpenBSD's 3 × (advbase + advskew/256) s
// = 3·advskew/256 s, i.e. three advert periods, skew term included (docs/carp-protocol.md §3.2, §5.1).
// There the FreeBSD formula would leave advskew/256 s, a single period: one lost advert would fail over.

/** The period of adverts of a MASTER with these values, in 1/256 s. */
export function advertPeriodTicks(advbase: number, advskew: number): number {
  if (advbase === 0 && advskew === 0) return 1;
  return advbase * 256 + advskew;
}

/** The silence after which a BACKUP with these values takes over, in 1/256 s. */
export function masterDownTicks(advbase: number, advskew: number): number {
  if (advbase === 0) return 3 * advertPeriodTicks(advbase, advskew);
  return 3 * advbase * 256 + advskew;
}

/**
 * OpenBSD's master-down for every advbase: 3 × (advbase + advskew/256) s, three of its own advert
 * periods (ip_carp.c carp_setrun). Longer than the FreeBSD formula above once advskew > 0: in a mixed
 * group an OpenBSD backup fires later than an agent or FreeBSD backup with a higher advskew.
 */
export function openbsdMasterDownTicks(advbase: number, advskew: number): number {
  return 3 * advertPeriodTicks(advbase, advskew);
}

const ticksToMs = (t: number) => (t * 1000) / 256;

/** Advert period, ms (exact: multiples of 1000/256 = 3.90625 ms). */
export function advertPeriodMs(advbase: number, advskew: number): number {
  return ticksToMs(advertPeriodTicks(advbase, advskew));
}

/** Master-down timeout, ms (exact). */
export function masterDownTimeoutMs(advbase: number, advskew: number): number {
  return ticksToMs(masterDownTicks(advbase, advskew));
}
