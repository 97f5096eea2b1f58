// KernelCarpState built from parsed fixtures (segment/source from the parent's own address, demote from
// the groups, FreeBSD's advertised advskew with the demotion) and its mapping onto the agent's GroupStatus.
import { describe, expect, it } from 'vitest';
import { GroupStatusSchema } from '../../../agent/control/messages.js';
import type { KernelSystem } from './detect.js';
import * as F from './fixtures/freebsd.js';
import * as O from './fixtures/openbsd.js';
import { parseFreebsdIfconfig } from './freebsd-ifconfig.js';
import { buildFreebsdState, buildOpenbsdState, kernelDrops, toGroupStatus } from './model.js';
import { parseCarpNetstat } from './netstat.js';
import { parseOpenbsdIfconfig } from './openbsd-ifconfig.js';
import { parseCarpSysctl } from './sysctl.js';

const OPENBSD: KernelSystem = { kind: 'openbsd', version: '7.6', kernel: 'OpenBSD 7.6', label: 'OpenBSD 7.6' };
const FREEBSD: KernelSystem = { kind: 'freebsd', version: '14.1-RELEASE', kernel: 'FreeBSD 14.1-RELEASE', label: 'FreeBSD 14.1-RELEASE' };

const openbsd = (ifconfig: string, groups: Record<string, number>) =>
  buildOpenbsdState({ system: OPENBSD, ifconfig: parseOpenbsdIfconfig(ifconfig), groups, sysctl: parseCarpSysctl(O.OPENBSD_SYSCTL, 'openbsd'), counters: parseCarpNetstat(O.OPENBSD_NETSTAT) });
const freebsd = (ifconfig: string, sysctl: string) =>
  buildFreebsdState({ system: FREEBSD, ifconfig: parseFreebsdIfconfig(ifconfig), sysctl: parseCarpSysctl(sysctl, 'freebsd'), counters: parseCarpNetstat(F.FREEBSD_NETSTAT) });

describe('OpenBSD state', () => {
  it('places a MASTER vhid on its carpdev segment with the parent address as source', () => {
    const s = openbsd(O.OPENBSD_IFCONFIG_MASTER, { carp: 0 });
    expect(s).toMatchObject({ allow: true, preempt: true, log: 2, demotion: { kind: 'openbsd-groups', groups: { carp: 0 } }, warnings: [] });
    expect(s.vhids).toEqual([
      {
        vhid: 1, interface: 'carp1', carpdev: 'em0', state: 'MASTER', advbase: 1, advskew: 0, wireAdvskew: 0, demote: 0,
        addresses: ['198.51.100.1/24', '198.51.100.3/24'], addresses6: ['fe80::200:5eff:fe00:101%carp1/64'], preempt: true, up: true,
        balancing: undefined, peer: undefined, segment: '198.51.100.0/24', srcip: '198.51.100.2',
      },
    ]);
    expect(s.counters.preempt).toBe(1);
  });

  it('sums the demote counters of every group of the carp interface (demoted INIT host), capped at 255', () => {
    const s = openbsd(O.OPENBSD_IFCONFIG_INIT, { carp: 50, internal: 1 });
    expect(s.vhids[0]).toMatchObject({ vhid: 3, state: 'INIT', demote: 51, segment: '192.0.2.0/24', srcip: '192.0.2.2' });
    expect(openbsd(O.OPENBSD_IFCONFIG_INIT, { carp: 200, internal: 100 }).vhids[0].demote).toBe(255);
    expect(() => openbsd(O.OPENBSD_IFCONFIG_INIT, { carp: 0 })).toThrow(/no demote counter was read for group internal of carp5 \(ifconfig -g internal\)/);
  });

  it('gives each carpnode its own vhid, balanced only when the mode is not none', () => {
    const s = openbsd(O.OPENBSD_IFCONFIG_BALANCING, { carp: 0 });
    expect(s.vhids.map((v) => [v.vhid, v.interface, v.state, v.advbase, v.advskew, v.balancing])).toEqual([
      [5, 'carp2', 'MASTER', 1, 0, { mode: 'ip', vhids: [5, 6] }],
      [6, 'carp2', 'BACKUP', 1, 100, { mode: 'ip', vhids: [5, 6] }],
      [7, 'carp3', 'BACKUP', 2, 10, undefined],
      [8, 'carp3', 'BACKUP', 2, 20, undefined],
    ]);
  });

  it('without the parent (ifconfig carp only) takes the segment from the VIP prefix and leaves the source unknown', () => {
    const s = openbsd(O.OPENBSD_IFCONFIG_BACKUP_GROUP, { carp: 0 });
    expect(s.vhids[0]).toMatchObject({ state: 'BACKUP', advskew: 100, peer: '198.51.100.2', segment: '198.51.100.0/24', srcip: '' });
  });
});

describe('FreeBSD state', () => {
  it('advertises advskew + demotion capped at 240, with byte 4 (demote) 0', () => {
    const s = freebsd(F.FREEBSD14_IFCONFIG, F.FREEBSD_SYSCTL_DEMOTED);
    expect(s.demotion).toEqual({ kind: 'freebsd-global', value: 240, ifdownFactor: 240, senderrFactor: 240 });
    expect(s.vhids.map((v) => [v.vhid, v.interface, v.advskew, v.wireAdvskew, v.demote])).toEqual([
      [1, 'em0', 0, 240, 0],
      [2, 'em0', 100, 240, 0],
    ]);
    const rest = freebsd(F.FREEBSD14_IFCONFIG, F.FREEBSD_SYSCTL);
    expect(rest.vhids.map((v) => v.wireAdvskew)).toEqual([0, 100]);
    expect(freebsd(F.FREEBSD14_IFCONFIG, F.FREEBSD_SYSCTL.replace('demotion: 0', 'demotion: -50')).vhids.map((v) => v.wireAdvskew)).toEqual([0, 50]);
  });

  it('places a /32 VIP on the parent segment and keeps only a unicast peer', () => {
    const s = freebsd(F.FREEBSD14_IFCONFIG, F.FREEBSD_SYSCTL);
    expect(s.vhids[1]).toMatchObject({ addresses: ['203.0.113.11/32'], addresses6: ['2001:db8::11/64'], segment: '203.0.113.0/24', srcip: '203.0.113.2', peer: undefined, preempt: true });
    const pf = buildFreebsdState({ system: FREEBSD, ifconfig: parseFreebsdIfconfig(F.PFSENSE_IFCONFIG), sysctl: parseCarpSysctl(F.FREEBSD_SYSCTL, 'freebsd'), counters: {} });
    expect(pf.vhids.map((v) => [v.vhid, v.state, v.peer])).toEqual([
      [10, 'BACKUP', '192.0.2.253'],
      [11, 'INIT', undefined],
    ]);
  });
});

describe('GroupStatus mapping', () => {
  it('gives schema-valid GroupStatus objects with the kernel values', () => {
    const [v] = openbsd(O.OPENBSD_IFCONFIG_INIT, { carp: 50, internal: 1 }).vhids;
    const g = GroupStatusSchema.parse(toGroupStatus(v, 1_700_000_000_000));
    expect(g).toEqual({
      vhid: 3, interface: 'em1', segment: '192.0.2.0/24', srcip: '192.0.2.2', addresses: ['192.0.2.1/24'], state: 'INIT', since: 1_700_000_000_000,
      advbase: 1, advskew: 0, wireAdvskew: 0, wireAdvbase: 1, demote: 51, preempt: true, lastAdvert: null, sent: 0, received: 0, drops: {},
    });
    const f = freebsd(F.FREEBSD14_IFCONFIG, F.FREEBSD_SYSCTL_DEMOTED).vhids.map((x) => GroupStatusSchema.parse(toGroupStatus(x, 0)));
    expect(f.map((x) => [x.interface, x.advskew, x.wireAdvskew, x.demote, x.preempt])).toEqual([
      ['em0', 0, 240, 0, false],
      ['em0', 100, 240, 0, false],
    ]);
    const bal = openbsd(O.OPENBSD_IFCONFIG_BALANCING, { carp: 0 }).vhids.map((x) => GroupStatusSchema.parse(toGroupStatus(x, 0)));
    expect(bal.map((x) => x.balanced)).toEqual([[5, 6], [5, 6], undefined, undefined]);
  });

  it('maps host-wide kernel drop counters onto the agent drop reasons', () => {
    expect(kernelDrops(parseCarpNetstat(O.OPENBSD_NETSTAT))).toEqual({ ttl: 1, checksum: 0, version: 0, hmac: 2, vhid: 7, short: 0 });
    expect(kernelDrops({ hdrops: 2, badlen: 3 })).toEqual({ short: 5 });
    expect(kernelDrops({})).toEqual({});
  });
});
