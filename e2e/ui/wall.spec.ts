// Wall mode and notifications end to end (lab 57, 3 firewalls, the agent deployed and the demo group
// applied): a read-only web shell opened with ?wall; fw1's agent frozen (SIGSTOP) until its tile goes
// stale with a growing age and fw3 takes over; tile boxes never move; one coalesced notification (a
// stubbed window.Notification records it); thawed (SIGCONT), the tile is fresh again. Then the group
// muted in the settings panel: a second failover sends nothing, and the mute survives a reload.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { test, expect, type Browser, type Page } from '@playwright/test';
import { Lab } from '../lab/index.js';
import { agentDaemonPid, isStopped } from '../faults/helpers.js';
import { waitFor } from '../wait.js';
import { ROOT, startServe } from './console-lab.js';
import { labWithDemoGroup, tearDownServedLab } from './lab-fleet.js';

/** Lab ids 50..59 are for the browser tests: 50 console.spec.ts, 51 the Electron spec, 57 this one. */
const LAB_ID = 57;
const SHOTS = join(ROOT, 'docs/screenshots');
const TILE = 'Group vhid 1 (lan-gateway)';

/** Records every notification the page makes (the permission is granted to the context as well). */
const NOTIFICATION_STUB = `
  window.__notes = [];
  class RecordingNotification {
    static permission = 'granted';
    static requestPermission() { return Promise.resolve('granted'); }
    constructor(title, options) { window.__notes.push({ title, body: (options && options.body) || '', at: Date.now() }); }
    close() {}
  }
  window.Notification = RecordingNotification;
`;

let lab: Lab | undefined;
let home: string | undefined;
let server: ChildProcess | undefined;
let url = '';
let page: Page;
let frozenPid: number | undefined;

type Note = { title: string; body: string; at: number };
const notes = () => page.evaluate(() => (window as unknown as { __notes: Note[] }).__notes);

async function setUp(): Promise<void> {
  lab = await labWithDemoGroup(LAB_ID);
  home = mkdtempSync(join(tmpdir(), 'carp-wall-home-'));
  const inventory = join(home, 'lab.json');
  writeFileSync(inventory, JSON.stringify(lab.info));
  const s = await startServe(home, ['--read-only', '--inventory', inventory]);
  server = s.server;
  url = s.url;
}

async function tearDown(): Promise<void> {
  await tearDownServedLab({ frozenPid, server, lab, home });
}

test.describe.serial('wall mode and notifications, on a lab of 3 firewalls', () => {
  test.beforeAll(async ({ browser }: { browser: Browser }) => {
    test.setTimeout(180_000);
    try {
      await setUp();
    } catch (e) {
      await tearDown();
      throw e;
    }
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, permissions: ['notifications'] });
    await context.addInitScript({ content: NOTIFICATION_STUB });
    page = await context.newPage();
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  });

  test.afterAll(async () => {
    await page?.context().close();
    await tearDown();
  });

  test('the wall on a read-only console: quiet tile, no actions, a last-updated clock', async () => {
    await page.goto(`${url}&wall`);
    const tile = page.getByRole('article', { name: TILE });
    await expect(tile).toBeVisible();
    await expect(tile).toHaveAttribute('data-kind', 'redundant');
    await expect(tile.getByText('MASTER fw1')).toBeVisible();
    await expect(tile.getByText(/stale/)).toHaveCount(0);
    await expect(page.getByText('1 group · all redundant')).toBeVisible();
    await expect(page.getByLabel('Last updated')).toHaveText(/^last updated \d\d:\d\d:\d\d \((just now|\d s ago)\)$/);
    // Never an action: no button at all, on a console that refuses them anyway.
    await expect(page.getByRole('button')).toHaveCount(0);
    const info = await page.evaluate(() => document.title);
    expect(info).toBe('Wall · carp-console');
    // The console connecting to hosts that already master their groups is no failover: once a
    // coalescing window (3 s) has passed, still no notification.
    await page.waitForTimeout(3500);
    expect(await notes()).toEqual([]);
  });

  test('fw1 frozen: its tile goes stale with a growing age, fw3 takes over, nothing moves, one coalesced notification', async () => {
    const tile = page.getByRole('article', { name: TILE });
    const before = await tile.boundingBox();
    expect(before).not.toBeNull();
    expect((await notes()).length).toBe(0);

    frozenPid = await agentDaemonPid(lab!, 'fw1');
    const frozeAt = Date.now();
    process.kill(frozenPid, 'SIGSTOP');
    await waitFor(() => isStopped(frozenPid!), 2000, 'fw1 agent stopped');

    const note = tile.getByText(/stale: fw1 last heard \d+ s ago$/);
    await expect(note).toBeVisible({ timeout: 15_000 });
    const staleAfter = Date.now() - frozeAt;
    await expect(tile.getByRole('listitem').filter({ hasText: 'fw1' })).toHaveText(/fw1 UNKNOWN/);
    await expect(tile.getByText('MASTER fw3')).toBeVisible({ timeout: 15_000 });
    const firstAge = Number(/(\d+) s ago/.exec((await note.textContent()) ?? '')![1]);
    await expect
      .poll(async () => Number(/(\d+) s ago/.exec((await note.textContent()) ?? '')?.[1] ?? -1), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(firstAge + 2);
    console.log(`fw1 frozen: its tile stale ${staleAfter} ms after the freeze; age went from ${firstAge} s upwards`);

    mkdirSync(SHOTS, { recursive: true });
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: join(SHOTS, 'wall-lab-stale.png'), animations: 'disabled', caret: 'hide' });

    const during = await tile.boundingBox();
    expect(during).toEqual(before);

    // The master change (no master seen, then fw3) came as one notification, and no other followed within the window.
    await expect.poll(async () => (await notes()).length, { timeout: 15_000 }).toBe(1);
    await page.waitForTimeout(4000);
    const got = await notes();
    console.log(`notifications after the freeze: ${JSON.stringify(got.map((n) => ({ title: n.title, body: n.body, afterFreezeMs: n.at - frozeAt })))}`);
    expect(got).toHaveLength(1);
    expect(got[0].title).toBe(`CARP · vhid 1 · lan-gateway (198.18.${LAB_ID}.0/24)`);
    // Its net effect, with what the console saw in between (fw1 going silent, fw3 taking over) in the same line.
    expect(got[0].body).toMatch(/^fw3 is MASTER \(was fw1(; briefly [a-z0-9 ,]+)?\)$/);
  });

  test('fw1 thawed: the tile is fresh again with fw1 MASTER, in the same place', async () => {
    const tile = page.getByRole('article', { name: TILE });
    const before = await tile.boundingBox();
    const thawAt = Date.now();
    process.kill(frozenPid!, 'SIGCONT');
    frozenPid = undefined;
    await expect(tile.getByText(/stale/)).toHaveCount(0, { timeout: 15_000 });
    await expect(tile.getByText('MASTER fw1')).toBeVisible({ timeout: 15_000 });
    await expect(tile).toHaveAttribute('data-kind', 'redundant');
    console.log(`fw1 thawed: tile fresh with fw1 MASTER ${Date.now() - thawAt} ms after the thaw`);
    expect(await tile.boundingBox()).toEqual(before);
    // fw1 taking its groups back is a master change of its own: a second notification, later.
    await expect.poll(async () => (await notes()).length, { timeout: 15_000 }).toBe(2);
    expect((await notes())[1].body).toMatch(/fw1 is MASTER/);
  });

  test('muted in the settings panel (kept across a reload), the group stays silent through a failover', async () => {
    await page.getByRole('link', { name: 'Leave wall mode' }).click();
    await page.getByRole('button', { name: 'Notifications' }).click();
    const panel = page.getByRole('dialog', { name: 'Notifications' });
    await expect(panel.getByText('Desktop notifications are allowed.')).toBeVisible();
    await expect(panel.getByRole('region', { name: 'Last notifications' }).getByRole('listitem')).toHaveCount(2);
    const box = panel.getByRole('checkbox', { name: /vhid 1 · lan-gateway/ });
    await expect(box).toBeChecked();
    await box.uncheck();
    expect(await page.evaluate(() => localStorage.getItem('carp-console.notifications.muted'))).toBe(JSON.stringify([`198.18.${LAB_ID}.0/24#1`]));
    await page.keyboard.press('Escape');

    const card = page.getByRole('article', { name: TILE });
    frozenPid = await agentDaemonPid(lab!, 'fw1');
    process.kill(frozenPid, 'SIGSTOP');
    await expect(card.getByRole('row', { name: /fw3/ }).getByText('MASTER')).toBeVisible({ timeout: 15_000 });
    process.kill(frozenPid, 'SIGCONT');
    frozenPid = undefined;
    await expect(card.getByRole('row', { name: /fw1/ }).getByText('MASTER')).toBeVisible({ timeout: 15_000 });
    // Two master changes and a coalescing window later: still the two notifications from before.
    await page.waitForTimeout(4000);
    expect(await notes()).toHaveLength(2);

    await page.reload();
    await page.getByRole('button', { name: 'Notifications' }).click();
    await expect(page.getByRole('dialog', { name: 'Notifications' }).getByRole('checkbox', { name: /vhid 1 · lan-gateway/ })).not.toBeChecked();
  });
});
