// The agent's report of protocol-112 senders and interfaces: a VRRP router is recorded (and is no CARP
// drop), a CARP peer with its HMAC verdict and implementation, an event only when the shape changes,
// senders forgotten after their TTL, interfaces without the agent's own VIPs.
import { describe, expect, it, vi } from 'vitest';
import { FOREIGN_EVENT_GAP_MS, ForeignAdverts, HostReporter, interfaceReports } from './foreign-adverts.js';
import { carpKey, decodePacket, encodeAdvert, encodeIpPacket } from '../protocol/index.js';
import { decodeVrrp } from '../protocol/foreign.js';
import { FOREIGN_ADVERT_TTL_MS, MAX_FOREIGN_ADVERTS } from '../control/messages.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** VRRPv2 router 7 from 198.18.23.2 (see agent/protocol/foreign.test.ts). */
const VRRP2 = hex('45c0002812340000ff70eb4ac6121702e0000012' + '2107640100019d14 c61217cf 0000000000000000');
const SEG = '198.18.23.0/24';
const key = carpKey('pw');
const TWO = ['198.18.23.100/24', '198.18.23.101/24'];

function carp(o: { vhid?: number; src?: string; counter?: number; addresses?: string[]; tos?: number; advskew?: number; pw?: string }): Buffer {
  const counter = Buffer.alloc(8);
  counter.writeUInt32BE(o.counter ?? 1, 4);
  const h = encodeAdvert({ vhid: o.vhid ?? 9, advbase: 1, advskew: o.advskew ?? 0, demote: 0, counter, key: carpKey(o.pw ?? 'pw'), addresses: o.addresses ?? TWO });
  return encodeIpPacket(h, { src: o.src ?? '198.18.23.2', tos: o.tos ?? 0x10 });
}
const lookup = (vhid: number) => (vhid === 9 ? { key, addresses: TWO } : undefined);

/** A CARP advert with 8 bytes after it and the checksum over all 44: also a well-formed VRRPv2 advert with 7 addresses. */
function carpThatReadsAsVrrp(): Buffer {
  const counter = Buffer.alloc(8);
  counter.writeUInt32BE(1, 4);
  const body = Buffer.concat([encodeAdvert({ vhid: 9, advbase: 1, advskew: 0, demote: 0, counter, key, addresses: TWO }), Buffer.alloc(8)]);
  body.writeUInt16BE(0, 6);
  let sum = 0;
  for (let i = 0; i < body.length; i += 2) sum += body.readUInt16BE(i);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  body.writeUInt16BE(~sum & 0xffff, 6);
  return encodeIpPacket(body, { src: '198.18.23.2', tos: 0x10 });
}

describe('ForeignAdverts', () => {
  it('takes a packet that is valid CARP as CARP even when its bytes also read as VRRPv2 (the hostile-input test found such packets)', () => {
    const ip = carpThatReadsAsVrrp();
    expect(decodeVrrp(ip)).not.toBeNull();
    expect(decodePacket(ip).ok).toBe(true);
    const f = new ForeignAdverts();
    expect(f.observe('eth0', SEG, ip, 1000, lookup)).toEqual({ vrrp: false, changed: true });
    expect(f.list()).toMatchObject([{ kind: 'carp', id: 9, from: '198.18.23.2' }]);
  });

  it('records a VRRP router by router id and source; the packet is VRRP (no CARP drop); counts without a new event', () => {
    const f = new ForeignAdverts();
    expect(f.observe('eth0', SEG, VRRP2, 1000, lookup)).toEqual({ vrrp: true, changed: true });
    expect(f.observe('eth0', SEG, VRRP2, 2000, lookup)).toEqual({ vrrp: true, changed: false });
    expect(f.list()).toEqual([
      { interface: 'eth0', segment: SEG, kind: 'vrrp', version: 2, id: 7, from: '198.18.23.2', priority: 100, intervalMs: 1000, addresses: ['198.18.23.207'], count: 2, firstAt: 1000, lastAt: 2000 },
    ]);
  });

  it('a ucarp peer of a two-address group: its HMAC covers one address; reported as ucarp', () => {
    const f = new ForeignAdverts();
    const r = f.observe('eth0', SEG, carp({ addresses: ['198.18.23.100'] }), 1000, lookup);
    expect(r).toEqual({ vrrp: false, changed: true });
    expect(f.list()[0]).toMatchObject({ kind: 'carp', id: 9, from: '198.18.23.2', hmac: 'one-address', impl: 'ucarp', advskew: 0 });
    expect(f.list()[0].evidence).toMatch(/198\.18\.23\.100/);
  });

  it('a peer hashing both addresses matches; TOS 0x10 and a changing counter then make it ucarp-like (an event on the change)', () => {
    const f = new ForeignAdverts();
    f.observe('eth0', SEG, carp({ counter: 1 }), 1000, lookup);
    expect(f.list()[0]).toMatchObject({ hmac: 'match', impl: 'foreign' });
    expect(f.observe('eth0', SEG, carp({ counter: 1 }), 2000, lookup).changed).toBe(false); // same counter: OpenBSD-like
    expect(f.list()[0].impl).toBe('foreign');
    expect(f.observe('eth0', SEG, carp({ counter: 2 }), 3000, lookup).changed).toBe(true);
    expect(f.list()[0]).toMatchObject({ impl: 'ucarp', count: 3 });
  });

  it('FreeBSD’s TOS 0xe0 stays foreign; a wrong password is a mismatch; another vhid has no key', () => {
    const f = new ForeignAdverts();
    f.observe('eth0', SEG, carp({ counter: 1, tos: 0xe0, src: '198.18.23.3' }), 1000, lookup);
    f.observe('eth0', SEG, carp({ counter: 2, tos: 0xe0, src: '198.18.23.3' }), 2000, lookup);
    f.observe('eth0', SEG, carp({ pw: 'wrong', src: '198.18.23.4' }), 1000, lookup);
    f.observe('eth0', SEG, carp({ vhid: 12, src: '198.18.23.5' }), 1000, lookup);
    expect(f.list().map((x) => `${x.id} ${x.from} ${x.hmac} ${x.impl}`)).toEqual(['9 198.18.23.3 match foreign', '9 198.18.23.4 mismatch foreign', '12 198.18.23.5 no-key foreign']);
  });

  it('an advskew change is an event; a packet that is neither VRRP nor valid CARP is nothing', () => {
    const f = new ForeignAdverts();
    f.observe('eth0', SEG, carp({}), 1000, lookup);
    expect(f.observe('eth0', SEG, carp({ advskew: 100 }), 1500, lookup).changed).toBe(true);
    const bad = carp({});
    bad[20 + 7] ^= 1; // CARP checksum off
    expect(f.observe('eth0', SEG, bad, 1600, lookup)).toEqual({ vrrp: false, changed: false });
    expect(f.list()).toHaveLength(1);
  });

  it('forgets a sender unheard for the TTL, and keeps at most MAX_FOREIGN_ADVERTS (the least recently heard go)', () => {
    const f = new ForeignAdverts();
    f.observe('eth0', SEG, VRRP2, 1000, lookup);
    expect(f.expire(1000 + FOREIGN_ADVERT_TTL_MS)).toBe(false);
    expect(f.expire(1001 + FOREIGN_ADVERT_TTL_MS)).toBe(true);
    expect(f.list()).toEqual([]);
    for (let i = 0; i < MAX_FOREIGN_ADVERTS + 5; i++) f.observe('eth0', SEG, carp({ src: `198.18.24.${i + 1}` }), 10_000 + i, lookup);
    expect(f.list()).toHaveLength(MAX_FOREIGN_ADVERTS);
    expect(f.list().some((x) => x.from === '198.18.24.1')).toBe(false);
    expect(f.list().some((x) => x.from === `198.18.24.${MAX_FOREIGN_ADVERTS + 5}`)).toBe(true);
  });
});

describe('interfaces', () => {
  it('reports each interface with its own addresses (VIPs left out) and their segments', () => {
    expect(
      interfaceReports(
        [
          { name: 'eth0', addresses: ['198.18.0.1/24', '198.18.0.100/24'], up: true, mac: '02:00:00:00:00:01' },
          { name: 'eth1', addresses: [], up: false },
        ],
        ['198.18.0.100/24'],
      ),
    ).toEqual([
      { name: 'eth0', addresses: ['198.18.0.1/24'], segments: ['198.18.0.0/24'], up: true, mac: '02:00:00:00:00:01' },
      { name: 'eth1', addresses: [], segments: [], up: false },
    ]);
  });

  it('HostReporter reports the interfaces again only when they changed, and the senders when one expires', () => {
    let ifs = [{ name: 'eth0', addresses: ['198.18.0.1/24'], up: true }];
    let now = 1000;
    const seen: string[] = [];
    const r = new HostReporter({
      listInterfaces: () => ifs,
      vips: () => [],
      onInterfaces: (l) => seen.push(`interfaces ${l.map((i) => `${i.name}:${i.up}`).join(',')}`),
      onForeign: (l) => seen.push(`foreign ${l.length}`),
      now: () => now,
    });
    r.poll(false);
    r.poll();
    expect(seen).toEqual([]);
    ifs = [{ name: 'eth0', addresses: ['198.18.0.1/24'], up: false }];
    r.poll();
    expect(seen).toEqual(['interfaces eth0:false']);
    expect(r.observe('eth0', SEG, VRRP2, lookup)).toBe(true);
    expect(seen).toEqual(['interfaces eth0:false', 'foreign 1']);
    now += FOREIGN_ADVERT_TTL_MS + 1;
    r.poll();
    expect(seen).toEqual(['interfaces eth0:false', 'foreign 1', 'foreign 0']);
    expect(r.fields()).toEqual({ interfaces: [{ name: 'eth0', addresses: ['198.18.0.1/24'], segments: ['198.18.0.0/24'], up: false }], foreign: [] });
  });

  it('a flood of new senders (spoofed sources) makes one event at once and then one per second with the latest list', () => {
    vi.useFakeTimers({ now: 10_000 });
    try {
      const sizes: number[] = [];
      const r = new HostReporter({ vips: () => [], onInterfaces: () => {}, onForeign: (l) => sizes.push(l.length), now: () => Date.now() });
      for (let i = 0; i < 40; i++) r.observe('eth0', SEG, carp({ src: `198.18.23.${i + 10}` }), lookup);
      expect(sizes).toEqual([1]);
      vi.advanceTimersByTime(FOREIGN_EVENT_GAP_MS);
      expect(sizes).toEqual([1, 40]);
      vi.advanceTimersByTime(10 * FOREIGN_EVENT_GAP_MS);
      expect(sizes).toEqual([1, 40]); // nothing new: nothing sent
      r.observe('eth0', SEG, carp({ src: '198.18.23.99' }), lookup);
      expect(sizes).toEqual([1, 40, 41]); // after a quiet spell: at once
      r.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
