// The console end to end in a real browser (Debian's Chromium) against the web shell (`npm run serve`)
// and a lab of 3 real firewalls (lab 50): token and read-only refusals, add hosts from the lab's
// ssh_config, trust each host key (fingerprint compared with ssh-keygen's), deploy the agent, apply the
// demo group, "Demote before reboot" on the master under a 100/s probe of the VIP, an UNKNOWN host,
// axe on every screen and dialog, and the screenshots in docs/screenshots/.
import { readFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, type Browser, type Locator, type Page } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';
import type { RunningProbe, ProbeResult } from '../lab/index.js';
import { LAB_ID, ROOT, labFingerprint, startServe, stopServe, uiWorld, type UiWorld } from './console-lab.js';
import { wsCall } from './lab-fleet.js';

const HOSTS = ['fw1', 'fw2', 'fw3'] as const;
const SHOTS = join(ROOT, 'docs/screenshots');
// The demo group is written for lab 0 (198.18.0.0/24); lab N's LAN is 198.18.N.0/24, so its VIP
// moves there (the lab's range for test VIPs is 198.18.N.100-199): same file otherwise.
const DEMO_YAML = readFileSync(join(ROOT, 'e2e/demo/group.yaml'), 'utf8');
const LAN = `198.18.${LAB_ID}`;
const SEGMENT = `${LAN}.0/24`;
const VIP = `${LAN}.100`;
const GROUP_YAML = DEMO_YAML.replaceAll('198.18.0.100/24', `${VIP}/24`);
const CARD = 'Group vhid 1 (lan-gateway)';
const REBOOT_TIMEOUT = 90_000;

let world: UiWorld | undefined;
let page: Page;
let probe: RunningProbe | undefined;
let probeResult: ProbeResult | undefined;
const axeLog: string[] = [];

function w(): UiWorld {
  if (!world) throw new Error('the lab and the console are not up (beforeAll failed)');
  return world;
}

const origin = () => new URL(w().url).origin;
const token = () => new URL(w().url).searchParams.get('token')!;

async function shot(name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  // The clock in the corner of a reboot log or an age moves: wait for fonts and layout to settle.
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(SHOTS, name), animations: 'disabled', caret: 'hide' });
}

/** axe-core on what is on screen now: serious or critical violations fail the test (softly); others are printed. */
async function audit(what: string): Promise<void> {
  const r = await new AxeBuilder({ page }).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const other = r.violations.filter((v) => !bad.includes(v));
  const fmt = (v: (typeof r.violations)[number]) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}× e.g. ${v.nodes[0]?.target.join(' ')})`;
  const line = `axe ${what}: ${r.passes.length} rules pass, ${bad.length} serious/critical, ${other.length} other${r.violations.length ? `: ${r.violations.map(fmt).join('; ')}` : ''}`;
  axeLog.push(line);
  console.log(line);
  expect.soft(bad.map(fmt), `axe serious/critical violations on ${what}`).toEqual([]);
}

const hostsTable = () => page.getByRole('table', { name: 'Hosts' });
const hostRow = (h: string) => hostsTable().getByRole('row', { name: new RegExp(`\\b${h}\\b`) });
/** The status badge of a host's row says exactly `status` ("live", "no agent", "UNKNOWN"). */
const hostStatus = (h: string, status: string) => hostRow(h).getByRole('cell').getByText(status, { exact: true });
const card = () => page.getByRole('article', { name: CARD });
const wizard = () => page.getByRole('region', { name: 'Demote before reboot' });

async function goto(view: 'Fleet' | 'Groups'): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: view, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: view })).toBeVisible();
}

/** The preview/outcome table, per row: host (carried down its rowspan), action, field, before, after. */
async function diffRows(table: Locator): Promise<Array<{ host: string; action: string; field: string; before: string; after: string }>> {
  const out: Array<{ host: string; action: string; field: string; before: string; after: string }> = [];
  let host = '';
  let action = '';
  for (const row of await table.getByRole('row').all()) {
    const header = await row.getByRole('rowheader').allInnerTexts();
    const cells = (await row.getByRole('cell').allInnerTexts()).map((s) => s.trim());
    if (!cells.length) continue; // the column headers
    let rest = cells;
    if (header.length) {
      host = header[0].trim();
      action = cells[0];
      rest = cells.slice(1);
    }
    const [field, before, after] = rest;
    out.push({ host, action, field, before, after: (after ?? '').replace(/^→\s*/, '') });
  }
  return out;
}

test.describe.serial('carp-console in the browser, on a lab of 3 firewalls', () => {
  test.beforeAll(async ({ browser }: { browser: Browser }) => {
    test.setTimeout(180_000);
    world = await uiWorld();
    console.log(`lab ${w().lab.id} up; console at ${origin()} (HOME ${w().home})`);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await ctx.newPage();
    page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') console.log(`[browser console] ${m.text()}`);
    });
  });

  test.afterAll(async () => {
    test.setTimeout(90_000);
    try {
      if (probe && !probeResult) probeResult = await probe.stop().catch(() => undefined);
      await page?.context().close().catch(() => undefined);
      if (world) await world.lab.thaw('fw2').catch(() => undefined);
    } finally {
      await world?.close();
      world = undefined;
      if (axeLog.length) console.log(`axe summary:\n  ${axeLog.join('\n  ')}`);
    }
  });

  test('a. the web shell refuses requests without its token; --read-only refuses changes server-side', async ({ request }) => {
    expect((await request.get(`${origin()}/`)).status()).toBe(401);
    expect((await request.get(`${origin()}/?token=not-the-token`)).status()).toBe(401);
    expect((await request.get(`${origin()}/index.html`, { headers: { Cookie: `carp_console_${new URL(w().url).port}=wrong` } })).status()).toBe(401);
    const ok = await request.get(`${origin()}/?token=${token()}`);
    expect(ok.status()).toBe(200);
    expect(await ok.text()).toContain('<div id="root">');
    // The WebSocket is behind the same token.
    expect((await wsCall(`${origin()}/?token=not-the-token`, 'info', [])).status).toBe(401);

    // A second console, read-only, on the same HOME (empty inventory): the server refuses a change itself.
    const ro = await startServe(w().home, ['--read-only']);
    try {
      const info = await wsCall(ro.url, 'info', []);
      expect(info.reply).toMatchObject({ ok: true, result: { readOnly: true } });
      const imp = await wsCall(ro.url, 'importHosts', [{ path: w().lab.info.sshConfigFile }]);
      expect(imp.reply).toMatchObject({ ok: false, error: { code: 'read-only' } });
      console.log(`read-only console refused importHosts: ${imp.reply?.error?.message}`);
      // …and its page says so, with the actions disabled.
      await page.goto(ro.url);
      await expect(page.getByText('Read-only console')).toBeVisible();
      await expect(page.getByRole('button', { name: 'Add hosts' })).toBeDisabled();
    } finally {
      await stopServe(ro.server);
    }
    expect(existsSync(join(w().home, '.config/carp-console/inventory.json'))).toBe(false);
  });

  test('b. empty fleet; add hosts from the lab ssh_config: listed, not live (unknown host key)', async () => {
    await page.goto(w().url);
    await expect(page.getByRole('heading', { level: 1, name: 'Fleet' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Fleet', exact: true })).toHaveAttribute('aria-current', 'page');
    await expect(page.getByText('No hosts yet.')).toBeVisible();
    await expect(page.getByText('Read-only console')).toHaveCount(0);
    await audit('Fleet (empty)');

    await page.getByRole('button', { name: 'Add hosts' }).click();
    const dlg = page.getByRole('dialog', { name: 'Add hosts' });
    await expect(dlg).toBeVisible();
    await expect(dlg.getByRole('tab', { name: 'File on the console machine' })).toHaveAttribute('aria-selected', 'true');
    await dlg.getByLabel('Path on the console machine').fill(w().lab.info.sshConfigFile);
    await audit('Add hosts dialog');
    await dlg.getByRole('button', { name: 'Import' }).click();
    await expect(dlg.getByText('Added: fw1, fw2, fw3')).toBeVisible();
    await expect(dlg.getByText('3 added, 0 updated.')).toBeVisible();
    // The console connects at once; behind the dialog each row then says why it is not live.
    for (const h of HOSTS) await expect(hostRow(h)).toContainText('Unknown SSH host key');
    await shot('add-hosts.png');
    await dlg.getByRole('button', { name: 'Done' }).click();
    await expect(dlg).toHaveCount(0);

    for (const h of HOSTS) {
      await expect(hostRow(h)).toBeVisible();
      await expect(hostStatus(h, 'live')).toHaveCount(0);
      await expect(hostRow(h)).toContainText('Unknown SSH host key');
    }
    await expect(page.getByText('3 hosts · 0 live')).toBeVisible();
    await audit('Fleet (hosts with unknown keys)');
  });

  test('c. each host key: the dialog shows the fingerprint ssh-keygen computes; trusted, the host has no agent yet', async () => {
    for (const h of HOSTS) {
      const fp = labFingerprint(w().lab, h);
      await page.getByRole('button', { name: `Check host key of ${h}` }).click();
      const dlg = page.getByRole('dialog', { name: `Host key of ${h}` });
      await expect(dlg).toBeVisible();
      await expect(dlg.getByText("can't be established")).toBeVisible();
      const shown = dlg.getByText(/^SHA256:/);
      await expect(shown).toHaveText(fp);
      console.log(`${h}: console shows ${await shown.innerText()}, ssh-keygen -lf says ${fp}`);
      if (h === 'fw1') {
        await shot('host-key.png');
        await audit('Host key dialog (unknown key)');
      }
      await dlg.getByRole('button', { name: 'Yes, trust this key' }).click();
      await expect(dlg.getByText('Trusted.')).toBeVisible();
      await dlg.getByRole('button', { name: 'Close', exact: true }).last().click();
      await expect(dlg).toHaveCount(0);
    }
    for (const h of HOSTS) await expect(hostStatus(h, 'no agent')).toBeVisible();
    // Asking again: the key is now known.
    await page.getByRole('button', { name: 'Check host key of fw2' }).click();
    const again = page.getByRole('dialog', { name: 'Host key of fw2' });
    await expect(again.getByText('already known and trusted')).toBeVisible();
    await again.getByRole('button', { name: 'Close', exact: true }).last().click();
  });

  test('d. deploy to all 3 hosts with progress bars; each ends deployed and goes live', async () => {
    await page.getByRole('button', { name: /Deploy \/ upgrade agent/ }).click();
    const dlg = page.getByRole('dialog', { name: 'Deploy / upgrade agent' });
    await expect(dlg).toBeVisible();
    await audit('Deploy dialog');
    await dlg.getByRole('button', { name: 'Deploy to 3 hosts' }).click();
    await expect(dlg).toHaveCount(0);
    const panel = page.getByRole('table', { name: 'Deploy progress per host' });
    for (const h of HOSTS) await expect(panel.getByRole('progressbar', { name: `Deploy progress of ${h}` })).toBeVisible();
    // Mid-deploy, for the screenshot: at least one bar has moved.
    await expect
      .poll(async () => Math.max(...(await Promise.all(HOSTS.map(async (h) => Number(await panel.getByRole('progressbar', { name: `Deploy progress of ${h}` }).getAttribute('value')))))), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await shot('deploy.png');
    for (const h of HOSTS) await expect(panel.getByRole('row', { name: new RegExp(`\\b${h}\\b`) })).toContainText('deployed 0.1.0', { timeout: 90_000 });
    await expect(page.getByText('Deploy finished: every host runs the agent.')).toBeVisible();
    for (const h of HOSTS) {
      await expect(panel.getByRole('progressbar', { name: `Deploy progress of ${h}` })).toHaveAttribute('value', '1');
      await expect(hostStatus(h, 'live')).toBeVisible({ timeout: 30_000 });
      await expect(hostRow(h)).toContainText('0.1.0');
    }
    await expect(page.getByText('3 hosts · 3 live')).toBeVisible();
    await audit('Fleet (deploy done, hosts live)');
    await shot('fleet.png');
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await expect(panel).toHaveCount(0);
  });

  test('e. apply the demo group: preview per host and field, apply; fw1 MASTER, fw3 successor, all redundant', async () => {
    await goto('Groups');
    await expect(page.getByText(/^No CARP groups yet\. Deploy the agent/)).toBeVisible();
    await page.getByRole('button', { name: 'Apply a group file' }).click();
    const dlg = page.getByRole('dialog', { name: 'Apply a group file' });
    await dlg.getByLabel('Group file (YAML or JSON)').fill(GROUP_YAML);
    await expect(dlg.getByRole('button', { name: 'Apply', exact: true })).toBeDisabled();
    await dlg.getByRole('button', { name: 'Preview' }).click();
    const table = dlg.getByRole('table', { name: 'What would change, per host and field' });
    await expect(table).toBeVisible();
    const rows = await diffRows(table);
    console.log(`preview:\n${rows.map((r) => `  ${r.host} ${r.action} ${r.field}: ${r.before} → ${r.after}`).join('\n')}`);
    expect([...new Set(rows.map((r) => r.host))]).toEqual([...HOSTS]);
    for (const h of HOSTS) expect(rows.filter((r) => r.host === h).every((r) => r.action === '+ create'), `${h} is created`).toBe(true);
    const field = (h: string, f: string) => rows.find((r) => r.host === h && r.field === f);
    expect(GROUP_YAML).toContain(`addresses: [${VIP}/24]`);
    for (const h of HOSTS) expect(field(h, 'addresses')?.after).toBe(`${VIP}/24`);
    expect(field('fw1', 'advskew')?.after).toBe('0');
    expect(field('fw2', 'advskew')).toMatchObject({ before: '(none)', after: '100' });
    expect(field('fw3', 'advskew')?.after).toBe('50');
    for (const h of HOSTS) expect(field(h, 'preempt')?.after).toMatch(/true|yes/);
    for (const h of HOSTS) await expect(table.getByRole('row', { name: new RegExp(`\\b${h}\\b`) })).toContainText('validated');
    await expect(dlg.getByRole('button', { name: 'Apply', exact: true })).toBeEnabled();
    await audit('Apply a group file (preview)');
    // fill() leaves the (now shorter) text area scrolled to its end: show the file from its first line.
    await dlg.getByLabel('Group file (YAML or JSON)').evaluate((el) => el.scrollTo(0, 0));
    await shot('apply-preview.png');

    await dlg.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect(dlg.getByText('Applied.')).toBeVisible({ timeout: 30_000 });
    const outcome = dlg.getByRole('table', { name: 'Outcome per host' });
    for (const h of HOSTS) await expect(outcome.getByRole('row', { name: new RegExp(`\\b${h}\\b`) })).toContainText('applied');
    await audit('Apply a group file (applied)');
    await dlg.getByRole('button', { name: 'Close', exact: true }).last().click();
    await expect(dlg).toHaveCount(0);

    await expect(card().getByRole('row', { name: /\bfw1\b/ })).toContainText('MASTER');
    await expect(card().getByRole('row', { name: /\bfw2\b/ })).toContainText('BACKUP');
    await expect(card().getByRole('row', { name: /\bfw3\b/ })).toContainText('BACKUP');
    const successor = card().locator('div', { has: page.getByRole('term').filter({ hasText: /^Successor$/ }) });
    await expect(successor.getByRole('link', { name: 'fw3', exact: true })).toBeVisible();
    await expect(card().getByRole('row', { name: /\bfw3\b/ })).toContainText('→ successor');
    await expect(page.getByText('1 group · all redundant')).toBeVisible();
    await audit('Groups');
    await shot('groups.png');
  });

  test('f. demote before reboot on fw1 under a 100/s probe of the VIP: at most 1 probe lost', async () => {
    test.setTimeout(240_000);
    probe = await w().lab.startProbe(VIP, { rate: 100 });
    await card().getByRole('link', { name: 'fw1', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'fw1' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Host fw1' })).toHaveAttribute('aria-current', 'page');
    await expect(page.getByRole('region', { name: 'Host actions' }).getByRole('button', { name: 'Enter maintenance' })).toBeVisible();
    const wz = wizard();
    await expect(wz.getByText(`${SEGMENT} vhid 1 moves to fw3.`)).toBeVisible();
    await expect(wz.getByRole('button', { name: 'Reboot now' })).toBeDisabled();
    await audit('Host fw1');

    await wz.getByRole('button', { name: 'Enter maintenance' }).click();
    const handovers = wz.getByRole('list', { name: 'Handovers' });
    await expect(handovers).toContainText(`${SEGMENT}#1 now mastered by fw3`, { timeout: 30_000 });
    await expect(wz.getByText(/fw1 is in maintenance; .*→ fw3/)).toBeVisible();
    await expect(wz.getByRole('button', { name: 'Reboot now' })).toBeEnabled();
    await wz.getByRole('button', { name: 'Reboot now' }).scrollIntoViewIfNeeded();
    await audit('Host fw1 (in maintenance, handover done)');
    await shot('demote-before-reboot.png');

    await wz.getByRole('button', { name: 'Reboot now' }).click();
    const log = wz.getByRole('list', { name: 'Reboot progress' });
    await expect(log).toBeVisible();
    await expect(wz.getByText('fw1 now:')).toBeVisible();
    await expect(wz.getByText(/fw1 rebooted; SSH and its agent answer again/)).toBeVisible({ timeout: REBOOT_TIMEOUT });
    const steps = (await log.getByRole('listitem').allInnerTexts()).map((s) => s.trim());
    console.log(`reboot progress:\n  ${steps.join('\n  ')}`);
    const now = wz.getByText('fw1 now:');
    await expect(now).toContainText(/live/);
    const seen = (await now.innerText()).trim();
    console.log(`status line: ${seen}`);
    // The host was seen going down (not live) and coming back (live last).
    expect(seen).toMatch(/seen: .*(UNKNOWN|unreachable|no-agent).* → live$/);
    await expect(page.getByRole('main').getByText('live', { exact: true }).first()).toBeVisible();

    await wz.getByRole('button', { name: 'Return to service' }).click();
    const checks = wz.getByRole('list', { name: 'Back in service checks' });
    await expect(checks.getByRole('listitem')).toHaveCount(4);
    await expect(checks.locator('[data-ok="false"]')).toHaveCount(0, { timeout: 30_000 });
    for (const item of await checks.getByRole('listitem').all()) await expect(item).toContainText(/^✓ yes /);
    const lines = (await checks.getByRole('listitem').allInnerTexts()).map((s) => s.trim());
    console.log(`back in service:\n  ${lines.join('\n  ')}`);
    expect(lines.join('\n')).toMatch(/demotion is back to 0/);
    expect(lines.join('\n')).toMatch(/maintenance is off/);
    expect(lines.join('\n')).toMatch(/vhid 1\): fw1 took it back, MASTER again/);
    await checks.scrollIntoViewIfNeeded();
    await audit('Host fw1 (back in service)');
    await shot('return-to-service.png');

    probeResult = await probe.stop();
    probe = undefined;
    const p = probeResult;
    console.log(`probe ${p.target} at ${p.rate}/s over ${(p.durationMs / 1000).toFixed(1)} s: sent ${p.sent}, received ${p.received}, lost ${p.lost}, duplicates ${p.duplicates}, longest gap ${p.longestGapMs} ms`);
    expect(p.sent).toBeGreaterThan(1000);
    expect(p.lost).toBeLessThanOrEqual(1);
  });

  test('g. a frozen agent: fw2 is UNKNOWN with its age on the fleet and in the group, never BACKUP; thawed, live again', async () => {
    await goto('Fleet');
    await expect(hostStatus('fw2', 'live')).toBeVisible();
    const frozenAt = Date.now();
    await w().lab.freeze('fw2', 'node');
    try {
      await expect(hostStatus('fw2', 'UNKNOWN')).toBeVisible({ timeout: 10_000 });
      const took = Date.now() - frozenAt;
      console.log(`fw2 shown UNKNOWN ${took} ms after its agent was frozen`);
      expect(took).toBeLessThanOrEqual(6_000);
      await expect(hostRow('fw2')).toContainText(/last heard \d+ s ago/, { timeout: 10_000 });
      const text = await hostRow('fw2').innerText();
      const age = Number(/last heard (\d+) s ago/.exec(text)![1]);
      const since = (Date.now() - frozenAt) / 1000;
      console.log(`fw2 row: last heard ${age} s ago, ${since.toFixed(1)} s after the freeze`);
      expect(age).toBeLessThanOrEqual(Math.ceil(since) + 1);
      expect(age).toBeLessThanOrEqual(6);
      for (const h of ['fw1', 'fw3']) await expect(hostStatus(h, 'live')).toBeVisible();
      await audit('Fleet (fw2 UNKNOWN)');
      await shot('unknown-host.png');

      await goto('Groups');
      const row = card().getByRole('row', { name: /\bfw2\b/ });
      await expect(row).toContainText('UNKNOWN');
      await expect(row).toContainText(/last heard/);
      await expect(row).not.toContainText('BACKUP');
      await expect(card().getByRole('row', { name: /\bfw1\b/ })).toContainText('MASTER');
      await audit('Groups (fw2 UNKNOWN)');
    } finally {
      await w().lab.thaw('fw2');
    }
    await expect(card().getByRole('row', { name: /\bfw2\b/ })).toContainText('BACKUP', { timeout: 20_000 });
    await goto('Fleet');
    await expect(hostStatus('fw2', 'live')).toBeVisible();
    await expect(page.getByText('3 hosts · 3 live')).toBeVisible();
  });
});
