// Benchmark 5, lossy LAN at a backup: 30 % of every frame arriving at the backup's eth0 is dropped for
// 60 s (advbase 1), and we count how often mastership changes, for carp-agent, ucarp and keepalived.
// The count comes from the wire (tshark on the LAN bridge): a backup sends adverts only while it believes
// it is MASTER, so each run of the lossy backup's adverts is one takeover (and one step back down when it
// hears the real master again), and every silence of the master longer than its timeout would be another.
import type { Lab } from '../lab/index.js';
import { IMPLS, priorityOf, repeatOnPair, setupPair, stopImpl, type ImplName } from './impls.js';
import { captureAdverts, type Advert } from './wire.js';
import { sleep, withLab } from './session.js';
import { AgentWatch } from '../faults/helpers.js';

export const LOSS_LAB = 69;
export const LOSS_PERCENT = 30;
export const LOSS_SECONDS = 60;
/** Adverts from one host closer together than this belong to one run of mastership (intervals here are 1 to 1.4 s). */
const EPISODE_GAP_MS = 2500;

export interface LossRun {
  impl: ImplName;
  seconds: number;
  percent: number;
  /** Times the lossy backup became MASTER (runs of its adverts on the wire). */
  takeovers: number;
  /** Master changes: every host's moves into MASTER (the backup's takeovers, and the master's returns after a silence of its own). */
  masterChanges: number;
  /** Seconds during which the lossy backup advertised as MASTER as well (two masters on the LAN). */
  dualMasterS: number;
  /** The master's adverts and the backup's during the run. */
  masterAdverts: number;
  backupAdverts: number;
  /** Agent only: the backup's own BACKUP -> MASTER transitions (its control socket), a cross-check of the wire. */
  ownTakeovers?: number;
  /** Expected takeovers if every loss were independent: the backup times out after 3 missed adverts in a row. */
  expected: number;
  error?: string;
}

function episodes(adverts: Advert[], src: string, from: number, to: number): Array<{ first: number; last: number; n: number }> {
  const out: Array<{ first: number; last: number; n: number }> = [];
  for (const a of adverts) {
    if (a.src !== src || a.t < from || a.t > to) continue;
    const cur = out[out.length - 1];
    if (cur && a.t - cur.last <= EPISODE_GAP_MS) {
      cur.last = a.t;
      cur.n++;
    } else out.push({ first: a.t, last: a.t, n: 1 });
  }
  return out;
}

/** Adverts per minute times P(heard one, then 3 lost in a row) = (1 - p) p^3: takeovers expected per run. */
export function expectedTakeovers(percent: number, seconds: number): number {
  const p = percent / 100;
  return seconds * (1 - p) * p ** 3;
}

export async function benchLoss(opts: { impls?: ImplName[]; log: (m: string) => void }): Promise<LossRun[]> {
  const id = LOSS_LAB;
  const g = { vhid: 1, vip: `198.18.${id}.100` };
  return withLab(id, 2, async (lab) => {
    const out: LossRun[] = [];
    for (const impl of opts.impls ?? IMPLS) {
      const { reps, error } = await repeatOnPair(lab, impl, [g], {
        name: 'loss',
        reps: 1,
        log: opts.log,
        one: () => oneLossRun(lab, impl, g),
        describe: (r) =>
          ` (${r.percent} % loss at the backup for ${r.seconds} s): ${r.takeovers} takeover(s) by the backup, ${r.masterChanges} master change(s), ` +
          `${r.dualMasterS.toFixed(1)} s with two masters; adverts master ${r.masterAdverts} / backup ${r.backupAdverts}` +
          (r.ownTakeovers !== undefined ? `; the agent's own record: ${r.ownTakeovers} takeover(s)` : '') +
          ` (expected ~${r.expected.toFixed(1)} if losses were independent)`,
      });
      out.push(reps[0] ?? { impl, seconds: LOSS_SECONDS, percent: LOSS_PERCENT, takeovers: NaN, masterChanges: NaN, dualMasterS: NaN, masterAdverts: NaN, backupAdverts: NaN, expected: expectedTakeovers(LOSS_PERCENT, LOSS_SECONDS), ...(error ? { error } : {}) });
    }
    return out;
  });
}

async function oneLossRun(lab: Lab, impl: ImplName, g: { vhid: number; vip: string }): Promise<LossRun> {
  const master = 'fw1';
  const backup = 'fw2';
  await setupPair(lab, impl, master, backup, [g]);
  const cap = await captureAdverts(lab);
  const aw = impl === 'agent' ? new AgentWatch(lab, [master, backup], g.vhid) : null;
  try {
    await sleep(1500);
    const from = Date.now();
    await lab.loss(backup, LOSS_PERCENT);
    await sleep(LOSS_SECONDS * 1000);
    await lab.loss(backup, 0);
    const to = Date.now();
    await sleep(2000); // the last takeover, if any, ends once the backup hears the master again
    const m = lab.host(master).lanAddress;
    const b = lab.host(backup).lanAddress;
    const bEps = episodes(cap.adverts, b, from, to + 2000);
    // The master stops only if it steps down; every silence of its own longer than a run gap is a change too.
    const mEps = episodes(cap.adverts, m, from, to + 2000);
    const interval = (1 + priorityOf(impl, 'backup') / 256) * 1000;
    const dualMasterS = bEps.reduce((s, e) => s + (e.last - e.first + (impl === 'keepalived' ? 1000 : interval)), 0) / 1000;
    const run: LossRun = {
      impl,
      seconds: LOSS_SECONDS,
      percent: LOSS_PERCENT,
      takeovers: bEps.length,
      masterChanges: bEps.length + Math.max(0, mEps.length - 1),
      dualMasterS,
      masterAdverts: cap.adverts.filter((a) => a.src === m && a.t >= from && a.t <= to).length,
      backupAdverts: cap.adverts.filter((a) => a.src === b && a.t >= from && a.t <= to).length,
      expected: expectedTakeovers(LOSS_PERCENT, LOSS_SECONDS),
    };
    if (aw) run.ownTakeovers = aw.becameMaster(from).filter((s) => s.host === backup && s.at <= to + 2000).length;
    return run;
  } finally {
    aw?.close();
    await cap.stop();
    await lab.loss(backup, 0).catch(() => undefined);
    await stopImpl(lab, master, impl).catch(() => undefined);
    await stopImpl(lab, backup, impl).catch(() => undefined);
  }
}
