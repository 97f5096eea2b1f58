// OpenBSD `ifconfig -A` / `ifconfig carp` / `ifconfig -g carp` parsing on fixtures in the formats of
// sbin/ifconfig/ifconfig.c (fixtures/openbsd.ts), and refusal of malformed or cut-off output.
import { describe, expect, it } from 'vitest';
import { KernelParseError } from './errors.js';
import * as O from './fixtures/openbsd.js';
import { parseOpenbsdGroupDemote, parseOpenbsdGroupDemotes, parseOpenbsdIfconfig } from './openbsd-ifconfig.js';

describe('parseOpenbsdIfconfig', () => {
  it('reads a MASTER carp interface with its carpdev, every VIP, status and groups', () => {
    const r = parseOpenbsdIfconfig(O.OPENBSD_IFCONFIG_MASTER);
    expect(r.interfaces.map((i) => i.name)).toEqual(['lo0', 'em0', 'carp1']);
    expect(r.carp).toHaveLength(1);
    const c = r.carp[0];
    expect(c).toMatchObject({ name: 'carp1', carpdev: 'em0', advbase: 1, nodes: [{ vhid: 1, state: 'MASTER', advskew: 0 }], up: true, running: true, status: 'master', groups: ['carp'], lladdr: '00:00:5e:00:01:01' });
    expect(c.balancing).toBeUndefined();
    expect(c.peer).toBeUndefined();
    expect(c.addresses.map((a) => a.cidr)).toEqual(['198.51.100.1/24', '198.51.100.3/24']);
    expect(c.addresses6).toEqual(['fe80::200:5eff:fe00:101%carp1/64']);
    expect(r.interfaces.find((i) => i.name === 'em0')).toMatchObject({ status: 'active', addresses: [{ cidr: '198.51.100.2/24', broadcast: '198.51.100.255' }] });
    expect(r.interfaces[0].addresses[0].cidr).toBe('127.0.0.1/8');
  });

  it('reads the BACKUP peer from `ifconfig carp` with advskew 100 and a unicast carppeer', () => {
    const r = parseOpenbsdIfconfig(O.OPENBSD_IFCONFIG_BACKUP_GROUP);
    expect(r.carp[0]).toMatchObject({ name: 'carp1', nodes: [{ vhid: 1, state: 'BACKUP', advskew: 100 }], peer: '198.51.100.2', status: 'backup' });
  });

  it('reads carpnodes with balancing ip and none, and lists a carp interface without a vhid as unconfigured', () => {
    const r = parseOpenbsdIfconfig(O.OPENBSD_IFCONFIG_BALANCING);
    expect(r.carp.map((c) => [c.name, c.balancing, c.advbase, c.nodes])).toEqual([
      ['carp2', 'ip', 1, [{ vhid: 5, state: 'MASTER', advskew: 0 }, { vhid: 6, state: 'BACKUP', advskew: 100 }]],
      ['carp3', 'none', 2, [{ vhid: 7, state: 'BACKUP', advskew: 10 }, { vhid: 8, state: 'BACKUP', advskew: 20 }]],
    ]);
    expect(r.carp[0].addresses.map((a) => a.cidr)).toEqual(['198.51.100.10/24']);
    expect(r.unconfigured).toEqual(['carp4']);
    expect(r.interfaces.find((i) => i.name === 'carp4')?.up).toBe(false);
  });

  it('reads an INIT vhid whose carpdev has no carrier, in two groups', () => {
    const r = parseOpenbsdIfconfig(O.OPENBSD_IFCONFIG_INIT);
    expect(r.carp[0]).toMatchObject({ name: 'carp5', carpdev: 'em1', nodes: [{ vhid: 3, state: 'INIT', advskew: 0 }], status: 'invalid', groups: ['carp', 'internal'] });
    expect(r.interfaces[0]).toMatchObject({ name: 'em1', status: 'no carrier' });
  });

  it('reads past two-tab lines of other interfaces (trunk ports, bridge members)', () => {
    const r = parseOpenbsdIfconfig(O.OPENBSD_IFCONFIG_MASTER.replace('\tstatus: active\n', '\tstatus: active\n\t\tstate of something else\n'));
    expect(r.carp).toHaveLength(1);
  });

  it('reads "carpdev none"', () => {
    const r = parseOpenbsdIfconfig(O.OPENBSD_IFCONFIG_BACKUP_GROUP.replace('carpdev em0', 'carpdev none'));
    expect(r.carp[0].carpdev).toBeNull();
  });
});

describe('parseOpenbsdIfconfig refuses what it cannot read with certainty', () => {
  const err = (text: string) => {
    try {
      parseOpenbsdIfconfig(text);
    } catch (e) {
      expect(e).toBeInstanceOf(KernelParseError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };

  it('output cut in the middle of a line', () => {
    const cut = O.OPENBSD_IFCONFIG_MASTER.slice(0, O.OPENBSD_IFCONFIG_MASTER.indexOf('MASTER carpdev') + 3);
    expect(err(cut)).toMatch(/^OpenBSD ifconfig: line 17 "\\tcarp: MAS": output ends in the middle of a line: it was cut off/);
  });

  it('carpnodes cut after the first node', () => {
    const cut = O.OPENBSD_IFCONFIG_BALANCING.slice(0, O.OPENBSD_IFCONFIG_BALANCING.indexOf('\t\tstate BACKUP vhid 6'));
    expect(err(cut)).toMatch(/line 11 "\\tcarp: carpdev em0 advbase 1 balancing ip": the carpnodes format lists two or more .* found 1: output cut off\?/);
  });

  it('a state the tool could not name, and unknown balancing', () => {
    expect(err(O.OPENBSD_IFCONFIG_BACKUP_GROUP.replace('BACKUP carpdev', '<UNKNOWN> carpdev'))).toMatch(/line 4 .*a carp line in neither known format/);
    expect(err(O.OPENBSD_IFCONFIG_BALANCING.replace('state MASTER vhid 5', 'state <UNKNOWN> vhid 5'))).toMatch(/line 12 .*expected "state INIT\|BACKUP\|MASTER vhid N advskew N"/);
    expect(err(O.OPENBSD_IFCONFIG_BALANCING.replace('balancing ip', 'balancing magic'))).toMatch(/unknown balancing mode "magic"/);
  });

  it('a node line without its header, a second carp line, a duplicate vhid, out-of-range numbers', () => {
    expect(err(O.OPENBSD_IFCONFIG_BACKUP_GROUP.replace('\tgroups: carp\n', '\t\tstate MASTER vhid 2 advskew 0\n'))).toMatch(/line 5 .*a carpnode line without the "carp: carpdev … balancing …" line/);
    expect(err(O.OPENBSD_IFCONFIG_BACKUP_GROUP.replace('\tgroups: carp\n', '\tcarp: MASTER carpdev em0 vhid 2 advbase 1 advskew 0\n'))).toMatch(/line 5 .*a second carp line for carp1/);
    expect(err(O.OPENBSD_IFCONFIG_BALANCING.replace('vhid 6 advskew', 'vhid 5 advskew'))).toMatch(/line 13 .*vhid 5 listed twice on carp2/);
    expect(err(O.OPENBSD_IFCONFIG_BACKUP_GROUP.replace('vhid 1 advbase', 'vhid 256 advbase'))).toMatch(/vhid 256 is outside 1\.\.255/);
  });

  it('garbage lines, bad netmasks, empty output', () => {
    expect(err(`ifconfig: SIOCGIFFLAGS: Device not configured\n${O.OPENBSD_IFCONFIG_BACKUP_GROUP}`)).toMatch(/line 1 .*expected an interface header/);
    expect(err(O.OPENBSD_IFCONFIG_BACKUP_GROUP.replace('netmask 0xffffff00', 'netmask 0xff00ff00'))).toMatch(/line 7 .*not a contiguous hex mask/);
    expect(err(O.OPENBSD_IFCONFIG_BACKUP_GROUP.replace(' mtu 1500', ' mtu 1500 extra'))).toMatch(/line 1 .*unexpected "extra" after the flags/);
    expect(err('')).toMatch(/printed nothing/);
  });
});

describe('ifconfig -g carp', () => {
  it('reads the demote counter at rest, demoted, and several groups', () => {
    expect(parseOpenbsdGroupDemote(O.OPENBSD_GROUP_CARP)).toEqual({ group: 'carp', demote: 0 });
    expect(parseOpenbsdGroupDemote(O.OPENBSD_GROUP_CARP_DEMOTED)).toEqual({ group: 'carp', demote: 50 });
    expect(parseOpenbsdGroupDemotes(O.OPENBSD_GROUPS_DEMOTED)).toEqual({ carp: 50, internal: 1 });
  });

  it('refuses anything else', () => {
    expect(() => parseOpenbsdGroupDemote('carp: carp demote count\n')).toThrow(/line 1 "carp: carp demote count": expected "GROUP: carp demote count N"/);
    expect(() => parseOpenbsdGroupDemote('carp: carp demote count 5')).toThrow(/cut off/);
    expect(() => parseOpenbsdGroupDemote('carp: carp demote count 256\n')).toThrow(/outside 0\.\.255/);
    expect(() => parseOpenbsdGroupDemote(O.OPENBSD_GROUPS_DEMOTED)).toThrow(/expected exactly one line, got 2/);
    expect(() => parseOpenbsdGroupDemotes('carp: carp demote count 1\ncarp: carp demote count 2\n')).toThrow(/line 2 .*group carp listed twice/);
  });
});
