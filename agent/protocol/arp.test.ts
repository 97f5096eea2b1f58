// Gratuitous ARP frame and virtual MAC tests (docs/protocol.md §7).
import { describe, expect, it } from 'vitest';
import { encodeGratuitousArp, macFromString, virtualMac } from './index.js';

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
});
