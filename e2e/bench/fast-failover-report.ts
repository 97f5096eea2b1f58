// The fast-failover benchmark's results (the JSON in results/latest.json) and its lines in the report,
// pure: the goal check, a summary line and detail rows (report.ts prints them).
import type { FastImpl } from './fast-failover-impls.js';
import { fmtMs, fmtSigned, renderTable, type Summary } from './stats.js';

/** The goal of issue 11: the agent's wire takeover within this much of its protocol bound (and below keepalived's). */
export const GOAL_SLACK_MS = 20;

export interface FastFailoverRep {
  cutAt: number;
  lastAdvertAt: number;
  newAdvertAt: number;
  masterAt: number;
  /** Old master's last advert -> new master's first advert, both on the wire (what the protocol bounds, plus sending). */
  wireTakeoverMs: number;
  /** Old master's last advert on the wire -> the backup's own record of becoming MASTER. */
  ownTakeoverMs: number;
  cutToMasterMs: number;
  probe: { sent: number; lost: number; longestGapMs: number };
}

export interface FastFailoverImpl {
  impl: FastImpl;
  periodMs: number;
  boundMs: number;
  formula: string;
  reps: FastFailoverRep[];
  wire: Summary;
  own: Summary;
  outage: Summary;
  /** Median of wire takeover minus the bound. */
  deltaMedianMs: number;
  error?: string;
}

export interface FastLossRun {
  impl: FastImpl;
  seconds: number;
  percent: number;
  /** Runs of the lossy backup's adverts on the wire: each one a false takeover. */
  falseTakeovers: number;
  masterAdverts: number;
  backupAdverts: number;
  /** Agent only: the backup's own BACKUP -> MASTER transitions. */
  ownTakeovers?: number;
  /** Lost adverts in a row that make the backup time out, and the takeovers expected if losses were independent. */
  lossesInARow: number;
  expected: number;
  error?: string;
}

export interface FastFailoverBench {
  failover: FastFailoverImpl[];
  loss: FastLossRun[];
  /** The agent's median wire takeover is within GOAL_SLACK_MS of its bound and below keepalived's median. */
  goalMet: boolean | null;
}

/** Whether the goal holds for these results (null when a figure is missing). */
export function fastGoal(failover: FastFailoverImpl[]): boolean | null {
  const a = failover.find((f) => f.impl === 'agent');
  const k = failover.find((f) => f.impl === 'keepalived');
  if (!a || !k || a.wire.n === 0 || k.wire.n === 0) return null;
  return a.wire.median <= a.boundMs + GOAL_SLACK_MS && a.wire.median < k.wire.median;
}

/** The report's lines for this benchmark: [figure, impl, ...cells]. */
export function fastFailoverRows(r: FastFailoverBench): string[][] {
  const rows: string[][] = [];
  const k = r.failover.find((f) => f.impl === 'keepalived');
  for (const f of r.failover) {
    if (f.wire.n === 0) {
      rows.push(['fast failover (link cut)', f.impl, `FAILED: ${(f.error ?? '').slice(0, 90)}`]);
      continue;
    }
    rows.push([
      'fast failover (link cut)',
      f.impl,
      `wire ${fmtMs(f.wire.median)} median, worst ${fmtMs(f.wire.worst)}`,
      `(bound ${f.boundMs.toFixed(1)} ms = ${f.formula}, ${fmtSigned(f.deltaMedianMs)})`,
      `own record ${fmtMs(f.own.median)}`,
      `client outage ${fmtMs(f.outage.median)} (worst ${fmtMs(f.outage.worst)})`,
      f.impl === 'keepalived' || !k || k.wire.n === 0 ? '' : `keepalived ${fmtMs(k.wire.median)}`,
    ]);
  }
  for (const l of r.loss) {
    rows.push(
      Number.isFinite(l.falseTakeovers)
        ? [
            `fast failover, ${l.percent} % loss ${l.seconds} s`,
            l.impl,
            `${l.falseTakeovers} false takeover(s)`,
            l.ownTakeovers !== undefined ? `own record ${l.ownTakeovers}` : '',
            `adverts master ${l.masterAdverts}, backup ${l.backupAdverts}`,
            `times out after ${l.lossesInARow} lost in a row; independent-loss model ~${l.expected.toFixed(1)}`,
          ]
        : [`fast failover, loss`, l.impl, `FAILED: ${(l.error ?? '').slice(0, 90)}`],
    );
  }
  if (r.goalMet !== null) rows.push(['fast failover goal', 'agent', `within ${GOAL_SLACK_MS} ms of its bound and below keepalived: ${r.goalMet ? 'met' : 'NOT met'}`]);
  return rows;
}

/** One summary line: each implementation's median wire takeover and false takeovers under loss. */
export function fastFailoverSummary(r: FastFailoverBench): string[] {
  return [
    'fast failover (wire, loss)',
    ...r.failover.map((f) => {
      const l = r.loss.find((x) => x.impl === f.impl);
      const lossText = l && Number.isFinite(l.falseTakeovers) ? `, ${l.falseTakeovers} false at ${l.percent} %` : '';
      return f.wire.n === 0 ? `${f.impl} FAILED` : `${f.impl} ${fmtMs(f.wire.median)} (bound ${f.boundMs.toFixed(0)} ms${lossText})`;
    }),
  ];
}

export const renderFastFailover = (r: FastFailoverBench): string => renderTable(fastFailoverRows(r), 2);
