// OpenBSD's arpbalance, the pure part: which of a balanced set of vhids serves a client, and what
// fraction of the clients a host serves. One hash, used by the agent's ARP responder, carpctl and the
// console alike (README "Load balancing").
import { ipToNumber } from './ip.js';

/**
 * The hash. The client's IPv4 address read as an unsigned 32-bit number, modulo the number of balanced
 * vhids, picks one of them in ascending vhid order:
 *
 *     index = ipv4(client) mod n        vhid = sort(vhids)[index]
 *
 * So with vhids 1 and 2, 198.18.0.16 is served by vhid 1 and 198.18.0.17 by vhid 2, and an operator can
 * tell by hand who serves a client. A contiguous range of clients splits exactly (each vhid gets
 * ⌊len/n⌋ or ⌈len/n⌉); a random set splits as evenly as chance allows. What it cannot even out is
 * clients that all sit on one stride of n (every client on an even address, with two vhids).
 */
export function balanceIndex(client: string, n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`a balanced set needs at least one vhid, got ${n}`);
  return ipToNumber(client) % n;
}

/** The vhid that answers `client`'s ARP request for the balanced address (vhids in any order). */
export function balancedVhid(client: string, vhids: readonly number[]): number {
  const sorted = [...vhids].sort((a, b) => a - b);
  return sorted[balanceIndex(client, sorted.length)];
}

/** The fraction of clients (of the hash space) the master of `mastered` serves: 2 of 4 vhids is 0.5. */
export function balanceShare(mastered: readonly number[], vhids: readonly number[]): number {
  if (!vhids.length) return 0;
  const set = new Set(vhids);
  return new Set(mastered.filter((v) => set.has(v))).size / set.size;
}
