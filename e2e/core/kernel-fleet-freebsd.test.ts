// A mixed fleet with an emulated FreeBSD host (lab 79): fw1 presents FreeBSD's command surface (an
// emulation of the tools over a carp-agent: e2e/lab/bsd-emu), fw2 and fw3 run the deployed agent. Through
// the console: fw1 is shown as FreeBSD kernel CARP; a group applied across both kinds puts the vhid on
// fw1 with ifconfig … alias and in /etc/rc.conf with sysrc; maintenance raises net.inet.carp.demotion
// (an adjustment: read, then the difference written) and hands the group over; a rebooted fw1 brings the
// vhid back from rc.conf; deleting the group removes the alias lines.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { consoleLab, closeConsoleLab, type ConsoleLab } from './console-lab.js';
import { installFreebsdSurface } from '../lab/bsd-emu/surface.js';
import { waitFor } from '../wait.js';

const ID = 79;
const VIP = `198.18.${ID}.100`;
let x: ConsoleLab | undefined;

beforeAll(async () => {
  x = await consoleLab(ID, { deploy: ['fw2', 'fw3'], beforeConsole: (lab) => installFreebsdSurface(lab, 'fw1') });
  await waitFor(() => x!.c.fleetNow().hosts.every((h) => h.status === 'live'), 30_000, 'fw1 (kernel) and fw2, fw3 (agents) live');
}, 180_000);
afterAll(async () => {
  await closeConsoleLab(x);
});

const host = (name: string) => x!.c.fleetNow().hosts.find((h) => h.host === name)!;
const group = () => x!.c.fleetNow().groups[0];
const rc = async () => (await x!.lab.exec('fw1', 'sysrc -a')).stdout;

describe('a mixed fleet with an emulated FreeBSD host', () => {
  it('applies a group across both kinds: fw1 gets the vhid live and in rc.conf, and masters it', async () => {
    expect(host('fw1')).toMatchObject({ status: 'live', kernel: { system: 'freebsd' } });
    const r = await x!.c.applyGroup({
      vhid: 1, interface: 'eth0', addresses: [`${VIP}/24`], password: 'freebsd-lab', advbase: 1,
      members: [{ host: 'fw1', advskew: 0, preempt: true }, { host: 'fw2', advskew: 100, preempt: true }, { host: 'fw3', advskew: 50, preempt: true }],
    });
    expect(r.ok, r.summary).toBe(true);
    await waitFor(() => group()?.master === 'fw1' && group().members.length === 3, 20_000, 'fw1 MASTER of vhid 1');
    expect(await rc()).toMatch(new RegExp(`^ifconfig_eth0_alias0: inet ${VIP.replaceAll('.', '\\.')}/24 vhid 1 advbase 1 advskew 0 pass freebsd-lab$`, 'm'));
    expect((await x!.lab.exec('fw1', 'ifconfig eth0')).stdout).toMatch(/carp: MASTER vhid 1 advbase 1 advskew 0/);
  });

  it('maintenance raises net.inet.carp.demotion and hands the group to fw3; off puts it back', async () => {
    const m = await x!.c.maintenanceEnter('fw1', {});
    expect(m).toMatchObject({ ok: true });
    await waitFor(() => host('fw1').maintenance === true && group().master === 'fw3', 10_000, 'fw1 in maintenance, fw3 MASTER');
    expect((await x!.lab.exec('fw1', 'sysctl -n net.inet.carp.demotion')).stdout.trim()).toBe('240');
    await x!.c.maintenanceExit('fw1');
    await waitFor(() => host('fw1').maintenance === false && group().master === 'fw1', 10_000, 'fw1 MASTER again');
    expect((await x!.lab.exec('fw1', 'sysctl -n net.inet.carp.demotion')).stdout.trim()).toBe('0');
  });

  it('set advskew, demote and allow run as FreeBSD\'s tools', async () => {
    await x!.c.set('fw1', 1, 'advskew', 70);
    await waitFor(() => group().members.find((m) => m.host === 'fw1')?.advskew === 70 && group().master === 'fw3', 10_000, 'fw1 advskew 70 (behind fw3\'s 50): fw3 MASTER');
    await x!.c.set('fw1', 1, 'advskew', 0);
    await waitFor(() => group().master === 'fw1', 10_000, 'fw1 MASTER again');
    await x!.c.demote('fw1', 'set', 100);
    await waitFor(() => host('fw1').demote === 100 && group().master === 'fw3', 10_000, 'fw1 demotion 100 (advertised advskew 100): fw3 MASTER');
    expect((await x!.lab.exec('fw1', 'sysctl -n net.inet.carp.demotion')).stdout.trim()).toBe('100');
    await x!.c.demote('fw1', 'set', 0);
    await waitFor(() => group().master === 'fw1', 10_000, 'fw1 MASTER again');
    await x!.c.allow('fw1', false);
    await waitFor(() => host('fw1').allow?.allowed === false && group().master === 'fw3', 10_000, 'fw1 CARP off, fw3 MASTER');
    await x!.c.allow('fw1', true);
    await waitFor(() => group().master === 'fw1', 15_000, 'fw1 MASTER again');
  });

  it('a rebooted fw1 brings the vhid back from rc.conf; deleting the group removes its alias line', async () => {
    const before = host('fw1').agentStartedAt;
    await x!.lab.reboot('fw1');
    await waitFor(() => host('fw1').status === 'live' && host('fw1').agentStartedAt !== before && group().master === 'fw1', 30_000, 'fw1 back (new boot time) and MASTER from rc.conf');
    const d = await x!.c.deleteGroup(1);
    expect(d.ok, d.summary).toBe(true);
    await waitFor(() => x!.c.fleetNow().groups.length === 0, 15_000, 'no group left');
    expect(await rc()).not.toMatch(/ifconfig_eth0_alias/);
  });
});
