// The CARP advertisement on the wire (docs/protocol.md §1): encode the 36-byte header and the
// 56-byte IPv4 packet, decode and check what a Linux raw IPv4 socket delivers.
import type { DropReason } from './drops.js';
import { COUNTER_BYTES, HMAC_BYTES, carpHmac } from './hmac.js';
import { bufferToIp, inetChecksum, ipToBuffer } from './ip.js';

const CARP_HEADER_BYTES = 36;
const CARP_VERSION = 2;
const CARP_TYPE_ADVERTISEMENT = 1;
/** counter + HMAC in 32-bit words; sent as 7, never checked by any receiver. */
const CARP_AUTHLEN = 7;
export const IPPROTO_CARP = 112;
export const CARP_GROUP = '224.0.0.18';
const CARP_TTL = 255;
const CARP_TOS = 0x10;

export interface CarpHeader {
  version: number;
  type: number;
  vhid: number;
  advskew: number;
  authlen: number;
  demote: number;
  advbase: number;
  checksum: number;
  counter: Buffer; // 8 bytes
  hmac: Buffer; // 20 bytes
}

export interface AdvertFields {
  vhid: number;
  advbase: number;
  advskew: number;
  demote: number;
  counter: Buffer;
  key: Buffer;
  addresses: string[];
}

function byte(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`${name} ${v} must be an integer 0..255`);
  return v;
}

/** The 36-byte CARP header with HMAC and checksum filled in (the kernel builds the IP header). */
export function encodeAdvert(o: AdvertFields): Buffer {
  if (o.counter.length !== COUNTER_BYTES) throw new RangeError(`the CARP counter must be ${COUNTER_BYTES} bytes, got ${o.counter.length}`);
  const h = Buffer.alloc(CARP_HEADER_BYTES);
  h[0] = (CARP_VERSION << 4) | CARP_TYPE_ADVERTISEMENT;
  h[1] = byte('vhid', o.vhid);
  h[2] = byte('advskew', o.advskew);
  h[3] = CARP_AUTHLEN;
  h[4] = byte('demote', o.demote);
  h[5] = byte('advbase', o.advbase);
  o.counter.copy(h, 8);
  carpHmac(o.key, o.vhid, o.addresses, o.counter).copy(h, 16);
  h.writeUInt16BE(inetChecksum(h), 6);
  return h;
}

export interface IpPacketOptions {
  src: string;
  dst?: string; // default 224.0.0.18
  ttl?: number; // default 255
  tos?: number; // default 0x10
  id?: number; // default 0
}

/** A complete IPv4 packet (20-byte header, DF, protocol 112, header checksum) around `carp`. */
export function encodeIpPacket(carp: Buffer, o: IpPacketOptions): Buffer {
  const ip = Buffer.alloc(20 + carp.length);
  ip[0] = 0x45;
  ip[1] = byte('tos', o.tos ?? CARP_TOS);
  ip.writeUInt16BE(ip.length, 2);
  ip.writeUInt16BE((o.id ?? 0) & 0xffff, 4);
  ip.writeUInt16BE(0x4000, 6);
  ip[8] = byte('ttl', o.ttl ?? CARP_TTL);
  ip[9] = IPPROTO_CARP;
  ipToBuffer(o.src).copy(ip, 12);
  ipToBuffer(o.dst ?? CARP_GROUP).copy(ip, 16);
  ip.writeUInt16BE(inetChecksum(ip.subarray(0, 20)), 10);
  carp.copy(ip, 20);
  return ip;
}

export type DecodeResult =
  | { ok: true; src: string; dst: string; ttl: number; header: CarpHeader; carp: Buffer }
  | { ok: false; reason: DropReason; detail: string; vhid?: number; src?: string };

/** Reads the 36-byte CARP header at the start of `carp` (no checks). */
export function parseHeader(carp: Buffer): CarpHeader {
  if (carp.length < CARP_HEADER_BYTES) throw new RangeError(`a CARP header is ${CARP_HEADER_BYTES} bytes, got ${carp.length}`);
  return {
    version: carp[0] >> 4,
    type: carp[0] & 0x0f,
    vhid: carp[1],
    advskew: carp[2],
    authlen: carp[3],
    demote: carp[4],
    advbase: carp[5],
    checksum: carp.readUInt16BE(6),
    counter: Buffer.from(carp.subarray(8, 8 + COUNTER_BYTES)),
    hmac: Buffer.from(carp.subarray(16, 16 + HMAC_BYTES)),
  };
}

/**
 * Checks a packet as a Linux raw IPv4 socket delivers it (IP header + payload), in ucarp's order:
 * length, TTL 255, CARP version 2, checksum over exactly 36 bytes. Type and authlen are not checked
 * (no implementation does). The HMAC needs the group: verifyHmac() after the vhid lookup.
 */
export function decodePacket(ip: Buffer): DecodeResult {
  if (ip.length < 20) return { ok: false, reason: 'short', detail: `${ip.length} bytes: shorter than an IPv4 header (20)` };
  const ihl = (ip[0] & 0x0f) * 4;
  const src = bufferToIp(ip, 12);
  if (ihl < 20 || ip.length < ihl + CARP_HEADER_BYTES) {
    return { ok: false, reason: 'short', detail: `${ip.length} bytes with a ${ihl}-byte IP header: needs IP header + ${CARP_HEADER_BYTES} bytes of CARP`, src };
  }
  const carp = Buffer.from(ip.subarray(ihl, ihl + CARP_HEADER_BYTES));
  const vhid = carp[1];
  const ttl = ip[8];
  if (ttl !== CARP_TTL) {
    return { ok: false, reason: 'ttl', detail: `TTL ${ttl}, must be ${CARP_TTL} (the sender must set IP_MULTICAST_TTL 255; the packet may have been routed)`, vhid, src };
  }
  const version = carp[0] >> 4;
  if (version !== CARP_VERSION) {
    return { ok: false, reason: 'version', detail: `CARP version ${version}, only version ${CARP_VERSION} is understood (VRRPv3 also uses protocol 112)`, vhid, src };
  }
  if (inetChecksum(carp) !== 0) {
    const zeroed = Buffer.from(carp);
    zeroed.writeUInt16BE(0, 6);
    const want = inetChecksum(zeroed);
    return {
      ok: false,
      reason: 'checksum',
      detail: `CARP checksum 0x${carp.readUInt16BE(6).toString(16).padStart(4, '0')}, expected 0x${want.toString(16).padStart(4, '0')} over the 36 CARP bytes`,
      vhid,
      src,
    };
  }
  return { ok: true, src, dst: bufferToIp(ip, 16), ttl, header: parseHeader(carp), carp };
}
