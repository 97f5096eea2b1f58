// The group password's check value: what an agent reports so that the console can tell whether the
// members of a group use the same password, without the value being a cheap way back to it. Defined
// only here; the agent, the console core and every fake import it.
//
// scrypt (N=2^14, r=8, p=1: about 80 ms and 16 MiB per guess on a 2-core VM) salted with the vhid and
// the group's address set: a dictionary computed for one site is useless at another, and each guess at
// a 19-byte CARP passphrase costs what a login hash costs, not a few nanoseconds as SHA-256 did.
import { scrypt, scryptSync } from 'node:crypto';

/** The derivation's parameters; changing any of them changes every value (bump the version in SALT_PREFIX). */
export const PASSWORD_CHECK_PARAMS = { N: 1 << 14, r: 8, p: 1, keylen: 16, maxmem: 64 * 1024 * 1024 } as const;
export const PASSWORD_CHECK_SALT_PREFIX = 'carp-console password check v1';

/** The salt of a group: prefix, vhid and its addresses sorted (the order in a file does not matter). */
export function passwordCheckSalt(vhid: number, addresses: readonly string[]): string {
  return `${PASSWORD_CHECK_SALT_PREFIX}|${vhid}|${[...addresses].sort().join(',')}`;
}

const { N, r, p, keylen, maxmem } = PASSWORD_CHECK_PARAMS;
/** Derivations in flight or done, by salt and password: a group config is derived once per process. */
const cache = new Map<string, Promise<string>>();
const CACHE_MAX = 1024;

/**
 * The check value of `password` for the group (vhid, addresses): 32 hex characters. Runs on libuv's
 * thread pool (crypto.scrypt), never on the event loop, so advert timers keep their time while 100
 * groups are derived; the same group config is derived once (cached).
 */
export function passwordCheck(vhid: number, password: string, addresses: readonly string[]): Promise<string> {
  const salt = passwordCheckSalt(vhid, addresses);
  const key = `${salt}\0${password}`;
  let v = cache.get(key);
  if (!v) {
    v = new Promise<string>((resolve, reject) =>
      scrypt(password, salt, keylen, { N, r, p, maxmem }, (err, out) => (err ? reject(err) : resolve(out.toString('hex')))),
    );
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(key, v);
    v.catch(() => cache.delete(key));
  }
  return v;
}

const syncCache = new Map<string, string>();

/** The same value, computed on the calling thread (blocks it once per group config): for tests and fakes only. */
export function passwordCheckSync(vhid: number, password: string, addresses: readonly string[]): string {
  const salt = passwordCheckSalt(vhid, addresses);
  const key = `${salt}\0${password}`;
  let v = syncCache.get(key);
  if (v === undefined) {
    v = scryptSync(password, salt, keylen, { N, r, p, maxmem }).toString('hex');
    if (syncCache.size >= CACHE_MAX) syncCache.delete(syncCache.keys().next().value!);
    syncCache.set(key, v);
  }
  return v;
}
