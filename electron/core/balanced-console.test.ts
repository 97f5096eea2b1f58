// A balanced set through the console core over fake agents: applyGroup takes the one file, each agent gets
// both vhids with arpbalance, the fleet (resynced after the agents' config events) shows one unit split
// 50/50 with no finding, and carpctl status prints it; a bad set is refused before anything is sent.
import { describe, expect, it } from 'vitest';
import { useFakeConsoles } from './testing/fake-console.js';
import { until } from './testing/until.js';
import { formatStatus } from '../cli/format.js';

const SET = {
  interface: 'eth0',
  addresses: ['198.18.0.100/24'],
  password: 'pw',
  preempt: true,
  balance: [
    { vhid: 1, members: [{ host: 'fw1', advskew: 0 }, { host: 'fw2', advskew: 100 }] },
    { vhid: 2, members: [{ host: 'fw1', advskew: 100 }, { host: 'fw2', advskew: 0 }] },
  ],
};

const world = useFakeConsoles();

describe('a balanced set through the console', () => {
  it('applies it in two phases; the fleet shows the unit with each host\'s share', async () => {
    const { c, agents } = world();
    await c.ready();
    const preview = await c.applyGroup(SET, { dryRun: true });
    expect(preview).toMatchObject({ ok: true, dryRun: true });
    expect(preview.preview).toMatch(/^balanced set on eth0: 198\.18\.0\.100\/24 over vhids 1, 2 \(arpbalance on every member\)/);
    expect(preview.diff.map((d) => [d.host, d.vhid, d.action])).toEqual([
      ['fw1', 1, 'create'],
      ['fw2', 1, 'create'],
      ['fw1', 2, 'create'],
      ['fw2', 2, 'create'],
    ]);
    expect(agents.every((a) => a.configs().length === 0)).toBe(true);

    const r = await c.applyGroup(SET);
    expect(r.ok).toBe(true);
    expect(agents.map((a) => [a.arpbalance, a.configs().map((x) => `${x.vhid}/${x.advskew}`)])).toEqual([
      [true, ['1/0', '2/100']],
      [true, ['1/100', '2/0']],
    ]);
    await until(() => c.fleetNow().balanced?.[0]?.hosts.every((h) => h.share === 0.5) ?? false);
    const f = c.fleetNow();
    expect(f.hosts.map((h) => h.arpbalance)).toEqual([true, true]);
    expect(f.findings).toEqual([]);
    expect(formatStatus(f)).toContain('198.18.0.100/24 balanced over vhids 1, 2 on 198.18.0.0/24: fw1 masters 1 (50 %), fw2 masters 2 (50 %)');
  });

  it('refuses a set with a member missing from a vhid before sending anything', async () => {
    const { c, agents } = world();
    await c.ready();
    const bad = { ...SET, balance: [SET.balance[0], { vhid: 2, members: [{ host: 'fw2', advskew: 0 }] }] };
    await expect(c.applyGroup(bad)).rejects.toThrow(/balance\[1\]\.members: vhid 2 leaves out fw1: every member host must be in every vhid/);
    expect(agents.flatMap((a) => a.received).filter((x) => x.cmd === 'putGroup')).toEqual([]);
  });
});
