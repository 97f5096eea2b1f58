// VRRP adverts told apart from CARP on real-format packets (RFC 3768 §5.1 and RFC 5798 §5.1 layouts,
// checksums as the RFCs define them), and a ucarp peer told by its HMAC (ucarp's own advert, TV1 of
// docs/carp-protocol.md §2.5, checked against a group with two addresses).
import { describe, expect, it } from 'vitest';
import { carpPeerImpl, decodeVrrp, peerHmac } from './foreign.js';
import { carpKey, decodePacket, encodeAdvert, encodeIpPacket, parseHeader } from './index.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/**
 * VRRPv2 (RFC 3768 §5.1) as keepalived sends it with no authentication: IP header (TOS 0xc0, TTL 255, proto
 * 112, 198.18.23.2 → 224.0.0.18), then version 2 / type 1, VRID 7, priority 100, 1 address, auth type 0,
 * Adver Int 1 s, checksum 0x9d14 over the VRRP message, 198.18.23.207, 8 zero bytes of auth data.
 */
const VRRP2 = hex('45c0002812340000ff70eb4ac6121702e0000012' + '2107640100019d14 c61217cf 0000000000000000');
/**
 * VRRPv3 (RFC 5798 §5.1): version 3 / type 1, VRID 8, priority 150, 2 addresses, Max Adver Int 100 cs,
 * checksum 0xbf21 including the IPv4 pseudo-header (198.18.23.3, 224.0.0.18, 0, 112, length 16).
 */
const VRRP3 = hex('45c0002412340000ff70eb4dc6121703e0000012' + '3108960200 64bf21 c61217d0 c61217d1');
/** TV1 of docs/carp-protocol.md §2.5: captured from ucarp (pass "mypassword", vhid 9, one VIP 198.18.5.100). */
const TV1 = hex('4510003800574000ff70cfc8c6120501e0000012' + '21090007000106430e049691c908d74aaec8804dbb8c1263e0d362a869dfdc4cb704560f');

describe('decodeVrrp', () => {
  it('reads a VRRPv2 advert: router id, priority, interval, addresses, source', () => {
    expect(decodeVrrp(VRRP2)).toEqual({ version: 2, vrid: 7, priority: 100, intervalMs: 1000, addresses: ['198.18.23.207'], src: '198.18.23.2', dst: '224.0.0.18', ttl: 255 });
  });

  it('reads a VRRPv3 advert with its pseudo-header checksum and centisecond interval', () => {
    expect(decodeVrrp(VRRP3)).toEqual({ version: 3, vrid: 8, priority: 150, intervalMs: 1000, addresses: ['198.18.23.208', '198.18.23.209'], src: '198.18.23.3', dst: '224.0.0.18', ttl: 255 });
  });

  it('does not take a CARP advert for VRRPv2, though both start with 0x21', () => {
    expect(TV1[20]).toBe(0x21);
    expect(decodeVrrp(TV1)).toBeNull();
    expect(decodePacket(TV1).ok).toBe(true);
  });

  it('refuses a VRRP advert whose checksum is off (v2 over the message, v3 with the pseudo-header)', () => {
    const v2 = Buffer.from(VRRP2);
    v2[22] = 101; // priority changed, checksum not
    expect(decodeVrrp(v2)).toBeNull();
    const v3 = Buffer.from(VRRP3);
    v3[16] ^= 1; // destination changed: only the pseudo-header checksum notices
    expect(decodeVrrp(v3)).toBeNull();
  });

  it('does not take a CARP-shaped version-3 packet for VRRPv3 (its checksum has no pseudo-header)', () => {
    const carp = encodeAdvert({ vhid: 8, advbase: 1, advskew: 0, demote: 0, counter: Buffer.alloc(8, 1), key: carpKey('x'), addresses: ['198.18.23.8'] });
    carp[0] = 0x31;
    carp.writeUInt16BE(0, 6);
    const packet = encodeIpPacket(carp, { src: '198.18.23.3' });
    expect(decodeVrrp(packet)).toBeNull();
    const r = decodePacket(packet);
    expect(r.ok === false && r.reason).toBe('version');
  });

  it('refuses a length that does not match the address count, and other protocols', () => {
    expect(decodeVrrp(VRRP2.subarray(0, VRRP2.length - 4))).toBeNull();
    const other = Buffer.from(VRRP2);
    other[9] = 17;
    expect(decodeVrrp(other)).toBeNull();
    expect(decodeVrrp(Buffer.alloc(10))).toBeNull();
  });
});

describe('peerHmac and carpPeerImpl: telling a ucarp peer', () => {
  const header = parseHeader(TV1.subarray(20));
  const key = carpKey('mypassword');

  it('matches over the one address ucarp hashed when the group has only that one', () => {
    expect(peerHmac(header, key, ['198.18.5.100/24'])).toEqual({ verdict: 'match' });
  });

  it('with two addresses in the group, ucarp’s HMAC matches only over one of them: ucarp', () => {
    const r = peerHmac(header, key, ['198.18.5.7/24', '198.18.5.100/24']);
    expect(r).toEqual({ verdict: 'one-address', address: '198.18.5.100' });
    const impl = carpPeerImpl({ hmac: r.verdict, address: r.address, tos: 0x10, demote: 0 });
    expect(impl.impl).toBe('ucarp');
    expect(impl.evidence).toMatch(/only 198\.18\.5\.100/);
  });

  it('a kernel peer hashing both addresses matches (derived vector of §2.5) and is not called ucarp by its HMAC', () => {
    const carp = encodeAdvert({ vhid: 9, advbase: 1, advskew: 0, demote: 0, counter: hex('0000000000000001'), key, addresses: ['198.18.5.100', '198.18.5.7'] });
    expect(carp.subarray(16).toString('hex')).toBe('9596f575ac6b228a7e032171711b6e77cf1030af');
    const r = peerHmac(parseHeader(carp), key, ['198.18.5.7/24', '198.18.5.100/24']);
    expect(r.verdict).toBe('match');
    // FreeBSD's TOS 0xe0, or OpenBSD's unchanging counter: foreign
    expect(carpPeerImpl({ hmac: 'match', tos: 0xe0, demote: 0, counterChanges: true }).impl).toBe('foreign');
    expect(carpPeerImpl({ hmac: 'match', tos: 0x10, demote: 0, counterChanges: false }).impl).toBe('foreign');
  });

  it('with the HMAC matching, ucarp’s wire signature (TOS 0x10, demote 0, counter changing) says ucarp', () => {
    expect(carpPeerImpl({ hmac: 'match', tos: 0x10, demote: 0, counterChanges: true }).impl).toBe('ucarp');
    expect(carpPeerImpl({ hmac: 'match', tos: 0x10, demote: 0 }).impl).toBe('foreign'); // one advert: not yet known
    expect(carpPeerImpl({ hmac: 'match', tos: 0x10, demote: 3, counterChanges: true }).impl).toBe('foreign'); // ucarp sends demote 0
  });

  it('a wrong password is a mismatch, never ucarp', () => {
    const r = peerHmac(header, carpKey('other'), ['198.18.5.7/24', '198.18.5.100/24']);
    expect(r).toEqual({ verdict: 'mismatch' });
    expect(carpPeerImpl({ hmac: r.verdict, tos: 0x10, demote: 0, counterChanges: true }).impl).toBe('foreign');
  });
});
