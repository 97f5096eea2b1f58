// net.inet.carp.allow and .log through the console core over fake agents: ConsoleApi.allow takes a host out
// of CARP and back (the fleet's HostView shows it, carpctl's status and hosts say so, the renderer's text),
// ConsoleApi.setLog reaches the agent, and the contract refuses a level outside 0..7.
import { describe, expect, it } from 'vitest';
import { useFakeConsoles } from './testing/fake-console.js';
import { until } from './testing/until.js';
import { CONTRACT } from './contract.js';
import { formatHosts, formatStatus } from '../cli/format.js';
import { allowText } from './fleet/allow-text.js';

const SPEC = {
  vhid: 42,
  interface: 'eth0',
  addresses: ['198.18.0.100/24'],
  password: 'pw',
  members: [
    { host: 'fw1', advskew: 0, preempt: true },
    { host: 'fw2', advskew: 100, preempt: true },
  ],
};

const world = useFakeConsoles();

describe('allow and log through the console', () => {
  it('allow off: the host masters nothing, HostView and carpctl say CARP off; on: back', async () => {
    const { c, agents } = world();
    await c.ready();
    expect((await c.applyGroup(SPEC)).ok).toBe(true);
    await until(() => c.fleetNow().groups[0]?.master === 'fw1');

    const r = await c.allow('fw1', false, { persist: true });
    expect(r).toEqual({ host: 'fw1', result: { allowed: false, leaving: false, persistedOff: true } });
    expect(agents[0].received.at(-1)).toMatchObject({ cmd: 'allow', on: false, persist: true });
    await until(() => c.fleetNow().groups[0]?.master === 'fw2' && c.fleetNow().hosts.find((h) => h.host === 'fw1')?.allow?.allowed === false);
    const f = c.fleetNow();
    const fw1 = f.hosts.find((h) => h.host === 'fw1')!;
    expect(fw1.allow).toEqual({ allowed: false, leaving: false, persistedOff: true });
    expect(f.groups[0].members.find((m) => m.host === 'fw1')!.state).toBe('INIT');
    expect(allowText(fw1)).toEqual({ label: 'CARP off', detail: expect.stringContaining('fw1 takes no part in CARP (allow off, kept across agent restarts)') });
    expect(formatStatus(f)).toContain('! CARP off: fw1 takes no part in CARP');
    expect(formatHosts(f).split('\n').find((l) => l.startsWith('fw1'))).toContain('CARP OFF');
    expect(formatHosts(f).split('\n').find((l) => l.startsWith('fw2'))).not.toContain('CARP');

    await c.allow('fw1', true);
    await until(() => c.fleetNow().groups[0]?.master === 'fw1');
    const back = c.fleetNow().hosts.find((h) => h.host === 'fw1')!;
    expect(back.allow).toEqual({ allowed: true, leaving: false, persistedOff: false });
    expect(allowText(back)).toBeNull();
    expect(formatStatus(c.fleetNow())).not.toContain('CARP off');
  });

  it('setLog reaches the agent; the contract refuses a level outside 0..7', async () => {
    const { c, agents } = world();
    await c.ready();
    expect(await c.setLog('fw2', 7)).toEqual({ host: 'fw2', result: { log: 7 } });
    expect(agents[1].received.at(-1)).toEqual({ id: expect.any(Number), cmd: 'log', level: 7 });
    expect(CONTRACT.setLog.args.safeParse(['fw2', 8]).success).toBe(false);
    expect(CONTRACT.setLog.args.safeParse(['fw2', 2]).success).toBe(true);
    expect(CONTRACT.allow.args.safeParse(['fw2', 'off']).success).toBe(false);
    expect(CONTRACT.allow.args.safeParse(['fw2', false, { persist: true }]).success).toBe(true);
  });
});
