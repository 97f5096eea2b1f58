// Lab test of the two-phase group apply with real agents: when the real apply fails on one host
// (its /etc/carp-agent made read-only, so the dry run passes but writing fails), the hosts
// already changed are rolled back and all three are as they were.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Lab } from '../lab/index.js';
import { importLabJson, type Inventory } from '../../electron/core/inventory/index.js';
import { SshPool } from '../../electron/core/ssh/index.js';
import { deployAll } from '../../electron/core/deploy/index.js';
import { createConsole, type Console } from '../../electron/core/console.js';

const LAB_ID = 42;
const BUNDLE = resolve('agent/dist');
let lab: Lab;
let inv: Inventory;
let pool: SshPool;
let c: Console;
let roMounted = false;

async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

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
  if (!existsSync(resolve(BUNDLE, 'manifest.json'))) execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
  await Lab.down(LAB_ID).catch(() => undefined);
  lab = await Lab.up({ id: LAB_ID, hosts: 3 });
  inv = importLabJson(lab.info);
  pool = new SshPool({ knownHostsFiles: inv.knownHostsFiles, agentSocket: null });
  const res = await deployAll(inv.hosts.map((h) => pool.get(h)), { bundleDir: BUNDLE });
  expect(res.filter((r) => !r.ok)).toEqual([]);
  c = createConsole({ hosts: inv.hosts, transport: (h) => pool.get(h) });
  await until(() => c.fleetNow().hosts.length === 3 && c.fleetNow().hosts.every((h) => h.status === 'live'), 20_000, 'all agents live');
  const r = await c.applyGroup(spec([0, 100, 50]));
  expect(r.summary).toMatch(/^applied/);
  await until(() => c.fleetNow().groups[0]?.master === 'fw1', 15_000, 'fw1 master');
});

afterAll(async () => {
  if (roMounted) await lab.exec('fw3', 'umount /etc/carp-agent').catch(() => undefined);
  c?.close();
  pool?.closeAll();
  await lab?.down({ purge: true });
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
    await until(() => JSON.stringify(c.fleetNow().groups[0].members.map((x) => [x.host, x.advskew])) === JSON.stringify(revBefore), 5000, 'advskews as before');
    expect(c.fleetNow().groups[0].master).toBe('fw1');
  });
});
