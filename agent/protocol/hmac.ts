// CARP authentication (docs/protocol.md §2): the 20-byte key, the hashed message M and HMAC-SHA1.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ipToNumber } from './ip.js';
import type { CarpHeader } from './packet.js';
import { CARP_PASSPHRASE_MAX } from './limits.js';

export { CARP_PASSPHRASE_MAX };
const CARP_KEY_BYTES = 20;
export const COUNTER_BYTES = 8;
export const HMAC_BYTES = 20;

/** The 20-byte key: the UTF-8 passphrase cut to 19 bytes, then NUL bytes (not hashed). */
export function carpKey(password: string): Buffer {
  const key = Buffer.alloc(CARP_KEY_BYTES);
  Buffer.from(password, 'utf8').copy(key, 0, 0, CARP_PASSPHRASE_MAX);
  return key;
}

/** The IPv4 addresses as hashed: "/prefix" ignored, each once, ascending as unsigned 32-bit numbers. */
function sortedAddresses(addresses: string[]): number[] {
  return [...new Set(addresses.map(ipToNumber))].sort((a, b) => a - b);
}

/** M of docs/protocol.md §2.2 for IPv4: 02 01 vhid, the sorted addresses (4 bytes each), the 8 counter bytes. */
export function hmacMessage(vhid: number, addresses: string[], counter: Buffer): Buffer {
  if (!Number.isInteger(vhid) || vhid < 0 || vhid > 255) throw new RangeError(`vhid ${vhid} must be an integer 0..255`);
  if (counter.length !== COUNTER_BYTES) throw new RangeError(`the CARP counter must be ${COUNTER_BYTES} bytes, got ${counter.length}`);
  const addrs = sortedAddresses(addresses);
  const m = Buffer.alloc(3 + 4 * addrs.length + COUNTER_BYTES);
  m[0] = 2;
  m[1] = 1;
  m[2] = vhid;
  addrs.forEach((a, i) => m.writeUInt32BE(a, 3 + 4 * i));
  counter.copy(m, 3 + 4 * addrs.length);
  return m;
}

/** HMAC-SHA1(key, M): the 20 bytes at offset 16 of the CARP header. */
export function carpHmac(key: Buffer, vhid: number, addresses: string[], counter: Buffer): Buffer {
  return createHmac('sha1', key).update(hmacMessage(vhid, addresses, counter)).digest();
}

/** True when the header's HMAC matches this group's key and address set (constant-time compare). */
export function verifyHmac(header: Pick<CarpHeader, 'vhid' | 'counter' | 'hmac'>, key: Buffer, addresses: string[]): boolean {
  if (header.hmac.length !== HMAC_BYTES || header.counter.length !== COUNTER_BYTES) return false;
  return timingSafeEqual(carpHmac(key, header.vhid, addresses, header.counter), header.hmac);
}
