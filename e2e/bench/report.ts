// The benchmark report: the JSON shape written to results/latest.json and the readable table
// printed at the end of `npm run bench` (figures per implementation with ratios to the agent).
import type { FailoverImpl } from './failover.js';
import type { HandoverImpl } from './handover.js';
import type { FootprintImpl } from './footprint.js';
import type { ConsoleBench } from './console.js';
import type { ConsoleUiBench } from './console-ui.js';
import type { ScreensBench } from './console-ui-screens.js';
import type { LossRun } from './loss.js';
import { fastFailoverRows, fastFailoverSummary, type FastFailoverBench } from './fast-failover-report.js';
import { fmtMiB, fmtMs, fmtPct, fmtRatio, fmtS, fmtSigned, ratio, renderTable } from './stats.js';

export interface BenchResults {
  startedAt: string;
  durationMs?: number;
  machine: { cpus: number; model: string; node: string; kernel: string };
  options: { only: string[]; reps: number; impls: string[] };
  versions?: Record<string, string>;
  failover?: FailoverImpl[];
  handover?: HandoverImpl[];
  footprint?: FootprintImpl[];
  console?: ConsoleBench;
  consoleUi?: ConsoleUiBench;
  /** The timeline (a 50,000-record history) and the wall on the same simulated fleet. */
  consoleUiScreens?: ScreensBench;
  loss?: LossRun[];
  fastFailover?: FastFailoverBench;
  errors: Record<string, string>;
}

/** One line per figure, every implementation side by side (the headline of the report). */
export function renderSummary(r: BenchResults): string {
  const rows: string[][] = [];
  const agentF = r.failover?.find((f) => f.impl === 'agent');
  if (r.failover?.length) {
    rows.push([
      'failover (link cut)',
      ...r.failover.map((f) => {
        if (f.afterLastAdvert.n === 0) return `${f.impl} FAILED`;
        const vs = f.impl === 'agent' ? '' : `, ${fmtRatio(ratio(f.afterLastAdvert.median, agentF?.afterLastAdvert.median ?? NaN))}`;
        return `${f.impl} ${fmtS(f.afterLastAdvert.median)} (bound ${fmtS(f.boundMs)}, ${fmtSigned(f.deltaMedianMs)}${vs})`;
      }),
    ]);
  }
  if (r.handover?.length) {
    rows.push([
      'planned handover',
      ...r.handover.map((h) => (h.lost.n === 0 ? `${h.impl} FAILED` : `${h.impl} lost ${h.lost.median} (worst ${h.lost.worst}), gap ${fmtMs(h.gap.median)}`)),
    ]);
  }
  for (const n of [1, 16]) {
    const cells = (r.footprint ?? []).flatMap((f) => {
      const x = f.rows.find((y) => y.vhids === n && y.role === 'master');
      const b = f.rows.find((y) => y.vhids === n && y.role === 'backup');
      return x && b ? [`${f.impl} ${fmtMiB(x.rssKiB)} ${fmtPct(x.cpuPercent)} / ${fmtPct(b.cpuPercent)}`] : f.rows.length ? [] : [`${f.impl} FAILED`];
    });
    if (cells.length) rows.push([`footprint ${n} vhid${n > 1 ? 's' : ''} (RSS, CPU m/b)`, ...cells]);
  }
  if (r.loss?.length) {
    const l0 = r.loss[0];
    rows.push([
      `lossy backup (${l0.percent} %, ${l0.seconds} s)`,
      ...r.loss.map((l) => (Number.isFinite(l.takeovers) ? `${l.impl} ${l.masterChanges} master change${l.masterChanges === 1 ? '' : 's'} (${l.takeovers} takeover${l.takeovers === 1 ? '' : 's'})` : `${l.impl} FAILED`)),
    ]);
  }
  if (r.fastFailover) rows.push(fastFailoverSummary(r.fastFailover));
  if (r.console) {
    const c = r.console;
    rows.push(['console', `deploy 3 hosts ${fmtS(c.deployColdMs)} cold, ${fmtS(c.redeployMs)} again`, `event latency median ${fmtMs(c.endToEnd.median)}, worst ${fmtMs(c.endToEnd.worst)} (${c.stateEvents} changes)`]);
  }
  if (r.consoleUi) {
    const u = r.consoleUi;
    rows.push([
      `console-ui (${u.hosts} hosts, ${u.groups} groups)`,
      `change -> DOM median ${fmtMs(u.changeToDom.median)}, p95 ${fmtMs(u.changeToDom.p95)} (${u.changeToDom.n} changes${u.missed ? `, ${u.missed} missed` : ''})`,
      `longest task ${u.stream.longTasks ? fmtMs(u.stream.longestTaskMs) : 'under 50 ms'} at 50 changes/s`,
    ]);
  }
  return renderTable(rows, 3);
}

export function renderReport(r: BenchResults): string {
  return `${renderSummary(r)}\n\ndetails:\n${renderDetails(r)}`;
}

export function renderDetails(r: BenchResults): string {
  const rows: string[][] = [];
  const agentF = r.failover?.find((f) => f.impl === 'agent');
  for (const f of r.failover ?? []) {
    if (f.error && f.reps.length === 0) {
      rows.push(['failover (link cut)', f.impl, `FAILED: ${f.error.slice(0, 90)}`]);
      continue;
    }
    const x = ratio(f.afterLastAdvert.median, agentF?.afterLastAdvert.median ?? NaN);
    rows.push([
      'failover (link cut)',
      f.impl,
      `${fmtS(f.afterLastAdvert.median)} median, worst ${fmtS(f.afterLastAdvert.worst)}`,
      `(bound ${fmtS(f.boundMs, 3)}, ${fmtSigned(f.deltaMedianMs)}, worst ${fmtSigned(f.deltaWorstMs)})`,
      `cut->MASTER ${fmtS(f.cutToMaster.median)}`,
      `probe gap ${fmtS(f.gap.median)} (worst ${fmtS(f.gap.worst)})`,
      f.impl === 'agent' ? '' : `${fmtRatio(x)} the agent`,
    ]);
  }
  const agentH = r.handover?.find((h) => h.impl === 'agent');
  for (const h of r.handover ?? []) {
    if (h.error && h.reps.length === 0) {
      rows.push(['planned handover', h.impl, `FAILED: ${h.error.slice(0, 90)}`]);
      continue;
    }
    rows.push([
      'planned handover',
      h.impl,
      `lost ${h.lost.median} probes median, worst ${h.lost.worst} (100/s)`,
      `gap ${fmtMs(h.gap.median)}, worst ${fmtMs(h.gap.worst)}`,
      `successor after ${fmtMs(h.takeover.median)}`,
      h.how,
      h.impl === 'agent' ? '' : `gap ${fmtRatio(ratio(h.gap.median, agentH?.gap.median ?? NaN))} the agent`,
    ]);
  }
  for (const f of r.footprint ?? []) {
    if (f.error && f.rows.length === 0) {
      rows.push(['footprint', f.impl, `FAILED: ${f.error.slice(0, 90)}`]);
      continue;
    }
    for (const x of f.rows) {
      const a = r.footprint?.find((y) => y.impl === 'agent')?.rows.find((y) => y.vhids === x.vhids && y.role === x.role);
      rows.push([
        `footprint ${x.vhids} vhid${x.vhids > 1 ? 's' : ''} ${x.role}`,
        x.impl,
        `RSS ${fmtMiB(x.rssKiB)} (PSS ${fmtMiB(x.pssKiB)})`,
        `idle CPU ${fmtPct(x.cpuPercent)}`,
        `${x.processes} process${x.processes > 1 ? 'es' : ''}`,
        x.impl === 'agent' || !a ? '' : `agent RSS = ${fmtRatio(ratio(a.rssKiB, x.rssKiB))} this`,
      ]);
    }
  }
  if (r.console) {
    const c = r.console;
    rows.push(['deploy 3 hosts', 'console', `cold ${fmtS(c.deployColdMs)}`, `redeploy ${fmtS(c.redeployMs)}${c.redeploySkipped ? ' (skipped)' : ''}`]);
    rows.push([
      'event latency',
      'console',
      `median ${fmtMs(c.endToEnd.median)}, worst ${fmtMs(c.endToEnd.worst)}`,
      `over ${c.stateEvents} state changes`,
      `agent->core read ${fmtMs(c.agentToConsole.median)}`,
    ]);
  }
  if (r.consoleUi) {
    const u = r.consoleUi;
    rows.push([
      'change -> DOM',
      'console-ui',
      `median ${fmtMs(u.changeToDom.median)}, p95 ${fmtMs(u.changeToDom.p95)}, worst ${fmtMs(u.changeToDom.worst)}`,
      `${u.cardsInDom} of ${u.groups} cards in the DOM`,
      `first card ${fmtMs(u.firstCardMs)}`,
    ]);
    rows.push(['change -> core fleet', 'console-ui', `median ${fmtMs(u.changeToCoreFleet.median)}, worst ${fmtMs(u.changeToCoreFleet.worst)}`, `whole fleet ${(u.fleetBytes / 1e6).toFixed(2)} MB of JSON (sent once)`]);
    const f = u.updateFrames;
    rows.push(['50 changes/s', 'console-ui', `${u.stream.longTasks} tasks over 50 ms`, `longest ${fmtMs(u.stream.longestTaskMs)}`, `${u.stream.changes} changes${f ? `; ${f.count} updates, median ${(f.medianBytes / 1e3).toFixed(1)} kB, largest ${(f.maxBytes / 1e3).toFixed(1)} kB` : ''}`]);
  }
  if (r.consoleUiScreens) {
    const s = r.consoleUiScreens;
    for (const [name, x] of [['timeline', s.timeline], ['wall', s.wall]] as const) {
      rows.push([
        `${name} at 50 changes/s`,
        'console-ui-screens',
        `${x.streamLongTasks} tasks over 50 ms, longest ${fmtMs(x.streamLongestTaskMs)}`,
        `opening: ready ${fmtMs(x.readyMs)}, longest task ${fmtMs(x.openLongestTaskMs)}`,
        name === 'timeline' ? `${s.seeded} records of history` : '',
      ]);
    }
  }
  for (const l of r.loss ?? []) {
    if (!Number.isFinite(l.takeovers)) {
      rows.push(['lossy backup', l.impl, `FAILED: ${(l.error ?? '').slice(0, 90)}`]);
      continue;
    }
    rows.push([
      `lossy backup (${l.percent} % in, ${l.seconds} s)`,
      l.impl,
      `${l.masterChanges} master change(s), ${l.takeovers} takeover(s) by the backup`,
      `${l.dualMasterS.toFixed(1)} s with two masters`,
      `adverts master ${l.masterAdverts}, backup ${l.backupAdverts}`,
      l.ownTakeovers !== undefined ? `own record ${l.ownTakeovers}` : '',
      `independent-loss model ~${l.expected.toFixed(1)}`,
    ]);
  }
  if (r.fastFailover) rows.push(...fastFailoverRows(r.fastFailover));
  for (const [b, e] of Object.entries(r.errors)) rows.push([b, 'FAILED', e.slice(0, 120)]);
  return rows.length ? renderTable(rows, 2) : '(no results)';
}
