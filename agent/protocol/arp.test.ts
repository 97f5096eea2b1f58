// Gratuitous ARP frame and virtual MAC tests (docs/protocol.md §7).
import { describe, expect, it } from 'vitest';
import { decodeArpRequest, encodeArpReply, encodeEtherFrame, encodeGratuitousArp, encodeIpPacket, macFromString, virtualMac } from './index.js';

describe('link layer', () => {
  it('virtual MAC is 00:00:5e:00:01:vhid', () => {
    expect(virtualMac(9).toString('hex')).toBe('00005e000109');
    expect(virtualMac(255).toString('hex')).toBe('00005e0001ff');
    expect(() => virtualMac(0)).toThrow(/1..255/);
  });
  it('builds ucarp\'s gratuitous ARP: broadcast, request, sha = tha = NIC MAC, spa = tpa = VIP', () => {
    const mac = macFromString('02:aa:bb:cc:dd:ee');
    const f = encodeGratuitousArp({ senderMac: mac, ip: '198.18.5.100/24' });
    expect(f.length).toBe(42);
    expect(f.toString('hex')).toBe(
      'ffffffffffff' + '02aabbccddee' + '0806' + '0001' + '0800' + '06' + '04' + '0001' + '02aabbccddee' + 'c6120564' + '02aabbccddee' + 'c6120564',
    );
  });
  it('rejects a bad MAC', () => {
    expect(() => macFromString('02:aa:bb')).toThrow(/MAC/);
    expect(() => encodeGratuitousArp({ senderMac: Buffer.alloc(5), ip: '198.18.0.1' })).toThrow(/6 bytes/);
  });

  it('reads an ARP request, and answers it from a virtual MAC, unicast to the requester', () => {
    const client = macFromString('02:00:00:00:00:07');
    const req = encodeGratuitousArp({ senderMac: client, ip: '198.18.5.7' });
    // A request "who has .100, tell .7": the gratuitous frame with the target address changed.
    Buffer.from([198, 18, 5, 100]).copy(req, 38);
    const r = decodeArpRequest(req)!;
    expect(r).toEqual({ senderMac: client, senderIp: '198.18.5.7', targetIp: '198.18.5.100' });
    const reply = encodeArpReply({ mac: virtualMac(2), ip: '198.18.5.100', to: r });
    expect(reply.toString('hex')).toBe(
      '020000000007' + '00005e000102' + '0806' + '0001' + '0800' + '06' + '04' + '0002' + '00005e000102' + 'c6120564' + '020000000007' + 'c6120507',
    );
    // A reply, an IPv6 or a short frame is not a request.
    expect(decodeArpRequest(reply)).toBeNull();
    expect(decodeArpRequest(req.subarray(0, 41))).toBeNull();
    const other = Buffer.from(req);
    other.writeUInt16BE(0x86dd, 16);
    expect(decodeArpRequest(other)).toBeNull();
  });

  it('frames an advert from a virtual MAC to 224.0.0.18\'s MAC', () => {
    const ip = encodeIpPacket(Buffer.alloc(36), { src: '198.18.5.1' });
    const f = encodeEtherFrame(virtualMac(1), ip);
    expect(f.subarray(0, 14).toString('hex')).toBe('01005e000012' + '00005e000101' + '0800');
    expect(f.subarray(14).equals(ip)).toBe(true);
  });
});
