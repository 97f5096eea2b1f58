// Merging an import into the stored inventory: by name, nothing removed, and an import's known_hosts
// files scoped to the hosts it brought (never to the stored ones, never inventory-wide).
import { describe, expect, it } from 'vitest';
import { mergeInventory, scopeKnownHosts } from './merge.js';
import type { HostSpec } from '../transport.js';

const host = (name: string, address: string, extra: Partial<HostSpec> = {}): HostSpec => ({ name, address, port: 22, user: 'root', identityFiles: [], tags: [], ...extra });

describe('mergeInventory', () => {
  it('adds new hosts, replaces changed ones by name, keeps the rest', () => {
    const stored = { hosts: [host('fw1', '198.19.0.1'), host('fw2', '198.19.0.2'), host('old', '198.19.0.9')] };
    const incoming = { hosts: [host('fw2', '198.19.0.2', { port: 2222 }), host('fw1', '198.19.0.1'), host('fw3', '198.19.0.3')] };
    const r = mergeInventory(stored, incoming);
    expect(r.added).toEqual(['fw3']);
    expect(r.updated).toEqual(['fw2']);
    expect(r.unchanged).toEqual(['fw1']);
    expect(r.inventory.hosts.map((h) => `${h.name}:${h.port}`)).toEqual(['fw1:22', 'fw2:2222', 'old:22', 'fw3:22']);
  });

  it("an import's known_hosts files vouch for its own hosts only; the stored ones keep theirs", () => {
    const stored = { hosts: [host('fw1', '198.19.0.1'), host('old', '198.19.0.9')], knownHostsFiles: ['/legacy'] };
    const incoming = { hosts: [host('fw1', '198.19.0.1'), host('fw3', '198.19.0.3')], knownHostsFiles: ['/lab/known_hosts'] };
    const r = mergeInventory(stored, incoming);
    expect(r.inventory.knownHostsFiles).toBeUndefined();
    expect(r.inventory.hosts.map((h) => [h.name, h.knownHostsFiles])).toEqual([
      ['fw1', ['/lab/known_hosts']], // the import's fw1 replaces the stored one, files included
      ['old', ['/legacy']],
      ['fw3', ['/lab/known_hosts']],
    ]);
    expect(r.updated).toEqual(['fw1']);
  });

  it('into an empty store: everything is added, no knownHostsFiles key when there are none', () => {
    const r = mergeInventory({ hosts: [] }, { hosts: [host('fw1', '198.19.0.1')] });
    expect(r.added).toEqual(['fw1']);
    expect(r.inventory).toEqual({ hosts: [host('fw1', '198.19.0.1')] });
  });
});

describe('scopeKnownHosts', () => {
  it("moves the inventory's files onto each of its hosts, merged with a host's own, without repeats", () => {
    const inv = { hosts: [host('a', '1'), host('b', '2', { knownHostsFiles: ['/own', '/x'] })], knownHostsFiles: ['/x'] };
    expect(scopeKnownHosts(inv)).toEqual({ hosts: [host('a', '1', { knownHostsFiles: ['/x'] }), host('b', '2', { knownHostsFiles: ['/own', '/x'] })] });
    expect(scopeKnownHosts({ hosts: [host('a', '1')] })).toEqual({ hosts: [host('a', '1')] });
  });
});
