// Where the inventory lives ($XDG_CONFIG_HOME/carp-console/inventory.json) and how it is
// read and written (atomically: temp file, fsync, rename, fsync of the folder).
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseInventory, type Inventory } from './schema.js';

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
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { hosts: [] };
    throw new Error(`cannot read the inventory ${path}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`the inventory ${path} is not valid JSON (${(e as Error).message}); fix or remove the file`);
  }
  return parseInventory(data, path);
}

/** Writes a file atomically: a temp file in the same folder, fsync, rename over the target, fsync the folder. */
export function writeFileAtomic(path: string, data: string, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  const dfd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

/** Validates and stores the inventory atomically. */
export function writeInventory(inv: Inventory, path = defaultInventoryPath()): void {
  const valid = parseInventory(inv, 'the inventory to write');
  writeFileAtomic(path, JSON.stringify(valid, null, 2) + '\n');
}
