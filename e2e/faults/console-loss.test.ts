// Faults on the console's side while a host is in maintenance. Proves:
// (1) management link cut (`lab.cutMgmt`: SSH from the console no longer reaches fw1; its LAN and CARP
//     carry on): the console never shows fw1 as if it were in service while the link is out (every
//     fleet it publishes keeps fw1's 'maintenance' finding with its 'maintenance-exit' action), a
//     `maintenance exit` sent meanwhile fails instead of pretending, and when the link returns the
//     console reconnects on its own and shows the host's true state, including what changed on the host
//     while it could not see it (a demotion set there; or maintenance switched off there);
// (2) a new console over the same lab (the console process restarted) shows fw1 in maintenance in the
//     first fleet in which fw1 is live: it learns maintenance from the agent, not from its own memory; and
//     while it is still connecting it claims nothing it does not know (no "no master: VIP unreachable"
//     error, no host down).
import { describe, it, expect, beforeAll } from 'vitest';
import type { Lab } from '../lab/index.js';
import { createConsole, type Console } from '../../electron/core/console.js';
import { SshPool } from '../../electron/core/ssh/index.js';
import type { Fleet } from '../../electron/core/fleet/types.js';
import { ConsoleWatch, sleep, waitFor, useFaultLab } from './helpers.js';

const LAB_ID = 66;
const f = useFaultLab(LAB_ID);
let lab: Lab;
let c: Console;

const hostView = (f: Fleet, h: string) => f.hosts.find((v) => v.host === h)!;
const maintenanceFinding = (f: Fleet, h: string) => f.findings.find((k) => k.kind === 'maintenance' && k.hosts.includes(h));

async function agentCli(host: string, args: string): Promise<string> {
  const r = await lab.exec(host, `/usr/local/bin/carp-agent ${args}`, { timeoutMs: 15_000 });
  if (r.code !== 0) throw new Error(`${host}: carp-agent ${args} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function enterMaintenance(con: Console): Promise<void> {
  const r = await con.maintenanceEnter('fw1', {});
  expect(r).toMatchObject({ ok: true, step: 'done', inMaintenance: true });
  await waitFor(() => con.fleetNow().groups[0]?.master === 'fw3' && !!maintenanceFinding(con.fleetNow(), 'fw1'), 10_000, 'fw3 master, fw1 in maintenance');
}

beforeAll(() => {
  ({ lab, c } = f.x!);
});


describe('console loses a host during maintenance (lab)', () => {
  it('management link cut: maintenance stays shown, exit fails while cut, reconnect shows the true state', async () => {
    await enterMaintenance(c);
    const cw = new ConsoleWatch(c);
    try {
      const cutAt = Date.now();
      await lab.cutMgmt('fw1');
      await waitFor(() => hostView(c.fleetNow(), 'fw1').status !== 'live', 5000, 'the console noticing fw1 is gone');
      const lostAfter = cw.first((s) => s.status.fw1 !== 'live', cutAt)!.at - cutAt;
      // While it cannot see fw1, the truth changes there: one more demotion (still in maintenance).
      await agentCli('fw1', 'demote +2');
      await expect(c.maintenanceExit('fw1')).rejects.toMatchObject({ code: 'unreachable' });
      await sleep(6000); // long enough for the SSH keepalive to give up and the link to back off
      const during = c.fleetNow();
      expect(hostView(during, 'fw1').status).not.toBe('live');
      expect(hostView(during, 'fw1').maintenance).toBe(true);
      expect(maintenanceFinding(during, 'fw1')?.action).toEqual({ kind: 'maintenance-exit', host: 'fw1' });
      expect(during.groups[0].master).toBe('fw3'); // CARP carried on over the LAN

      const healAt = Date.now();
      await lab.healMgmt('fw1');
      const back = await waitFor(() => hostView(c.fleetNow(), 'fw1').status === 'live' && hostView(c.fleetNow(), 'fw1').demote === 2, 30_000, 'fw1 live again with its demotion 2');
      const f = c.fleetNow();
      console.log(
        `mgmt cut: console saw fw1 go ${lostAfter} ms after the cut; ` +
          `statuses while cut: ${[...new Set(cw.samples.filter((s) => s.at > cutAt && s.at < healAt).map((s) => s.status.fw1))].join(' -> ')}; ` +
          `reconnected ${back} ms after the link returned; shows demote ${hostView(f, 'fw1').demote}, maintenance ${hostView(f, 'fw1').maintenance}`,
      );
      expect(hostView(f, 'fw1').maintenance).toBe(true);
      expect(maintenanceFinding(f, 'fw1')?.action).toEqual({ kind: 'maintenance-exit', host: 'fw1' });
      // Not once, from before the cut to now, was fw1 shown out of maintenance.
      expect(cw.samples.filter((s) => !s.maintenance.includes('fw1') || !s.inMaintenance.includes('fw1'))).toEqual([]);
    } finally {
      cw.close();
      await lab.healMgmt('fw1');
    }

    // The other way round: maintenance switched off on the host while the console cannot see it.
    await lab.cutMgmt('fw1');
    await waitFor(() => hostView(c.fleetNow(), 'fw1').status !== 'live', 5000, 'the console noticing fw1 is gone');
    await agentCli('fw1', 'maintenance off');
    await agentCli('fw1', 'demote 0');
    await sleep(1000);
    expect(hostView(c.fleetNow(), 'fw1').maintenance).toBe(true); // what it last knew, shown as not live
    const healAt = Date.now();
    await lab.healMgmt('fw1');
    const back = await waitFor(() => hostView(c.fleetNow(), 'fw1').status === 'live' && hostView(c.fleetNow(), 'fw1').maintenance === false, 30_000, 'fw1 live and out of maintenance');
    console.log(`mgmt cut #2: fw1 left maintenance on the host meanwhile; the console shows it in service ${back} ms after the link returned (${Date.now() - healAt} ms)`);
    expect(maintenanceFinding(c.fleetNow(), 'fw1')).toBeUndefined();
    await waitFor(() => c.fleetNow().groups[0]?.master === 'fw1', 10_000, 'fw1 master again (preempt)');
  });

  it('a new console over the same lab shows the host in maintenance as soon as it hears it', async () => {
    await enterMaintenance(c);
    // The console process goes away; a new one starts with nothing but the inventory.
    f.x!.c.close();
    f.x!.pool.closeAll();
    const pool = new SshPool({ knownHostsFiles: f.x!.inv.knownHostsFiles, agentSocket: null, defaultIdentityFiles: [] });
    const c2 = createConsole({ hosts: f.x!.inv.hosts, transport: (h) => pool.get(h) });
    f.x = { ...f.x!, pool, c: c2 };
    c = c2;
    const cw = new ConsoleWatch(c2);
    try {
      const took = await waitFor(() => hostView(c2.fleetNow(), 'fw1').status === 'live', 20_000, 'fw1 live in the new console');
      const firstLive = cw.first((s) => s.status.fw1 === 'live')!;
      console.log(`console restart: fw1 live in the new console after ${took} ms; in that first fleet: maintenance finding ${firstLive.maintenance.includes('fw1')}, findings ${firstLive.findings.join(', ')}`);
      expect(firstLive.maintenance).toContain('fw1');
      expect(firstLive.inMaintenance).toContain('fw1');
      // Never live and out of maintenance.
      expect(cw.samples.filter((s) => s.status.fw1 === 'live' && !s.maintenance.includes('fw1'))).toEqual([]);
      // Nor, while some hosts had not reported yet, an error that the VIP is unreachable (no-master): the
      // console did not know yet, it only could not see the master.
      expect(cw.samples.filter((s) => s.errors.includes('no-master'))).toEqual([]);
      // Nor a host shown down merely because the new console was still connecting to it.
      expect(cw.samples.filter((s) => s.findings.some((k) => k.startsWith('host-down')))).toEqual([]);
      expect(maintenanceFinding(c2.fleetNow(), 'fw1')?.action).toEqual({ kind: 'maintenance-exit', host: 'fw1' });
      await c2.maintenanceExit('fw1');
      await waitFor(() => c2.fleetNow().groups[0]?.master === 'fw1' && !maintenanceFinding(c2.fleetNow(), 'fw1'), 10_000, 'fw1 back in service and master');
    } finally {
      cw.close();
    }
  });
});
