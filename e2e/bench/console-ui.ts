// Benchmark `console-ui` (issue 10, scale): the web shell on a simulated fleet (200 hosts, 1,000 groups,
// fake agents), Chromium via Playwright. Figures: a fake agent's state change → the new MASTER in the
// groups board's DOM, and the longest main-thread task while 50 changes per second stream in, with the
// size of the fleet updates the page receives (deltas: fleet/delta.ts).
import { chromium, type Page } from '@playwright/test';
import { summarise, type Summary } from './stats.js';
import { percentile } from './percentile.js';
import { onCleanup } from './session.js';
import { sleep } from '../wait.js';
import { CHROMIUM_LAUNCH } from '../chromium.js';
import { openSimulatedConsole } from '../../electron/web/simulate.js';
import { startWebServer } from '../../electron/web/server.js';
import { STATIC_DIR } from '../../electron/web/serve.js';

export const UI_SIZE = { hosts: 200, groups: 1000 };
const CHANGES = 120;
const STREAM_PER_S = 50;
const STREAM_S = 10;
/** Goals from issue 10. */
export const UI_GOALS = { p95Ms: 100, longestTaskMs: 50 };

export interface ConsoleUiBench {
  hosts: number;
  groups: number;
  /** Fake agent's state change (Node's Date.now() before the flip) → the MutationObserver seeing the new MASTER (page Date.now()). */
  changeToDom: Summary & { p95: number };
  /** The same change → the core's next 'fleet' event (the web shell then sends the page what changed). */
  changeToCoreFleet: Summary;
  /** Size of the whole fleet as JSON (sent once, when the page subscribes). */
  fleetBytes: number;
  /** WebSocket frames carrying fleet updates while the changes stream in: their count and sizes in bytes. */
  updateFrames?: { count: number; medianBytes: number; maxBytes: number };
  /** Changes that never showed within 5 s. */
  missed: number;
  /** Cards in the DOM with the board scrolled to the top (1,000 without windowing). */
  cardsInDom: number;
  /** While STREAM_PER_S changes per second stream in for STREAM_S seconds. */
  stream: { changes: number; longTasks: number; longestTaskMs: number; totalLongTaskMs: number };
  /** Time from navigation to the first card in the DOM. */
  firstCardMs: number;
  samples: number[];
}

declare global {
  interface Window {
    __want?: { label: string; host: string; seenAt: number };
    __longTasks?: number[];
  }
}

/**
 * In the page: a MutationObserver that stamps the moment the wanted group's row for `host` says MASTER,
 * and a PerformanceObserver collecting long tasks. A string, not a function: tsx would wrap the
 * function's inner closures in a helper (__name) that the page does not have.
 */
const OBSERVER_JS = `(() => {
  const check = () => {
    const w = window.__want;
    if (!w || w.seenAt) return;
    const card = document.querySelector('article[aria-label="' + CSS.escape(w.label) + '"]');
    if (!card) return;
    for (const row of card.querySelectorAll('tbody tr')) {
      const th = row.querySelector('th');
      const state = row.querySelector('.state');
      const link = th && th.querySelector('a, button');
      if (link && link.textContent.trim() === w.host && /MASTER/.test(state ? state.textContent : '')) {
        w.seenAt = Date.now();
        return;
      }
    }
  };
  new MutationObserver(check).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
})()`;

async function cardLabels(page: Page): Promise<string[]> {
  return page.$$eval('main article[aria-label^="Group vhid"]', (as) => as.map((a) => a.getAttribute('aria-label') ?? ''));
}

export async function benchConsoleUi(opts: { log: (m: string) => void; changes?: number }): Promise<ConsoleUiBench> {
  const sim = openSimulatedConsole(UI_SIZE);
  const closeSim = onCleanup('simulated console', () => sim.close());
  const server = await startWebServer({ api: sim.console, port: 0, staticDir: STATIC_DIR });
  const closeServer = onCleanup('web server', () => server.close());
  const browser = await chromium.launch(CHROMIUM_LAUNCH);
  const closeBrowser = onCleanup('chromium', () => browser.close());
  try {
    await sim.console.ready(30_000);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    let frameSizes: number[] | null = null;
    page.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        if (frameSizes && typeof f.payload === 'string' && f.payload.startsWith('{"event":{"type":"fleet-update"')) frameSizes.push(Buffer.byteLength(f.payload));
      }),
    );
    const t0 = Date.now();
    await page.goto(`${server.url.replace(/#.*$/, '')}#/groups`);
    await page.waitForSelector('main article[aria-label^="Group vhid"]', { timeout: 60_000 });
    const firstCardMs = Date.now() - t0;
    // every group known to the page (the summary counts them), then settle
    await page.waitForFunction((n) => document.querySelector('.summary')?.textContent?.includes(`${n} groups`) ?? false, UI_SIZE.groups, { timeout: 60_000 });
    await sleep(2000);
    await page.evaluate(OBSERVER_JS);
    const labels = await cardLabels(page);
    opts.log(`console-ui: ${UI_SIZE.hosts} hosts, ${UI_SIZE.groups} groups; first card after ${firstCardMs} ms, ${labels.length} cards in the DOM`);
    // the groups on screen (name sim-N = simulated group N-1)
    const onScreen = labels.flatMap((l) => {
      const m = /\(sim-(\d+)\)$/.exec(l);
      return m ? [{ label: l, i: Number(m[1]) - 1 }] : [];
    });
    const visible: typeof onScreen = [];
    for (const g of onScreen) {
      const box = await page.locator(`article[aria-label="${g.label}"]`).boundingBox();
      if (box && box.y < 800 && box.y + box.height > 0) visible.push(g);
    }
    if (!visible.length) throw new Error('no group card is visible at the top of the board');

    const samples: number[] = [];
    const coreSamples: number[] = [];
    let flippedAt = 0;
    const unsubscribe = sim.console.subscribe((e) => {
      if (e.type === 'fleet' && flippedAt) {
        coreSamples.push(Date.now() - flippedAt);
        flippedAt = 0;
      }
    });
    const fleetBytes = JSON.stringify(sim.console.fleetNow()).length;
    let missed = 0;
    const n = opts.changes ?? CHANGES;
    for (let k = 0; k < n; k++) {
      const g = visible[k % visible.length];
      const next = sim.sim.groups[g.i].members[(sim.sim.groups[g.i].members.indexOf(sim.sim.masterOf(g.i) ?? '') + 1) % 3];
      await page.evaluate((w) => (window.__want = { ...w, seenAt: 0 }), { label: g.label, host: next });
      const before = Date.now();
      flippedAt = before;
      const got = sim.sim.flip(g.i);
      if (got !== next) throw new Error(`flip of group ${g.i} made ${got} master, expected ${next}`);
      try {
        await page.waitForFunction(() => (window.__want?.seenAt ?? 0) > 0, undefined, { timeout: 5000, polling: 20 });
        samples.push((await page.evaluate(() => window.__want!.seenAt)) - before);
      } catch {
        missed++;
      }
      await sleep(30 + Math.random() * 70); // off any render throttle's beat
    }
    unsubscribe();
    const changeToCoreFleet = summarise(coreSamples);
    const s = summarise(samples);
    const changeToDom = { ...s, p95: percentile(samples, 95) };
    opts.log(`console-ui: change -> DOM median ${changeToDom.median} ms, p95 ${changeToDom.p95} ms, worst ${changeToDom.worst} ms (${samples.length} changes, ${missed} missed)`);
    opts.log(`console-ui: of which change -> core fleet event median ${changeToCoreFleet.median} ms; the whole fleet is ${(fleetBytes / 1e6).toFixed(2)} MB of JSON (sent once)`);

    // 50 changes per second over every group, long tasks counted from here
    await page.evaluate(() => (window.__longTasks = []));
    frameSizes = [];
    const total = STREAM_PER_S * STREAM_S;
    const start = Date.now();
    for (let k = 0; k < total; k++) {
      sim.sim.flip(Math.floor(Math.random() * UI_SIZE.groups));
      const due = start + ((k + 1) * 1000) / STREAM_PER_S;
      await sleep(Math.max(0, due - Date.now()));
    }
    await sleep(1000);
    const tasks = await page.evaluate(() => window.__longTasks ?? []);
    const stream = { changes: total, longTasks: tasks.length, longestTaskMs: tasks.length ? Math.round(Math.max(...tasks)) : 0, totalLongTaskMs: Math.round(tasks.reduce((a, b) => a + b, 0)) };
    const sizes = frameSizes;
    const updateFrames = { count: sizes.length, medianBytes: sizes.length ? percentile(sizes, 50) : 0, maxBytes: sizes.length ? Math.max(...sizes) : 0 };
    opts.log(`console-ui: ${total} changes at ${STREAM_PER_S}/s: ${stream.longTasks} tasks over 50 ms, longest ${stream.longestTaskMs} ms`);
    opts.log(`console-ui: ${updateFrames.count} fleet updates sent, median ${updateFrames.medianBytes} bytes, largest ${updateFrames.maxBytes} bytes`);
    return { hosts: UI_SIZE.hosts, groups: UI_SIZE.groups, changeToDom, changeToCoreFleet, fleetBytes, updateFrames, missed, cardsInDom: labels.length, stream, firstCardMs, samples };
  } finally {
    await closeBrowser();
    await closeServer();
    await closeSim();
  }
}
