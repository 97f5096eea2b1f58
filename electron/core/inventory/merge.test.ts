import { describe, expect, it } from 'vitest';
import { mergeInventory } from './merge.js';
import type { HostSpec } from '../transport.js';

const host = (name: string, address: string, extra: Partial<HostSpec> = {}): HostSpec => ({ name, address, port: 22, user: 'root', identityFiles: [], tags: [], ...extra });

describe('mergeInventory', () => {
  it('adds new hosts, replaces changed ones by name, keeps the rest, and unions known_hosts files', () => {
    const stored = { hosts: [host('fw1', '198.19.0.1'), host('fw2', '198.19.0.2'), host('old', '198.19.0.9')], knownHostsFiles: ['/a'] };
    const incoming = { hosts: [host('fw2', '198.19.0.2', { port: 2222 }), host('fw1', '198.19.0.1'), host('fw3', '198.19.0.3')], knownHostsFiles: ['/a', '/b'] };
    const r = mergeInventory(stored, incoming);
    expect(r.added).toEqual(['fw3']);
    expect(r.updated).toEqual(['fw2']);
    expect(r.unchanged).toEqual(['fw1']);
    expect(r.inventory.hosts.map((h) => `${h.name}:${h.port}`)).toEqual(['fw1:22', 'fw2:2222', 'old:22', 'fw3:22']);
    expect(r.inventory.knownHostsFiles).toEqual(['/a', '/b']);
  });

  it('into an empty store: everything is added, no knownHostsFiles key when there are none', () => {
    const r = mergeInventory({ hosts: [] }, { hosts: [host('fw1', '198.19.0.1')] });
    expect(r.added).toEqual(['fw1']);
    expect(r.inventory).toEqual({ hosts: [host('fw1', '198.19.0.1')] });
  });
});
