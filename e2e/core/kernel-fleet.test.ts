// A mixed fleet in the lab (id 78): fw1 presents the OpenBSD command surface (an emulation of the tools,
// with a carp-agent underneath doing CARP on the wire: e2e/lab/bsd-emu), fw2 and fw3 run the deployed
// carp-agent. The console finds fw1 has no agent, asks what it is, and drives its "kernel" over SSH with
// ifconfig/sysctl only. Proven: the host is shown as OpenBSD kernel CARP; a group applied through the
// console spans both kinds, with fw1 (ifconfig carp0 … and /etc/hostname.carp0) its master; carpctl
// deploy explains that fw1 needs no agent; demote-before-reboot of fw1 with --reboot hands its group to
// the predicted successor with at most 1 lost probe at 100/s, reboots it, and it comes back (from its
// hostname.carp0) and takes the group back. The delay from a state change to the console is printed.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { RunningProbe } from '../lab/index.js';
import { consoleLab, closeConsoleLab, type ConsoleLab } from './console-lab.js';
import { installOpenbsdSurface } from '../lab/bsd-emu/surface.js';
import { waitFor, sleep } from '../wait.js';
import { formatStatus, formatHosts } from '../../electron/cli/format.js';
import type { ConsoleEvent } from '../../electron/core/events.js';

const ID = 78;
const VIP = `198.18.${ID}.100`;
let x: ConsoleLab | undefined;
const probes: RunningProbe[] = [];

beforeAll(async () => {
  x = await consoleLab(ID, { deploy: ['fw2', 'fw3'], beforeConsole: (lab) => installOpenbsdSurface(lab, 'fw1') });
  await waitFor(() => x!.c.fleetNow().hosts.every((h) => h.status === 'live'), 30_000, 'fw1 (kernel) and fw2, fw3 (agents) live');
}, 180_000);
afterAll(async () => {
  for (const p of probes) await p.stop().catch(() => undefined);
  await x?.lab.healAll().catch(() => undefined);
  await closeConsoleLab(x);
});

const host = (name: string) => x!.c.fleetNow().hosts.find((h) => h.host === name)!;
const group = () => x!.c.fleetNow().groups[0];

describe('a mixed fleet: an emulated OpenBSD host (kernel CARP, no agent) and two carp-agent hosts', () => {
  it('shows fw1 as OpenBSD kernel CARP, and deploy explains it needs no agent', async () => {
    expect(host('fw1')).toMatchObject({ status: 'live', kernel: { system: 'openbsd' }, agentVersion: 'kernel' });
    expect(host('fw1').os).toMatch(/^OpenBSD 7\.\d+, kernel CARP \(no agent\)$/);
    expect(host('fw2').kernel).toBeUndefined();
    expect(formatHosts(x!.c.fleetNow()).split('\n')[0]).toMatch(/^fw1 +live +kernel CARP \(OpenBSD 7\.\d+\)/);
    // carpctl deploy (its own console, as an operator runs it): no agent, and why.
    const r = spawnSync(process.execPath, [resolve('bin/carpctl.js'), '--inventory', JSON.stringify(x!.lab.info), 'deploy', 'fw1'], { encoding: 'utf8', timeout: 60_000 });
    console.log(`carpctl deploy fw1:\n${r.stdout.trim()}`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^fw1: no agent needed: fw1 runs OpenBSD: CARP runs in its kernel \(carp\(4\)\), so no agent is needed and nothing was installed; the console reads and drives it over SSH/m);
    expect((await x!.lab.exec('fw1', 'test -e /opt/carp-agent/current')).code).not.toBe(0);
  });

  it('applies a group across both kinds: fw1 gets carp0 and /etc/hostname.carp0, and masters it', async () => {
    const applied = Date.now();
    const r = await x!.c.applyGroup({
      vhid: 1, name: 'lan-gateway', interface: 'eth0', addresses: [`${VIP}/24`], password: 'mixed-fleet', advbase: 1,
      members: [{ host: 'fw1', advskew: 0, preempt: true }, { host: 'fw2', advskew: 100, preempt: true }, { host: 'fw3', advskew: 50, preempt: true }],
    });
    expect(r.ok, r.summary).toBe(true);
    await waitFor(() => group()?.master === 'fw1' && group().members.length === 3, 20_000, 'fw1 MASTER of vhid 1 with three members');
    console.log(`group applied across OpenBSD (kernel) and Linux (agents); fw1 MASTER in the console ${Date.now() - applied} ms after the apply began`);
    expect(group().successor).toBe('fw3');
    const file = await x!.lab.exec('fw1', 'cat /etc/hostname.carp0; ls -l /etc/hostname.carp0; ifconfig carp0');
    expect(file.stdout).toMatch(/^vhid 1 carpdev eth0 pass mixed-fleet advbase 1 advskew 0$/m);
    expect(file.stdout).toMatch(/-rw-r----- .* root +(wheel|root) /);
    expect(file.stdout).toMatch(/carp: MASTER carpdev eth0 vhid 1 advbase 1 advskew 0/);
    console.log(formatStatus(x!.c.fleetNow()).split('\n').slice(0, 5).join('\n'));
  });

  it('the console sees a state change on fw1 within about a second (route -n monitor, then one read)', async () => {
    // fw2 takes over when fw1 is demoted by hand on the host (as an operator would, not through the console).
    const t0 = Date.now();
    expect((await x!.lab.exec('fw1', 'ifconfig -g carp carpdemote 10')).code).toBe(0);
    await waitFor(() => group().master === 'fw3' && group().members.find((m) => m.host === 'fw1')?.state === 'BACKUP', 10_000, 'fw3 MASTER, fw1 BACKUP in the console');
    const seen = Date.now() - t0;
    expect((await x!.lab.exec('fw1', 'ifconfig -g carp -carpdemote 10')).code).toBe(0);
    await waitFor(() => group().master === 'fw1', 10_000, 'fw1 MASTER again');
    console.log(`carpdemote on fw1 by hand: the console showed fw1 BACKUP and fw3 MASTER ${seen} ms later`);
    expect(seen).toBeLessThan(5000);
  });

  it('the console\'s commands on fw1 run as OpenBSD\'s tools: set advskew and advbase (kept in hostname.carp0), preempt (kept in sysctl.conf), demote, allow off and on', async () => {
    await x!.c.set('fw1', 1, 'advskew', 10);
    await waitFor(() => group().members.find((m) => m.host === 'fw1')?.advskew === 10, 5000, 'fw1 advskew 10 in the console');
    expect((await x!.lab.exec('fw1', 'cat /etc/hostname.carp0')).stdout).toMatch(/^vhid 1 carpdev eth0 pass mixed-fleet advbase 1 advskew 10$/m);
    await x!.c.set('fw1', 1, 'advskew', 0);
    await x!.c.set('fw1', 1, 'advbase', 2);
    await waitFor(() => group().members.find((m) => m.host === 'fw1')?.advbase === 2, 5000, 'fw1 advbase 2 in the console');
    expect((await x!.lab.exec('fw1', 'cat /etc/hostname.carp0')).stdout).toMatch(/^vhid 1 carpdev eth0 pass mixed-fleet advbase 2 advskew 0$/m);
    await x!.c.set('fw1', 1, 'advbase', 1);
    // preempt is one sysctl on OpenBSD, kept in /etc/sysctl.conf
    await x!.c.set('fw1', 1, 'preempt', false);
    await waitFor(() => group().members.find((m) => m.host === 'fw1')?.preempt === false, 5000, 'fw1 preempt off in the console');
    expect((await x!.lab.exec('fw1', 'sysctl net.inet.carp.preempt; grep carp /etc/sysctl.conf')).stdout).toBe('net.inet.carp.preempt=0\nnet.inet.carp.preempt=0\n');
    await x!.c.set('fw1', 1, 'preempt', true);
    await x!.c.demote('fw1', 'set', 60);
    await waitFor(() => host('fw1').demote === 60 && group().master === 'fw3', 10_000, 'fw1 demote 60, fw3 MASTER');
    expect((await x!.lab.exec('fw1', 'ifconfig -g carp')).stdout).toBe('carp: carp demote count 60\n');
    await x!.c.demote('fw1', 'set', 0);
    await waitFor(() => group().master === 'fw1', 10_000, 'fw1 MASTER again');
    await x!.c.allow('fw1', false);
    await waitFor(() => host('fw1').allow?.allowed === false && group().master === 'fw3', 10_000, 'fw1 CARP off, fw3 MASTER');
    expect((await x!.lab.exec('fw1', 'sysctl net.inet.carp.allow')).stdout).toBe('net.inet.carp.allow=0\n');
    await x!.c.allow('fw1', true);
    await waitFor(() => host('fw1').allow?.allowed === true && group().master === 'fw1', 15_000, 'fw1 CARP on and MASTER again');
  });

  it('demote before reboot of fw1: the group moves to fw3 with at most 1 lost probe at 100/s, fw1 reboots, returns and takes it back', async () => {
    const events: ConsoleEvent[] = [];
    const off = x!.c.subscribe((e) => events.push(e));
    const probe = await x!.lab.startProbe(VIP, { rate: 100 });
    probes.push(probe);
    await sleep(1000);
    const t0 = Date.now();
    const r = await x!.c.maintenanceEnter('fw1', { reboot: true, wait: true, autoExit: true });
    const steps = events.flatMap((e) => (e.type === 'maintenance' ? [`${e.step}@${e.at - t0}`] : []));
    console.log(`maintenance of the OpenBSD host: ${steps.join(' ')}${r.reason ? ` (${r.reason})` : ''}`);
    expect(r).toMatchObject({ ok: true, step: 'done' });
    expect(r.handovers.map((h) => h.to)).toEqual(['fw3']);
    await waitFor(() => group().master === 'fw1', 20_000, 'fw1 MASTER again after its reboot (preempt)');
    await sleep(1000);
    off();
    probes.pop();
    const res = await probe.stop();
    console.log(`probe of ${VIP} at 100/s over handover, reboot and return: sent ${res.sent}, lost ${res.lost}, longest gap ${res.longestGapMs} ms`);
    expect(res.sent).toBeGreaterThan(300);
    expect(res.lost).toBeLessThanOrEqual(1);
    // It came back from /etc/hostname.carp0, without the console putting anything back.
    expect(host('fw1')).toMatchObject({ status: 'live', maintenance: false, kernel: { system: 'openbsd' } });
  });
});
