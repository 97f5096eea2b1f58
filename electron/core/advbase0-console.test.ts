// advbase 0 through the console core over fake agents: applyGroup takes a group at advbase 0 (the fleet
// shows its 10/256 s advert period), ConsoleApi.set relays the agent's refusal of advskew 0 at advbase 0
// with the reason, and a group file with a member at advskew 0 is refused before anything is sent.
import { describe, expect, it } from 'vitest';
import { useFakeConsoles } from './testing/fake-console.js';
import { until } from './testing/until.js';

const WHY = 'advbase 0 needs advskew 1..254: the advert interval is advskew/256 s, and 0 would be no interval at all';
const SPEC = {
  vhid: 42,
  interface: 'eth0',
  addresses: ['198.18.0.100/24'],
  password: 'pw',
  advbase: 0,
  members: [
    { host: 'fw1', advskew: 10, preempt: true },
    { host: 'fw2', advskew: 20, preempt: true },
  ],
};

const world = useFakeConsoles();

describe('advbase 0 through the console', () => {
  it('applies a group at advbase 0; set relays the refusal of advskew 0 with the reason and changes nothing', async () => {
    const { c, agents } = world();
    await c.ready();
    expect((await c.applyGroup(SPEC)).ok).toBe(true);
    await until(() => c.fleetNow().groups[0]?.master === 'fw1');
    const fw1 = c.fleetNow().groups[0].members.find((m) => m.host === 'fw1')!;
    expect(fw1).toMatchObject({ advbase: 0, advskew: 10, effectiveIntervalMs: 39.0625 });

    await expect(c.set('fw1', 42, 'advskew', 0)).rejects.toThrow(WHY);
    expect(agents[0].configs()[0]).toMatchObject({ advbase: 0, advskew: 10 });
    await c.set('fw2', 42, 'advbase', 1);
    await c.set('fw2', 42, 'advbase', 0);
    expect(agents[1].configs()[0]).toMatchObject({ advbase: 0, advskew: 20 });
  });

  it('refuses a group at advbase 0 with a member at advskew 0 before sending anything', async () => {
    const { c, agents } = world();
    await c.ready();
    const bad = { ...SPEC, members: [{ host: 'fw1', advskew: 0 }, SPEC.members[1]] };
    await expect(c.applyGroup(bad)).rejects.toThrow(WHY);
    expect(agents.flatMap((a) => a.received).filter((r) => r.cmd === 'putGroup')).toEqual([]);
  });
});
