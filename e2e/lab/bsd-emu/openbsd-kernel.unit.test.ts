// carp-console lab: emulated OpenBSD command surface. Every command the console's OpenBSD builders
// (electron/core/kernel/commands-openbsd.ts) produce, applied to the emulated state as the argv the shell
// line gives: the state change it means, the tool's errors where the console relies on them, netstart of
// the hostname.carpN file the console writes, and the carp-agent config that runs the result.
import { describe, expect, it } from 'vitest';
import {
  openbsdApplyVhid,
  openbsdDemote,
  openbsdHostnameFile,
  openbsdSetAdvbase,
  openbsdSetAdvskew,
  openbsdSetAllow,
  openbsdSetLog,
  openbsdSetPreempt,
  openbsdUndemote,
  type OpenbsdVhidSpec,
} from '../../../electron/core/kernel/commands-openbsd.js';
import type { KernelCommand } from '../../../electron/core/kernel/command.js';
import { parseAgentConfig } from '../../../agent/config/schema.js';
import { agentConfigOf, applyWrite, initialState, netstart, type EmuState, type Outcome } from './openbsd-kernel.js';

const SPEC: OpenbsdVhidSpec = { carpIf: 'carp1', vhid: 7, carpdev: 'eth0', password: 'pw-7', advbase: 2, advskew: 30, addresses: ['198.18.76.100/24', '198.18.76.101/24'] };

function apply(s: EmuState, cmds: KernelCommand[], ctx = {}): EmuState {
  for (const c of cmds) {
    const r = applyWrite(s, c.argv, ctx);
    if (!r.ok) throw new Error(`${c.summary}: ${r.stderr}`);
    s = r.state;
  }
  return s;
}

const err = (r: Outcome) => (r.ok ? 'ok' : r.stderr);

describe('emulated OpenBSD: the console builders\' commands as state changes', () => {
  it('openbsdApplyVhid creates carpN with every parameter, its VIPs and up; agentConfigOf runs it', () => {
    const s = apply(initialState(), openbsdApplyVhid(SPEC), { ifnames: ['eth0', 'mgmt0'] });
    expect(s.interfaces).toEqual([{ name: 'carp1', index: 10, vhid: 7, carpdev: 'eth0', password: 'pw-7', advbase: 2, advskew: 30, addresses: SPEC.addresses, up: true }]);
    const cfg = agentConfigOf(s);
    expect(parseAgentConfig(cfg)).toEqual(cfg);
    expect(cfg).toEqual({ groups: [{ vhid: 7, name: 'carp1', interface: 'eth0', addresses: SPEC.addresses, password: 'pw-7', advbase: 2, advskew: 30, neutral: false }], preempt: false, log: 2 });
  });

  it('openbsdApplyVhid on an existing carpN adds and removes VIPs (given the current ones) and changes parameters', () => {
    let s = apply(initialState(), openbsdApplyVhid(SPEC));
    const next = { ...SPEC, password: '', advskew: 0, addresses: ['198.18.76.101/24', '198.18.76.102/25'] };
    s = apply(s, openbsdApplyVhid(next, SPEC.addresses));
    expect(s.interfaces[0]).toMatchObject({ password: '', advskew: 0, addresses: ['198.18.76.101/24', '198.18.76.102/25'] });
  });

  it('openbsdSetAdvskew and openbsdSetAdvbase', () => {
    let s = apply(initialState(), openbsdApplyVhid(SPEC));
    s = apply(s, [openbsdSetAdvskew('carp1', 254), openbsdSetAdvbase('carp1', 0, 254)]);
    expect(s.interfaces[0]).toMatchObject({ advskew: 254, advbase: 0 });
  });

  it('openbsdDemote and openbsdUndemote change the carp group counter, within 0..255 as the kernel', () => {
    expect(err(applyWrite(initialState(), openbsdDemote(1).argv))).toBe('ifconfig: carp: SIOCSIFGATTR: No such file or directory\n');
    let s = apply(initialState(), openbsdApplyVhid(SPEC));
    s = apply(s, [openbsdDemote(128), openbsdDemote(100)]);
    expect(s.carpDemote).toBe(228);
    expect(err(applyWrite(s, openbsdDemote(27).argv))).toBe('ok');
    expect(err(applyWrite(s, openbsdDemote(27).argv, { linkDemote: 1 }))).toBe('ifconfig: carp: SIOCSIFGATTR: Result too large\n');
    s = apply(s, [openbsdUndemote(128), openbsdUndemote(100)]);
    expect(s.carpDemote).toBe(0);
    expect(err(applyWrite(s, openbsdUndemote(1).argv))).toBe('ifconfig: carp: SIOCSIFGATTR: Result too large\n');
    expect(err(applyWrite(s, ['ifconfig', '-g', 'carp', 'carpdemote', '129']))).toBe('ifconfig: carp: invalid carp demotion: too large\n');
    expect(err(applyWrite(s, ['ifconfig', '-g', 'carp', 'carpdemote']))).toBe('ok');
  });

  it('openbsdSetPreempt, openbsdSetAllow, openbsdSetLog: sysctl writes print "name: old -> new"', () => {
    const cmds = [openbsdSetPreempt(true), openbsdSetAllow(false), openbsdSetLog(7)];
    let s = initialState();
    const out: string[] = [];
    for (const c of cmds) {
      const r = applyWrite(s, c.argv);
      if (!r.ok) throw new Error(r.stderr);
      out.push(r.stdout);
      s = r.state;
    }
    expect(out).toEqual(['net.inet.carp.preempt: 0 -> 1\n', 'net.inet.carp.allow: 1 -> 0\n', 'net.inet.carp.log: 2 -> 7\n']);
    expect(s.sysctl).toEqual({ allow: 0, preempt: 1, log: 7 });
    expect(err(applyWrite(s, ['sysctl', 'net.inet.carp.log=8']))).toBe('sysctl: net.inet.carp.log: Invalid argument\n');
    expect(err(applyWrite(s, ['sysctl', 'net.inet.carp.nope=1']))).toMatch(/^sysctl: fourth level name nope in net\.inet\.carp\.nope is invalid/);
  });

  it('sysctl kern.boottime: epoch seconds with -n, ctime without (sysctl.c BOOTTIME); read-only', () => {
    const at = new Date(2026, 10, 3, 4, 5, 6).getTime() / 1000;
    const r = applyWrite(initialState(), ['sysctl', '-n', 'kern.boottime'], { bootTime: at });
    expect(r.ok && r.stdout).toBe(`${at}\n`);
    const full = applyWrite(initialState(), ['sysctl', 'kern.boottime'], { bootTime: at });
    expect(full.ok && full.stdout).toBe('kern.boottime=Tue Nov  3 04:05:06 2026\n');
    expect(err(applyWrite(initialState(), ['sysctl', 'kern.boottime=1'], { bootTime: at }))).toBe('sysctl: kern.boottime: Operation not permitted\n');
  });

  it('netstart reads the hostname.carpN the console writes (not its .bak nor the temporary) and sysctl.conf', () => {
    const live = apply(initialState(), openbsdApplyVhid(SPEC));
    const old = openbsdHostnameFile({ ...SPEC, vhid: 9 }).value;
    const { state, messages } = netstart(
      { 'hostname.carp1': openbsdHostnameFile(SPEC).value, 'hostname.carp1.bak': old, 'hostname.carp1.carp-console.77': old, 'hostname.eth0': 'inet 10.0.0.1/8\n' },
      '# comment\nnet.inet.ip.forwarding=1\nnet.inet.carp.preempt=1\t# on\n',
    );
    expect(messages).toEqual([]);
    expect(state.interfaces).toEqual(live.interfaces);
    expect(state.sysctl.preempt).toBe(1);
    const nopass = netstart({ 'hostname.carp2': openbsdHostnameFile({ ...SPEC, carpIf: 'carp2', password: '', addresses: ['198.18.76.9/32'] }).value }, '').state;
    expect(nopass.interfaces[0]).toMatchObject({ name: 'carp2', password: '', addresses: ['198.18.76.9/32'], up: true });
  });

  it('errors as the real tools print them, and nothing changes', () => {
    const s = apply(initialState(), openbsdApplyVhid(SPEC));
    expect(err(applyWrite(s, ['ifconfig', 'carp1', 'vhid', '300']))).toBe('ifconfig: vhid 300: too large\n');
    expect(err(applyWrite(s, ['ifconfig', 'carp1', 'advskew', '255']))).toBe('ifconfig: advskew 255: too large\n');
    expect(err(applyWrite(s, ['ifconfig', 'carp1', 'inet', '198.18.76.200', 'delete']))).toBe("ifconfig: SIOCDIFADDR: Can't assign requested address\n");
    expect(err(applyWrite(s, ['ifconfig', 'carp2', 'vhid', '7', 'carpdev', 'eth0']))).toBe('ifconfig: carp2: SIOCSVH: Invalid argument\n');
    expect(err(applyWrite(s, ['ifconfig', 'carp2', 'carpdev', 'em9'], { ifnames: ['eth0'] }))).toBe('ifconfig: carp2: SIOCSVH: Invalid argument\n');
    expect(err(applyWrite(s, ['ifconfig', 'carp1', 'carpnodes', '7:0,8:100']))).toMatch(/^ifconfig: carpnodes: carp-console lab: emulated OpenBSD command surface: not emulated/);
    expect(err(applyWrite(s, ['ifconfig', 'eth0', 'down']))).toMatch(/only carp interfaces can be changed here/);
  });

  it('a carp interface that is down, or has no address, is not run by the agent; destroying the last one drops the group counter', () => {
    let s = apply(initialState(), [...openbsdApplyVhid(SPEC), openbsdDemote(5)]);
    expect(agentConfigOf(apply(s, [{ summary: 'down', argv: ['ifconfig', 'carp1', 'down'], redactedArgv: [] }])).groups).toEqual([]);
    s = apply(s, [{ summary: 'destroy', argv: ['ifconfig', 'carp1', 'destroy'], redactedArgv: [] }]);
    expect([s.interfaces, s.carpDemote]).toEqual([[], 0]);
  });
});
