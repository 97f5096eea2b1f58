// Benchmark 1, unplanned failover: cut the master's LAN link right after one of its adverts and time
// the backup's takeover against the protocol bound, for carp-agent, ucarp and keepalived.
import type { Lab } from '../lab/index.js';
import type { RunningProbe } from '../lab/probe.js';
import { IMPLS, becameMasterAt, boundFormula, clearStamp, failoverBoundMs, holds, repeatOnPair, setupPair, stopImpl, type ImplName } from './impls.js';
import { captureAdverts } from './wire.js';
import { onCleanup, sleep, waitFor, withLab } from './session.js';
import { summarise, worstAbs, type Summary } from './stats.js';

export const FAILOVER_LAB = 50;
/** The cut is aimed this long after the master's predicted advert. */
const CUT_AFTER_ADVERT_MS = 5;

export interface FailoverRep {
  /** Epoch ms just before `ip link set ... down`, and how long that command took. */
  cutAt: number;
  cutCmdMs: number;
  /** Last advert of the old master on the wire, before the cut. */
  lastAdvertAt: number;
  /** The backup's own record of becoming MASTER. */
  masterAt: number;
  /** First advert of the new master on the wire. */
  newAdvertAt: number;
  cutToMasterMs: number;
  /** Takeover measured from the last advert the backup heard: what the protocol bounds. */
  afterLastAdvertMs: number;
  deltaMs: number;
  wireTakeoverMs: number;
  probe: { sent: number; lost: number; longestGapMs: number };
}

export interface FailoverImpl {
  impl: ImplName;
  boundMs: number;
  formula: string;
  reps: FailoverRep[];
  afterLastAdvert: Summary;
  cutToMaster: Summary;
  deltaMedianMs: number;
  deltaWorstMs: number;
  gap: Summary;
  error?: string;
}

export async function benchFailover(opts: { reps: number; impls?: ImplName[]; log: (m: string) => void }): Promise<FailoverImpl[]> {
  const id = FAILOVER_LAB;
  const vip = `198.18.${id}.100`;
  const groups = [{ vhid: 1, vip }];
  return withLab(id, 2, async (lab) => {
    const out: FailoverImpl[] = [];
    for (const impl of opts.impls ?? IMPLS) {
      const { reps, error } = await repeatOnPair(lab, impl, groups, {
        name: 'failover',
        reps: opts.reps,
        log: opts.log,
        one: () => oneFailover(lab, impl, groups[0]),
        describe: (r) =>
          `: MASTER ${r.afterLastAdvertMs} ms after the last advert (bound ${failoverBoundMs(impl).toFixed(1)}, ` +
          `${r.deltaMs >= 0 ? '+' : ''}${r.deltaMs.toFixed(0)} ms), ${r.cutToMasterMs} ms after the cut; probe gap ${r.probe.longestGapMs} ms, lost ${r.probe.lost}`,
      });
      const bound = failoverBoundMs(impl);
      out.push({
        impl,
        boundMs: bound,
        formula: boundFormula(impl),
        reps,
        afterLastAdvert: summarise(reps.map((r) => r.afterLastAdvertMs)),
        cutToMaster: summarise(reps.map((r) => r.cutToMasterMs)),
        deltaMedianMs: summarise(reps.map((r) => r.deltaMs)).median,
        deltaWorstMs: worstAbs(reps.map((r) => r.deltaMs)),
        gap: summarise(reps.map((r) => r.probe.longestGapMs)),
        ...(error ? { error } : {}),
      });
    }
    return out;
  });
}

async function oneFailover(lab: Lab, impl: ImplName, g: { vhid: number; vip: string }): Promise<FailoverRep> {
  const master = 'fw1';
  const backup = 'fw2';
  const masterIp = lab.host(master).lanAddress;
  const backupIp = lab.host(backup).lanAddress;
  await setupPair(lab, impl, master, backup, [g]);
  await clearStamp(lab, backup, g.vhid);
  const cap = await captureAdverts(lab);
  let probe: RunningProbe | undefined;
  let stopProbe: (() => Promise<void>) | undefined;
  try {
    probe = await lab.startProbe(g.vip, { rate: 100 });
    let result: Awaited<ReturnType<RunningProbe['stop']>> | undefined;
    const p = probe;
    stopProbe = onCleanup('probe', async () => {
      result = await p.stop();
    });
    await sleep(300);
    // Cut just after an advert of the master, so the cut starts the backup's silence and cut-to-master
    // is comparable with the bound (which counts from the last advert heard). tshark prints packets a
    // few hundred ms late, so the next advert is predicted from the period of the last two.
    const a1 = await cap.next(masterIp, Date.now(), 5000);
    const a2 = await cap.next(masterIp, a1.t, 5000);
    const period = a2.t - a1.t;
    let target = a2.t + period + CUT_AFTER_ADVERT_MS;
    while (target - Date.now() < 30) target += period;
    await sleep(target - Date.now());
    const cutAt = Date.now();
    await lab.cut(master);
    const cutCmdMs = Date.now() - cutAt;
    await waitFor(() => holds(lab, backup, g.vip), 10_000, `${impl}: ${backup} taking over ${g.vip} after the cut`, 10);
    await sleep(600);
    await stopProbe();
    const pr = result!;
    const masterAt = await becameMasterAt(lab, backup, impl, g.vhid);
    if (!Number.isFinite(masterAt)) throw new Error(`${impl}: ${backup} holds the VIP but left no record of becoming MASTER`);
    const last = cap.lastFrom(masterIp, masterAt);
    if (!last) throw new Error(`${impl}: no advert of ${master} seen on the wire before the takeover`);
    const fresh = cap.firstFrom(backupIp, last.t);
    const afterLast = masterAt - last.t;
    return {
      cutAt,
      cutCmdMs,
      lastAdvertAt: last.t,
      masterAt,
      newAdvertAt: fresh?.t ?? NaN,
      cutToMasterMs: masterAt - cutAt,
      afterLastAdvertMs: Math.round(afterLast),
      deltaMs: Math.round(afterLast - failoverBoundMs(impl)),
      wireTakeoverMs: fresh ? Math.round(fresh.t - last.t) : NaN,
      probe: { sent: pr.sent, lost: pr.lost, longestGapMs: pr.longestGapMs },
    };
  } finally {
    await stopProbe?.().catch(() => undefined);
    await cap.stop();
    await stopImpl(lab, master, impl).catch(() => undefined);
    await lab.heal(master);
    await stopImpl(lab, backup, impl).catch(() => undefined);
  }
}
