// The ConsoleApi additions the GUI needs, against the real console core over fake agents (they stand
// in for SSH and real agents, which the lab tests cover): inventory operations that take effect at
// once and are stored atomically, the fleet snapshot for a late subscriber, operation ids on every
// long action, structured deploy progress and the structured diff of a group apply.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createConsole, deployProgress, type Console } from './console.js';
import { fakeFleet, type FakeTransport } from './testing/fake-agent.js';
import { fileStore } from './inventory/ops.js';
import { readInventory } from './inventory/store.js';
import type { ConsoleEvent } from './events.js';
import { ApiError } from './api.js';
import { until } from './testing/until.js';

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

let cleanup: Array<() => void> = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});


/** n fake hosts; the console starts with the first `start` of them and can be given the rest later. */
function world(n: number, start: number, storeDir?: string) {
  const f = fakeFleet(n, 100);
  const byName = new Map<string, FakeTransport>(f.transports.map((t) => [t.host.name, t]));
  const store = storeDir ? fileStore(join(storeDir, 'inventory.json')) : undefined;
  const c: Console = createConsole({
    hosts: f.transports.slice(0, start).map((t) => t.host),
    knownHostsFiles: ['/var/lib/carp-lab/lab0/known_hosts'],
    transport: (h) => byName.get(h.name)!,
    ...(store ? { inventory: store } : {}),
    link: { staleMs: 300, backoffMinMs: 20, backoffMaxMs: 100 },
    deploy: async (ts, onProgress) => {
      for (const t of ts) for (const step of ['connect', 'upload', 'start', 'done'] as const) onProgress({ host: t.host.name, step, at: Date.now() });
      return ts.map((t) => ({ host: t.host.name, ok: true, version: '9.9.9' }));
    },
  });
  cleanup.push(() => {
    c.close();
    (f.net).stop();
  });
  return { ...f, c, store };
}

describe('inventory operations', () => {
  it('adds a host by hand, connects it at once, stores the inventory, and removes it again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carp-inv-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const { c, transports } = world(3, 2, dir);
    await c.ready(2000);
    expect(c.fleetNow().hosts.map((h) => h.host)).toEqual(['fw1', 'fw2']);

    const t3 = transports[2].host;
    const r = await c.addHost({ name: 'fw3', address: t3.address });
    expect(r.added).toEqual(['fw3']);
    expect(r.path).toBe(join(dir, 'inventory.json'));
    await until(() => c.fleetNow().hosts.find((h) => h.host === 'fw3')?.status === 'live');
    expect(readInventory(r.path).hosts.map((h) => [h.name, h.port, h.user])).toEqual([['fw1', 22, 'root'], ['fw2', 22, 'root'], ['fw3', 22, 'root']]);
    // The inventory's own known_hosts (an earlier lab import's) is kept for its own hosts, not for fw3 added by hand.
    const lab = '/var/lib/carp-lab/lab0/known_hosts';
    expect(readInventory(r.path).hosts.map((h) => [h.name, h.knownHostsFiles])).toEqual([['fw1', [lab]], ['fw2', [lab]], ['fw3', undefined]]);
    expect((await c.inventory()).hosts.map((h) => h.name)).toEqual(['fw1', 'fw2', 'fw3']);

    const gone = await c.removeHost('fw1');
    expect(gone.removed).toEqual(['fw1']);
    await until(() => !c.fleetNow().hosts.some((h) => h.host === 'fw1'));
    expect(readInventory(r.path).hosts.map((h) => h.name)).toEqual(['fw2', 'fw3']);
    await expect(c.removeHost('fw1')).rejects.toMatchObject({ code: 'unknown-host' });
  });

  it('refuses a bad host naming the field, and changes nothing when the store cannot be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carp-inv-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const { c } = world(2, 1, dir);
    await expect(c.addHost({ name: 'fw9', address: 'x', port: 70000 })).rejects.toThrow(/port: must be 1\.\.65535/);
    // A directory where the file should be: the atomic write fails, nothing is half-done.
    mkdirSync(join(dir, 'inventory.json'));
    const err = await c.addHost({ name: 'fw2', address: '198.19.0.2' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('failed');
    expect((err as ApiError).message).toMatch(/the inventory was not changed: cannot write/);
    expect((await c.inventory()).hosts.map((h) => h.name)).toEqual(['fw1']);
    expect(c.fleetNow().hosts.map((h) => h.host)).toEqual(['fw1']);
  });

  it('imports pasted ssh_config text and a file path, merging by name; says what was wrong with bad input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carp-inv-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const { c } = world(3, 1);
    const r = await c.importHosts({ text: 'Host fw2\n  HostName 198.19.0.2\n  User root\nHost fw3\n  HostName 198.19.0.3\n  User root\n', name: 'config' });
    expect(r.added).toEqual(['fw2', 'fw3']);
    expect(r.path).toBeUndefined(); // no store: in memory only
    await until(() => c.fleetNow().hosts.filter((h) => h.status === 'live').length === 3);

    const ini = join(dir, 'hosts.ini');
    writeFileSync(ini, '[firewalls]\nfw3 ansible_host=198.19.0.3 ansible_user=root ansible_port=2222\n');
    const r2 = await c.importHosts({ path: ini });
    expect(r2.updated).toEqual(['fw3']);
    expect(r2.hosts.find((h) => h.name === 'fw3')?.port).toBe(2222);

    await expect(c.importHosts({ path: join(dir, 'missing') })).rejects.toThrow(/no such file on the console machine/);
    await expect(c.importHosts({ text: 'this is not an inventory at all' })).rejects.toMatchObject({ code: 'invalid' });
  });
});

describe('events for the GUI', () => {
  it('gives a late subscriber the current fleet first, then the changes', async () => {
    const { c } = world(2, 2);
    await c.ready(2000);
    const seen: ConsoleEvent[] = [];
    const off = c.subscribe((e) => seen.push(e), { snapshot: true });
    expect(seen[0]?.type).toBe('fleet');
    expect(seen[0]?.type === 'fleet' && seen[0].fleet.hosts.map((h) => h.host)).toEqual(['fw1', 'fw2']);
    await c.demote('fw1', 'set', 4);
    await until(() => seen.some((e) => e.type === 'fleet' && e.fleet.hosts[0].demote === 4));
    off();
    const n = seen.length;
    await c.demote('fw1', 'set', 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.length).toBe(n);
  });

  it('tags deploy, apply and maintenance progress with the operation id; deploy steps carry progress 0..1', async () => {
    const { c } = world(2, 2);
    await c.ready(2000);
    const seen: ConsoleEvent[] = [];
    c.subscribe((e) => seen.push(e));
    await c.deploy(undefined, { op: 'dep-1' });
    const dep = seen.filter((e) => e.type === 'deploy');
    expect(dep.length).toBe(8);
    expect(dep.every((e) => e.type === 'deploy' && e.op === 'dep-1')).toBe(true);
    expect(dep.map((e) => e.type === 'deploy' && e.progress).slice(0, 4)).toEqual([0, deployProgress('upload'), deployProgress('start'), 1]);
    expect(deployProgress('failed')).toBe(1);

    const preview = await c.applyGroup(SPEC, { dryRun: true, op: 'ap-1' });
    expect(preview.ok).toBe(true);
    expect(preview.diff.find((d) => d.host === 'fw2')).toMatchObject({ action: 'create', fields: expect.arrayContaining([{ field: 'advskew', before: null, after: '100' }]) });
    expect(seen.filter((e) => e.type === 'apply').every((e) => e.type === 'apply' && e.op === 'ap-1')).toBe(true);
    expect((await c.applyGroup(SPEC, { op: 'ap-2' })).ok).toBe(true);
    await until(() => c.fleetNow().groups[0]?.members.length === 2);

    const change = await c.applyGroup({ ...SPEC, members: [SPEC.members[0], { host: 'fw2', advskew: 120, preempt: true }] }, { dryRun: true });
    expect(change.diff).toEqual([
      { host: 'fw1', action: 'unchanged', fields: [] },
      { host: 'fw2', action: 'update', fields: [{ field: 'advskew', before: '100', after: '120' }] },
    ]);
    // The password is compared, never shown.
    expect(JSON.stringify((await c.applyGroup({ ...SPEC, password: 'other' }, { dryRun: true })).diff)).not.toMatch(/other/);

    await until(() => c.fleetNow().groups[0]?.master === 'fw1');
    const m = await c.maintenanceEnter('fw1', { op: 'mt-1' });
    expect(m.ok).toBe(true);
    const mt = seen.filter((e) => e.type === 'maintenance');
    expect(mt.map((e) => e.type === 'maintenance' && e.step)).toEqual(['preflight', 'maintenance-on', 'handover', 'handover', 'done']);
    expect(mt.every((e) => e.type === 'maintenance' && e.op === 'mt-1')).toBe(true);
    // The handover names the group and its new master as data, not only in words.
    expect(mt.filter((e) => e.type === 'maintenance' && e.to).map((e) => e.type === 'maintenance' && [e.group, e.to])).toEqual([['198.18.0.0/24#42', 'fw2']]);
  });

  it('reports its info: version, staleness threshold, where the inventory is stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carp-inv-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const { c } = world(1, 1, dir);
    const info = await c.info();
    expect(info).toMatchObject({ readOnly: false, staleMs: 300, inventory: join(dir, 'inventory.json') });
    expect(existsSync(join(dir, 'inventory.json'))).toBe(false); // nothing written until something changes
  });
});

describe('host keys', () => {
  it('tells an unreachable host from a refused key in the error code', async () => {
    const f = fakeFleet(1, 100);
    const named = (name: string, message: string) => Object.assign(new Error(message), { name });
    let fail: Error = named('HostUnreachableError', 'fw1: connect ECONNREFUSED');
    const c = createConsole({
      hosts: [f.transports[0].host],
      transport: () => f.transports[0],
      hostKeys: async () => {
        throw fail;
      },
    });
    cleanup.push(() => {
      c.close();
      f.net.stop();
    });
    await expect(c.trustHostKey('fw1')).rejects.toMatchObject({ code: 'unreachable', message: 'fw1: connect ECONNREFUSED' });
    fail = named('HostKeyChangedError', 'HOST KEY CHANGED for fw1');
    await expect(c.trustHostKey('fw1')).rejects.toMatchObject({ code: 'refused', message: /HOST KEY CHANGED/ });
    fail = named('AuthError', 'fw1: authentication failed');
    await expect(c.trustHostKey('fw1')).rejects.toMatchObject({ code: 'failed' });
  });
});
