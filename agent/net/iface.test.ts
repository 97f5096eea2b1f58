// Interface facts: a MAC that is missing or all zero is "unknown" (never announced), segments from prefixes.
import { describe, it, expect } from 'vitest';
import { usableMac, segmentOf, interfaceInfo, interfaceAddresses, macOf, listInterfaces } from './iface.js';

describe('interface info', () => {
  it('treats a missing, malformed or all-zero MAC as unknown', () => {
    expect(usableMac('02:00:00:00:00:01')).toEqual(Buffer.from([2, 0, 0, 0, 0, 1]));
    expect(usableMac('00:00:00:00:00:00')).toBeNull();
    expect(usableMac('zz')).toBeNull();
    expect(usableMac(undefined)).toBeNull();
    expect(macOf('ar-no-such-if0')).toBeNull();
  });

  it('computes the segment of an address', () => {
    expect(segmentOf('198.18.0.7', 24)).toBe('198.18.0.0/24');
    expect(segmentOf('198.19.255.254', 15)).toBe('198.18.0.0/15');
    expect(segmentOf('198.18.3.4', 0)).toBe('0.0.0.0/0');
  });

  it('loopback (real, read here): its all-zero MAC is reported as unknown', () => {
    const lo = interfaceInfo('lo');
    expect(lo).not.toBeNull();
    expect(lo!.address).toBe('127.0.0.1');
    expect(lo!.mac).toBeNull();
    expect(lo!.ifindex).toBeGreaterThan(0);
    expect(interfaceAddresses('lo')).toContain('127.0.0.1');
    expect(interfaceAddresses('ar-no-such-if0')).toEqual([]);
  });
});

describe('listInterfaces (real, read here)', () => {
  it('lists the host’s interfaces sorted, without loopback, addresses with prefix', () => {
    const list = listInterfaces();
    expect(list.some((i) => i.name === 'lo')).toBe(false);
    expect(list.map((i) => i.name)).toEqual([...list.map((i) => i.name)].sort((a, b) => a.localeCompare(b)));
    for (const i of list) for (const a of i.addresses) expect(a).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
  });
});
