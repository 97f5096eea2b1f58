// `npm run serve -- --simulate HxG`: its argument parsing, the simulated fleet's layout, and the console
// core on it (every group seen with its master; a flip moves the master the core reports).
import { afterEach, describe, expect, it } from 'vitest';
import { parseServeArgs, UsageError } from './serve-args.js';
import { MAX_SIM_GROUPS, parseSimSize, simGroupLayout } from '../core/testing/sim-fleet.js';
import { openSimulatedConsole, type SimulatedConsole } from './simulate.js';
import { until } from '../core/testing/until.js';

describe('--simulate arguments', () => {
  it('takes HOSTSxGROUPS, with a space or =', () => {
    expect(parseServeArgs(['--simulate', '200x1000']).simulate).toEqual({ hosts: 200, groups: 1000 });
    expect(parseServeArgs(['--simulate=3x1', '--read-only'])).toMatchObject({ simulate: { hosts: 3, groups: 1 }, readOnly: true });
    expect(parseServeArgs([]).simulate).toBeUndefined();
  });

  it('refuses a bad size, a missing value, and --inventory with it, saying why', () => {
    const bad = (argv: string[], msg: RegExp) => {
      expect(() => parseServeArgs(argv)).toThrow(UsageError);
      expect(() => parseServeArgs(argv)).toThrow(msg);
    };
    bad(['--simulate', '200'], /HOSTSxGROUPS/);
    bad(['--simulate', '200x'], /HOSTSxGROUPS/);
    bad(['--simulate', '2x10'], /hosts must be 3\.\.250, got 2/);
    bad(['--simulate', '251x10'], /hosts must be 3\.\.250/);
    bad(['--simulate', '10x0'], /groups must be 1\.\./);
    bad(['--simulate', `10x${MAX_SIM_GROUPS + 1}`], /groups must be/);
    bad(['--simulate'], /--simulate needs a value/);
    bad(['--simulate', '5x5', '--inventory', 'x.json'], /exclude each other/);
  });
});

describe('simulated fleet layout', () => {
  it('gives 1,000 groups distinct segment + vhid keys inside 198.18.0.0/15, spread evenly over 200 hosts', () => {
    const { hosts, groups } = parseSimSize('200x1000');
    const keys = new Set<string>();
    const perHost = new Array<number>(hosts).fill(0);
    for (let i = 0; i < groups; i++) {
      const l = simGroupLayout(i, hosts);
      keys.add(`${l.segment}#${l.vhid}`);
      expect(l.segment).toMatch(/^198\.1[89]\.\d{1,3}\.0\/24$/);
      expect(new Set(l.members).size).toBe(l.members.length);
      for (const h of l.members) perHost[h]++;
    }
    expect(keys.size).toBe(1000);
    expect(Math.min(...perHost)).toBe(15);
    expect(Math.max(...perHost)).toBe(15);
    // the last segment of the largest fleet still lies in 198.19.0.0/16
    expect(simGroupLayout(MAX_SIM_GROUPS - 1, 250).segment).toBe('198.19.255.0/24');
  });
});

describe('the console on a simulated fleet', () => {
  let s: SimulatedConsole | undefined;
  afterEach(() => s?.close());

  it('reports every group with its master, and a flip moves the master', async () => {
    s = openSimulatedConsole({ hosts: 10, groups: 40 }, { heartbeatMs: 200 });
    const c = s.console;
    await c.ready(5000);
    await until(() => c.fleetNow().groups.length === 40 && c.fleetNow().groups.every((g) => g.master), 5000);
    const g0 = s.sim.groups[0];
    const key = `${g0.segment}#${g0.vhid}`;
    const before = c.fleetNow().groups.find((g) => g.key === key)!;
    expect(before.master).toBe(g0.members[0]);
    expect(before.members.map((m) => m.host).sort()).toEqual([...g0.members].sort());
    const next = s.sim.flip(0);
    expect(next).toBe(g0.members[1]);
    await until(() => c.fleetNow().groups.find((g) => g.key === key)?.master === next, 5000);
    expect(s.sim.masterOf(0)).toBe(next);
    // no other group moved
    expect(c.fleetNow().groups.filter((g) => g.key !== key).every((g) => g.master === s!.sim.groups[s!.sim.groups.findIndex((x) => `${x.segment}#${x.vhid}` === g.key)].members[0])).toBe(true);
  });
});
