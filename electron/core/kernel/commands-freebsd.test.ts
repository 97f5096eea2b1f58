// FreeBSD command builders: ifconfig on the parent, the demotion as an adjustment, sysrc lines for
// rc.conf, and the refusal to persist on pfSense/OPNsense (config.xml owns the interfaces).
import { describe, expect, it } from 'vitest';
import { redactedLine, shellLine } from './command.js';
import {
  freebsdAddVip,
  freebsdAdjustDemotion,
  freebsdAliasVar,
  freebsdApplyVhid,
  freebsdDemotionDelta,
  freebsdNextAliasIndex,
  freebsdPersistVip,
  freebsdRefusePersist,
  freebsdRemoveVip,
  freebsdSetAllow,
  freebsdSetLog,
  freebsdSetPreempt,
  freebsdSetVhid,
  freebsdUnpersistVip,
  maintenanceNote,
  type FreebsdVhidParams,
} from './commands-freebsd.js';
import type { KernelSystem } from './detect.js';
import { KernelCommandError } from './errors.js';

const P: FreebsdVhidParams = { parent: 'em0', vhid: 1, advbase: 1, advskew: 100, password: 'S3cret' };
const sys = (kind: KernelSystem['kind'], label: string): KernelSystem => ({ kind, version: 'x', kernel: 'FreeBSD 14.1-RELEASE', label });
const FREEBSD = sys('freebsd', 'FreeBSD 14.1-RELEASE');
const PFSENSE = sys('pfsense', 'pfSense 2.7.2-RELEASE (FreeBSD 14.0-CURRENT)');
const OPNSENSE = sys('opnsense', 'OPNsense 24.7.3_1 (FreeBSD 14.1-RELEASE-p6)');
const OPENBSD = sys('openbsd', 'OpenBSD 7.6');

describe('FreeBSD live commands', () => {
  it('adds a VIP with its vhid and carp parameters (vhid first), password redacted in logs', () => {
    const c = freebsdAddVip(P, '203.0.113.1/24');
    expect(c.argv).toEqual(['ifconfig', 'em0', 'inet', '203.0.113.1/24', 'vhid', '1', 'advbase', '1', 'advskew', '100', 'pass', 'S3cret', 'alias']);
    expect(redactedLine(c)).toBe('ifconfig em0 inet 203.0.113.1/24 vhid 1 advbase 1 advskew 100 pass <redacted> alias');
    expect(freebsdAddVip({ ...P, password: '' }, '203.0.113.1/24').argv).not.toContain('pass');
  });

  it('changes a vhid: parameters, then new VIPs, then old VIPs removed (never its last address first)', () => {
    const cmds = freebsdApplyVhid(P, ['203.0.113.5/24'], ['203.0.113.1/24']);
    expect(cmds.map(redactedLine)).toEqual([
      'ifconfig em0 vhid 1 advbase 1 advskew 100 pass <redacted>',
      'ifconfig em0 inet 203.0.113.5/24 vhid 1 advbase 1 advskew 100 pass <redacted> alias',
      'ifconfig em0 inet 203.0.113.1 -alias',
    ]);
    expect(freebsdApplyVhid(P, ['203.0.113.1/24']).map((c) => c.argv[3])).toEqual(['203.0.113.1/24']);
    expect(freebsdSetVhid(P).argv).toEqual(['ifconfig', 'em0', 'vhid', '1', 'advbase', '1', 'advskew', '100', 'pass', 'S3cret']);
    expect(shellLine(freebsdRemoveVip('em0.100', '203.0.113.1/24'))).toBe('ifconfig em0.100 inet 203.0.113.1 -alias');
  });

  it('adjusts the demotion by a signed delta, computed from the value read', () => {
    expect(freebsdAdjustDemotion(240).argv).toEqual(['sysctl', 'net.inet.carp.demotion=240']);
    expect(freebsdAdjustDemotion(-240).summary).toBe('lower net.inet.carp.demotion by 240');
    expect(freebsdDemotionDelta(240, 0)).toBe(-240);
    expect(freebsdDemotionDelta(480, 240)).toBe(-240);
    expect(() => freebsdAdjustDemotion(0)).toThrow(/non-zero integer \(it is added to net\.inet\.carp\.demotion\)/);
    expect(() => freebsdAdjustDemotion(1.5)).toThrow(KernelCommandError);
  });

  it('sets preempt, allow, log; refuses bad input', () => {
    expect(freebsdSetPreempt(false).argv).toEqual(['sysctl', 'net.inet.carp.preempt=0']);
    expect(freebsdSetAllow(true).argv).toEqual(['sysctl', 'net.inet.carp.allow=1']);
    expect(freebsdSetLog(2).argv).toEqual(['sysctl', 'net.inet.carp.log=2']);
    expect(() => freebsdSetLog(3)).toThrow(/0 \(off\), 1 \(info\) or 2 \(debug\)/);
    expect(() => freebsdAddVip({ ...P, advbase: 0 }, '203.0.113.1/24')).toThrow(/advbase 0 is not allowed: must be 1\.\.255 \(FreeBSD carp\(4\) refuses 0\)/);
    expect(() => freebsdAddVip({ ...P, parent: 'em0 up' }, '203.0.113.1/24')).toThrow(/not a FreeBSD interface name/);
    expect(() => freebsdAddVip(P, '203.0.113.1/33')).toThrow(/prefix length/);
    expect(() => freebsdApplyVhid(P, [])).toThrow(/needs at least one address/);
  });
});

describe('FreeBSD persistence (rc.conf via sysrc)', () => {
  it('names the alias variable the rc.d way and finds the first free index', () => {
    expect(freebsdAliasVar('em0', 0)).toBe('ifconfig_em0_alias0');
    expect(freebsdAliasVar('vtnet0.100', 3)).toBe('ifconfig_vtnet0_100_alias3');
    expect(freebsdNextAliasIndex('em0', ['ifconfig_em0', 'ifconfig_em0_alias0', 'ifconfig_em0_alias2', 'ifconfig_em1_alias1'])).toBe(1);
    expect(freebsdNextAliasIndex('em0', [])).toBe(0);
  });

  it('writes one sysrc line per VIP, the password redacted in the loggable form', () => {
    const c = freebsdPersistVip(FREEBSD, P, '203.0.113.1/24', 0);
    expect(c.argv).toEqual(['sysrc', 'ifconfig_em0_alias0=inet 203.0.113.1/24 vhid 1 advbase 1 advskew 100 pass S3cret']);
    expect(shellLine(c)).toBe("sysrc 'ifconfig_em0_alias0=inet 203.0.113.1/24 vhid 1 advbase 1 advskew 100 pass S3cret'");
    expect(redactedLine(c)).toBe("sysrc 'ifconfig_em0_alias0=inet 203.0.113.1/24 vhid 1 advbase 1 advskew 100 pass <redacted>'");
    expect(freebsdUnpersistVip(FREEBSD, 'em0', 0).argv).toEqual(['sysrc', '-x', 'ifconfig_em0_alias0']);
    expect(() => freebsdPersistVip(FREEBSD, { ...P, password: 'a"b' }, '203.0.113.1/24', 0)).toThrow(/the password has a character \/etc\/rc\.conf cannot hold safely/);
    expect(() => freebsdPersistVip(FREEBSD, { ...P, password: 'inet6' }, '203.0.113.1/24', 0)).toThrow(/one of the words rc\.d splits ifconfig_<if>_alias values at/);
    expect(freebsdAddVip({ ...P, password: 'inet6' }, '203.0.113.1/24').argv).toContain('inet6');
  });

  it('refuses to persist on pfSense and OPNsense, saying config.xml owns the interfaces', () => {
    expect(() => freebsdPersistVip(PFSENSE, P, '203.0.113.1/24', 0)).toThrow(KernelCommandError);
    expect(() => freebsdPersistVip(PFSENSE, P, '203.0.113.1/24', 0)).toThrow(/pfSense 2\.7\.2-RELEASE .*: not written\. pfSense keeps its interfaces and CARP VIPs in \/conf\/config\.xml, which owns them; make the change in pfSense \(Firewall > Virtual IPs\)/);
    expect(() => freebsdUnpersistVip(OPNSENSE, 'em0', 0)).toThrow(/OPNsense keeps its interfaces and CARP VIPs in \/conf\/config\.xml/);
    expect(() => freebsdRefusePersist(OPENBSD)).toThrow(/rc\.conf aliases are FreeBSD's; this host is openbsd/);
    expect(() => freebsdRefusePersist(FREEBSD)).not.toThrow();
  });

  it('says that the firewalls\' own persistent maintenance mode is separate', () => {
    expect(maintenanceNote(OPNSENSE)).toMatch(/OPNsense's own "persistent CARP maintenance mode" is a separate setting and is not changed/);
    expect(maintenanceNote(PFSENSE)).toMatch(/^pfSense: maintenance raises net\.inet\.carp\.demotion \(lost at reboot\)/);
    expect(maintenanceNote(FREEBSD)).toBeNull();
  });
});
