// FreeBSD group changes planned from `sysrc -a`: live ifconfig on the parent, rc.conf alias lines rewritten
// without gaps, passwords only in the redacted form of what is logged, and an undo that puts both back.
import { describe, expect, it } from 'vitest';
import type { KernelSystem } from '../kernel/detect.js';
import * as F from '../kernel/fixtures/freebsd.js';
import { parseFreebsdIfconfig } from '../kernel/freebsd-ifconfig.js';
import { buildFreebsdState } from '../kernel/model.js';
import { parseCarpNetstat } from '../kernel/netstat.js';
import { parseCarpSysctl } from '../kernel/sysctl.js';
import { redactedLine, shellLine } from '../kernel/command.js';
import { aliasesOf, freebsdDeleteGroup, freebsdPutGroup } from './freebsd-groups.js';

const FREEBSD: KernelSystem = { kind: 'freebsd', version: '14.1-RELEASE', kernel: 'FreeBSD 14.1-RELEASE', label: 'FreeBSD 14.1-RELEASE' };
const state = buildFreebsdState({ system: FREEBSD, ifconfig: parseFreebsdIfconfig(F.FREEBSD14_IFCONFIG), sysctl: parseCarpSysctl(F.FREEBSD_SYSCTL, 'freebsd'), counters: parseCarpNetstat(F.FREEBSD_NETSTAT) });
// rc.conf as sysrc -a prints it (names sorted as text: alias10 before alias2 would be too).
const SYSRC = [
  'hostname: gw1',
  'ifconfig_em0: inet 203.0.113.2/24',
  'ifconfig_em0_alias0: inet 203.0.113.1/24 vhid 1 advbase 1 advskew 0 pass one',
  'ifconfig_em0_alias1: inet 203.0.113.11/32 vhid 2 advbase 1 advskew 100 pass two',
  'ifconfig_em1_alias0: inet 10.0.0.9/24 vhid 2 pass other',
  '',
].join('\n');
const G = { vhid: 3, interface: 'em0', addresses: ['203.0.113.30/24', '203.0.113.31/24'], password: 'three', advbase: 1, advskew: 50, neutral: false };

describe('FreeBSD vhids in rc.conf', () => {
  it('reads the parent\'s aliases by index from sysrc -a', () => {
    expect([...aliasesOf(SYSRC, 'em0').keys()]).toEqual([0, 1]);
    expect(aliasesOf(SYSRC, 'em1').get(0)).toBe('inet 10.0.0.9/24 vhid 2 pass other');
  });

  it('a new vhid: ifconfig … alias per VIP, appended as the next aliases; undo removes both', () => {
    const p = freebsdPutGroup(state, G, SYSRC);
    expect(p.existed).toBe(false);
    expect(p.commands.map((c) => redactedLine(c))).toEqual([
      'ifconfig em0 inet 203.0.113.30/24 vhid 3 advbase 1 advskew 50 pass <redacted> alias',
      'ifconfig em0 inet 203.0.113.31/24 vhid 3 advbase 1 advskew 50 pass <redacted> alias',
      "sysrc 'ifconfig_em0_alias2=inet 203.0.113.30/24 vhid 3 advbase 1 advskew 50 pass <redacted>'",
      "sysrc 'ifconfig_em0_alias3=inet 203.0.113.31/24 vhid 3 advbase 1 advskew 50 pass <redacted>'",
    ]);
    expect(shellLine(p.commands[2])).toContain('pass three');
    expect(p.undo.map((c) => redactedLine(c))).toEqual(['ifconfig em0 inet 203.0.113.30 -alias', 'ifconfig em0 inet 203.0.113.31 -alias', 'sysrc -x ifconfig_em0_alias2 ifconfig_em0_alias3']);
  });

  it('changing vhid 1 rewrites its line; removing vhid 1 renumbers the others without a gap, and undo re-adds it from its old line', () => {
    const p = freebsdPutGroup(state, { ...G, vhid: 1, addresses: ['203.0.113.1/24'], advskew: 20, password: 'uno' }, SYSRC);
    expect(p.existed).toBe(true);
    expect(p.commands.map((c) => redactedLine(c))).toEqual([
      'ifconfig em0 vhid 1 advbase 1 advskew 20 pass <redacted>',
      "sysrc 'ifconfig_em0_alias0=inet 203.0.113.11/32 vhid 2 advbase 1 advskew 100 pass <redacted>'",
      "sysrc 'ifconfig_em0_alias1=inet 203.0.113.1/24 vhid 1 advbase 1 advskew 20 pass <redacted>'",
    ]);
    const d = freebsdDeleteGroup(state, 1, 'em0', ['203.0.113.1/24'], SYSRC);
    expect(d.commands.map((c) => redactedLine(c))).toEqual([
      'ifconfig em0 inet 203.0.113.1 -alias',
      "sysrc 'ifconfig_em0_alias0=inet 203.0.113.11/32 vhid 2 advbase 1 advskew 100 pass <redacted>'",
      'sysrc -x ifconfig_em0_alias1',
    ]);
    expect(d.undo.map((c) => redactedLine(c))).toEqual([
      'ifconfig em0 inet 203.0.113.1/24 vhid 1 advbase 1 advskew 0 pass <redacted> alias',
      "sysrc 'ifconfig_em0_alias0=inet 203.0.113.1/24 vhid 1 advbase 1 advskew 0 pass <redacted>'",
      "sysrc 'ifconfig_em0_alias1=inet 203.0.113.11/32 vhid 2 advbase 1 advskew 100 pass <redacted>'",
    ]);
    expect(shellLine(d.undo[0])).toContain('pass one');
  });

  it('refuses a password rc.d would mangle, naming the file', () => {
    expect(() => freebsdPutGroup(state, { ...G, password: 'two words' }, SYSRC)).toThrow(/\/etc\/rc\.conf/);
  });
});
