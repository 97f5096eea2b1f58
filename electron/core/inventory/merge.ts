// Merging an imported inventory (ssh_config, Ansible, the lab) into the stored one: pure.
import type { Inventory } from './schema.js';

export interface MergeResult {
  inventory: Inventory;
  added: string[];
  updated: string[];
  unchanged: string[];
}

/**
 * Moves an inventory's own known_hosts files onto each of its hosts, so that they vouch for those hosts
 * alone and never for hosts added later or imported from elsewhere.
 */
export function scopeKnownHosts(inv: Inventory): Inventory {
  const files = inv.knownHostsFiles ?? [];
  if (!files.length) return { hosts: inv.hosts };
  return { hosts: inv.hosts.map((h) => ({ ...h, knownHostsFiles: [...new Set([...(h.knownHostsFiles ?? []), ...files])] })) };
}

/** Hosts are matched by name; an imported host replaces the stored one. Nothing is removed. Both are scoped first. */
export function mergeInventory(storedIn: Inventory, incomingIn: Inventory): MergeResult {
  const stored = scopeKnownHosts(storedIn);
  const incoming = scopeKnownHosts(incomingIn);
  const hosts = [...stored.hosts];
  const added: string[] = [];
  const updated: string[] = [];
  const unchanged: string[] = [];
  for (const h of incoming.hosts) {
    const i = hosts.findIndex((x) => x.name === h.name);
    if (i < 0) {
      hosts.push(h);
      added.push(h.name);
    } else if (JSON.stringify(hosts[i]) !== JSON.stringify(h)) {
      hosts[i] = h;
      updated.push(h.name);
    } else unchanged.push(h.name);
  }
  return { inventory: { hosts }, added, updated, unchanged };
}
