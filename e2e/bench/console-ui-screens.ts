// Benchmark `console-ui` screens (issue 10, scale): on a simulated console (200 hosts, 1,000 groups) with a
// busy history (50,000 records seeded), the longest main-thread task while opening #/timeline and #/wall and
// while 50 changes per second stream in. Run alone: `npx tsx e2e/bench/console-ui-screens.ts` (after a build;
// CARP_BENCH_STATIC=dir serves another build of the renderer, CARP_BENCH_PROFILE=1 prints the page's hot functions).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { onCleanup } from './session.js';
import { sleep } from '../wait.js';
import { openSimulatedConsole } from '../../electron/web/simulate.js';
import { startWebServer } from '../../electron/web/server.js';
import { STATIC_DIR } from '../../electron/web/serve.js';
import { openHistoryStore, type HistoryStore } from '../../electron/core/history/store.js';
import type { HistoryRecord } from '../../electron/core/history/records.js';
import type { SimFleet } from '../../electron/core/testing/sim-fleet.js';
import { groupKey } from '../../electron/core/fleet/types.js';
import { CHROMIUM_LAUNCH } from '../chromium.js';

export const SCREENS_SIZE = { hosts: 200, groups: 1000 };
export const SEED_RECORDS = 50_000;
const STREAM_PER_S = 50;
const STREAM_S = 10;

export interface ScreenFigures {
  /** Navigation until the screen shows what it should (timeline: every lane), ms. */
  readyMs: number;
  /** Longest main-thread task from navigation until ready + 2 s, ms (0: none over 50 ms). */
  openLongestTaskMs: number;
  openLongTasks: number;
  /** While STREAM_PER_S changes per second stream in for STREAM_S seconds. */
  streamLongestTaskMs: number;
  streamLongTasks: number;
}

export interface ScreensBench {
  seeded: number;
  timeline: ScreenFigures;
  wall: ScreenFigures;
}

/**
 * A busy history for the simulated fleet: every lane's and group's state, then master flips (2 state
 * records + 1 master record each) spread evenly over the `spanMs` before `end`, `n` records in all.
 */
export function seedHistory(store: HistoryStore, sim: Pick<SimFleet, 'groups'>, n: number, end: number, spanMs = 14 * 60_000): number {
  const start = end - spanMs;
  const keys = sim.groups.map((g) => groupKey(g.segment, g.vhid));
  const batch: HistoryRecord[] = [{ t: start, kind: 'console', what: 'start' }];
  const masters = sim.groups.map(() => 0);
  sim.groups.forEach((g, i) => {
    g.members.forEach((h, k) => batch.push({ t: start, kind: 'state', host: h, group: keys[i], name: `sim-${i + 1}`, state: k === 0 ? 'MASTER' : 'BACKUP' }));
    batch.push({ t: start, kind: 'master', group: keys[i], masters: [g.members[0]], was: [] });
  });
  store.append(batch);
  let written = batch.length;
  const flips = Math.max(0, Math.floor((n - written) / 3));
  let chunk: HistoryRecord[] = [];
  for (let f = 0; f < flips; f++) {
    const t = Math.round(start + 1 + ((spanMs - 2) * f) / flips);
    const i = (f * 7919) % sim.groups.length;
    const g = sim.groups[i];
    const from = g.members[masters[i]];
    masters[i] = (masters[i] + 1) % g.members.length;
    const to = g.members[masters[i]];
    chunk.push(
      { t, kind: 'state', host: to, group: keys[i], state: 'MASTER', reason: 'preempting less preferred master (simulated)' },
      { t, kind: 'state', host: from, group: keys[i], state: 'BACKUP', reason: 'preferred master advertised (simulated)' },
      { t, kind: 'master', group: keys[i], masters: [to], was: [from] },
    );
    if (chunk.length >= 3000) {
      store.append(chunk);
      written += chunk.length;
      chunk = [];
    }
  }
  store.append(chunk);
  return written + chunk.length;
}

declare global {
  interface Window {
    __screenTasks?: { start: number; duration: number }[];
  }
}

/** A string, not a function (tsx would wrap inner closures in a helper the page lacks): collects long tasks. */
const LONGTASKS_JS = `(() => {
  if (window.__screenTasks) return;
  window.__screenTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__screenTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
})()`;

async function tasksSince(page: Page, since: number): Promise<number[]> {
  return page.evaluate((s) => (window.__screenTasks ?? []).filter((t) => t.start >= s).map((t) => t.duration), since);
}

const longest = (ds: number[]) => (ds.length ? Math.round(Math.max(...ds)) : 0);

async function stream(flip: () => void): Promise<void> {
  const start = Date.now();
  for (let k = 0; k < STREAM_PER_S * STREAM_S; k++) {
    flip();
    await sleep(Math.max(0, start + ((k + 1) * 1000) / STREAM_PER_S - Date.now()));
  }
  await sleep(1000);
}

/** CARP_BENCH_PROFILE=1: a CPU profile of the page (Chrome DevTools protocol); the stop function lists the top 15 functions by self time. */
async function startProfile(page: Page): Promise<() => Promise<string>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
  return async () => {
    const { profile } = await cdp.send('Profiler.stop');
    const self = new Map<string, number>();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const dt = profile.timeDeltas ?? [];
    (profile.samples ?? []).forEach((id, i) => {
      const n = byId.get(id)!;
      const f = n.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
      self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0) / 1000);
    });
    await cdp.detach();
    return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, ms]) => `  ${ms.toFixed(0).padStart(6)} ms  ${k}`).join('\n');
  };
}

/** Opens `hash` on the page, waits until `ready` holds in the page, then streams changes; long tasks of each phase. */
async function measureScreen(page: Page, url: string, hash: string, ready: (arg: number) => boolean, arg: number, flip: () => void): Promise<ScreenFigures> {
  await page.goto('about:blank');
  const profilingOpen = process.env.CARP_BENCH_PROFILE ? await startProfile(page) : null;
  await page.goto(`${url.replace(/#.*$/, '')}${hash}`);
  await page.evaluate(LONGTASKS_JS);
  const t0 = Date.now();
  await page.waitForFunction(ready, arg, { timeout: 120_000, polling: 100 });
  const readyMs = Date.now() - t0;
  await sleep(2000);
  const open = await tasksSince(page, 0);
  if (profilingOpen) console.log(`${hash}: the page's top functions (self time) while opening:\n${await profilingOpen()}`);
  const mark = await page.evaluate(() => performance.now());
  const profiling = process.env.CARP_BENCH_PROFILE ? await startProfile(page) : null;
  await stream(flip);
  if (profiling) console.log(`${hash}: the page's top functions (self time) while changes stream in:\n${await profiling()}`);
  const during = await tasksSince(page, mark);
  return { readyMs, openLongestTaskMs: longest(open), openLongTasks: open.length, streamLongestTaskMs: longest(during), streamLongTasks: during.length };
}

/** The timeline is ready when its lane count says every lane of the simulated fleet is there and nothing is loading. */
function timelineReady(lanes: number): boolean {
  const m = /\((\d+) host/.exec(document.getElementById('lanes-title')?.textContent ?? '');
  return !!m && Number(m[1]) >= lanes && !document.querySelector('[aria-busy="true"]');
}
function wallReady(): boolean {
  return document.querySelectorAll('.wall-grid article').length > 0;
}

/**
 * Given a page and the web shell's URL on a simulated console that keeps a seeded history, measures the
 * timeline and the wall (each opened fresh, then STREAM_PER_S × STREAM_S changes through `sim.flip`).
 */
export async function measureScreens(page: Page, o: { url: string; sim: Pick<SimFleet, 'flip' | 'groups'>; log: (m: string) => void; seeded?: number }): Promise<ScreensBench> {
  const flip = () => void o.sim.flip(Math.floor(Math.random() * o.sim.groups.length));
  const timeline = await measureScreen(page, o.url, '#/timeline', timelineReady, SCREENS_SIZE.groups * 3, flip);
  o.log(`console-ui-screens: timeline with ${o.seeded ?? '?'} records: every lane after ${timeline.readyMs} ms, longest task ${timeline.openLongestTaskMs} ms opening (${timeline.openLongTasks} over 50 ms), ${timeline.streamLongestTaskMs} ms while ${STREAM_PER_S} changes/s stream in (${timeline.streamLongTasks} over 50 ms)`);
  const wall = await measureScreen(page, o.url, '#/wall', wallReady, 0, flip);
  o.log(`console-ui-screens: wall: tiles after ${wall.readyMs} ms, longest task ${wall.openLongestTaskMs} ms opening (${wall.openLongTasks} over 50 ms), ${wall.streamLongestTaskMs} ms while ${STREAM_PER_S} changes/s stream in (${wall.streamLongTasks} over 50 ms)`);
  return { seeded: o.seeded ?? 0, timeline, wall };
}

/** The whole run: a simulated console with a seeded history in a temporary folder, the web shell, Chromium. */
export async function benchConsoleUiScreens(opts: { log: (m: string) => void; records?: number }): Promise<ScreensBench> {
  const dir = mkdtempSync(join(tmpdir(), 'carp-bench-history-'));
  const removeDir = onCleanup('bench history folder', () => rmSync(dir, { recursive: true, force: true }));
  const store = openHistoryStore(dir);
  let sim: ReturnType<typeof openSimulatedConsole> | undefined;
  const closeSim = onCleanup('simulated console', () => sim?.close());
  try {
    sim = openSimulatedConsole(SCREENS_SIZE, { history: { store, who: 'bench (console-ui-screens)' } });
    const seeded = seedHistory(store, sim.sim, opts.records ?? SEED_RECORDS, Date.now() - 30_000);
    // CARP_BENCH_STATIC: another build of the renderer (a before/after comparison)
    const server = await startWebServer({ api: sim.console, port: 0, staticDir: process.env.CARP_BENCH_STATIC ?? STATIC_DIR });
    const closeServer = onCleanup('web server', () => server.close());
    const browser = await chromium.launch(CHROMIUM_LAUNCH);
    const closeBrowser = onCleanup('chromium', () => browser.close());
    try {
      await sim.console.ready(30_000);
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const s = sim.sim;
      return await measureScreens(page, { url: server.url, sim: s, log: opts.log, seeded });
    } finally {
      await closeBrowser();
      await closeServer();
    }
  } finally {
    await closeSim();
    await removeDir();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchConsoleUiScreens({ log: (m) => console.log(m) }).then(
    (r) => {
      console.log(JSON.stringify(r, null, 1));
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
