// Lab test of the two-phase group apply with real agents: when the real apply fails on one host
// (its /etc/carp-agent made read-only, so the dry run passes but writing fails), the hosts
// already changed are rolled back and all three are as they were.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Lab } from '../lab/index.js';
import type { Console } from '../../electron/core/console.js';
import { consoleLab, closeConsoleLab, type ConsoleLab } from './console-lab.js';
import { waitFor } from '../wait.js';

const LAB_ID = 42;
let x: ConsoleLab | undefined;
let lab: Lab;
let c: Console;
let roMounted = false;

const spec = (skews: [number, number, number]) => ({
  vhid: 42,
  interface: 'eth0',
  addresses: [`198.18.${LAB_ID}.100/24`],
  password: 'lab-secret',
  members: ['fw1', 'fw2', 'fw3'].map((host, i) => ({ host, advskew: skews[i], preempt: true })),
});

async function configs(): Promise<string[]> {
  return Promise.all(['fw1', 'fw2', 'fw3'].map(async (h) => (await lab.exec(h, 'cat /etc/carp-agent/config.json')).stdout));
}

beforeAll(async () => {
  ({ lab, c } = x = await consoleLab(LAB_ID, { deploy: true }));
  const r = await c.applyGroup(spec([0, 100, 50]));
  expect(r.summary).toMatch(/^applied/);
  await waitFor(() => c.fleetNow().groups[0]?.master === 'fw1', 15_000, 'fw1 master');
});

afterAll(async () => {
  if (roMounted) await lab.exec('fw3', 'umount /etc/carp-agent').catch(() => undefined);
  await closeConsoleLab(x);
});

describe('two-phase apply (lab)', () => {
  it('a refused dry run changes nothing anywhere', async () => {
    const before = await configs();
    const bad = { ...spec([1, 101, 51]), members: [...spec([1, 101, 51]).members.slice(0, 2), { host: 'fw3', advskew: 51, preempt: true, interface: 'eth9' }] };
    const r = await c.applyGroup(bad);
    console.log(`refused apply: ${r.summary}`);
    expect(r.ok).toBe(false);
    expect(await configs()).toEqual(before);
  });

  it('a failed apply on one host leaves all three as they were', async () => {
    const before = await configs();
    const revBefore = c.fleetNow().groups[0].members.map((m) => [m.host, m.advskew]);
    // fw3's config folder becomes read-only inside fw3 only: validation passes, the write fails.
    const m = await lab.exec('fw3', 'mount --bind -o ro /etc/carp-agent /etc/carp-agent && mount -o remount,bind,ro /etc/carp-agent && touch /etc/carp-agent/x 2>&1; echo $?');
    roMounted = true;
    expect(m.stdout.trim().split('\n').at(-1)).not.toBe('0');
    const r = await c.applyGroup(spec([1, 101, 51]));
    console.log(`failed apply: ${r.summary} :: ${r.hosts.map((h) => `${h.host}=${h.outcome}`).join(' ')}`);
    expect(r).toMatchObject({ ok: false, phase: 'apply' });
    expect(r.hosts.find((h) => h.host === 'fw3')!.outcome).toBe('failed');
    expect(r.hosts.filter((h) => h.host !== 'fw3').map((h) => h.outcome)).toEqual(['skipped', 'rolled-back']); // fw1 (master) last
    expect(await configs()).toEqual(before);
    await waitFor(() => JSON.stringify(c.fleetNow().groups[0].members.map((x) => [x.host, x.advskew])) === JSON.stringify(revBefore), 5000, 'advskews as before');
    expect(c.fleetNow().groups[0].master).toBe('fw1');
  });
});
