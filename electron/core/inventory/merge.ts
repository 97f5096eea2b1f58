// Merging an imported inventory (ssh_config, Ansible, the lab) into the stored one: pure.
import type { Inventory } from './schema.js';

export interface MergeResult {
  inventory: Inventory;
  added: string[];
  updated: string[];
  unchanged: string[];
}

/** Hosts are matched by name; an imported host replaces the stored one. Nothing is removed. */
export function mergeInventory(stored: Inventory, incoming: Inventory): MergeResult {
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
  const known = [...new Set([...(stored.knownHostsFiles ?? []), ...(incoming.knownHostsFiles ?? [])])];
  return { inventory: { hosts, ...(known.length ? { knownHostsFiles: known } : {}) }, added, updated, unchanged };
}
