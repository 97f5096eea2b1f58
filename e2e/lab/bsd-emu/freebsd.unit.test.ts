// carp-console lab: emulated FreeBSD command surface. The console's FreeBSD builders' commands applied to
// the emulated state, rc.conf written by its sysrc commands read back at boot, and the renderers read by
// the console's parsers through the real FREEBSD_STATE_SCRIPT and PROBE_SCRIPT with the sh shims.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectSystem, PROBE_SCRIPT } from '../../../electron/core/kernel/detect.js';
import { FREEBSD_STATE_SCRIPT, parseKernelState } from '../../../electron/core/kernel/state-read.js';
import type { KernelCommand } from '../../../electron/core/kernel/command.js';
import {
  freebsdAdjustDemotion,
  freebsdApplyVhid,
  freebsdPersistVip,
  freebsdRemoveVip,
  freebsdSetAllow,
  freebsdSetLog,
  freebsdSetPreempt,
  freebsdUnpersistVip,
  type FreebsdVhidParams,
} from '../../../electron/core/kernel/commands-freebsd.js';
import type { AgentView } from './emu-flavour.js';
import { fbAgentConfig, fbInitial, fbNetstart, fbWrite, type FbState } from './freebsd-kernel.js';
import { fbRenderFiles } from './freebsd-render.js';
import { FREEBSD_SHIMS } from './freebsd-shims.js';

const SYSTEM = { kind: 'freebsd', version: '14.1-RELEASE-p5', kernel: 'FreeBSD 14.1-RELEASE-p5', label: 'FreeBSD 14.1-RELEASE-p5' } as const;
const P: FreebsdVhidParams = { parent: 'eth0', vhid: 3, advbase: 1, advskew: 20, password: 'pw-3' };
const VIPS = ['198.18.77.100/24', '198.18.77.101/32'];
const VIEW: AgentView = {
  states: { 'eth0/3': 'MASTER' },
  interfaces: [{ name: 'eth0', addresses: ['198.18.77.1/24'], segments: ['198.18.77.0/24'], up: true, mac: '02:00:00:00:77:01' }],
  linkDemote: 0,
  sent: 5,
  received: 7,
  drops: { vhid: 2 },
  transitions: 0,
};

let rc = '';
function apply(s: FbState, cmds: KernelCommand[]): { s: FbState; out: string[] } {
  const out: string[] = [];
  for (const c of cmds) {
    const r = fbWrite(s, c.argv, { etc: { 'rc.conf': rc } });
    if (!r.ok) throw new Error(`${c.summary}: ${r.stderr}`);
    s = r.state;
    rc = r.etc?.['rc.conf'] ?? rc;
    out.push(r.stdout);
  }
  return { s, out };
}

const tmp = mkdtempSync(join(tmpdir(), 'bsd-emu-fb-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function runWithShims(script: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmp, 'run-'));
  mkdirSync(join(dir, 'out/if'), { recursive: true });
  mkdirSync(join(dir, 'bin'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, 'out', name), content);
  for (const [name, content] of Object.entries(FREEBSD_SHIMS)) writeFileSync(join(dir, 'bin', name), content, { mode: 0o755 });
  const r = spawnSync('sh', ['-c', script.replace(/^PATH=.*$/m, `PATH=${join(dir, 'bin')}:$PATH`)], { encoding: 'utf8', env: { ...process.env, BSD_EMU_RUN: dir } });
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('emulated FreeBSD command surface', () => {
  it('freebsdApplyVhid creates the vhid with its VIPs on the parent; the state script reads it back', () => {
    rc = '';
    const { s } = apply(fbInitial(), freebsdApplyVhid(P, VIPS));
    expect(s.vhids).toEqual([{ parent: 'eth0', vhid: 3, advbase: 1, advskew: 20, password: 'pw-3', addresses: VIPS }]);
    const k = parseKernelState(SYSTEM, runWithShims(FREEBSD_STATE_SCRIPT, fbRenderFiles(s, VIEW)));
    expect(k.vhids.map((v) => [v.interface, v.vhid, v.state, v.advbase, v.advskew, v.wireAdvskew, v.addresses, v.srcip])).toEqual([['eth0', 3, 'MASTER', 1, 20, 20, VIPS, '198.18.77.1']]);
    expect(k.counters).toMatchObject({ ipackets: 9, opackets: 5, badvhid: 2 });
    expect(k.demotion).toEqual({ kind: 'freebsd-global', value: 0, ifdownFactor: 240, senderrFactor: 240 });
  });

  it('a change and a removal: parameters set, a VIP dropped, the vhid gone with its last address', () => {
    rc = '';
    let { s } = apply(fbInitial(), freebsdApplyVhid(P, VIPS));
    s = apply(s, freebsdApplyVhid({ ...P, advskew: 0, password: '' }, ['198.18.77.101/32'], VIPS)).s;
    // no `pass` word for an empty password: FreeBSD keeps the key it has (SIOCSVH copies a key only when one is given)
    expect(s.vhids[0]).toMatchObject({ advskew: 0, password: 'pw-3', addresses: ['198.18.77.101/32'] });
    s = apply(s, [freebsdRemoveVip('eth0', '198.18.77.101')]).s;
    expect(s.vhids).toEqual([]);
    const r = fbWrite(s, freebsdRemoveVip('eth0', '198.18.77.101').argv);
    expect(r.ok ? 'ok' : r.stderr).toBe("ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address\n");
  });

  it('the demotion sysctl adds what is written and rides in the advertised advskew (capped at 240); preempt, allow, log', () => {
    rc = '';
    let { s } = apply(fbInitial(), freebsdApplyVhid(P, VIPS));
    const r = apply(s, [freebsdAdjustDemotion(240), freebsdAdjustDemotion(10), freebsdSetPreempt(true), freebsdSetAllow(false), freebsdSetLog(2)]);
    s = r.s;
    expect(r.out).toEqual(['net.inet.carp.demotion: 0 -> 240\n', 'net.inet.carp.demotion: 240 -> 250\n', 'net.inet.carp.preempt: 0 -> 1\n', 'net.inet.carp.allow: 1 -> 0\n', 'net.inet.carp.log: 1 -> 2\n']);
    expect(fbAgentConfig(s).groups[0].advskew).toBe(240);
    const k = parseKernelState(SYSTEM, runWithShims(FREEBSD_STATE_SCRIPT, fbRenderFiles(s, VIEW)));
    expect([k.vhids[0].advskew, k.vhids[0].wireAdvskew, k.preempt, k.allow, k.log]).toEqual([20, 240, true, false, 2]);
    s = apply(s, [freebsdAdjustDemotion(-250)]).s;
    expect(fbAgentConfig(s).groups[0].advskew).toBe(20);
  });

  it('sysrc persists the VIPs in rc.conf, and netstart brings them back; sysrc -x removes one', () => {
    rc = 'hostname="fw1"\n';
    const persist = VIPS.map((v, i) => freebsdPersistVip(SYSTEM, P, v, i));
    const { out } = apply(fbInitial(), persist);
    expect(out[0]).toBe('ifconfig_eth0_alias0:  -> inet 198.18.77.100/24 vhid 3 advbase 1 advskew 20 pass pw-3\n');
    expect(rc).toBe('hostname="fw1"\nifconfig_eth0_alias0="inet 198.18.77.100/24 vhid 3 advbase 1 advskew 20 pass pw-3"\nifconfig_eth0_alias1="inet 198.18.77.101/32 vhid 3 advbase 1 advskew 20 pass pw-3"\n');
    const boot = fbNetstart(rc, 'net.inet.carp.preempt=1\n');
    expect(boot.messages).toEqual([]);
    expect(boot.state.vhids).toEqual([{ parent: 'eth0', vhid: 3, advbase: 1, advskew: 20, password: 'pw-3', addresses: VIPS }]);
    expect(boot.state.sysctl.preempt).toBe(1);
    apply(fbInitial(), [freebsdUnpersistVip(SYSTEM, 'eth0', 1)]);
    expect(fbNetstart(rc, '').state.vhids[0].addresses).toEqual(['198.18.77.100/24']);
  });

  it('sysctl kern.boottime in FreeBSD\'s struct timeval form', () => {
    const at = new Date(2026, 10, 3, 4, 5, 6).getTime() / 1000;
    const r = fbWrite(fbInitial(), ['sysctl', '-n', 'kern.boottime'], { bootTime: at });
    expect(r.ok && r.stdout).toBe(`{ sec = ${at}, usec = 0 } Tue Nov  3 04:05:06 2026\n`);
  });

  it('the probe through the uname shim: detectSystem says FreeBSD', () => {
    expect(detectSystem(runWithShims(PROBE_SCRIPT, {}))).toEqual(SYSTEM);
  });
});
