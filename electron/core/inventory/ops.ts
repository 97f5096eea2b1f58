// Inventory operations behind ConsoleApi (list, add a host by hand, import, remove): validated with
// the inventory schema, merged by name, stored atomically when the console owns a store, applied live.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ApiError, type HostSpecInput, type ImportSource, type InventoryChange, type InventoryView } from '../api.js';
import { loadInventory } from './load.js';
import { expandTilde } from './ssh-config.js';
import { describeIssues } from '../../../agent/config/schema.js';
import { mergeInventory, scopeKnownHosts } from './merge.js';
import { HostSpecSchema, type Inventory } from './schema.js';
import { readInventory, writeInventory } from './store.js';

/** Where the console keeps its inventory (the stored inventory.json). */
export interface InventoryStore {
  path: string;
  read(): Inventory;
  write(inv: Inventory): void;
}

export function fileStore(path: string): InventoryStore {
  return { path, read: () => readInventory(path), write: (inv) => writeInventory(inv, path) };
}

export interface InventoryHooks {
  /** The hosts changed: connect the added, reconnect the updated, drop the removed. */
  changed(c: InventoryChange): void;
}

export class InventoryOps {
  private inv: Inventory;

  /** `initial`: the inventory as read; its own known_hosts files vouch for its hosts alone (scopeKnownHosts). */
  constructor(
    initial: Inventory,
    private readonly store: InventoryStore | undefined,
    private readonly hooks: InventoryHooks,
  ) {
    this.inv = scopeKnownHosts(initial);
  }

  get path(): string | undefined {
    return this.store?.path;
  }

  view(): InventoryView {
    return { hosts: [...this.inv.hosts], writable: !!this.store, ...(this.store ? { path: this.store.path } : {}) };
  }

  add(input: HostSpecInput): InventoryChange {
    const parsed = HostSpecSchema.safeParse(input);
    if (!parsed.success) throw new ApiError('invalid', `the host ${JSON.stringify(input?.name ?? '')}: ${describeIssues(parsed.error).join('; ')}`);
    // Trust comes from known_hosts files the operator keeps, or from an import's own file: never by hand here.
    if (parsed.data.knownHostsFiles) throw new ApiError('invalid', `the host ${JSON.stringify(input.name)}: knownHostsFiles cannot be given by hand; import the inventory file that brings them`);
    return this.merge({ hosts: [parsed.data] });
  }

  import(src: ImportSource): InventoryChange {
    let incoming: Inventory;
    if ('path' in src) {
      const path = expandTilde(src.path);
      try {
        incoming = loadInventory(path);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const why = err.code === 'ENOENT' ? 'no such file on the console machine' : err.code === 'EACCES' ? 'permission denied' : err.message;
        throw new ApiError('invalid', `cannot import ${path}: ${why}`);
      }
    } else {
      // The importers read files (ssh_config Includes are relative to it): give the text a private one.
      const dir = mkdtempSync(join(tmpdir(), 'carp-import-'));
      const file = join(dir, basename(src.name ?? 'pasted') || 'pasted');
      try {
        writeFileSync(file, src.text, { mode: 0o600 });
        incoming = loadInventory(file);
      } catch (e) {
        throw new ApiError('invalid', `cannot import ${src.name ?? 'the pasted text'}: ${(e as Error).message.replaceAll(file, src.name ?? 'the pasted text')}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    if (!incoming.hosts.length) throw new ApiError('invalid', `${'path' in src ? src.path : (src.name ?? 'the pasted text')} names no host (an ssh config needs Host lines with a concrete name)`);
    return this.merge(incoming);
  }

  remove(name: string): InventoryChange {
    if (!this.inv.hosts.some((h) => h.name === name)) throw new ApiError('unknown-host', `${name} is not in the inventory (known: ${this.inv.hosts.map((h) => h.name).join(', ') || 'none'})`);
    const next = { ...this.inv, hosts: this.inv.hosts.filter((h) => h.name !== name) };
    return this.commit(next, { added: [], updated: [], removed: [name], unchanged: next.hosts.map((h) => h.name) });
  }

  private merge(incoming: Inventory): InventoryChange {
    const r = mergeInventory(this.inv, incoming);
    return this.commit(r.inventory, { added: r.added, updated: r.updated, removed: [], unchanged: r.unchanged });
  }

  /** Stores first (atomically): if that fails nothing changed, here or on disk. */
  private commit(next: Inventory, c: Omit<InventoryChange, 'hosts' | 'path'>): InventoryChange {
    if (this.store && (c.added.length || c.updated.length || c.removed.length)) {
      try {
        this.store.write(next);
      } catch (e) {
        throw new ApiError('failed', `the inventory was not changed: cannot write ${this.store.path}: ${(e as Error).message}`);
      }
    }
    this.inv = next;
    const change: InventoryChange = { ...c, hosts: [...next.hosts], ...(this.store ? { path: this.store.path } : {}) };
    this.hooks.changed(change);
    return change;
  }
}
