// openConsole: the one way each shell (carpctl, the Electron main process, the web shell) creates the
// console: the inventory, one SSH pool, host-key confirmation and agent deploy wired to the core.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consoleKnownHostsPath, defaultInventoryPath, detectInventoryFormat, loadInventory, readInventory, type Inventory } from './inventory/index.js';
import { fileStore, type InventoryStore } from './inventory/ops.js';
import { scopeKnownHosts } from './inventory/merge.js';
import { SshPool, confirmHostKey, type SshOptions, type SshTransport } from './ssh/index.js';
import { deployAll, readManifest } from './deploy/index.js';
import { agentBundleCandidates, locateAgentBundle } from './deploy/bundle-location.js';
import { createConsole, type Console, type ConsoleOptions } from './console.js';
import { defaultHistoryDir, openHistoryStore } from './history/store.js';
import { HistoryLockedError } from './history/lock.js';

export interface OpenOptions {
  /**
   * A file in any format `carpctl --inventory` accepts (or the lab's JSON text). The console's own
   * inventory JSON is also where changes are stored; any other format (ssh_config, Ansible, lab) is
   * read, never rewritten: hosts added in the console then live until it closes.
   */
  inventory?: string;
  /** The stored inventory used when `inventory` is not given (default ~/.config/carp-console/inventory.json). */
  inventoryPath?: string;
  /** Folder of the agent bundle to deploy (default $CARP_AGENT_BUNDLE, the installed app's resources/agent, or agent/dist of this checkout). */
  bundleDir?: string;
  /** Deploy without linking carp-agent into /usr/local/sbin (carpctl --no-path-link). */
  noPathLink?: boolean;
  /** SSH settings beyond the known_hosts files, which come from ssh_config and the inventory (tests: no ssh-agent, fixed identities). */
  ssh?: Omit<SshOptions, 'knownHostsFiles' | 'resolveJump'>;
  /** Core options passed through (timeouts, link settings). */
  core?: Pick<ConsoleOptions, 'link' | 'maintenanceTimeouts' | 'rollingTimeouts'>;
  /** Keep the history (the web shell and Electron do; carpctl does not): in `dir`, default $XDG_DATA_HOME/carp-console/history. */
  history?: { who: string; dir?: string };
}

export interface OpenedConsole {
  console: Console;
  pool: SshPool;
  /** The inventory the console started with. */
  inventory: Inventory;
  /** Where it was read from. */
  source: string;
  close(): void;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** Reads the inventory the options name; throws an Error that names the file and what is wrong. */
function readSource(o: OpenOptions): { inv: Inventory; store?: InventoryStore; source: string } {
  if (o.inventory) {
    const isText = o.inventory.trimStart().startsWith('{');
    const source = isText ? 'the inventory JSON given' : o.inventory;
    let inv: Inventory;
    try {
      inv = loadInventory(o.inventory);
    } catch (e) {
      throw new Error(`cannot load the inventory ${source}: ${(e as Error).message}`);
    }
    const own = !isText && detectInventoryFormat(readFileSync(o.inventory, 'utf8'), o.inventory) === 'inventory';
    return { inv, source, ...(own ? { store: fileStore(resolve(o.inventory)) } : {}) };
  }
  const path = o.inventoryPath ?? defaultInventoryPath();
  try {
    return { inv: readInventory(path), store: fileStore(path), source: path };
  } catch (e) {
    throw new Error(`cannot load the inventory ${path}: ${(e as Error).message}`);
  }
}

export function openConsole(o: OpenOptions = {}): OpenedConsole {
  const read = readSource(o);
  // The inventory's own known_hosts files (a lab's) vouch for its hosts alone: they travel on each host,
  // and the pool adds them to the user's and the system's files for that host only.
  const inv = scopeKnownHosts(read.inv);
  const { store, source } = read;
  const pool = new SshPool({ ...o.ssh }, inv.hosts);
  // In an installed app (electron-builder) the bundle is in <resources>/agent, beside app.asar.
  const resourcesPath = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  const bundleDir = o.bundleDir ?? locateAgentBundle(agentBundleCandidates({ env: process.env.CARP_AGENT_BUNDLE, resourcesPath, root: ROOT }));
  let history: ConsoleOptions['history'];
  if (o.history) {
    const dir = o.history.dir ?? defaultHistoryDir();
    try {
      history = { who: o.history.who, store: openHistoryStore(dir) };
    } catch (e) {
      // another console holds the folder (lock.ts), or it cannot be opened: this run keeps no history, and history() says why
      const why = e instanceof HistoryLockedError ? e.message : `this console runs without history: cannot open ${dir}: ${(e as Error).message}`;
      process.stderr.write(`carp-console: ${why}\n`);
      history = { who: o.history.who, off: why };
    }
  }
  const c = createConsole({
    ...o.core,
    ...(history ? { history } : {}),
    hosts: inv.hosts,
    ...(store ? { inventory: store } : {}),
    transport: (h) => pool.get(h),
    info: { version: packageVersion(), knownHostsFile: consoleKnownHostsPath() },
    hostKeys: (t, fp) => confirmHostKey(t as SshTransport, consoleKnownHostsPath(), fp),
    deployVersion: () => readManifest(bundleDir).version,
    deploy: async (transports, onProgress) =>
      (await deployAll(transports, { bundleDir, onProgress, ...(o.noPathLink ? { wrapperLink: null } : {}) })).map((r) => ({
        host: r.host,
        ok: r.ok,
        version: r.version,
        ...(r.error ? { error: r.error } : {}),
        ...(r.kernel ? { kernel: r.kernel } : {}),
      })),
  });
  return {
    console: c,
    pool,
    inventory: inv,
    source,
    close() {
      c.close();
      pool.closeAll();
    },
  };
}
