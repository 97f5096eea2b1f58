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

/**
 * A lab of 3 hosts and a console over it. `deploy`: the agent on every host, or only on the hosts named
 * (the others, e.g. an emulated BSD host prepared in `beforeConsole`, get none).
 */
export async function consoleLab(id: number, opts: { deploy?: boolean | string[]; extraHosts?: (inv: Inventory) => HostSpec[]; beforeConsole?: (lab: Lab) => void | Promise<void> } = {}): Promise<ConsoleLab> {
  if (!existsSync(`${BUNDLE}/manifest.json`)) execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
  await Lab.down(id).catch(() => undefined);
  const lab = await Lab.up({ id, hosts: 3 });
  // From here on anything that fails (an import, the deploy assertion, agents not going live) takes
  // the lab down before rethrowing: the caller never got a ConsoleLab to close.
  let pool: SshPool | undefined;
  let c: Console | undefined;
  try {
    const inv = importLabJson(lab.info);
    pool = new SshPool({ knownHostsFiles: inv.knownHostsFiles, agentSocket: null, defaultIdentityFiles: [] });
    const p = pool;
    if (opts.deploy) {
      const to = opts.deploy === true ? inv.hosts : inv.hosts.filter((h) => (opts.deploy as string[]).includes(h.name));
      const res = await deployAll(to.map((h) => p.get(h)), { bundleDir: BUNDLE });
      expect(res.filter((r) => !r.ok)).toEqual([]);
    }
    await opts.beforeConsole?.(lab);
    const con = createConsole({ hosts: [...inv.hosts, ...(opts.extraHosts?.(inv) ?? [])], transport: (h) => p.get(h) });
    c = con;
    if (opts.deploy) await waitFor(() => con.fleetNow().hosts.every((h) => h.status === 'live'), 20_000, 'all agents live');
    return { lab, inv, pool, c: con };
  } catch (e) {
    await closeParts(c, pool, lab).catch((downErr: unknown) => console.error(`consoleLab ${id}: taking the lab down after a failure also failed: ${String(downErr)}`));
    throw e;
  }
}

/** Closes the console, then the pool, then takes the lab down; each step runs even if one before it threw. */
async function closeParts(c: Console | undefined, pool: SshPool | undefined, lab: Lab): Promise<void> {
  try {
    c?.close();
  } finally {
    try {
      pool?.closeAll();
    } finally {
      await lab.down({ purge: true });
    }
  }
}

export async function closeConsoleLab(x: ConsoleLab | undefined): Promise<void> {
  if (x) await closeParts(x.c, x.pool, x.lab);
}
