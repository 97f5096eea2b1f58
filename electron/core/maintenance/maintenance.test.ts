// The maintenance orchestrator with fake agents behind the real console (links, fleet model,
// driver): preflight refusal, handover proven by the new master, reboot and return, timeouts.
import { afterEach, describe, expect, it } from 'vitest';
import { createConsole, type Console } from '../console.js';
import { fakeFleet, type FakeNet } from '../testing/fake-agent.js';
import type { ConsoleEvent } from '../events.js';
import { preflight, handoverProgress } from './decide.js';
import { buildFleet } from '../fleet/build-fleet.js';
import { groupStatus, snapshot } from '../testing/snapshots.js';
import { until } from '../testing/until.js';

const SPEC = {
  vhid: 42,
  interface: 'eth0',
  addresses: ['198.18.0.100/24'],
  password: 'pw',
  members: [
    { host: 'fw1', advskew: 0, preempt: true },
    { host: 'fw2', advskew: 100, preempt: true },
    { host: 'fw3', advskew: 50, preempt: true },
  ],
};

let consoles: Console[] = [];
let nets: FakeNet[] = [];
afterEach(() => {
  consoles.forEach((c) => c.close());
  nets.forEach((n) => n.stop());
  consoles = [];
  nets = [];
});

async function setup(n = 3, timeouts = {}) {
  const f = fakeFleet(n, 100);
  nets.push(f.net);
  const byName = new Map(f.transports.map((t) => [t.host.name, t]));
  const c = createConsole({
    hosts: f.transports.map((t) => t.host),
    transport: (h) => byName.get(h.name)!,
    link: { staleMs: 300, backoffMinMs: 20, backoffMaxMs: 100 },
    maintenanceTimeouts: { handoverMs: 1000, hostDownMs: 1000, hostUpMs: 2000, agentMs: 2000, exitMs: 1000, pollMs: 20, ...timeouts },
  });
  consoles.push(c);
  await c.ready(2000);
  const events: ConsoleEvent[] = [];
  c.subscribe((e) => events.push(e));
  const spec = { ...SPEC, members: SPEC.members.slice(0, n) };
  const r = await c.applyGroup(spec);
  expect(r.ok).toBe(true);
  await until(() => c.fleetNow().groups[0]?.master === 'fw1');
  return { ...f, c, events };
}


const steps = (events: ConsoleEvent[]) => events.flatMap((e) => (e.type === 'maintenance' ? [e.group ? `${e.step}:${e.group}` : e.step] : []));

describe('maintenance decisions', () => {
  it('preflight lists mastered groups with successors, and blocks those without', () => {
    const fleet = buildFleet(
      [
        { host: 'fw1', status: 'live', lastSeen: 1, snapshot: snapshot('fw1', [groupStatus({ vhid: 1, srcip: '198.18.0.1', state: 'MASTER' }), groupStatus({ vhid: 2, srcip: '198.18.0.1', state: 'MASTER', addresses: ['198.18.0.101/24'] })]) },
        { host: 'fw2', status: 'live', lastSeen: 1, snapshot: snapshot('fw2', [groupStatus({ vhid: 1, srcip: '198.18.0.2', advskew: 10 })]) },
      ],
      2,
    );
    const p = preflight(fleet, 'fw1');
    expect(p.mastered.map((g) => [g.vhid, g.successor])).toEqual([[1, 'fw2'], [2, null]]);
    expect(p.ok).toBe(false);
    expect(p.message).toMatch(/fw1 masters 198.18.0.0\/24 vhid 2 with no live successor/);
    expect(preflight(fleet, 'fw2')).toMatchObject({ ok: true, mastered: [], message: 'fw2 masters no group: nothing has to move' });
    expect(preflight(fleet, 'fw9')).toMatchObject({ ok: false, problem: 'unknown-host' });
    expect(handoverProgress(fleet, 'fw2', ['198.18.0.0/24#1'])).toMatchObject({ done: true });
    expect(handoverProgress(fleet, 'fw1', ['198.18.0.0/24#1']).pending).toEqual(['198.18.0.0/24#1']);
  });
});

describe('preflight and successors in maintenance', () => {
  const fleetOf = (fw2Maintenance: boolean, fw3?: 'BACKUP' | 'INIT') =>
    buildFleet(
      [
        { host: 'fw1', status: 'live', lastSeen: 1, snapshot: snapshot('fw1', [groupStatus({ vhid: 42, srcip: '198.18.0.1', state: 'MASTER' })]) },
        {
          host: 'fw2',
          status: 'live',
          lastSeen: 1,
          snapshot: snapshot('fw2', [groupStatus({ vhid: 42, srcip: '198.18.0.2', advskew: 10, ...(fw2Maintenance ? { wireAdvskew: 240, demote: 255 } : {}) })], fw2Maintenance ? { maintenance: true, demote: 255 } : {}),
        },
        ...(fw3 ? [{ host: 'fw3', status: 'live' as const, lastSeen: 1, snapshot: snapshot('fw3', [groupStatus({ vhid: 42, srcip: '198.18.0.3', advskew: 100, state: fw3 })]) }] : []),
      ],
      2,
    );

  it('refuses when the only candidate successor is itself in maintenance, and says why', () => {
    const p = preflight(fleetOf(true), 'fw1');
    expect(p.ok).toBe(false);
    expect(p.blocked.map((g) => [g.vhid, g.successor])).toEqual([[42, null]]);
    expect(p.message).toMatch(/fw1 masters 198.18.0.0\/24 vhid 42 with no live successor \(vhid 42: fw2 is in maintenance, and a backup in maintenance never takes over\)/);
  });

  it('skips a maintenance backup for a live one, and accepts a live successor', () => {
    expect(preflight(fleetOf(true, 'BACKUP'), 'fw1')).toMatchObject({ ok: true, mastered: [{ vhid: 42, successor: 'fw3' }] });
    expect(preflight(fleetOf(false), 'fw1')).toMatchObject({ ok: true, mastered: [{ vhid: 42, successor: 'fw2' }] });
    expect(preflight(fleetOf(true, 'INIT'), 'fw1').blocked[0].why).toMatch(/fw2 is in maintenance/);
  });
});

describe('maintenance orchestrator (fake agents)', () => {
  it('refuses when a mastered group has no live successor, and changes nothing', async () => {
    const { c, agents, transports, events } = await setup(2);
    transports[1].reachable = false;
    agents[1].crash();
    await until(() => c.fleetNow().hosts[1].status !== 'live');
    const r = await c.maintenanceEnter('fw1');
    expect(r).toMatchObject({ ok: false, stoppedAt: 'preflight', inMaintenance: false });
    expect(r.reason).toMatch(/refused: fw1 masters 198.18.0.0\/24 vhid 42 with no live successor/);
    expect(agents[0].maintenance).toBe(false);
    expect(steps(events)).toEqual(['preflight', 'stopped']);
  });

  it('enters maintenance and reports done only once the successor reports MASTER', async () => {
    const { c, net, agents, events } = await setup(3);
    net.handoverDelayMs = 200;
    const r = await c.maintenanceEnter('fw1');
    expect(r).toMatchObject({ ok: true, step: 'done', inMaintenance: true });
    // Order, not time: fw3's own MASTER report comes before the driver says the handover is done.
    const tookOver = events.findIndex((e) => e.type === 'agent' && e.host === 'fw3' && e.event.kind === 'state' && e.event.to === 'MASTER');
    const handedOver = events.findIndex((e) => e.type === 'maintenance' && e.step === 'handover' && e.group !== undefined);
    expect(tookOver).toBeGreaterThanOrEqual(0);
    expect(handedOver).toBeGreaterThan(tookOver);
    expect(r.handovers.map((h) => [h.group, h.to])).toEqual([['198.18.0.0/24#42', 'fw3']]);
    expect(steps(events)).toEqual(['preflight', 'maintenance-on', 'handover', 'handover:198.18.0.0/24#42', 'done']);
    expect(agents[0].maintenance).toBe(true);
    expect(c.fleetNow().findings.map((f) => f.kind)).toContain('maintenance');
    const ats = events.filter((e) => e.type === 'maintenance').map((e) => e.at);
    expect([...ats].sort((a, b) => a - b)).toEqual(ats);
  });

  it('passes on what maintenance means on the host when its link says so (a pfSense kernel host)', async () => {
    const { c, agents, events } = await setup(3);
    const note = 'pfSense: maintenance raises net.inet.carp.demotion (lost at reboot); pfSense\'s own "persistent CARP maintenance mode" is a separate setting and is not changed.';
    const execute = agents[0].execute.bind(agents[0]);
    agents[0].execute = (cmd) => {
      const r = execute(cmd);
      return cmd.cmd === 'maintenance' ? { ...(r as object), note } : r;
    };
    expect(await c.maintenanceEnter('fw1')).toMatchObject({ ok: true });
    expect(events).toContainEqual(expect.objectContaining({ type: 'maintenance', host: 'fw1', step: 'maintenance-on', detail: note }));
  });

  it('reboots, waits for host and agent, and takes the host out of maintenance', async () => {
    const { c, agents, events, transports } = await setup(3);
    const pid = agents[0].pid;
    const r = await c.maintenanceEnter('fw1', { reboot: true, wait: true, autoExit: true });
    expect(r).toMatchObject({ ok: true, step: 'done', inMaintenance: false });
    expect(steps(events)).toEqual(['preflight', 'maintenance-on', 'handover', 'handover:198.18.0.0/24#42', 'reboot', 'wait-host', 'wait-agent', 'maintenance-off', 'done']);
    expect(transports[0].execs[0]).toBe('reboot');
    expect(agents[0].pid).toBe(pid + 1);
    expect(agents[0].maintenance).toBe(false);
    // The fake election has no preempt hysteresis: fw1 (best) takes the group back once out of maintenance.
    await until(() => c.fleetNow().groups[0].master === 'fw1');
  });

  it('stops at handover when nobody takes over in time and shows the host left in maintenance', async () => {
    const { c, net, events } = await setup(3, { handoverMs: 200 });
    net.handoverDelayMs = 5000;
    const r = await c.maintenanceEnter('fw1', { reboot: true, wait: true, autoExit: true });
    expect(r).toMatchObject({ ok: false, stoppedAt: 'handover', inMaintenance: true });
    expect(r.reason).toMatch(/no new master reported within 200 ms for 198.18.0.0\/24#42; fw1 stays in maintenance/);
    const last = events.filter((e) => e.type === 'maintenance').at(-1);
    expect(last).toMatchObject({ step: 'stopped', detail: expect.stringContaining('fw1 IS IN MAINTENANCE') });
    expect(steps(events)).not.toContain('reboot');
  });

  it('fails the reboot step with the command\'s stderr when reboot is refused', async () => {
    const { c, agents, transports, events } = await setup(3);
    const pid = agents[0].pid;
    transports[0].exec = async (cmd: string) => {
      transports[0].execs.push(cmd);
      return cmd === 'reboot' ? { code: 1, stdout: '', stderr: 'Failed to connect to bus: No such file or directory\n' } : { code: 0, stdout: '', stderr: '' };
    };
    const r = await c.maintenanceEnter('fw1', { reboot: true, wait: true, autoExit: true });
    expect(r).toMatchObject({ ok: false, stoppedAt: 'reboot', inMaintenance: true });
    expect(r.reason).toMatch(/could not ask fw1 to reboot: `reboot` exited with code 1: Failed to connect to bus: No such file or directory/);
    expect(steps(events)).not.toContain('wait-host');
    expect(agents[0].pid).toBe(pid); // never rebooted
  });

  it('stops at wait-host when the host never comes back', async () => {
    const { c, transports, events } = await setup(3, { hostUpMs: 300 });
    transports[0].rebootMs = 60_000;
    const origExec = transports[0].exec.bind(transports[0]);
    transports[0].exec = async (cmd: string) => {
      const r = await origExec(cmd);
      if (cmd === 'reboot') transports[0].reachable = false;
      return r;
    };
    const r = await c.maintenanceEnter('fw1', { reboot: true, wait: true, autoExit: true });
    expect(r).toMatchObject({ ok: false, stoppedAt: 'wait-host', inMaintenance: true });
    expect(r.reason).toMatch(/did not answer SSH within 300 ms/);
    expect(steps(events).slice(-2)).toEqual(['wait-host', 'stopped']);
  });
});
