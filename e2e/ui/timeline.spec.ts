// The timeline and its history end to end (lab 58, 3 firewalls, the agent deployed and the demo group
// applied): through the web shell, maintenance on fw1 (handover to fw3) and off (fw1 preempts back),
// then fw1's agent frozen (SIGSTOP) until fw3 takes over (an outage: no master for a moment) and thawed.
// The timeline shows each failover with its cause and the outage with its duration; after a restart of
// the web shell on the same data folder, they are all still there, and the restart shows as "console not running".
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { test, expect, type Browser, type Page } from '@playwright/test';
import { Lab } from '../lab/index.js';
import { agentDaemonPid } from '../faults/helpers.js';
import { ROOT, startServe, stopServe } from './console-lab.js';
import { labWithDemoGroup, tearDownServedLab, wsCall } from './lab-fleet.js';

/** Lab ids 50..59 are for the browser tests: 50 console, 51 Electron, 56 editor, 57 wall, 58 this one. */
const LAB_ID = 58;
const SHOTS = join(ROOT, 'docs/screenshots');
const GROUP = `198.18.${LAB_ID}.0/24#1`;

let lab: Lab | undefined;
let home: string | undefined;
let server: ChildProcess | undefined;
let url = '';
let page: Page;
let frozenPid: number | undefined;

async function call(method: string, args: unknown[], timeoutMs = 60_000): Promise<unknown> {
  const r = await wsCall(url, method, args, timeoutMs);
  if (!r.reply?.ok) throw new Error(`${method} failed: ${JSON.stringify(r.reply?.error ?? r.status)}`);
  return r.reply.result;
}

async function masterIs(host: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const f = (await call('fleet', [])) as { groups: { master: string | null }[] };
    if (f.groups[0]?.master === host) return;
    if (Date.now() > end) throw new Error(`${host} not master within ${timeoutMs} ms: ${JSON.stringify(f.groups[0])}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function setUp(): Promise<void> {
  lab = await labWithDemoGroup(LAB_ID);
  home = mkdtempSync(join(tmpdir(), 'carp-timeline-home-'));
  writeFileSync(join(home, 'lab.json'), JSON.stringify(lab.info));
  await serveOn(home);
}

async function serveOn(h: string): Promise<void> {
  const s = await startServe(h, ['--inventory', join(h, 'lab.json')]);
  server = s.server;
  url = s.url;
}

async function tearDown(): Promise<void> {
  await tearDownServedLab({ frozenPid, server, lab, home });
}

/** What the timeline lists in view: its outages and failovers, as text. */
async function timelineItems(p: Page): Promise<{ outages: string[]; failovers: string[] }> {
  return {
    outages: await p.locator('.outage-item').allInnerTexts(),
    failovers: await p.locator('.failover-item').allInnerTexts(),
  };
}

test.describe.serial('timeline and history, on a lab of 3 firewalls', () => {
  test.beforeAll(async ({ browser }: { browser: Browser }) => {
    test.setTimeout(240_000);
    try {
      await setUp();
    } catch (e) {
      await tearDown();
      throw e;
    }
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
  });

  test.afterAll(async () => {
    await page?.context().close();
    await tearDown();
  });

  let before: { outages: string[]; failovers: string[] } = { outages: [], failovers: [] };

  test('failovers caused through the console and by a frozen agent are on the timeline, with cause and duration', async () => {
    test.setTimeout(180_000);
    await masterIs('fw1');
    // spread out over the 1-min window of the screenshot (the console records once every host has reported)
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await pause(12_000);
    // 1. maintenance on fw1: handover to fw3 (an operator action); off: fw1 preempts back
    await call('maintenanceEnter', ['fw1', {}], 90_000);
    await masterIs('fw3');
    await call('maintenanceExit', ['fw1']);
    await masterIs('fw1');
    await pause(12_000);
    // 2. fw1's agent frozen: no adverts, fw3 takes over after the master-down interval; thawed, fw1 preempts
    frozenPid = await agentDaemonPid(lab!, 'fw1');
    process.kill(frozenPid, 'SIGSTOP');
    await masterIs('fw3', 15_000);
    process.kill(frozenPid, 'SIGCONT');
    frozenPid = undefined;
    await masterIs('fw1', 20_000);
    await pause(8000);

    await page.goto(`${url}#/timeline`);
    await expect(page.getByRole('heading', { name: 'Timeline', level: 1 })).toBeVisible();
    await page.getByRole('button', { name: '1 min', exact: true }).click();
    await expect(page.getByRole('button', { name: '1 min', exact: true })).toHaveAttribute('aria-pressed', 'true');
    await expect(page.locator('.failover-item')).toHaveCount(4, { timeout: 15_000 });
    before = await timelineItems(page);
    console.log(`timeline: ${JSON.stringify(before, null, 1)}`);
    const f = before.failovers;
    expect(f[0]).toMatch(/fw1 → fw3 .*cause: maintenance/);
    expect(f[1]).toMatch(/fw3 → fw1 .*cause: preempt/);
    expect(f[2]).toMatch(/fw1 → fw3 .*without a master · cause: master lost \(master down timer expired/);
    expect(f[3]).toMatch(/fw3 → fw1 .*cause: preempt/);
    // the freeze left the group without a live master until fw3 took over: an outage with its duration
    expect(before.outages.length).toBeGreaterThanOrEqual(1);
    // (the console could not hear fw1 then, so it says fw1 may have served: its addresses stayed up)
    expect(before.outages.join('\n')).toMatch(/fw1 \(MASTER when last heard\) could not be heard/);
    expect(before.outages.at(-1)).toMatch(new RegExp(`no master ${GROUP.replace(/[.#/]/g, '\\$&')} for \\d+(\\.\\d)? (ms|s)`));
    // lanes: one per host × group, fw1's with the maintenance marks and the operator's action
    await expect(page.getByRole('list', { name: 'Lanes' }).getByRole('listitem')).toHaveCount(4); // the group row + 3 lanes
    const fw1 = page.getByRole('listitem', { name: /^fw1 in lan-gateway/ });
    await expect(fw1.getByRole('img', { name: /maintenanceEnter\("fw1",\{\}\)/ })).toHaveCount(1);
    await expect(fw1.getByRole('img', { name: /demotion .*maintenance on/ }).first()).toBeAttached();
    await expect(fw1.getByRole('img', { name: /^fw1 UNKNOWN from/ })).toHaveCount(1);
    await expect(page.getByRole('img', { name: /^no master for/ }).first()).toBeVisible();
    // the filter: only fw2 leaves one lane
    await page.getByRole('combobox', { name: 'Host', exact: true }).selectOption('fw2');
    await expect(page.getByRole('list', { name: 'Lanes' }).getByRole('listitem')).toHaveCount(2);
    await page.getByRole('combobox', { name: 'Host', exact: true }).selectOption('');
    // export: the visible range as CSV
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.split('\r\n')[0]).toBe('kind,host,group,start,end,duration_s,what');
    expect(csv).toMatch(/\r\noutage,,198\.18\.58\.0\/24#1,/);
    expect(csv.match(/\r\nfailover,/g)).toHaveLength(4);
    await page.screenshot({ path: join(SHOTS, 'timeline.png') });
    // the history is in the data folder, under the HOME the web shell ran with
    const dir = join(home!, '.local/share/carp-console/history');
    expect(existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.jsonl'))).toBe(true);
  });

  test('after a restart of the web shell on the same data folder, the history is still there', async () => {
    test.setTimeout(90_000);
    await stopServe(server!);
    server = undefined;
    await serveOn(home!);
    await page.goto(`${url}#/timeline`);
    await page.getByRole('button', { name: '1 min', exact: true }).click();
    await expect(page.locator('.failover-item')).toHaveCount(4, { timeout: 15_000 });
    const after = await timelineItems(page);
    expect(after.failovers).toEqual(before.failovers);
    // the restart itself: the span the web shell was down is a hatched "console not running: no data" band
    await expect(page.locator('.gap-item')).toHaveCount(1);
    await expect(page.locator('.gap-item')).toHaveText(/console not running\s*no data for \d+(\.\d)? (ms|s) · from /);
    await expect(page.getByRole('img', { name: /^console not running: no data for / }).first()).toBeVisible();
    // the same outages (an outage open at the stop would end there; none was)
    expect(after.outages.slice(0, before.outages.length)).toEqual(before.outages);
    // the group card: master since, and the last failover with its cause
    await page.goto(`${url}#/groups`);
    await expect(page.getByText('Master since').first()).toBeVisible({ timeout: 10_000 });
    await expect(page.locator('.last-failover').first()).toHaveText(/^fw3 → fw1 at .*, preempt( \(.* without a master\))?$/, { timeout: 10_000 });
    // fw1's agent kept its own `since` through the freeze; the card says since when the console saw it master again
    const at = /at (.*), preempt/.exec(await page.locator('.last-failover').first().innerText())![1];
    await expect(page.locator('dt', { hasText: 'Master since' }).locator('xpath=following-sibling::dd').first()).toContainText(at);
    await page.screenshot({ path: join(SHOTS, 'group-card-history.png') });
  });
});
