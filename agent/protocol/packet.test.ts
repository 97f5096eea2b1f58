// Codec tests against the verified vectors of docs/protocol.md §9 (TV1–TV3, demote 255, two addresses; protocol-doc.test.ts reads them from the document).
import { describe, expect, it } from 'vitest';
import {
  bufferToIp,
  carpHmac,
  carpKey,
  decodePacket,
  encodeAdvert,
  encodeIpPacket,
  hmacMessage,
  inetChecksum,
  ipToBuffer,
  verifyHmac,
} from './index.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

interface Vector {
  name: string;
  pass: string;
  vhid: number;
  vip: string;
  advbase: number;
  advskew: number;
  demote: number;
  src: string;
  ipHeader?: string;
  carp: string;
  m: string;
  hmac: string;
  carpChecksum: number;
  ipChecksum?: number;
}

const TV1: Vector = {
  name: 'TV1 (ucarp capture)',
  pass: 'mypassword',
  vhid: 9,
  vip: '198.18.5.100',
  advbase: 1,
  advskew: 0,
  demote: 0,
  src: '198.18.5.1',
  ipHeader: '4510003800574000ff70cfc8c6120501e0000012',
  carp: '21090007000106430e049691c908d74aaec8804dbb8c1263e0d362a869dfdc4cb704560f',
  m: '020109c61205640e049691c908d74a',
  hmac: 'aec8804dbb8c1263e0d362a869dfdc4cb704560f',
  carpChecksum: 0x0643,
  ipChecksum: 0xcfc8,
};
const TV2: Vector = {
  name: 'TV2 (ucarp, 19-byte passphrase)',
  pass: 's3cr3t-Pass_19chars',
  vhid: 42,
  vip: '198.18.5.200',
  advbase: 2,
  advskew: 100,
  demote: 0,
  src: '198.18.5.2',
  ipHeader: '4510003825f64000ff70aa28c6120502e0000012',
  carp: '212a6407000258ee7da92b942c964292fd4569095c2a6c39bb07190904f05440a9cd03b6',
  m: '02012ac61205c87da92b942c964292',
  hmac: 'fd4569095c2a6c39bb07190904f05440a9cd03b6',
  carpChecksum: 0x58ee,
  ipChecksum: 0xaa28,
};
const TV3: Vector = {
  name: 'TV3 (crafted, accepted by ucarp)',
  pass: 'injectme',
  vhid: 77,
  vip: '198.18.5.50',
  advbase: 1,
  advskew: 0,
  demote: 0,
  src: '198.18.5.3',
  ipHeader: '4510003812344000ff70bde9c6120503e0000012',
  carp: '214d00070001b75b01020304050607084b26633f82452d5679e20d99024b9dbc5c0635b0',
  m: '02014dc61205320102030405060708',
  hmac: '4b26633f82452d5679e20d99024b9dbc5c0635b0',
  carpChecksum: 0xb75b,
  ipChecksum: 0xbde9,
};
const TV3_DEMOTE: Vector = {
  name: 'TV3 variant demote 255',
  pass: 'injectme',
  vhid: 77,
  vip: '198.18.5.50',
  advbase: 1,
  advskew: 0,
  demote: 255,
  src: '198.18.5.3',
  carp: '214d0007ff0174a38888888888888888a69c68f365158fa431bfb1f71f71c0e50e837209',
  m: '02014dc61205328888888888888888',
  hmac: 'a69c68f365158fa431bfb1f71f71c0e50e837209',
  carpChecksum: 0x74a3,
};

const counterOf = (v: Vector) => hex(v.carp).subarray(8, 16);

describe.each([TV1, TV2, TV3, TV3_DEMOTE])('$name', (v) => {
  const key = carpKey(v.pass);

  it('builds M and the HMAC', () => {
    expect(hmacMessage(v.vhid, [v.vip], counterOf(v)).toString('hex')).toBe(v.m);
    expect(carpHmac(key, v.vhid, [v.vip], counterOf(v)).toString('hex')).toBe(v.hmac);
  });

  it('encodes the exact CARP header bytes and checksum', () => {
    const carp = encodeAdvert({ vhid: v.vhid, advbase: v.advbase, advskew: v.advskew, demote: v.demote, counter: counterOf(v), key, addresses: [v.vip] });
    expect(carp.toString('hex')).toBe(v.carp);
    expect(carp.readUInt16BE(6)).toBe(v.carpChecksum);
    expect(inetChecksum(carp)).toBe(0);
  });

  it('encodes the exact IP packet and decodes it back', () => {
    const carp = hex(v.carp);
    const id = v.ipHeader ? hex(v.ipHeader).readUInt16BE(4) : 0x1234;
    const ip = encodeIpPacket(carp, { src: v.src, id });
    expect(ip.length).toBe(56);
    if (v.ipHeader) {
      expect(ip.subarray(0, 20).toString('hex')).toBe(v.ipHeader);
      expect(ip.readUInt16BE(10)).toBe(v.ipChecksum);
    }
    expect(inetChecksum(ip.subarray(0, 20))).toBe(0);
    const r = decodePacket(ip);
    if (!r.ok) throw new Error(`decode failed: ${r.reason} ${r.detail}`);
    expect(r.src).toBe(v.src);
    expect(r.dst).toBe('224.0.0.18');
    expect(r.ttl).toBe(255);
    expect(r.carp.toString('hex')).toBe(v.carp);
    expect(r.header).toMatchObject({ version: 2, type: 1, vhid: v.vhid, advskew: v.advskew, authlen: 7, demote: v.demote, advbase: v.advbase, checksum: v.carpChecksum });
    expect(r.header.counter.toString('hex')).toBe(counterOf(v).toString('hex'));
    expect(r.header.hmac.toString('hex')).toBe(v.hmac);
    expect(verifyHmac(r.header, key, [v.vip])).toBe(true);
    expect(verifyHmac(r.header, carpKey(v.pass + 'x'), [v.vip])).toBe(v.pass.length >= 19); // 20th byte is cut
    expect(verifyHmac(r.header, carpKey('wrong'), [v.vip])).toBe(false);
    expect(verifyHmac(r.header, key, ['198.18.9.9'])).toBe(false);
    expect(verifyHmac(r.header, key, [v.vip, '198.18.9.9'])).toBe(false);
  });
});

describe('derived two-address vector', () => {
  const counter = hex('0000000000000001');
  it('sorts ascending as unsigned 32-bit and hashes both', () => {
    expect(hmacMessage(9, ['198.18.5.100', '198.18.5.7'], counter).toString('hex')).toBe('020109c6120507c61205640000000000000001');
    expect(carpHmac(carpKey('mypassword'), 9, ['198.18.5.100', '198.18.5.7'], counter).toString('hex')).toBe(
      '9596f575ac6b228a7e032171711b6e77cf1030af',
    );
  });
  it('ignores prefixes and duplicates, and order of input', () => {
    const a = hmacMessage(9, ['198.18.5.7/24', '198.18.5.100/24', '198.18.5.7'], counter);
    expect(a.toString('hex')).toBe('020109c6120507c61205640000000000000001');
  });
  it('sorts as unsigned (addresses above 128.0.0.0 after lower ones)', () => {
    const m = hmacMessage(1, ['200.0.0.1', '100.0.0.1', '255.255.255.255', '0.0.0.1'], counter);
    expect(m.subarray(3, 19).toString('hex')).toBe('00000001' + '64000001' + 'c8000001' + 'ffffffff');
  });
});

describe('key', () => {
  it('pads with NULs to 20 bytes', () => {
    expect(carpKey('abc').toString('hex')).toBe('616263' + '00'.repeat(17));
  });
  it('cuts a 20-byte passphrase to 19 bytes (BSD ifconfig behaviour)', () => {
    const k = carpKey('abcdefghijklmnopqrst');
    expect(k.length).toBe(20);
    expect(k.subarray(0, 19).toString()).toBe('abcdefghijklmnopqrs');
    expect(k[19]).toBe(0);
    expect(k.equals(carpKey('abcdefghijklmnopqrs'))).toBe(true);
  });
  it('cuts by bytes, not characters', () => {
    expect(carpKey('é'.repeat(10)).subarray(0, 19).equals(Buffer.from('é'.repeat(10)).subarray(0, 19))).toBe(true);
  });
});

describe('decode drop reasons', () => {
  const key = carpKey('mypassword');
  const good = () => encodeIpPacket(encodeAdvert({ vhid: 9, advbase: 1, advskew: 0, demote: 0, counter: hex('0e049691c908d74a'), key, addresses: ['198.18.5.100'] }), { src: '198.18.5.1' });

  it('short: less than an IP header', () => {
    const r = decodePacket(Buffer.alloc(10));
    expect(r).toMatchObject({ ok: false, reason: 'short' });
  });
  it('short: IP header + 35 bytes', () => {
    const r = decodePacket(good().subarray(0, 55));
    expect(r).toMatchObject({ ok: false, reason: 'short', src: '198.18.5.1' });
  });
  it('ttl: TTL 1 (raw socket without IP_MULTICAST_TTL)', () => {
    const p = good();
    p[8] = 1;
    const r = decodePacket(p);
    expect(r).toMatchObject({ ok: false, reason: 'ttl', vhid: 9, src: '198.18.5.1' });
    if (!r.ok) expect(r.detail).toContain('TTL 1');
  });
  it('version: version 3', () => {
    const p = good();
    p[20] = 0x31;
    expect(decodePacket(p)).toMatchObject({ ok: false, reason: 'version', vhid: 9 });
  });
  it('checksum: off by one', () => {
    const p = good();
    p.writeUInt16BE((p.readUInt16BE(26) + 1) & 0xffff, 26);
    const r = decodePacket(p);
    expect(r).toMatchObject({ ok: false, reason: 'checksum', vhid: 9 });
    if (!r.ok) expect(r.detail).toContain('expected 0x0643');
  });
  it('checks TTL before version and version before checksum (ucarp order)', () => {
    const p = good();
    p[8] = 64;
    p[20] = 0x31;
    expect(decodePacket(p)).toMatchObject({ reason: 'ttl' });
    p[8] = 255;
    expect(decodePacket(p)).toMatchObject({ reason: 'version' }); // checksum is now wrong too
  });
  it('accepts type 2 / authlen 0 (not checked by anyone) and ignores trailing bytes', () => {
    const carp = encodeAdvert({ vhid: 9, advbase: 1, advskew: 0, demote: 0, counter: hex('0102030405060708'), key, addresses: ['198.18.5.100'] });
    carp[0] = 0x22;
    carp[3] = 0;
    carp.writeUInt16BE(0, 6);
    carp.writeUInt16BE(inetChecksum(carp), 6);
    const r = decodePacket(Buffer.concat([encodeIpPacket(carp, { src: '198.18.5.9' }), Buffer.from([1, 2, 3])]));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.header).toMatchObject({ type: 2, authlen: 0 });
  });
  it('honours an IP header with options (IHL 6)', () => {
    const p = good();
    const withOpt = Buffer.concat([p.subarray(0, 20), Buffer.from([1, 1, 1, 0]), p.subarray(20)]);
    withOpt[0] = 0x46;
    const r = decodePacket(withOpt);
    expect(r.ok).toBe(true);
  });
  it('HMAC mismatch is reported by verifyHmac, not decode', () => {
    const p = good();
    p[40] ^= 0xff; // inside the HMAC: checksum now wrong too, so fix it
    p.writeUInt16BE(0, 26);
    p.writeUInt16BE(inetChecksum(p.subarray(20, 56)), 26);
    const r = decodePacket(p);
    expect(r.ok).toBe(true);
    if (r.ok) expect(verifyHmac(r.header, key, ['198.18.5.100'])).toBe(false);
  });
});

describe('addresses and checksum helpers', () => {
  it('round-trips IPv4 addresses', () => {
    expect(ipToBuffer('198.18.5.100/24').toString('hex')).toBe('c6120564');
    expect(bufferToIp(Buffer.from([198, 18, 0, 255]))).toBe('198.18.0.255');
    expect(() => ipToBuffer('198.18.5.256')).toThrow(/octet/);
    expect(() => ipToBuffer('fe80::1')).toThrow(/IPv4/);
  });
  it('computes the RFC 1071 example checksum and pads odd lengths', () => {
    // RFC 1071 §3 example: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2, checksum 0x220d
    expect(inetChecksum(hex('0001f203f4f5f6f7'))).toBe(0x220d);
    expect(inetChecksum(hex('01'))).toBe(0xfeff);
  });
  it('refuses out-of-range fields', () => {
    const key = carpKey('x');
    expect(() => encodeAdvert({ vhid: 256, advbase: 1, advskew: 0, demote: 0, counter: Buffer.alloc(8), key, addresses: ['198.18.0.1'] })).toThrow(/vhid/);
    expect(() => encodeAdvert({ vhid: 1, advbase: 1, advskew: 0, demote: 0, counter: Buffer.alloc(7), key, addresses: ['198.18.0.1'] })).toThrow(/8 bytes/);
  });
});
