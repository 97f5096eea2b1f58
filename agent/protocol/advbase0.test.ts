// advbase 0 on the wire: a ucarp advert captured in the lab (ucarp 1.5.2, `-b 0 -k 10`, tshark on the
// LAN bridge) carries advbase 0 in byte 5 and advskew 10 in byte 2; the codec decodes it and encodes
// the identical 36 bytes from the same values and counter. OpenBSD's header is the same struct.
import { describe, expect, it } from 'vitest';
import { carpKey, decodePacket, encodeAdvert, inetChecksum, verifyHmac } from './index.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** The IPv4 packet of the capture (Ethernet 01:00:5e:00:00:12 <- 00:00:5e:00:00:09 stripped). */
const UCARP_ADVBASE0 = hex(`
  4510 0038 97e2 4000 ff70 233d c612 1a01 e000 0012
  2109 0a07 0000 a995 a4f9 743b 3ee1 9ec4 b59e 4be0 18f8 8b9a c3ed a725 a5b9 b40f f64f d340`);
const PASS = 'mypassword';
const VIP = '198.18.26.100';

describe('advbase 0 on the wire (ucarp capture: -v 9 -b 0 -k 10)', () => {
  it('decodes as advbase 0, advskew 10, with a valid checksum and HMAC', () => {
    const r = decodePacket(UCARP_ADVBASE0);
    if (!r.ok) throw new Error(`decode failed: ${r.reason} ${r.detail}`);
    expect(r.src).toBe('198.18.26.1');
    expect(r.ttl).toBe(255);
    expect(r.header).toMatchObject({ version: 2, type: 1, vhid: 9, advbase: 0, advskew: 10, demote: 0, authlen: 7 });
    expect(inetChecksum(r.carp)).toBe(0);
    expect(verifyHmac(r.header, carpKey(PASS), [VIP])).toBe(true);
  });

  it('the agent encodes the same 36 bytes: advbase 0 in byte 5, advskew in byte 2', () => {
    const carp = UCARP_ADVBASE0.subarray(20);
    const ours = encodeAdvert({ vhid: 9, advbase: 0, advskew: 10, demote: 0, counter: carp.subarray(8, 16), key: carpKey(PASS), addresses: [VIP] });
    expect(ours.toString('hex')).toBe(carp.toString('hex'));
    expect(ours[5]).toBe(0);
    expect(ours[2]).toBe(10);
  });
});
