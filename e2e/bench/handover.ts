// Benchmark 2, planned handover: while the client probes the VIP at 100/s, the master steps aside
// (carp-agent: `maintenance on`; ucarp and keepalived: their clean stop, SIGTERM). Lost probes, gap.
import type { Lab } from '../lab/index.js';
import type { ProbeResult } from '../lab/probe.js';
import { AGENT, IMPLS, agentStatus, holds, repeatOnPair, setupPair, stopImpl, type ImplName } from './impls.js';
import { onCleanup, sleep, waitFor, withLab } from './session.js';
import { summarise, type Summary } from './stats.js';

export const HANDOVER_LAB = 51;

export interface HandoverRep {
  how: string;
  /** From issuing the command to the successor holding the VIP (polled every 10 ms; agent: includes the CLI's start). */
  takeoverMs: number;
  /** Agent only: successor's BACKUP->MASTER `since` minus the old master's MASTER->BACKUP `since` (negative: overlap). */
  agentSwitchMs?: number;
  probe: { sent: number; lost: number; longestGapMs: number };
}

export interface HandoverImpl {
  impl: ImplName;
  how: string;
  reps: HandoverRep[];
  lost: Summary;
  gap: Summary;
  takeover: Summary;
  error?: string;
}

const HOW: Record<ImplName, string> = {
  agent: 'carp-agent maintenance on',
  ucarp: 'SIGTERM (ucarp -z)',
  keepalived: 'SIGTERM',
};

export async function benchHandover(opts: { reps: number; impls?: ImplName[]; log: (m: string) => void }): Promise<HandoverImpl[]> {
  const id = HANDOVER_LAB;
  const g = { vhid: 1, vip: `198.18.${id}.100` };
  return withLab(id, 2, async (lab) => {
    const out: HandoverImpl[] = [];
    for (const impl of opts.impls ?? IMPLS) {
      const { reps, error } = await repeatOnPair(lab, impl, [g], {
        name: 'handover',
        reps: opts.reps,
        log: opts.log,
        one: () => oneHandover(lab, impl, g),
        describe: (r) =>
          ` (${r.how}): lost ${r.probe.lost}/${r.probe.sent}, longest gap ${r.probe.longestGapMs} ms, successor holds the VIP after ${r.takeoverMs} ms` +
          (r.agentSwitchMs !== undefined ? ` (agents' own times: successor MASTER ${r.agentSwitchMs} ms after the old master's BACKUP)` : ''),
      });
      out.push({
        impl,
        how: HOW[impl],
        reps,
        lost: summarise(reps.map((r) => r.probe.lost)),
        gap: summarise(reps.map((r) => r.probe.longestGapMs)),
        takeover: summarise(reps.map((r) => r.takeoverMs)),
        ...(error ? { error } : {}),
      });
    }
    return out;
  });
}

async function oneHandover(lab: Lab, impl: ImplName, g: { vhid: number; vip: string }): Promise<HandoverRep> {
  const master = 'fw1';
  const backup = 'fw2';
  await setupPair(lab, impl, master, backup, [g]);
  const probe = await lab.startProbe(g.vip, { rate: 100 });
  let result: ProbeResult | undefined;
  const stopProbe = onCleanup('probe', async () => {
    result = await probe.stop();
  });
  try {
    await sleep(500);
    const t0 = Date.now();
    if (impl === 'agent') {
      const r = await lab.exec(master, `node ${AGENT} maintenance on`, { timeoutMs: 15_000 });
      if (r.code !== 0) throw new Error(`${master}: carp-agent maintenance on exited ${r.code}: ${r.stderr.trim()}`);
    } else {
      await stopImpl(lab, master, impl);
    }
    await waitFor(async () => (await holds(lab, backup, g.vip)) && !(await holds(lab, master, g.vip)), 10_000, `${impl}: ${backup} alone holding ${g.vip}`, 10);
    const takeoverMs = Date.now() - t0;
    await sleep(1000);
    await stopProbe();
    const p = result!;
    let agentSwitchMs: number | undefined;
    if (impl === 'agent') {
      const old = (await agentStatus(lab, master)).groups.find((x) => x.vhid === g.vhid);
      const succ = (await agentStatus(lab, backup)).groups.find((x) => x.vhid === g.vhid);
      if (old?.state === 'BACKUP' && succ?.state === 'MASTER') agentSwitchMs = succ.since - old.since;
    }
    return { how: HOW[impl], takeoverMs, ...(agentSwitchMs !== undefined ? { agentSwitchMs } : {}), probe: { sent: p.sent, lost: p.lost, longestGapMs: p.longestGapMs } };
  } finally {
    await stopProbe().catch(() => undefined);
    await stopImpl(lab, master, impl).catch(() => undefined);
    await stopImpl(lab, backup, impl).catch(() => undefined);
  }
}
