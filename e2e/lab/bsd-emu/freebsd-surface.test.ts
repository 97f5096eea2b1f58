// carp-console lab: emulated FreeBSD command surface (not a kernel) on fw1, a plain carp-agent on fw2, same
// LAN. Over lab.exec (like the console's SSH exec) the console's probe and FREEBSD_STATE_SCRIPT and the
// shell lines of its FreeBSD builders run against it: detected as FreeBSD, a vhid made with ifconfig runs on
// the wire, net.inet.carp.demotion is advertised in the advskew and hands over, sysrc's rc.conf brings it back after a reboot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../index.js';
import { ensureBuilt, startAgent, status, stopAgent, waitFor } from '../../agent/helpers.js';
import { detectSystem, PROBE_SCRIPT } from '../../../electron/core/kernel/detect.js';
import { FREEBSD_STATE_SCRIPT, parseKernelState } from '../../../electron/core/kernel/state-read.js';
import type { KernelCarpState } from '../../../electron/core/kernel/model.js';
import { shellLine, type KernelCommand } from '../../../electron/core/kernel/command.js';
import { freebsdAdjustDemotion, freebsdApplyVhid, freebsdPersistVip, freebsdSetPreempt, type FreebsdVhidParams } from '../../../electron/core/kernel/commands-freebsd.js';
import { META_SCRIPT, parseBoottime } from '../../../electron/core/kernel-link/kernel-link.js';
import { installFreebsdSurface, waitSurface } from './surface.js';

const ID = 77;
const VIP = `198.18.${ID}.100/24`;
const SYSTEM = { kind: 'freebsd', version: '14.1-RELEASE-p5', kernel: 'FreeBSD 14.1-RELEASE-p5', label: 'FreeBSD 14.1-RELEASE-p5' } as const;
const P: FreebsdVhidParams = { parent: 'eth0', vhid: 1, advbase: 1, advskew: 0, password: 'lab-77' };

let lab: Lab;

async function ok(c: KernelCommand): Promise<string> {
  const r = await lab.exec('fw1', shellLine(c), { input: c.stdin, timeoutMs: 10_000 });
  expect(r.stderr, c.summary).toBe('');
  expect(r.code, c.summary).toBe(0);
  return r.stdout;
}

async function readState(): Promise<KernelCarpState> {
  const r = await lab.exec('fw1', FREEBSD_STATE_SCRIPT);
  expect(r.code).toBe(0);
  return parseKernelState(SYSTEM, r.stdout);
}

async function fw2Group() {
  return (await status(lab, 'fw2')).groups.find((g) => g.vhid === 1);
}

beforeAll(async () => {
  ensureBuilt();
  await Lab.down(ID).catch(() => {});
  lab = await Lab.up({ id: ID, hosts: 2, rebootDelayMs: 500 });
  await installFreebsdSurface(lab, 'fw1');
  await startAgent(lab, 'fw2', { groups: [{ vhid: 1, interface: 'eth0', addresses: [VIP], password: 'lab-77', advskew: 100 }], preempt: true });
});

afterAll(async () => {
  await stopAgent(lab, 'fw2').catch(() => {});
  await lab?.down({ purge: true });
});

describe('emulated FreeBSD command surface (lab host flavour)', () => {
  it('is detected as FreeBSD by the console probe; a vhid made with the builders runs on the wire and persists with sysrc', async () => {
    expect(detectSystem((await lab.exec('fw1', PROBE_SCRIPT)).stdout)).toEqual(SYSTEM);
    expect((await readState()).vhids).toEqual([]);
    const meta = (await lab.exec('fw1', META_SCRIPT)).stdout;
    expect(meta).toMatch(/^fw1\n\{ sec = \d+, usec = 0 \} \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n$/);
    expect(Date.now() - (parseBoottime(meta) ?? 0)).toBeLessThan(120_000);
    // CPU of the console's state read (dash `times`: the children's line), per read over 20
    const t = await lab.exec('fw1', 'cat > /tmp/read.sh; for i in $(seq 20); do sh /tmp/read.sh >/dev/null; done; times', { input: FREEBSD_STATE_SCRIPT });
    const cpu = [...(t.stdout.trim().split('\n')[1] ?? '').matchAll(/(\d+)m([\d.]+)s/g)].reduce((a, m) => a + Number(m[1]) * 60 + Number(m[2]), 0);
    console.log(`emulated FreeBSD state read (FREEBSD_STATE_SCRIPT): ${((cpu / 20) * 1000).toFixed(1)} ms CPU per read (20 reads)`);
    expect(cpu).toBeGreaterThan(0); // measured (the figure above), not a timed assertion
    for (const c of freebsdApplyVhid(P, [VIP])) await ok(c);
    expect(await ok(freebsdPersistVip(SYSTEM, P, VIP, 0))).toBe(`ifconfig_eth0_alias0:  -> inet ${VIP} vhid 1 advbase 1 advskew 0 pass lab-77\n`);
    await ok(freebsdSetPreempt(true));
    await waitFor(async () => (await readState()).vhids[0]?.state === 'MASTER', 10_000, 'vhid 1 MASTER on fw1');
    expect((await readState()).vhids).toMatchObject([{ vhid: 1, interface: 'eth0', advskew: 0, wireAdvskew: 0, preempt: true, addresses: [VIP], srcip: `198.18.${ID}.1` }]);
    await waitFor(async () => (await fw2Group())?.lastAdvert?.from === `198.18.${ID}.1`, 5000, 'fw2 hearing fw1');
    expect((await fw2Group())?.state).toBe('BACKUP');
  });

  it('net.inet.carp.demotion is advertised in the advskew and hands over; taking it back hands back (preempt)', async () => {
    expect(await ok(freebsdAdjustDemotion(240))).toBe('net.inet.carp.demotion: 0 -> 240\n');
    await waitFor(async () => (await fw2Group())?.state === 'MASTER', 8000, 'fw2 taking over from the demoted fw1');
    expect((await fw2Group())?.lastAdvert?.advskew).toBe(240);
    const s = await readState();
    expect(s.demotion).toMatchObject({ kind: 'freebsd-global', value: 240 });
    expect(s.vhids[0]).toMatchObject({ advskew: 0, wireAdvskew: 240 });
    await waitFor(async () => (await readState()).vhids[0].state === 'BACKUP', 3000, 'vhid 1 BACKUP on fw1');
    await ok(freebsdAdjustDemotion(-240));
    await waitFor(async () => (await readState()).vhids[0].state === 'MASTER', 8000, 'fw1 MASTER again');
  });

  it('after a reboot the vhid comes back from rc.conf (ifconfig_eth0_alias0) and the demotion is gone', async () => {
    await lab.exec('fw1', `echo 'net.inet.carp.preempt=1' >> /etc/sysctl.conf`);
    await ok(freebsdAdjustDemotion(100));
    await lab.reboot('fw1');
    await waitSurface(lab, 'fw1');
    const s = await readState();
    expect(s.demotion).toMatchObject({ value: 0 });
    expect(s.vhids).toMatchObject([{ vhid: 1, interface: 'eth0', advskew: 0, preempt: true, addresses: [VIP] }]);
    await waitFor(async () => (await readState()).vhids[0].state === 'MASTER', 10_000, 'vhid 1 MASTER after the reboot');
  });
});
