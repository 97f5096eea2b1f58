// Protocol-112 packets that are not this agent's CARP: VRRPv2 (RFC 3768 §5) and VRRPv3 (RFC 5798 §5)
// adverts told apart from CARP by length, address count and checksum; and what a CARP peer's HMAC and IP
// header say about its implementation (ucarp hashes one address: docs/carp-protocol.md §2.3). Pure.
import type { CarpHeader } from './packet.js';
import { verifyHmac } from './hmac.js';
import { bufferToIp, inetChecksum, ipToBuffer } from './ip.js';

export interface VrrpAdvert {
  version: 2 | 3;
  /** The virtual router id: its virtual MAC is 00:00:5e:00:01:vrid, the one a CARP vhid of that number uses. */
  vrid: number;
  priority: number;
  /** Advertisement interval, ms (v2: Adver Int in seconds; v3: Max Adver Int in centiseconds). */
  intervalMs: number;
  addresses: string[];
  src: string;
  dst: string;
  ttl: number;
}

const VRRP_TYPE_ADVERTISEMENT = 1;
const IPPROTO_VRRP = 112;

/** The IP payload of a packet as a raw IPv4 socket delivers it (IP header + payload), bounded by its total length. */
function payloadOf(ip: Buffer): { ihl: number; payload: Buffer } | null {
  if (ip.length < 20 || ip[0] >> 4 !== 4) return null;
  const ihl = (ip[0] & 0x0f) * 4;
  const total = Math.min(ip.length, ip.readUInt16BE(2) || ip.length);
  if (ihl < 20 || total < ihl + 8) return null;
  return { ihl, payload: ip.subarray(ihl, total) };
}

function addressesAt(p: Buffer, offset: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => bufferToIp(p, offset + 4 * i));
}

/**
 * A VRRP advertisement, or null when the packet is not one (then it may be CARP: decodePacket).
 * VRRPv2: 8-byte header, `count` IPv4 addresses, 8 bytes of authentication data; the checksum covers the
 * VRRP message. VRRPv3: 8-byte header and the addresses; the checksum includes the IPv4 pseudo-header.
 * The length must match the address count exactly and the checksum must hold: a CARP advert (byte 3 is
 * authlen 7, 36 bytes) never passes as VRRPv2 (which would need 44), nor a CARP-shaped version-3 packet as
 * VRRPv3 (its checksum has no pseudo-header).
 */
export function decodeVrrp(ip: Buffer): VrrpAdvert | null {
  if (ip.length >= 10 && ip[9] !== IPPROTO_VRRP) return null;
  const at = payloadOf(ip);
  if (!at) return null;
  const p = at.payload;
  const version = p[0] >> 4;
  if ((p[0] & 0x0f) !== VRRP_TYPE_ADVERTISEMENT) return null;
  const n = p[3];
  const src = bufferToIp(ip, 12);
  const dst = bufferToIp(ip, 16);
  const common = { vrid: p[1], priority: p[2], src, dst, ttl: ip[8] };
  if (version === 2) {
    const len = 16 + 4 * n;
    if (n < 1 || p.length !== len || inetChecksum(p) !== 0) return null;
    return { version: 2, ...common, intervalMs: p[5] * 1000, addresses: addressesAt(p, 8, n) };
  }
  if (version === 3) {
    const len = 8 + 4 * n;
    if (n < 1 || p.length !== len) return null;
    const pseudo = Buffer.alloc(12);
    ipToBuffer(src).copy(pseudo, 0);
    ipToBuffer(dst).copy(pseudo, 4);
    pseudo[9] = IPPROTO_VRRP;
    pseudo.writeUInt16BE(len, 10);
    if (inetChecksum(Buffer.concat([pseudo, p])) !== 0) return null;
    return { version: 3, ...common, intervalMs: (p.readUInt16BE(4) & 0x0fff) * 10, addresses: addressesAt(p, 8, n) };
  }
  return null;
}

export type HmacVerdict = 'match' | 'one-address' | 'mismatch';

/**
 * Whether a peer's advert matches this group's key: over every address ('match'), only over one of a
 * group's several addresses ('one-address': ucarp hashes exactly one, the last -a), or not at all.
 * `address` names the one it covered.
 */
export function peerHmac(header: Pick<CarpHeader, 'vhid' | 'counter' | 'hmac'>, key: Buffer, addresses: string[]): { verdict: HmacVerdict; address?: string } {
  if (verifyHmac(header, key, addresses)) return { verdict: 'match' };
  if (addresses.length > 1) {
    const one = addresses.find((a) => verifyHmac(header, key, [a]));
    if (one) return { verdict: 'one-address', address: one.split('/')[0] };
  }
  return { verdict: 'mismatch' };
}

/** What the agent can tell about the implementation behind a CARP peer's adverts. */
export interface CarpPeerFacts {
  hmac: HmacVerdict | 'no-key';
  /** The HMAC's one address, for 'one-address'. */
  address?: string;
  /** IP TOS of its adverts: 0x10 from OpenBSD and ucarp, 0xe0 from FreeBSD by default (net.inet.carp.dscp 56). */
  tos: number;
  demote: number;
  /** Its counter differed from one advert to the next (OpenBSD sends one cookie unchanged); undefined after one advert. */
  counterChanges?: boolean;
}

/**
 * 'ucarp' when the adverts say so: an HMAC over only one of the group's addresses (ucarp hashes exactly one),
 * or, with the HMAC matching, ucarp's wire signature: TOS 0x10 (FreeBSD sends 0xe0), demote 0 and a counter
 * that changes per advert (OpenBSD keeps its cookie). Another userland CARP (this agent too) looks the same
 * on the wire; the console leaves out the fleet's own agents by address. Otherwise 'foreign'.
 */
export function carpPeerImpl(f: CarpPeerFacts): { impl: 'ucarp' | 'foreign'; evidence?: string } {
  if (f.hmac === 'one-address') {
    return { impl: 'ucarp', evidence: `its HMAC covers only ${f.address ?? 'one address'} of the group's addresses: ucarp hashes exactly one` };
  }
  if (f.hmac === 'match' && f.tos === 0x10 && f.demote === 0 && f.counterChanges === true) {
    return { impl: 'ucarp', evidence: "TOS 0x10, demote 0 and a counter that changes per advert: ucarp's signature (FreeBSD sends TOS 0xe0, OpenBSD an unchanging counter; another userland CARP would look the same)" };
  }
  return { impl: 'foreign' };
}
