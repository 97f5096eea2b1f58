// Lab test of the console core over real SSH and real agents: deploy to 3 hosts, apply a group with
// all three as members, exactly one master and the predicted successor is right, and every state change
// the agents make reaches a subscriber. (How fast it gets there is a figure: `npm run bench -- --only console`.)
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Lab } from '../lab/index.js';
import type { Inventory } from '../../electron/core/inventory/index.js';
import type { SshPool } from '../../electron/core/ssh/index.js';
import type { Console } from '../../electron/core/console.js';
import { consoleLab, closeConsoleLab, BUNDLE, type ConsoleLab } from './console-lab.js';
import { waitFor } from '../wait.js';
import { deployAll } from '../../electron/core/deploy/index.js';
import { DEPLOY_STEPS, type ConsoleEvent } from '../../electron/core/events.js';

const LAB_ID = 40;
const VIP = `198.18.${LAB_ID}.100/24`;
let x: ConsoleLab | undefined;
let lab: Lab;
let inv: Inventory;
let pool: SshPool;
let c: Console;

beforeAll(async () => {
  ({ lab, inv, pool, c } = x = await consoleLab(LAB_ID));
});

afterAll(async () => {
  await closeConsoleLab(x);
});

describe('console core fleet (lab)', () => {
  it('deploys to all three hosts and sees every agent live', async () => {
    const steps = new Map<string, string[]>();
    const res = await deployAll(inv.hosts.map((h) => pool.get(h)), {
      bundleDir: BUNDLE,
      onProgress: (p) => {
        const s = steps.get(p.host) ?? [];
        if (s[s.length - 1] !== p.step) s.push(p.step); // a step may report more than once (upload per file)
        steps.set(p.host, s);
      },
    });
    expect(res.map((r) => [r.host, r.ok])).toEqual([['fw1', true], ['fw2', true], ['fw3', true]]);
    // A first install reports every step, in order, on every host, and nothing else (no 'failed', no skip).
    expect(Object.fromEntries(steps)).toEqual(Object.fromEntries(inv.hosts.map((h) => [h.name, [...DEPLOY_STEPS]])));
    await waitFor(() => c.fleetNow().hosts.every((h) => h.status === 'live'), 20_000, 'all agents live');
    expect(c.fleetNow().hosts.map((h) => h.agentVersion)).toEqual(res.map((r) => r.version));
  });

  it('applies a group with all three as members: one master, the predicted successor is right, state changes reach subscribers', async () => {
    const events: ConsoleEvent[] = [];
    c.subscribe((e) => events.push(e));
    const spec = {
      vhid: 42,
      interface: 'eth0',
      addresses: [VIP],
      password: 'lab-secret',
      advbase: 1,
      members: [
        { host: 'fw1', advskew: 0, preempt: true },
        { host: 'fw2', advskew: 100, preempt: true },
        { host: 'fw3', advskew: 50, preempt: true },
      ],
    };
    const preview = await c.applyGroup(spec, { dryRun: true });
    expect(preview.ok).toBe(true);
    expect(preview.preview).toContain('fw2: create  advbase 1 advskew 100 preempt');
    const r = await c.applyGroup(spec);
    expect(r.summary).toMatch(/^applied/);
    expect(r.hosts.map((h) => h.outcome)).toEqual(['applied', 'applied', 'applied']);
    await waitFor(() => c.fleetNow().groups[0]?.master === 'fw1', 15_000, 'fw1 MASTER');
    const g = c.fleetNow().groups[0];
    expect(g.key).toBe(`198.18.${LAB_ID}.0/24#42`);
    expect(g.masters).toEqual(['fw1']);
    expect(g.successor).toBe('fw3');
    expect(c.fleetNow().findings.filter((f) => f.severity === 'error')).toEqual([]);

    // The prediction is checked against reality: stop fw1's agent (clean stop = bow-out) and see who takes over.
    const stoppedAt = Date.now();
    await lab.exec('fw1', '/opt/carp-agent/service.sh stop');
    await waitFor(() => c.fleetNow().groups[0]?.masters.includes('fw3'), 15_000, 'fw3 MASTER after fw1 left');
    expect(c.fleetNow().groups[0].masters).toEqual(['fw3']);
    await lab.exec('fw1', '/opt/carp-agent/service.sh start');
    await waitFor(() => c.fleetNow().groups[0]?.master === 'fw1' && c.fleetNow().hosts[0].status === 'live', 30_000, 'fw1 back as MASTER (preempt)');

    // The subscriber heard it happen, from fw3's agent itself (its link stayed up throughout; fw1's was
    // down and re-attached), in order: fw3 took over after fw1 left, then gave the group back to fw1.
    const fw3 = () => events.flatMap((e) => (e.type === 'agent' && e.host === 'fw3' && e.event.kind === 'state' && e.event.vhid === 42 && e.event.at >= stoppedAt ? [`${e.event.from}->${e.event.to}`] : []));
    await waitFor(() => fw3().length >= 2, 5000, () => `fw3's two state changes at the subscriber (got ${fw3().join(', ') || 'none'})`);
    expect(fw3()).toEqual(['BACKUP->MASTER', 'MASTER->BACKUP']);
  });
});
