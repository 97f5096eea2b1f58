// InventoryOps and trust: an imported lab's known_hosts file is stored on the hosts from that import
// alone; hosts imported from elsewhere or added by hand get none, and cannot be given one by hand.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InventoryOps, fileStore } from './ops.js';

const dir = mkdtempSync(join(tmpdir(), 'inv-ops-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('InventoryOps known_hosts scoping', () => {
  it('keeps each import’s known_hosts on its own hosts, in memory and on disk', () => {
    const store = fileStore(join(dir, 'inventory.json'));
    const changes: string[][] = [];
    const initial = { hosts: [{ name: 'old', address: '198.19.0.9', port: 22, user: 'root', identityFiles: [], tags: [] }], knownHostsFiles: ['/legacy/known_hosts'] };
    const ops = new InventoryOps(initial, store, { changed: (c) => changes.push(c.added) });
    const lab = { hosts: [{ name: 'fw1', address: '198.18.0.1', identityFile: '/lab/id' }], knownHostsFile: '/var/lib/carp-lab/lab0/known_hosts' };
    ops.import({ text: JSON.stringify(lab), name: 'lab.json' });
    ops.import({ text: 'Host fw2\n  HostName 198.19.0.2\n  User root\n', name: 'config' });
    ops.add({ name: 'fw3', address: '198.19.0.3' });
    const stored = JSON.parse(readFileSync(store.path, 'utf8')) as { hosts: { name: string; knownHostsFiles?: string[] }[]; knownHostsFiles?: string[] };
    expect(stored.knownHostsFiles).toBeUndefined();
    expect(stored.hosts.map((h) => [h.name, h.knownHostsFiles])).toEqual([
      ['old', ['/legacy/known_hosts']],
      ['fw1', ['/var/lib/carp-lab/lab0/known_hosts']],
      ['fw2', undefined],
      ['fw3', undefined],
    ]);
    expect(changes).toEqual([['fw1'], ['fw2'], ['fw3']]);
  });

  it('refuses known_hosts files given by hand with a host', () => {
    const ops = new InventoryOps({ hosts: [] }, undefined, { changed: () => {} });
    expect(() => ops.add({ name: 'fw9', address: '198.19.0.9', knownHostsFiles: ['/tmp/evil'] } as never)).toThrow(/knownHostsFiles cannot be given by hand; import the inventory file that brings them/);
  });
});
