// Benchmark 3, footprint: resident memory (VmRSS) after 10 s and idle CPU over 20 s of each
// implementation with 1 vhid and with 16 vhids on one interface, as master and as backup. The agent runs
// as deployed (AGENT_NODE, agent/node-flags.ts).
import { readFileSync } from 'node:fs';
import type { Lab } from '../lab/index.js';
import { IMPLS, implPids, resetHosts, startImpl, vipsOn, type BenchGroup, type ImplName, type Role } from './impls.js';
import { sleep, waitFor, withLab } from './session.js';
import { cpuPercent, pssKiBFromRollup, rssKiBFromStatus, ticksFromStat } from './stats.js';

export const FOOTPRINT_LAB = 52;
const SETTLE_MS = 10_000;
const WINDOW_MS = 20_000;

export interface FootprintRow {
  impl: ImplName;
  vhids: number;
  role: Role;
  host: string;
  processes: number;
  /** Sum of VmRSS of the processes (counts shared library pages once per process). */
  rssKiB: number;
  /** Sum of Pss: shared pages split among the processes that map them (fairer for ucarp's 16). */
  pssKiB: number;
  /** Sum of RssAnon: the private memory (heap, stacks), without the file pages shared with other processes. */
  anonKiB?: number;
  cpuPercent: number;
}

export interface FootprintImpl {
  impl: ImplName;
  rows: FootprintRow[];
  error?: string;
}

function readProc(pid: number): { rssKiB: number; pssKiB: number; anonKiB: number; ticks: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    rssKiB: rssKiBFromStatus(status),
    anonKiB: Number(/^RssAnon:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN),
    pssKiB: pssKiBFromRollup(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')),
    ticks: ticksFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8')),
  };
}

export async function benchFootprint(opts: { impls?: ImplName[]; log: (m: string) => void }): Promise<FootprintImpl[]> {
  const id = FOOTPRINT_LAB;
  const one: BenchGroup[] = [{ vhid: 1, vip: `198.18.${id}.100` }];
  const sixteen: BenchGroup[] = Array.from({ length: 16 }, (_, i) => ({ vhid: 11 + i, vip: `198.18.${id}.${110 + i}` }));
  // fw1/fw2: 1 vhid (master/backup); fw3/fw4: 16 vhids (master/backup). Different vhids: no interference.
  const layout: Array<{ host: string; role: Role; groups: BenchGroup[] }> = [
    { host: 'fw1', role: 'master', groups: one },
    { host: 'fw2', role: 'backup', groups: one },
    { host: 'fw3', role: 'master', groups: sixteen },
    { host: 'fw4', role: 'backup', groups: sixteen },
  ];
  return withLab(id, 4, async (lab) => {
    const out: FootprintImpl[] = [];
    for (const impl of opts.impls ?? IMPLS) {
      try {
        out.push({ impl, rows: await measure(lab, impl, layout) });
        for (const r of out.at(-1)!.rows)
          opts.log(`footprint ${impl} ${r.vhids} vhid(s) ${r.role}: ${r.processes} process(es), RSS ${(r.rssKiB / 1024).toFixed(1)} MiB (PSS ${(r.pssKiB / 1024).toFixed(1)}, private ${((r.anonKiB ?? NaN) / 1024).toFixed(1)}), idle CPU ${r.cpuPercent.toFixed(2)} %`);
      } catch (e) {
        out.push({ impl, rows: [], error: (e as Error).message });
        opts.log(`footprint ${impl}: FAILED: ${(e as Error).message}`);
      } finally {
        await resetHosts(lab, layout.map((l) => l.host), [...one, ...sixteen]).catch(() => undefined);
      }
    }
    return out;
  });
}

async function measure(lab: Lab, impl: ImplName, layout: Array<{ host: string; role: Role; groups: BenchGroup[] }>): Promise<FootprintRow[]> {
  await resetHosts(lab, layout.map((l) => l.host), layout.flatMap((l) => l.groups));
  const masters = layout.filter((l) => l.role === 'master');
  await Promise.all(masters.map((l) => startImpl(lab, l.host, impl, l.groups, 'master')));
  await waitFor(
    async () => {
      for (const l of masters) {
        const v = await vipsOn(lab, l.host);
        if (!l.groups.every((g) => v.has(g.vip))) return false;
      }
      return true;
    },
    20_000,
    `${impl}: masters holding every VIP`,
    100,
  );
  const backups = layout.filter((l) => l.role === 'backup');
  await Promise.all(backups.map((l) => startImpl(lab, l.host, impl, l.groups, 'backup')));
  const started = Date.now();
  const pids = new Map<string, number[]>();
  for (const l of layout) {
    const p = await implPids(lab, l.host, impl);
    if (p.length === 0) throw new Error(`${impl}: no process found on ${l.host}`);
    pids.set(l.host, p);
  }
  await sleep(Math.max(0, SETTLE_MS - (Date.now() - started)));
  const rss = new Map(layout.map((l) => [l.host, pids.get(l.host)!.reduce((s, p) => s + readProc(p).rssKiB, 0)]));
  const pss = new Map(layout.map((l) => [l.host, pids.get(l.host)!.reduce((s, p) => s + readProc(p).pssKiB, 0)]));
  const anon = new Map(layout.map((l) => [l.host, pids.get(l.host)!.reduce((s, p) => s + readProc(p).anonKiB, 0)]));
  const before = new Map(layout.map((l) => [l.host, pids.get(l.host)!.reduce((s, p) => s + readProc(p).ticks, 0)]));
  const w0 = Date.now();
  await sleep(WINDOW_MS);
  const wall = Date.now() - w0;
  const after = new Map(layout.map((l) => [l.host, pids.get(l.host)!.reduce((s, p) => s + readProc(p).ticks, 0)]));
  // Still the expected roles at the end? (a flapping backup would make the figures meaningless)
  for (const l of layout) {
    const v = await vipsOn(lab, l.host);
    const held = l.groups.filter((g) => v.has(g.vip)).length;
    const want = l.role === 'master' ? l.groups.length : 0;
    if (held !== want) throw new Error(`${impl}: ${l.host} (${l.role}) holds ${held} of ${l.groups.length} VIPs at the end of the window`);
  }
  return layout.map((l) => ({
    impl,
    vhids: l.groups.length,
    role: l.role,
    host: l.host,
    processes: pids.get(l.host)!.length,
    rssKiB: rss.get(l.host)!,
    pssKiB: pss.get(l.host)!,
    anonKiB: anon.get(l.host)!,
    cpuPercent: cpuPercent(before.get(l.host)!, after.get(l.host)!, wall),
  }));
}
