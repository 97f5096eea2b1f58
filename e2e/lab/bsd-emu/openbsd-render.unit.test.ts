// carp-console lab: emulated OpenBSD command surface. The renderers' output read back with the console's
// own parsers (electron/core/kernel) through the real OPENBSD_STATE_SCRIPT sections: parse(render(state))
// gives the state that was rendered (MASTER/BACKUP/INIT, two carp interfaces, demoted, preempt on/off).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OPENBSD_STATE_SCRIPT, parseKernelState } from '../../../electron/core/kernel/state-read.js';
import { parseOpenbsdIfconfig } from '../../../electron/core/kernel/openbsd-ifconfig.js';
import { parseCarpNetstat } from '../../../electron/core/kernel/netstat.js';
import { detectSystem, PROBE_SCRIPT } from '../../../electron/core/kernel/detect.js';
import type { KernelSystem } from '../../../electron/core/kernel/detect.js';
import { ifconfigWrite, initialState, sysctlCommand, groupWrite, type EmuState, type Outcome } from './openbsd-kernel.js';
import { SHIMS } from './openbsd-shims.js';
import { ctime, renderFiles, routeMonitorIfinfo } from './openbsd-render.js';
import { viewOf, type AgentView } from './emu-flavour.js';

const SYSTEM: KernelSystem = { kind: 'openbsd', version: '7.6', kernel: 'OpenBSD 7.6', label: 'OpenBSD 7.6' };

function must(r: Outcome): EmuState {
  if (!r.ok) throw new Error(r.stderr);
  return r.state;
}

/** Two carp interfaces on eth0: carp1 vhid 1 (two VIPs) and carp2 vhid 2, both up. */
function twoVhids(): EmuState {
  let s = initialState();
  s = must(ifconfigWrite(s, 'carp1', ['vhid', '1', 'carpdev', 'eth0', 'pass', 'secret', 'advbase', '1', 'advskew', '0']));
  s = must(ifconfigWrite(s, 'carp1', ['inet', '198.18.76.100/24', 'alias']));
  s = must(ifconfigWrite(s, 'carp1', ['inet', '198.18.76.101/24', 'alias']));
  s = must(ifconfigWrite(s, 'carp1', ['up']));
  s = must(ifconfigWrite(s, 'carp2', ['vhid', '2', 'carpdev', 'eth0', 'pass', '', 'advbase', '2', 'advskew', '100']));
  s = must(ifconfigWrite(s, 'carp2', ['inet', '198.18.76.110/24', 'alias']));
  return must(ifconfigWrite(s, 'carp2', ['up']));
}

const VIEW: AgentView = {
  states: { 'eth0/1': 'MASTER', 'eth0/2': 'BACKUP' },
  interfaces: [
    { name: 'eth0', addresses: ['198.18.76.1/24'], segments: ['198.18.76.0/24'], up: true, mac: '02:00:00:00:76:01' },
    { name: 'mgmt0', addresses: ['198.19.76.1/24'], segments: ['198.19.76.0/24'], up: true },
  ],
  linkDemote: 0,
  sent: 1822,
  received: 3961,
  drops: { ttl: 1, hmac: 2, vhid: 7 },
  transitions: 1,
};

const tmp = mkdtempSync(join(tmpdir(), 'bsd-emu-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs a script with the emulation's sh shims first on PATH, printing these rendered files (BSD_EMU_RUN). */
function runWithShims(script: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmp, 'run-'));
  const bin = join(dir, 'bin');
  mkdirSync(join(dir, 'out/if'), { recursive: true });
  mkdirSync(bin);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, 'out', name), content);
  for (const [name, content] of Object.entries(SHIMS)) writeFileSync(join(bin, name), content, { mode: 0o755 });
  const r = spawnSync('sh', ['-c', script.replace(/^PATH=.*$/m, `PATH=${bin}:$PATH`)], { encoding: 'utf8', env: { ...process.env, BSD_EMU_RUN: dir } });
  expect(r.status).toBe(0);
  return r.stdout;
}

/** What OPENBSD_STATE_SCRIPT (the console's one-exec read) prints on a host whose daemon rendered these files. */
const scriptOutput = (files: Record<string, string>) => runWithShims(OPENBSD_STATE_SCRIPT, files);

describe('emulated OpenBSD renderers, read back by the console parsers', () => {
  it('MASTER and BACKUP on two carp interfaces, preempt on: every field round-trips', () => {
    const s = must(sysctlCommand(twoVhids(), ['net.inet.carp.preempt=1']));
    const k = parseKernelState(SYSTEM, scriptOutput(renderFiles(s, VIEW)));
    expect(k.preempt).toBe(true);
    expect(k.allow).toBe(true);
    expect(k.log).toBe(2);
    expect(k.demotion).toEqual({ kind: 'openbsd-groups', groups: { carp: 0 } });
    expect(k.vhids.map((v) => [v.interface, v.vhid, v.carpdev, v.state, v.advbase, v.advskew, v.demote, v.up, v.addresses, v.srcip, v.segment])).toEqual([
      ['carp1', 1, 'eth0', 'MASTER', 1, 0, 0, true, ['198.18.76.100/24', '198.18.76.101/24'], '198.18.76.1', '198.18.76.0/24'],
      ['carp2', 2, 'eth0', 'BACKUP', 2, 100, 0, true, ['198.18.76.110/24'], '198.18.76.1', '198.18.76.0/24'],
    ]);
    expect(k.counters).toMatchObject({ ipackets: 3961 + 10, opackets: 1822, badttl: 1, badauth: 2, badvhid: 7, preempt: 1 });
    expect(k.warnings).toEqual([]);
  });

  it('demoted (operator 50 + link demotion 1), preempt off, log 7, allow 0', () => {
    let s = twoVhids();
    const g = groupWrite(s, 'carp', ['carpdemote', '50']);
    if (!g.ok) throw new Error(g.stderr);
    s = g.state;
    for (const a of ['net.inet.carp.log=7', 'net.inet.carp.allow=0']) {
      const r = sysctlCommand(s, [a]);
      if (!r.ok) throw new Error(r.stderr);
      s = r.state;
    }
    const k = parseKernelState(SYSTEM, scriptOutput(renderFiles(s, { ...VIEW, linkDemote: 1 })));
    expect(k.demotion).toEqual({ kind: 'openbsd-groups', groups: { carp: 51 } });
    expect(k.vhids.map((v) => v.demote)).toEqual([51, 51]);
    expect([k.preempt, k.log, k.allow]).toEqual([false, 7, false]);
  });

  it('INIT: a carp interface that is down, one without an address, one without a vhid, and no agent yet', () => {
    let s = twoVhids();
    s = must(ifconfigWrite(s, 'carp2', ['down']));
    s = must(ifconfigWrite(s, 'carp3', ['vhid', '3', 'carpdev', 'eth0', 'pass', 'x', 'advbase', '1', 'advskew', '0']));
    s = must(ifconfigWrite(s, 'carp4', ['create']));
    const files = renderFiles(s, VIEW);
    const k = parseKernelState(SYSTEM, scriptOutput(files));
    expect(k.vhids.map((v) => [v.interface, v.state, v.up])).toEqual([
      ['carp1', 'MASTER', true],
      ['carp2', 'INIT', false],
      ['carp3', 'INIT', false],
    ]);
    expect(parseOpenbsdIfconfig(files['ifconfig-A.txt']).unconfigured).toEqual(['carp4']);
    const none = parseKernelState(SYSTEM, scriptOutput(renderFiles(twoVhids(), viewOf(null, 0))));
    expect(none.vhids.map((v) => v.state)).toEqual(['INIT', 'INIT']);
  });

  it('plain ifconfig shows one address per interface, -A and ifconfig carp1 every one', () => {
    const files = renderFiles(twoVhids(), VIEW);
    expect(parseOpenbsdIfconfig(files['ifconfig.txt']).carp[0].addresses.map((a) => a.cidr)).toEqual(['198.18.76.100/24']);
    expect(parseOpenbsdIfconfig(files['if/carp1.txt']).carp[0].addresses.map((a) => a.cidr)).toEqual(['198.18.76.100/24', '198.18.76.101/24']);
    expect(parseOpenbsdIfconfig(files['members-carp.txt']).carp.map((c) => c.name)).toEqual(['carp1', 'carp2']);
    expect(files['if/carp1.txt']).toContain('\tlladdr 00:00:5e:00:01:01\n');
  });

  it('no carp interface: no carp group (the state script reads no group) and an empty state', () => {
    const files = renderFiles(initialState(), VIEW);
    expect(files['group-carp.txt']).toBeUndefined();
    const k = parseKernelState(SYSTEM, scriptOutput(files));
    expect(k.vhids).toEqual([]);
    expect(parseCarpNetstat(files['netstat.txt'])).toMatchObject({ ipackets: 3961 + 10, opackets: 1822, preempt: 1 });
  });

  it('the probe through the uname shim: detectSystem says OpenBSD 7.6', () => {
    expect(detectSystem(runWithShims(PROBE_SCRIPT, {}))).toEqual({ kind: 'openbsd', version: '7.6', kernel: 'OpenBSD 7.6', label: 'OpenBSD 7.6' });
    expect(runWithShims('PATH=/usr/bin\nuname -a; uname -sr; uname -m; uname -x 2>&1 || echo rc=$?', {})).toMatch(/^OpenBSD \S+ 7\.6 GENERIC\.MP#338 amd64\nOpenBSD 7\.6\namd64\nuname: unknown option -- x\nusage: uname \[-amnprsv\]\nrc=1\n$/);
  });

  it('the read shims fail as the real tools do where the console relies on it (exit 1, message on stderr)', () => {
    const files = renderFiles(initialState(), VIEW);
    const out = runWithShims(
      'PATH=x\nfor c in "ifconfig carp9" "ifconfig carp" "ifconfig -g carp" "netstat -s -p tcp" "route get 1.2.3.4" "ifconfig eth0"; do $c >/dev/null 2>/tmp/bsd-emu-err-$$ || echo "$c: rc=$? $(cat /tmp/bsd-emu-err-$$)"; done; rm -f /tmp/bsd-emu-err-$$',
      files,
    );
    expect(out.split('\n')).toEqual([
      'ifconfig carp9: rc=1 carp9: no such interface',
      'ifconfig carp: rc=1 carp: no such interface',
      'ifconfig -g carp: rc=1 ifconfig: carp: SIOCGIFGATTR: No such file or directory',
      'netstat -s -p tcp: rc=1 netstat: carp-console lab: emulated OpenBSD command surface: only netstat -s -p carp is emulated',
      'route get 1.2.3.4: rc=1 route: carp-console lab: emulated OpenBSD command surface: only route [-n] monitor is emulated',
      '',
    ]);
  });

  it('route monitor: the RTM_IFINFO message as route.c prints it', () => {
    const at = new Date(2026, 10, 3, 4, 5, 6);
    expect(ctime(at)).toBe('Tue Nov  3 04:05:06 2026\n');
    expect(routeMonitorIfinfo('carp1', 10, 'backup', 0x8843, at)).toBe(
      'got message of size 168 on Tue Nov  3 04:05:06 2026\n' +
        'RTM_IFINFO: iface status change: len 168, if# 10, name carp1, link: backup, mtu: 1500, flags:<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST>\n',
    );
  });
});
