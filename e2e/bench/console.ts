// Benchmark 4, the console core (issue 4): deploy time to the 3 lab hosts (cold, then idempotent
// redeploy) and the latency from an agent's state change (event `at`) to a ConsoleApi subscriber.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importLabJson } from '../../electron/core/inventory/index.js';
import { SshPool } from '../../electron/core/ssh/index.js';
import { deployAll } from '../../electron/core/deploy/index.js';
import { createConsole } from '../../electron/core/console.js';
import { onCleanup, waitFor, withLab } from './session.js';
import { summarise, type Summary } from './stats.js';
import { sleep } from '../wait.js';

export const CONSOLE_LAB = 53;
const BUNDLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../agent/dist');
const MIN_CHANGES = 20;
const CHANGES_BUDGET_MS = 90_000;

export interface ConsoleBench {
  deployColdMs: number;
  deployColdPerHostMs: Record<string, number>;
  redeployMs: number;
  redeploySkipped: boolean;
  stateEvents: number;
  toggles: number;
  /** Agent's state change (`at`) → subscriber callback, ms (same machine clock). */
  endToEnd: Summary;
  /** Agent's `at` → the console reading the line (`receivedAt`). */
  agentToConsole: Summary;
  samples: number[];
  changes: Array<{ host: string; vhid: number; from: string; to: string; at: number; latencyMs: number }>;
}

export async function benchConsole(opts: { log: (m: string) => void }): Promise<ConsoleBench> {
  if (!existsSync(path.join(BUNDLE, 'manifest.json'))) throw new Error(`no agent bundle at ${BUNDLE}: run \`npm run build\``);
  return withLab(CONSOLE_LAB, 3, async (lab) => {
    const inv = importLabJson(lab.info);
    const pool = new SshPool({ knownHostsFiles: inv.knownHostsFiles, agentSocket: null });
    const closePool = onCleanup('ssh pool', () => pool.closeAll());
    try {
      const transports = () => inv.hosts.map((h) => pool.get(h));
      let t0 = Date.now();
      const cold = await deployAll(transports(), { bundleDir: BUNDLE });
      const deployColdMs = Date.now() - t0;
      const failed = cold.filter((r) => !r.ok);
      if (failed.length) throw new Error(`cold deploy failed: ${failed.map((r) => `${r.host}: ${r.error}`).join('; ')}`);
      opts.log(`console: cold deploy of ${cold.length} hosts ${deployColdMs} ms (${cold.map((r) => `${r.host} ${r.ms} ms`).join(', ')})`);
      t0 = Date.now();
      const again = await deployAll(transports(), { bundleDir: BUNDLE });
      const redeployMs = Date.now() - t0;
      const redeploySkipped = again.every((r) => r.ok && r.skipped);
      opts.log(`console: idempotent redeploy ${redeployMs} ms (${redeploySkipped ? 'all skipped' : 'NOT all skipped'})`);

      const c = createConsole({ hosts: inv.hosts, transport: (h) => pool.get(h) });
      const closeConsole = onCleanup('console', () => c.close());
      try {
        await waitFor(() => c.fleetNow().hosts.every((h) => h.status === 'live'), 20_000, 'every agent live in the console', 50);
        const seen: Array<{ host: string; vhid: number; from: string; to: string; at: number; receivedAt: number; got: number }> = [];
        let counting = false;
        c.subscribe((e) => {
          const got = Date.now();
          if (counting && e.type === 'agent' && e.event.kind === 'state')
            seen.push({ host: e.host, vhid: e.event.vhid, from: e.event.from, to: e.event.to, at: e.event.at, receivedAt: e.receivedAt, got });
        });
        const vhid = 42;
        const r = await c.applyGroup({
          vhid,
          interface: 'eth0',
          addresses: [`198.18.${CONSOLE_LAB}.100/24`],
          password: 'bench-console',
          advbase: 1,
          members: [
            { host: 'fw1', advskew: 0, preempt: true },
            { host: 'fw2', advskew: 100, preempt: true },
            { host: 'fw3', advskew: 50, preempt: true },
          ],
        });
        if (!r.ok) throw new Error(`applyGroup failed: ${r.summary}`);
        const masterIs = (h: string) => () => c.fleetNow().groups.find((g) => g.vhid === vhid)?.master === h;
        await waitFor(masterIs('fw1'), 15_000, 'fw1 MASTER of vhid 42', 50);
        counting = true;
        // Each toggle makes two state changes: fw1 advskew 200 → fw3 (50, preempt) takes over; 0 → fw1 takes back.
        let toggles = 0;
        const end = Date.now() + CHANGES_BUDGET_MS;
        while (seen.length < MIN_CHANGES && Date.now() < end) {
          await c.set('fw1', vhid, 'advskew', 200);
          await waitFor(masterIs('fw3'), 10_000, 'fw3 MASTER after fw1 advskew 200', 20);
          await c.set('fw1', vhid, 'advskew', 0);
          await waitFor(masterIs('fw1'), 10_000, 'fw1 MASTER after advskew 0', 20);
          toggles++;
        }
        await sleep(500);
        const samples = seen.map((s) => s.got - s.at);
        const res: ConsoleBench = {
          deployColdMs,
          deployColdPerHostMs: Object.fromEntries(cold.map((x) => [x.host, x.ms])),
          redeployMs,
          redeploySkipped,
          stateEvents: seen.length,
          toggles,
          endToEnd: summarise(samples),
          agentToConsole: summarise(seen.map((s) => s.receivedAt - s.at)),
          samples,
          changes: seen.map((x) => ({ host: x.host, vhid: x.vhid, from: x.from, to: x.to, at: x.at, latencyMs: x.got - x.at })),
        };
        opts.log(`console: ${seen.length} state changes over ${toggles} toggles: latency median ${res.endToEnd.median} ms, worst ${res.endToEnd.worst} ms`);
        return res;
      } finally {
        await closeConsole();
      }
    } finally {
      await closePool();
    }
  });
}
