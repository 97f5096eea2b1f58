// Lab test of "demote before reboot": `maintenance enter` on the master with reboot + wait moves
// every group it mastered before the reboot, loses at most one probe at 100/s, and the host comes
// back and leaves maintenance. Also runs carpctl (bin/carpctl.js) against the lab's JSON.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Lab, type RunningProbe } from '../lab/index.js';
import type { Console } from '../../electron/core/console.js';
import { consoleLab, closeConsoleLab, type ConsoleLab } from './console-lab.js';
import { waitFor, sleep } from '../wait.js';
import type { ConsoleEvent } from '../../electron/core/events.js';

const LAB_ID = 41;
let x: ConsoleLab | undefined;
let lab: Lab;
let c: Console;
const probes: RunningProbe[] = [];

function carpctl(...args: string[]) {
  return spawnSync(process.execPath, [resolve('bin/carpctl.js'), '--inventory', JSON.stringify(lab.info), ...args], { encoding: 'utf8', timeout: 60_000 });
}

beforeAll(async () => {
  ({ lab, c } = x = await consoleLab(LAB_ID, { deploy: true }));
  for (const [vhid, vip] of [[42, 100], [43, 101]] as const) {
    const r = await c.applyGroup({
      vhid,
      interface: 'eth0',
      addresses: [`198.18.${LAB_ID}.${vip}/24`],
      password: 'lab-secret',
      members: [
        { host: 'fw1', advskew: 0, preempt: true },
        { host: 'fw2', advskew: 100, preempt: true },
        { host: 'fw3', advskew: 50, preempt: true },
      ],
    });
    expect(r.summary).toMatch(/^applied/);
  }
  await waitFor(() => c.fleetNow().groups.length === 2 && c.fleetNow().groups.every((g) => g.master === 'fw1'), 15_000, 'fw1 master of both');
});

afterAll(async () => {
  for (const p of probes) await p.stop().catch(() => undefined);
  await closeConsoleLab(x);
});

describe('maintenance (lab)', () => {
  it('carpctl status reads like ifconfig carp; a refused preflight exits 1 and changes nothing', () => {
    const s = carpctl('status');
    expect(s.status).toBe(0);
    expect(s.stdout).toMatch(new RegExp(`^198\\.18\\.${LAB_ID}\\.0/24 vhid 42  MASTER fw1 \\(advbase 1 advskew 0 demote 0\\)  successor fw3  198\\.18\\.${LAB_ID}\\.100/24`, 'm'));
    expect(s.stdout).toMatch(/^\tfw2 +eth0 BACKUP advbase 1 advskew 100 demote 0 preempt/m);
    const j = carpctl('--json', 'hosts');
    expect(JSON.parse(j.stdout).map((h: { host: string; status: string }) => [h.host, h.status])).toEqual([['fw1', 'live'], ['fw2', 'live'], ['fw3', 'live']]);
    expect(carpctl('maintenance', 'enter').status).toBe(2);
    expect(carpctl('maintenance', 'enter', 'fw9').status).toBe(2);
  });

  it('moves every group off the master before rebooting it, loses at most one probe, and the host comes back out of maintenance', async () => {
    const events: ConsoleEvent[] = [];
    c.subscribe((e) => events.push(e));
    const probe = await lab.startProbe(`198.18.${LAB_ID}.100`, { rate: 100 });
    probes.push(probe);
    await sleep(1000);
    let moveProbe = null as ReturnType<typeof probe.stop> | null; // set by the listener below
    const off = c.subscribe((e) => {
      if (e.type === 'maintenance' && e.step === 'maintenance-off' && !moveProbe) moveProbe = probe.stop();
    });
    const t0 = Date.now();
    const r = await c.maintenanceEnter('fw1', { reboot: true, wait: true, autoExit: true });
    off();
    const took = Date.now() - t0;
    const steps = events.flatMap((e) => (e.type === 'maintenance' ? [`${e.step}${e.group ? `:${e.group}` : ''}@${e.at - t0}`] : []));
    console.log(`maintenance run ${took} ms: ${steps.join(' ')}${r.reason ? ` (${r.reason})` : ''}`);
    expect(r).toMatchObject({ ok: true, step: 'done', inMaintenance: false });
    const names = steps.map((s) => s.split('@')[0]);
    expect(names).toEqual(['preflight', 'maintenance-on', 'handover', expect.stringMatching(/^handover:/), expect.stringMatching(/^handover:/), 'reboot', 'wait-host', 'wait-agent', 'maintenance-off', 'done']);
    expect(r.preflight!.mastered.map((g) => g.successor)).toEqual(['fw3', 'fw3']);
    console.log(`predicted successors fw3, fw3; new masters reported: ${r.handovers.map((h) => `${h.group} -> ${h.to} @${h.at - t0} ms`).join(', ')}`);
    expect(r.handovers.map((h) => h.to)).toEqual(['fw3', 'fw3']); // the predicted successor, and no one else, took over
    // Every group moved before the reboot was asked for.
    const rebootAt = events.find((e) => e.type === 'maintenance' && e.step === 'reboot')!.at;
    expect(r.handovers.every((h) => h.at <= rebootAt)).toBe(true);
    const res = (await moveProbe) as unknown as { sent: number; lost: number; longestGapMs: number };
    console.log(`probe over handover + reboot: sent ${res.sent}, lost ${res.lost}, longest gap ${res.longestGapMs} ms`);
    expect(res.sent).toBeGreaterThan(300);
    expect(res.lost).toBeLessThanOrEqual(1);
    await waitFor(() => c.fleetNow().hosts[0].maintenance === false, 5000, 'fw1 out of maintenance');
    expect(c.fleetNow().findings.filter((f) => f.kind === 'maintenance')).toEqual([]);
    // With preempt, fw1 (advskew 0) takes its groups back once out of maintenance.
    await waitFor(() => c.fleetNow().groups.every((g) => g.master === 'fw1'), 15_000, 'fw1 master again');
  });
});
