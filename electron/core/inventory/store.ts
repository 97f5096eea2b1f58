// Where the inventory lives ($XDG_CONFIG_HOME/carp-console/inventory.json) and how it is
// read and written (atomically: temp file, fsync, rename, fsync of the folder).
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseInventory, type Inventory } from './schema.js';
import { InventoryError, readInventoryText } from './errors.js';
import { atomicWriteFile } from '../../../agent/config/atomic.js';

/** The console's config folder: $XDG_CONFIG_HOME/carp-console, default ~/.config/carp-console. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'carp-console');
}

export function defaultInventoryPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'inventory.json');
}

/** The console's own known_hosts (keys the operator confirmed in the console). */
export function consoleKnownHostsPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'known_hosts');
}

/** Reads the stored inventory; a missing file is an empty inventory. */
export function readInventory(path = defaultInventoryPath()): Inventory {
  let text: string;
  try {
    text = readInventoryText(path, 'the inventory');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { hosts: [] };
    throw new InventoryError(`cannot read the inventory ${path}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InventoryError(`the inventory ${path} is not valid JSON (${(e as Error).message}); fix or remove the file`);
  }
  return parseInventory(data, path);
}

/** Validates and stores the inventory atomically. */
export function writeInventory(inv: Inventory, path = defaultInventoryPath()): void {
  const valid = parseInventory(inv, 'the inventory to write');
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  atomicWriteFile(path, JSON.stringify(valid, null, 2) + '\n');
}
