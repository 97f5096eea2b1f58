// The fuzz helper every boundary's parser test uses (agent and console alike; no dependency): a seeded
// PRNG, random and mutated inputs (bit flips, truncation, duplication, wrong types, huge numbers, deep
// nesting, prototype keys, oversize), and a runner that fails on any throw the boundary does not own.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** mulberry32: small, fast, and the same sequence for the same seed (a failure can be replayed). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

const ODD_NUMBERS = [0, -1, 1.5, -0, 1e308, -1e308, 2 ** 53 + 1, 2 ** 31, -(2 ** 31) - 1, 4294967296, 1e-300, 255, 256, 65536];
const ODD_STRINGS = ['', ' ', '\u0000', '\n', 'é', '\u{1F525}', '\ud800', '..', '../../etc/passwd', '%s%n', '${x}', '"', '\\', 'a'.repeat(300)];

export function randomString(rng: Rng, max = 40): string {
  if (rng.chance(0.3)) return rng.pick(ODD_STRINGS);
  let s = '';
  const n = rng.int(max);
  for (let i = 0; i < n; i++) s += String.fromCharCode(rng.chance(0.9) ? 0x20 + rng.int(95) : rng.int(0x3000));
  return s;
}

/** Random bytes as a UTF-8 (mis)decoded string: control characters, broken sequences, anything. */
export function randomBytes(rng: Rng, max = 200): Buffer {
  const b = Buffer.alloc(rng.int(max));
  for (let i = 0; i < b.length; i++) b[i] = rng.int(256);
  return b;
}

/** A random JSON value, at most `depth` levels deep, with prototype keys and odd numbers. */
export function randomJson(rng: Rng, depth = 3): unknown {
  const k = rng.int(depth > 0 ? 7 : 5);
  switch (k) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.chance(0.5) ? rng.pick(ODD_NUMBERS) : rng.int(1000) - 10;
    case 3:
    case 4:
      return randomString(rng);
    case 5:
      return Array.from({ length: rng.int(4) }, () => randomJson(rng, depth - 1));
    default: {
      const o: Record<string, unknown> = {};
      // defineProperty: a "__proto__" key becomes an own property, as JSON.parse makes it.
      for (let i = rng.int(4); i > 0; i--) {
        const key = rng.chance(0.2) ? rng.pick(PROTO_KEYS) : randomString(rng, 8);
        Object.defineProperty(o, key, { value: randomJson(rng, depth - 1), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
  }
}

/** `[[[[…]]]]` or `{"a":{"a":…}}`, `depth` levels: for recursive parsers and formatters. */
export function deepNesting(depth: number, kind: 'array' | 'object' = 'array'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** The paths (keys and indexes) of every node of a parsed JSON value. */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

/** A copy of `v` with one node replaced, removed, duplicated or given a prototype key. */
export function mutateValue(rng: Rng, v: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(v)) as unknown;
  const all = paths(copy);
  const p = rng.pick(all);
  if (p.length === 0) return rng.chance(0.5) ? randomJson(rng) : [copy, copy];
  const parent = p.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown>;
  const key = p[p.length - 1];
  switch (rng.int(8)) {
    case 0: // wrong type
      parent[key] = randomJson(rng, 1);
      break;
    case 1: // missing
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      break;
    case 2: // huge or odd number
      parent[key] = rng.pick(ODD_NUMBERS);
      break;
    case 3: // duplicated
      if (Array.isArray(parent)) parent.push(...Array.from({ length: 1 + rng.int(50) }, () => parent[key as number]));
      else parent[key] = [parent[key], parent[key]];
      break;
    case 4: // a prototype key beside it, as an own property (what JSON.parse makes of one on the wire)
      if (!Array.isArray(parent)) {
        Object.defineProperty(parent, rng.pick(PROTO_KEYS), { value: randomJson(rng, 1), enumerable: true, writable: true, configurable: true });
      } else parent[key] = JSON.parse('{"__proto__":{"polluted":1}}') as unknown;
      break;
    case 5: // deep nesting in place
      parent[key] = JSON.parse(deepNesting(100 + rng.int(400))) as unknown;
      break;
    case 6: // odd string
      parent[key] = randomString(rng, 300);
      break;
    default: // unknown key
      if (!Array.isArray(parent)) parent[randomString(rng, 10)] = randomJson(rng, 1);
      else parent[key] = randomJson(rng, 2);
  }
  return copy;
}

/** Byte-level damage to a text: bit flips, truncation, duplication, random insertions. */
export function mutateText(rng: Rng, s: string): string {
  const b = Buffer.from(s, 'utf8');
  switch (rng.int(5)) {
    case 0: {
      for (let i = 1 + rng.int(4); i > 0 && b.length; i--) b[rng.int(b.length)] ^= 1 << rng.int(8);
      return b.toString('utf8');
    }
    case 1:
      return b.subarray(0, rng.int(b.length + 1)).toString('utf8');
    case 2: {
      const at = rng.int(b.length + 1);
      const len = rng.int(b.length - at + 1);
      return Buffer.concat([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at)]).toString('utf8');
    }
    case 3: {
      const at = rng.int(b.length + 1);
      return Buffer.concat([b.subarray(0, at), randomBytes(rng, 20), b.subarray(at)]).toString('utf8');
    }
    default:
      return s + s;
  }
}

export interface FuzzOptions {
  seed: number;
  /** Inputs the parser must accept (as text); mutations start from them. */
  valid: string[];
  /** How many random and mutated inputs (the valid ones and a few oversize ones come on top). */
  count: number;
  /** The boundary's limit: a few inputs just past it are tried as well (skipped when absent). */
  maxBytes?: number;
  /** Extra, boundary-specific inputs (e.g. the format's own syntax). */
  extra?: (rng: Rng) => string;
}

/** The inputs of one fuzz run: the valid ones first, then random, mutated and oversize ones. */
export function fuzzInputs(o: FuzzOptions): { valid: string[]; hostile: string[] } {
  const rng = new Rng(o.seed);
  const hostile: string[] = [];
  for (let i = 0; i < o.count; i++) {
    const base = rng.pick(o.valid);
    const k = rng.int(o.extra ? 8 : 7);
    let parsed: unknown;
    try {
      parsed = JSON.parse(base);
    } catch {
      parsed = undefined;
    }
    if (k === 0) hostile.push(randomBytes(rng).toString(rng.chance(0.5) ? 'utf8' : 'latin1'));
    else if (k === 1) hostile.push(JSON.stringify(randomJson(rng)));
    else if (k === 2 || k === 3) hostile.push(mutateText(rng, base));
    else if ((k === 4 || k === 5) && parsed !== undefined) hostile.push(JSON.stringify(mutateValue(rng, parsed)));
    else if (k === 6) hostile.push(rng.chance(0.02) ? deepNesting(50_000, rng.chance(0.5) ? 'array' : 'object') : deepNesting(1 + rng.int(2000), rng.chance(0.5) ? 'array' : 'object'));
    else if (o.extra) hostile.push(o.extra(rng));
    else hostile.push(mutateText(rng, base));
  }
  if (o.maxBytes !== undefined) {
    const base = o.valid[0];
    hostile.push(base + ' '.repeat(o.maxBytes), 'x'.repeat(o.maxBytes + 1), `{"a":"${'é'.repeat(Math.ceil(o.maxBytes / 2))}"}`);
  }
  return { valid: o.valid, hostile };
}

const show = (s: string) => JSON.stringify(s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s);

export interface FuzzStats {
  accepted: number;
  refused: number;
}

/**
 * Runs `parse` on every input: valid ones must pass, hostile ones may pass or fail only in the way
 * `refusal` recognises (the boundary's typed error or failure value). Anything else (a TypeError, a
 * RangeError from recursion, a polluted Object.prototype) fails with the input that caused it.
 */
export async function fuzz<T>(
  o: FuzzOptions & {
    parse: (input: string) => T | Promise<T>;
    /** true for the boundary's own refusal: a thrown error, or a returned failure value. */
    refusal: (outcome: { threw: unknown } | { value: T }) => boolean;
  },
): Promise<FuzzStats> {
  const { valid, hostile } = fuzzInputs(o);
  const stats: FuzzStats = { accepted: 0, refused: 0 };
  const protoKeys = Object.getOwnPropertyNames(Object.prototype).join();
  const run = async (input: string, mustPass: boolean) => {
    let outcome: { threw: unknown } | { value: T };
    try {
      outcome = { value: await o.parse(input) };
    } catch (e) {
      outcome = { threw: e };
    }
    const refused = o.refusal(outcome);
    if ('threw' in outcome && !refused) {
      const e = outcome.threw as Error;
      throw new Error(`seed ${o.seed}: input ${show(input)} threw ${e?.name}: ${e?.message?.slice(0, 300)}\n${e?.stack ?? ''}`);
    }
    if (mustPass && refused) throw new Error(`seed ${o.seed}: the valid input ${show(input)} was refused: ${JSON.stringify('threw' in outcome ? String(outcome.threw) : outcome.value)}`);
    if (Object.getOwnPropertyNames(Object.prototype).join() !== protoKeys || ({} as Record<string, unknown>).polluted !== undefined) {
      throw new Error(`seed ${o.seed}: Object.prototype was modified by ${show(input)}`);
    }
    if (refused) stats.refused++;
    else stats.accepted++;
  };
  for (const v of valid) await run(v, true);
  for (const h of hostile) await run(h, false);
  return stats;
}

/** A fresh temp folder on tmpfs when there is one (fuzzing a file reader writes thousands of files). */
export function fuzzTempDir(prefix: string): string {
  for (const base of ['/dev/shm', tmpdir()]) {
    try {
      return mkdtempSync(join(base, prefix));
    } catch {
      /* not there or not writable: the next one */
    }
  }
  return mkdtempSync(join(tmpdir(), prefix));
}
