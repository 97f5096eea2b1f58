// Benchmark `fast-failover`: sub-second timers side by side, carp-agent at advbase 0 (advskew 10 / 20)
// and keepalived VRRPv3 at advert_int 0.1, in one run. Cut the master's link: last advert -> the
// backup's first advert as MASTER on the wire (and its own record), and the client's outage at 500/s;
// then 60 s of 30 % loss at the backup at the same timers: false takeovers counted on the wire.
import type { Lab } from '../lab/index.js';
import type { RunningProbe } from '../lab/probe.js';
import { AgentWatch } from '../faults/helpers.js';
import { becameMasterAt, clearStamp, holds, resetHosts, stopImpl, type BenchGroup } from './impls.js';
import { FAST_IMPLS, expectedFalseTakeovers, fastBoundFormula, fastBoundMs, fastPeriodMs, lossesToTimeOut, setupFastPair, type FastImpl } from './fast-failover-impls.js';
import { LOSS_PERCENT, LOSS_SECONDS } from './loss.js';
import { captureAdverts, type Advert } from './wire.js';
import { onCleanup, sleep, waitFor, withLab } from './session.js';
import { summarise } from './stats.js';
import { fastGoal, type FastFailoverBench, type FastFailoverImpl, type FastFailoverRep, type FastLossRun } from './fast-failover-report.js';

export const FAST_FAILOVER_LAB = 26;
const PROBE_RATE = 500;
/** Backup adverts closer together than this belong to one takeover (its own period is 78 or 100 ms). */
const EPISODE_GAP_MS = 300;

function episodes(adverts: Advert[], src: string, from: number, to: number): number {
  let n = 0;
  let last = -Infinity;
  for (const a of adverts) {
    if (a.src !== src || a.t < from || a.t > to) continue;
    if (a.t - last > EPISODE_GAP_MS) n++;
    last = a.t;
  }
  return n;
}

export async function benchFastFailover(opts: { reps: number; impls?: string[]; log: (m: string) => void }): Promise<FastFailoverBench> {
  const impls = FAST_IMPLS.filter((i) => !opts.impls || opts.impls.includes(i));
  const g: BenchGroup = { vhid: 1, vip: `198.18.${FAST_FAILOVER_LAB}.100` };
  return withLab(FAST_FAILOVER_LAB, 2, async (lab) => {
    const failover: FastFailoverImpl[] = [];
    const loss: FastLossRun[] = [];
    for (const impl of impls) {
      const reps: FastFailoverRep[] = [];
      let error: string | undefined;
      try {
        for (let i = 0; i < opts.reps; i++) {
          const r = await oneFastFailover(lab, impl, g);
          reps.push(r);
          opts.log(
            `fast-failover ${impl} #${i + 1}: MASTER on the wire ${r.wireTakeoverMs} ms after the last advert (bound ${fastBoundMs(impl).toFixed(1)}), ` +
              `own record ${r.ownTakeoverMs} ms; client outage ${r.probe.longestGapMs} ms (${r.probe.lost} lost at ${PROBE_RATE}/s)`,
          );
        }
      } catch (e) {
        error = (e as Error).message;
        opts.log(`fast-failover ${impl}: FAILED: ${error}`);
      } finally {
        await resetHosts(lab, ['fw1', 'fw2'], [g]).catch(() => undefined);
      }
      const wire = summarise(reps.map((r) => r.wireTakeoverMs));
      failover.push({
        impl,
        periodMs: fastPeriodMs(impl, 'master'),
        boundMs: fastBoundMs(impl),
        formula: fastBoundFormula(impl),
        reps,
        wire,
        own: summarise(reps.map((r) => r.ownTakeoverMs)),
        outage: summarise(reps.map((r) => r.probe.longestGapMs)),
        deltaMedianMs: wire.median - fastBoundMs(impl),
        ...(error ? { error } : {}),
      });
    }
    for (const impl of impls) {
      try {
        const r = await oneFastLoss(lab, impl, g);
        loss.push(r);
        opts.log(
          `fast-failover loss ${impl} (${r.percent} % at the backup for ${r.seconds} s): ${r.falseTakeovers} false takeover(s) on the wire` +
            (r.ownTakeovers !== undefined ? ` (own record ${r.ownTakeovers})` : '') +
            `; adverts master ${r.masterAdverts} / backup ${r.backupAdverts}; ${r.lossesInARow} in a row time out, ~${r.expected.toFixed(1)} expected if losses were independent`,
        );
      } catch (e) {
        const error = (e as Error).message;
        opts.log(`fast-failover loss ${impl}: FAILED: ${error}`);
        loss.push({ impl, seconds: LOSS_SECONDS, percent: LOSS_PERCENT, falseTakeovers: NaN, masterAdverts: NaN, backupAdverts: NaN, lossesInARow: NaN, expected: NaN, error });
      } finally {
        await resetHosts(lab, ['fw1', 'fw2'], [g]).catch(() => undefined);
      }
    }
    return { failover, loss, goalMet: fastGoal(failover) };
  });
}

async function oneFastFailover(lab: Lab, impl: FastImpl, g: BenchGroup): Promise<FastFailoverRep> {
  const [master, backup] = ['fw1', 'fw2'];
  const masterIp = lab.host(master).lanAddress;
  const backupIp = lab.host(backup).lanAddress;
  await setupFastPair(lab, impl, master, backup, g);
  await clearStamp(lab, backup, g.vhid);
  const cap = await captureAdverts(lab);
  let stopProbe: (() => Promise<void>) | undefined;
  try {
    const probe: RunningProbe = await lab.startProbe(g.vip, { rate: PROBE_RATE });
    let result: Awaited<ReturnType<RunningProbe['stop']>> | undefined;
    stopProbe = onCleanup('probe', async () => {
      result = await probe.stop();
    });
    // A cut at any phase of the advert period: the figures count from the last advert on the wire.
    await sleep(500 + Math.random() * fastPeriodMs(impl, 'master'));
    const cutAt = Date.now();
    await lab.cut(master);
    await waitFor(() => holds(lab, backup, g.vip), 10_000, `${impl}: ${backup} taking over ${g.vip} after the cut`, 5);
    await sleep(500);
    await stopProbe();
    const pr = result!;
    const masterAt = await becameMasterAt(lab, backup, impl, g.vhid);
    if (!Number.isFinite(masterAt)) throw new Error(`${impl}: ${backup} holds the VIP but left no record of becoming MASTER`);
    const last = cap.lastFrom(masterIp, cutAt + 50);
    if (!last) throw new Error(`${impl}: no advert of ${master} seen on the wire before the cut`);
    const fresh = cap.firstFrom(backupIp, last.t);
    if (!fresh) throw new Error(`${impl}: no advert of ${backup} seen on the wire after the takeover`);
    return {
      cutAt,
      lastAdvertAt: last.t,
      newAdvertAt: fresh.t,
      masterAt,
      wireTakeoverMs: Math.round(fresh.t - last.t),
      ownTakeoverMs: Math.round(masterAt - last.t),
      cutToMasterMs: Math.round(masterAt - cutAt),
      probe: { sent: pr.sent, lost: pr.lost, longestGapMs: Math.round(pr.longestGapMs) },
    };
  } finally {
    await stopProbe?.().catch(() => undefined);
    await cap.stop();
    await stopImpl(lab, master, impl).catch(() => undefined);
    await lab.heal(master);
    await stopImpl(lab, backup, impl).catch(() => undefined);
  }
}

async function oneFastLoss(lab: Lab, impl: FastImpl, g: BenchGroup): Promise<FastLossRun> {
  const [master, backup] = ['fw1', 'fw2'];
  await setupFastPair(lab, impl, master, backup, g);
  const cap = await captureAdverts(lab);
  const aw = impl === 'agent' ? new AgentWatch(lab, [master, backup], g.vhid) : null;
  try {
    await sleep(1000);
    const from = Date.now();
    await lab.loss(backup, LOSS_PERCENT);
    await sleep(LOSS_SECONDS * 1000);
    await lab.loss(backup, 0);
    const to = Date.now();
    await sleep(1000); // a takeover at the very end steps down once the backup hears the master again
    const m = lab.host(master).lanAddress;
    const b = lab.host(backup).lanAddress;
    const run: FastLossRun = {
      impl,
      seconds: LOSS_SECONDS,
      percent: LOSS_PERCENT,
      falseTakeovers: episodes(cap.adverts, b, from, to + 1000),
      masterAdverts: cap.adverts.filter((a) => a.src === m && a.t >= from && a.t <= to).length,
      backupAdverts: cap.adverts.filter((a) => a.src === b && a.t >= from && a.t <= to + 1000).length,
      lossesInARow: lossesToTimeOut(fastPeriodMs(impl, 'master'), fastBoundMs(impl)),
      expected: expectedFalseTakeovers(impl, LOSS_PERCENT, LOSS_SECONDS),
    };
    if (aw) run.ownTakeovers = aw.becameMaster(from).filter((s) => s.host === backup && s.at <= to + 1000).length;
    return run;
  } finally {
    aw?.close();
    await cap.stop();
    await lab.loss(backup, 0).catch(() => undefined);
    await stopImpl(lab, master, impl).catch(() => undefined);
    await stopImpl(lab, backup, impl).catch(() => undefined);
  }
}
