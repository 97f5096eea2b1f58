// The 64-bit advert counter (FreeBSD/ucarp style: random start, +1 per advert, wraps), a bounded
// memory of counters already accepted from peers (the 'replay' drop reason) and of counters this node
// sent itself (the 'own' drop reason: OpenBSD's cookie check).
import { randomBytes } from 'node:crypto';
import { COUNTER_BYTES } from './hmac.js';

const WRAP = 1n << 64n;

/** A fresh random 8-byte counter. */
export function randomCounter(): Buffer {
  return randomBytes(COUNTER_BYTES);
}

/** The counter for the next advert: a random start when there is none yet, else prev + 1 (mod 2^64). */
export function nextCounter(prev: Buffer | null, random: () => Buffer = randomCounter): Buffer {
  if (prev === null) {
    const start = random();
    if (start.length !== COUNTER_BYTES) throw new RangeError(`a random counter start must be ${COUNTER_BYTES} bytes, got ${start.length}`);
    return Buffer.from(start);
  }
  if (prev.length !== COUNTER_BYTES) throw new RangeError(`the CARP counter must be ${COUNTER_BYTES} bytes, got ${prev.length}`);
  const out = Buffer.alloc(COUNTER_BYTES);
  out.writeBigUInt64BE((prev.readBigUInt64BE(0) + 1n) % WRAP, 0);
  return out;
}

/**
 * Optional FreeBSD/ucarp behaviour: continue from a counter heard from a peer (heard + 1), so the
 * counters on a segment keep increasing across failovers. Not required by any receiver (docs/protocol.md §3.1, §3.2).
 */
export function adoptCounter(heard: Buffer): Buffer {
  return nextCounter(heard);
}

export interface ReplayWindowOptions {
  /** How long an accepted counter is remembered (default one hour). */
  ttlMs?: number;
  /** At most this many counters are remembered; the oldest are forgotten first (default 8192). */
  max?: number;
}

/**
 * Counters accepted for one group during the last hour. `seen()` says whether a counter is a repeat
 * and records it when it is not. Memory is bounded by age and by count.
 *
 * OpenBSD sends one constant cookie in every advert (docs/protocol.md §3.1). Pass `src` and a counter equal to the
 * last one accepted from that same source is not a repeat, so OpenBSD masters stay audible; what is
 * still refused is an older counter coming back (a captured advert replayed later).
 */
export class ReplayWindow {
  private readonly ttlMs: number;
  private readonly max: number;
  /** counter hex -> time first accepted; Map keeps insertion order = time order. */
  private readonly counters = new Map<string, number>();
  /** source -> last counter accepted from it. */
  private readonly lastBySrc = new Map<string, string>();

  constructor(o: ReplayWindowOptions = {}) {
    this.ttlMs = o.ttlMs ?? 3_600_000;
    this.max = o.max ?? 8192;
  }

  get size(): number {
    return this.counters.size;
  }

  /** True if `counterHex` is a repeat (drop the advert); otherwise records it and returns false. */
  seen(counterHex: string, now: number, src?: string): boolean {
    this.expire(now);
    if (src !== undefined && this.lastBySrc.get(src) === counterHex && this.counters.has(counterHex)) return false;
    if (this.counters.has(counterHex)) return true;
    this.counters.set(counterHex, now);
    if (src !== undefined) {
      this.lastBySrc.delete(src);
      this.lastBySrc.set(src, counterHex);
      if (this.lastBySrc.size > this.max) this.lastBySrc.delete(this.lastBySrc.keys().next().value!);
    }
    while (this.counters.size > this.max) this.counters.delete(this.counters.keys().next().value!);
    return false;
  }

  clear(): void {
    this.counters.clear();
    this.lastBySrc.clear();
  }

  private expire(now: number): void {
    for (const [c, at] of this.counters) {
      if (now - at < this.ttlMs) break;
      this.counters.delete(c);
    }
  }
}

/**
 * The counters this node sent for one group, bounded by count and age. An advert that carries one of
 * them is this node's own advert coming back: looped by the network, or captured and re-sent from
 * another address by someone on the LAN (the HMAC covers neither the source nor advskew, so such a
 * copy is "valid" and, at equal priority, would make a master yield to itself). OpenBSD drops a packet
 * carrying its own cookie for the same reason. Peers that adopt a heard counter (ucarp, FreeBSD)
 * continue from it + 1, so they send values above ours and never one we sent.
 */
export class SentCounters {
  private readonly ttlMs: number;
  private readonly max: number;
  private readonly counters = new Map<string, number>();

  constructor(o: ReplayWindowOptions = {}) {
    this.ttlMs = o.ttlMs ?? 3_600_000;
    this.max = o.max ?? 4096;
  }

  get size(): number {
    return this.counters.size;
  }

  add(counterHex: string, now: number): void {
    this.counters.delete(counterHex);
    this.counters.set(counterHex, now);
    while (this.counters.size > this.max) this.counters.delete(this.counters.keys().next().value!);
  }

  has(counterHex: string, now: number): boolean {
    for (const [c, at] of this.counters) {
      if (now - at < this.ttlMs) break;
      this.counters.delete(c);
    }
    return this.counters.has(counterHex);
  }
}
