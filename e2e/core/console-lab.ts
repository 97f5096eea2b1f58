// Shared set-up of the console-core lab tests: a lab, an SSH pool over its hosts, optionally the
// real agent deployed, and a console over them; closeConsoleLab() takes it all down.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { Lab } from '../lab/index.js';
import { importLabJson, type Inventory } from '../../electron/core/inventory/index.js';
import { SshPool } from '../../electron/core/ssh/index.js';
import { deployAll } from '../../electron/core/deploy/index.js';
import { createConsole, type Console } from '../../electron/core/console.js';
import type { HostSpec } from '../../electron/core/transport.js';
import { waitFor } from '../wait.js';

export const BUNDLE = fileURLToPath(new URL('../../agent/dist', import.meta.url));

export interface ConsoleLab {
  lab: Lab;
  inv: Inventory;
  pool: SshPool;
  c: Console;
}

export async function consoleLab(id: number, opts: { deploy?: boolean; extraHosts?: (inv: Inventory) => HostSpec[]; beforeConsole?: () => void } = {}): Promise<ConsoleLab> {
  if (!existsSync(`${BUNDLE}/manifest.json`)) execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
  await Lab.down(id).catch(() => undefined);
  const lab = await Lab.up({ id, hosts: 3 });
  const inv = importLabJson(lab.info);
  const pool = new SshPool({ knownHostsFiles: inv.knownHostsFiles, agentSocket: null, defaultIdentityFiles: [] });
  if (opts.deploy) {
    const res = await deployAll(inv.hosts.map((h) => pool.get(h)), { bundleDir: BUNDLE });
    expect(res.filter((r) => !r.ok)).toEqual([]);
  }
  opts.beforeConsole?.();
  const c = createConsole({ hosts: [...inv.hosts, ...(opts.extraHosts?.(inv) ?? [])], transport: (h) => pool.get(h) });
  if (opts.deploy) await waitFor(() => c.fleetNow().hosts.every((h) => h.status === 'live'), 20_000, 'all agents live');
  return { lab, inv, pool, c };
}

export async function closeConsoleLab(x: ConsoleLab | undefined): Promise<void> {
  x?.c.close();
  x?.pool.closeAll();
  await x?.lab.down({ purge: true });
}
