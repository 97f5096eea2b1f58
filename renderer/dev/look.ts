// Dev harness only: builds nothing, serves dist/renderer, and drives Debian's Chromium through every
// screen and dialog with a FAKE core (fake-carp.js stands in for the console core only so the screens
// can be looked at: screenshots at 1280×800 + axe). The real end-to-end tests against a lab live in e2e/.
// Run: npm run build:ui && npx tsx renderer/dev/look.ts [--out DIR] [--only NAME]
import AxeBuilder from '@axe-core/playwright';
import { chromium, expect, type Browser, type Locator, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILT_AT, FINGERPRINT, FLEETS, INVENTORY, PREFLIGHT } from './fake-fleets.js';
import { serveStatic, type FakeWs } from './serve-static.js';
import { fakeHistory } from './fake-history.js';
import { CHROMIUM_LAUNCH } from '../../e2e/chromium.js';
import { fakeHistoryWithGap } from './fake-history-gap.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const argv = process.argv.slice(2);
const OUT = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : '/tmp/carp-console-shots';
const ONLY = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : null;
const FAKE = readFileSync(join(ROOT, 'renderer/dev/fake-carp.js'), 'utf8');

interface FakeConfig {
  initial?: keyof typeof FLEETS;
  /** History records for the timeline (fake-history.ts). */
  timeline?: unknown[];
  readOnly?: boolean;
  gates?: string[];
  unknownKeys?: string[];
  changedKeys?: string[];
  deployFail?: string;
  applyFail?: string;
  rebootFail?: boolean;
  handoverFail?: boolean;
  exitStuck?: boolean;
}

const HISTORY = [
  { type: 'agent', at: BUILT_AT - 3_600_000, receivedAt: BUILT_AT - 3_600_000, host: 'fw1', event: { kind: 'state', at: BUILT_AT - 3_600_000, vhid: 1, interface: 'eth0', from: 'BACKUP', to: 'MASTER', reason: 'master down timer expired (3.00 s of silence)' } },
  { type: 'deploy', at: BUILT_AT - 3_700_000, host: 'fw1', step: 'done', progress: 1, detail: 'agent 0.1.0 answers' },
  { type: 'host', at: BUILT_AT - 3_650_000, host: 'fw1', status: 'live' },
];

const problems: string[] = [];
const shots: string[] = [];

async function open(browser: Browser, name: string, cfg: FakeConfig, url: string, hash = '#/fleet', fake = true): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  if (fake) {
    const config = { builtAt: BUILT_AT, fleets: FLEETS, preflight: PREFLIGHT, inventory: INVENTORY, fingerprint: FINGERPRINT, history: HISTORY, initial: 'normal', ...cfg };
    await page.addInitScript({ content: `window.__CARP_FAKE__ = ${JSON.stringify(config)};` });
    await page.addInitScript({ content: FAKE });
  }
  page.on('console', (m) => {
    if (m.type() === 'error' && !(m.text().includes('WebSocket') && !fake)) problems.push(`${name}: console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${name}: page error: ${e.message}`));
  await page.goto(`${url}${hash}`);
  return page;
}

async function look(page: Page, name: string, scrollTo?: Locator): Promise<void> {
  if (scrollTo) await scrollTo.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(150);
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path });
  shots.push(path);
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  for (const v of axe.violations) {
    if (v.impact === 'serious' || v.impact === 'critical') problems.push(`${name}: axe ${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 4).join(' | ')}`);
    else if (v.impact === 'moderate') console.log(`  (moderate) ${name}: ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
  }
  console.log(`shot ${path}`);
}

type Flow = (browser: Browser, url: string, ws: FakeWs) => Promise<void>;

const FLOWS: Record<string, Flow> = {
  async fleet(b, url) {
    const p = await open(b, 'fleet', {}, url);
    await expect(p.getByRole('table', { name: 'Hosts' })).toBeVisible();
    await expect(p.getByRole('row', { name: /fw1/ }).getByText('live')).toBeVisible();
    await look(p, 'fleet-normal');
    await p.context().close();
  },
  async knobs(b, url) {
    const p = await open(b, 'knobs', { initial: 'knobs' }, url);
    await expect(p.getByRole('row', { name: /fw2/ }).getByText('link demotion 1 (down: eth1)')).toBeVisible();
    await look(p, 'fleet-knobs');
    await p.context().close();
  },
  async stale(b, url) {
    const p = await open(b, 'stale', { initial: 'fw2-stale' }, url);
    const row = p.getByRole('row', { name: /fw2/ });
    await expect(row.getByText('UNKNOWN')).toBeVisible();
    await expect(row.getByText(/last heard 1\d s ago/)).toBeVisible();
    await look(p, 'fleet-fw2-stale');
    await p.goto(`${url}#/groups`);
    const card = p.getByRole('article', { name: 'Group vhid 1 (lan-gateway)' });
    await expect(card.getByRole('row', { name: /fw2/ }).getByText('UNKNOWN')).toBeVisible();
    await look(p, 'groups-fw2-stale');
    await p.goto(`${url}#/host/fw2`);
    await expect(p.getByRole('heading', { level: 1, name: 'fw2' })).toBeVisible();
    await look(p, 'host-fw2-stale');
    await p.context().close();
  },
  async hostkey(b, url) {
    const p = await open(b, 'hostkey', { initial: 'fw2-unknown-key', unknownKeys: ['fw2'] }, url);
    await look(p, 'fleet-unknown-key');
    await p.getByRole('button', { name: 'Check host key of fw2' }).click();
    const d = p.getByRole('dialog', { name: 'Host key of fw2' });
    await expect(d.getByText(/can't be established/)).toBeVisible();
    await expect(d.getByText(FINGERPRINT)).toBeVisible();
    await look(p, 'dialog-hostkey-unknown');
    await d.getByRole('button', { name: 'Yes, trust this key' }).click();
    await expect(d.getByText(/Trusted\./)).toBeVisible();
    await look(p, 'dialog-hostkey-trusted');
    await p.keyboard.press('Escape');
    await expect(d).toBeHidden();
    await expect(p.getByRole('row', { name: /fw2/ }).getByText('live')).toBeVisible();
    await p.context().close();
    const q = await open(b, 'hostkey-changed', { changedKeys: ['fw2'] }, url);
    await q.getByRole('button', { name: 'Check host key of fw2' }).click();
    await expect(q.getByRole('dialog', { name: 'Host key of fw2' }).getByText(/HOST KEY CHANGED/)).toBeVisible();
    await look(q, 'dialog-hostkey-changed');
    await q.context().close();
  },
  async addhosts(b, url) {
    const p = await open(b, 'addhosts', {}, url);
    await p.getByRole('button', { name: 'Add hosts' }).click();
    const d = p.getByRole('dialog', { name: 'Add hosts' });
    await expect(d.getByRole('tab', { name: 'File on the console machine' })).toBeFocused();
    await d.getByLabel('Path on the console machine').fill('/var/lib/carp-lab/lab0/ssh_config');
    await d.getByRole('button', { name: 'Import' }).click();
    await expect(d.getByText('Added: fw1, fw2, fw3')).toBeVisible();
    await look(p, 'dialog-add-hosts-path');
    await d.getByRole('tab', { name: 'Paste or upload' }).click();
    await d.getByLabel('Inventory text').fill('Host fw4\n  HostName 198.18.0.4\n  User root\n');
    await d.getByRole('button', { name: 'Import' }).click();
    await expect(d.getByText('Added: fw4')).toBeVisible();
    await look(p, 'dialog-add-hosts-text');
    await d.getByRole('tab', { name: 'By hand' }).click();
    await d.getByLabel('Name').fill('-fw5');
    await d.getByLabel('Address').fill('198.18.0.5');
    await d.getByLabel('Port').fill('70000');
    await d.getByRole('button', { name: 'Add host' }).click();
    await expect(d.getByText(/Port must be 1\.\.65535/)).toBeVisible();
    await look(p, 'dialog-add-hosts-hand-invalid');
    await d.getByLabel('Name').fill('fw5');
    await d.getByLabel('Port').fill('22');
    await d.getByRole('button', { name: 'Add host' }).click();
    await expect(d.getByText('Added: fw5')).toBeVisible();
    await p.keyboard.press('Escape');
    await expect(d).toBeHidden();
    await expect(p.getByRole('button', { name: 'Add hosts' })).toBeFocused();
    await p.context().close();
  },
  async deploy(b, url) {
    const p = await open(b, 'deploy', { gates: ['deploy'], deployFail: 'fw2' }, url);
    await p.getByRole('button', { name: /Deploy \/ upgrade agent/ }).click();
    const d = p.getByRole('dialog', { name: 'Deploy / upgrade agent' });
    await look(p, 'dialog-deploy');
    await d.getByRole('button', { name: 'Deploy to 3 hosts' }).click();
    await expect(p.getByRole('progressbar', { name: 'Deploy progress of fw1' })).toBeVisible();
    await p.waitForTimeout(800);
    await look(p, 'fleet-deploy-running');
    await p.evaluate(() => (window as unknown as { __fake: { release(n: string): boolean } }).__fake.release('deploy'));
    await expect(p.getByText(/Deploy finished with failures/)).toBeVisible({ timeout: 10_000 });
    await expect(p.getByRole('row', { name: /fw1/ }).getByText('deployed 0.1.0')).toBeVisible();
    await look(p, 'fleet-deploy-done');
    await p.context().close();
  },
  async groups(b, url) {
    const p = await open(b, 'groups', {}, url, '#/groups');
    const card = p.getByRole('article', { name: 'Group vhid 1 (lan-gateway)' });
    await expect(card.getByRole('row', { name: /fw1/ }).getByText('MASTER')).toBeVisible();
    await expect(card.getByText('Successor', { exact: true })).toBeVisible();
    await expect(p.getByText('1 group · all redundant')).toBeVisible();
    await look(p, 'groups-normal');
    await p.context().close();
    const q = await open(b, 'groups-degraded', { initial: 'degraded' }, url, '#/groups');
    await expect(q.getByText(/1 group without a master/)).toBeVisible();
    await look(q, 'groups-degraded');
    await look(q, 'groups-degraded-no-master', q.getByRole('article', { name: 'Group vhid 3 (dmz)' }));
    await q.getByRole('button', { name: 'Reset demotion on fw2' }).click();
    await expect(q.getByText('1 group · all redundant')).toBeVisible();
    await q.context().close();
    const t = await open(b, 'groups-tie-password', { initial: 'tie-password' }, url, '#/groups');
    const tc = t.getByRole('article', { name: 'Group vhid 1 (lan-gateway)' });
    await expect(tc.getByText(/fw2 or fw3/).first()).toBeVisible();
    await expect(tc.getByText('password differs')).toBeVisible();
    await look(t, 'groups-tie-password', tc);
    await t.context().close();
  },
  async editor(b, url) {
    // New group on the lab with a VRRP router (id 2) on its LAN: vhid 2 is not suggested, and warned about when typed.
    const p = await open(b, 'editor', { initial: 'vrrp' }, url, '#/groups');
    await p.setViewportSize({ width: 1280, height: 1040 }); // the whole form and the master order in one shot
    await p.getByRole('button', { name: 'New group' }).click();
    const d = p.getByRole('dialog', { name: 'New group' });
    await expect(d.getByLabel('vhid', { exact: true })).toHaveValue('3');
    await d.getByLabel('Name').fill('lan-voip');
    await d.getByLabel('Virtual addresses').fill('198.18.0.110/24');
    await d.getByRole('button', { name: 'Generate' }).click();
    for (const h of ['fw1', 'fw2', 'fw3']) {
      await d.getByLabel('Add a host').selectOption(h);
      await d.getByRole('button', { name: 'Add', exact: true }).click();
    }
    await expect(d.getByRole('combobox', { name: 'interface of fw2' }).locator('option')).toHaveText(['eth0 · 198.18.0.0/24', 'eth1 · 198.18.1.0/24 · link down', 'eth2 · no IPv4 address · link down']);
    await d.getByLabel('vhid', { exact: true }).fill('2');
    await expect(d.getByText(/VRRP router 2 from 198\.18\.0\.9 uses the same virtual MAC 00:00:5e:00:01:02/)).toBeVisible();
    await look(p, 'group-editor-vrrp');
    // fw2 on its WAN interface: no common segment any more
    await d.getByRole('combobox', { name: 'interface of fw2' }).selectOption('eth1');
    await expect(d.getByText(/no interface on a common segment/)).toBeVisible();
    await look(p, 'group-editor-segments', d.getByRole('heading', { name: 'Master order' }));
    await p.context().close();
  },
  async wall(b, url) {
    const p = await open(b, 'wall', { initial: 'wall-calm', readOnly: true }, url, '#/wall');
    const tiles = p.getByRole('article');
    await expect(tiles).toHaveCount(6);
    await expect(p.getByText('6 groups · all redundant')).toBeVisible();
    const boxes = () => tiles.evaluateAll((els) => els.map((e) => `${e.getAttribute('aria-label')} ${JSON.stringify(e.getBoundingClientRect())}`));
    const calm = await boxes();
    // fw2 goes silent: three tiles stale, two loud, a two-line health text; not one tile moves or resizes.
    await p.evaluate(() => (window as unknown as { __fake: { setScenario(n: string): void } }).__fake.setScenario('wall'));
    const lan = p.getByRole('article', { name: 'Group vhid 1 (lan-gateway)' });
    await expect(lan.getByText(/stale: fw2 last heard 1\d s ago/)).toBeVisible();
    expect(await boxes()).toEqual(calm);
    await expect(p.getByRole('article', { name: 'Group vhid 3 (dmz)' })).toHaveAttribute('data-kind', 'no-master');
    await expect(p.getByRole('button')).toHaveCount(0);
    await look(p, 'wall');
    await p.context().close();
    const q = await open(b, 'notifications', {}, url, '#/groups');
    await q.getByRole('button', { name: 'Notifications' }).click();
    const d = q.getByRole('dialog', { name: 'Notifications' });
    await d.getByRole('checkbox', { name: /vhid 1 · lan-gateway/ }).uncheck();
    await expect(d.getByText('· muted')).toBeVisible();
    await look(q, 'dialog-notifications');
    await q.context().close();
  },
  async apply(b, url) {
    const p = await open(b, 'apply', {}, url, '#/groups');
    await p.getByRole('button', { name: 'Apply a group file' }).click();
    const d = p.getByRole('dialog', { name: 'Apply a group file' });
    const box = d.getByLabel('Group file (YAML or JSON)');
    await box.fill('vhid: 300\ninterface: eth0\naddresses: [198.18.0.100/24]\npassword: change-me\nmembers:\n  - {host: fw1, advskew: 0}\n');
    await d.getByRole('button', { name: 'Preview' }).click();
    await expect(d.getByText(/vhid/).first()).toBeVisible();
    await look(p, 'dialog-apply-invalid');
    await box.fill(
      'vhid: 1\nname: lan-gateway\ninterface: eth0\naddresses: [198.18.0.100/24]\npassword: change-me\nadvbase: 1\npreempt: true\nmembers:\n  - {host: fw1, advskew: 0}\n  - {host: fw3, advskew: 20}\n  - {host: fw2, advskew: 100, preempt: false}\n',
    );
    await d.getByRole('button', { name: 'Preview' }).click();
    await expect(d.getByRole('table', { name: 'What would change, per host and field' })).toBeVisible();
    await look(p, 'dialog-apply-preview');
    await d.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect(d.getByText('Applied.')).toBeVisible();
    await look(p, 'dialog-apply-done');
    await p.context().close();
    const q = await open(b, 'apply-fail', { applyFail: 'fw2' }, url, '#/groups');
    await q.getByRole('button', { name: 'Apply a group file' }).click();
    const e = q.getByRole('dialog', { name: 'Apply a group file' });
    await e.getByLabel('Group file (YAML or JSON)').fill('{"vhid":1,"name":"lan-gateway","interface":"eth0","addresses":["198.18.0.100/24"],"password":"change-me","members":[{"host":"fw1","advskew":10},{"host":"fw2","advskew":90},{"host":"fw3","advskew":50}]}');
    await e.getByRole('button', { name: 'Preview' }).click();
    await e.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect(e.getByText('Not applied.')).toBeVisible();
    await look(q, 'dialog-apply-rolled-back');
    await q.context().close();
  },
  async wizard(b, url) {
    const p = await open(b, 'wizard', { gates: ['handover', 'reboot'] }, url, '#/host/fw1');
    const w = p.getByRole('region', { name: 'Demote before reboot' });
    await expect(w.getByText('198.18.0.0/24 vhid 1 moves to fw3.')).toBeVisible();
    await look(p, 'host-fw1-wizard-start', w);
    await w.getByRole('button', { name: 'Enter maintenance' }).click();
    await expect(w.getByText(/waiting for a new master/)).toBeVisible();
    await look(p, 'host-fw1-wizard-handover-waiting', w);
    await p.evaluate(() => (window as unknown as { __fake: { release(n: string): boolean } }).__fake.release('handover'));
    await expect(w.getByText('198.18.0.0/24#1 now mastered by fw3')).toBeVisible();
    await expect(w.getByRole('button', { name: 'Reboot now' })).toBeEnabled();
    await look(p, 'host-fw1-wizard-entered', w);
    await w.getByRole('button', { name: 'Reboot now' }).click();
    await expect(w.getByText(/waiting for fw1 to go down and answer SSH again/)).toBeVisible();
    await expect(w.getByText('unreachable', { exact: true })).toBeVisible();
    await look(p, 'host-fw1-wizard-rebooting', w);
    await p.evaluate(() => (window as unknown as { __fake: { release(n: string): boolean } }).__fake.release('reboot'));
    await expect(w.getByText(/rebooted; SSH and its agent answer again/)).toBeVisible({ timeout: 10_000 });
    await look(p, 'host-fw1-wizard-rebooted', w);
    await w.getByRole('button', { name: 'Return to service' }).click();
    const checks = w.getByRole('list', { name: 'Back in service checks' });
    await expect(checks).toBeVisible();
    await expect(checks.getByRole('listitem').filter({ hasText: 'maintenance is off' })).toContainText('yes');
    await look(p, 'host-fw1-wizard-returning', w);
    await expect(checks.getByRole('listitem').filter({ hasText: 'MASTER again' })).toContainText('yes', { timeout: 10_000 });
    await look(p, 'host-fw1-wizard-returned', w);
    await p.getByRole('link', { name: 'Groups' }).click();
    await expect(p.getByRole('article', { name: 'Group vhid 1 (lan-gateway)' }).getByRole('row', { name: /fw1/ }).getByText('MASTER')).toBeVisible();
    await p.context().close();
  },
  async wizardfail(b, url) {
    const p = await open(b, 'wizard-fail', { rebootFail: true }, url, '#/host/fw1');
    const w = p.getByRole('region', { name: 'Demote before reboot' });
    await w.getByRole('button', { name: 'Enter maintenance' }).click();
    await w.getByRole('button', { name: 'Reboot now' }).click();
    await expect(w.getByText('fw1 IS STILL IN MAINTENANCE.').first()).toBeVisible({ timeout: 10_000 });
    await look(p, 'host-fw1-wizard-reboot-failed', w);
    await p.context().close();
    const q = await open(b, 'wizard-force', { initial: 'no-successor' }, url, '#/host/fw1');
    const v = q.getByRole('region', { name: 'Demote before reboot' });
    await expect(v.getByRole('button', { name: 'Enter maintenance' })).toBeDisabled();
    await v.getByRole('checkbox', { name: /Force: enter maintenance even though/ }).check();
    await expect(v.getByRole('button', { name: 'Enter maintenance' })).toBeEnabled();
    await look(q, 'host-fw1-wizard-force', v);
    await q.context().close();
  },
  async timeline(b, url) {
    // a day of 40 lanes (renderer/dev/fake-history.ts): bars, a lost master's outage, maintenance, demotion
    const p = await open(b, 'timeline', { timeline: fakeHistory(BUILT_AT) }, url, '#/timeline');
    await p.getByRole('button', { name: '1 day', exact: true }).click();
    await p.waitForTimeout(500);
    await look(p, 'timeline-day');
    await expect(p.locator('.failover-item')).toHaveCount(6);
    await expect(p.locator('.outage-item')).toHaveCount(1);
    await p.context().close();
    // an hour with the console down (a crash) for 15 min: the hatched "console not running: no data" band
    const q = await open(b, 'timeline-gap', { timeline: fakeHistoryWithGap(BUILT_AT) }, url, '#/timeline');
    await q.getByRole('button', { name: '1 h', exact: true }).click();
    await expect(q.locator('.gap-item')).toHaveCount(1);
    await expect(q.getByRole('img', { name: /^console not running: no data for 15 min/ }).first()).toBeVisible();
    await look(q, 'timeline-gap');
    await q.context().close();
  },
  async readonly(b, url) {
    const p = await open(b, 'readonly', { readOnly: true }, url);
    await expect(p.getByText('Read-only console')).toBeVisible();
    await expect(p.getByRole('button', { name: 'Add hosts' })).toBeDisabled();
    await look(p, 'fleet-read-only');
    await p.goto(`${url}#/host/fw1`);
    await expect(p.getByRole('region', { name: 'Demote before reboot' }).getByRole('button', { name: 'Enter maintenance' })).toBeDisabled();
    await look(p, 'host-fw1-read-only');
    await p.context().close();
  },
  async websocket(b, url, ws) {
    // No window.carp: the page talks to the fake /ws of serve-static.ts (fleet and info only).
    ws.restore();
    const p = await open(b, 'websocket', {}, `${url}?token=dev-token`, '#/fleet', false);
    await expect(p.getByRole('row', { name: /fw1/ }).getByText('live')).toBeVisible();
    await expect(p.getByText('console 0.1.0-ws')).toBeVisible();
    if (!ws.tokens.includes('dev-token')) problems.push(`websocket: the page did not pass ?token= on /ws (saw ${JSON.stringify(ws.tokens)})`);
    ws.drop();
    await expect(p.getByText(/Connection to the console lost, reconnecting/)).toBeVisible({ timeout: 10_000 });
    await look(p, 'ws-connection-lost');
    ws.restore();
    await expect(p.getByText(/Connection to the console lost/)).toBeHidden({ timeout: 15_000 });
    await p.context().close();
    ws.drop();
    const q = await open(b, 'websocket-never', {}, url, '#/fleet', false);
    await expect(q.getByText(/Cannot reach the console, retrying/)).toBeVisible({ timeout: 10_000 });
    await look(q, 'ws-cannot-reach');
    await q.context().close();
  },
};

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await serveStatic(join(ROOT, 'dist/renderer'), () => FLEETS.normal);
  const browser = await chromium.launch(CHROMIUM_LAUNCH);
  try {
    for (const [name, flow] of Object.entries(FLOWS)) {
      if (ONLY && name !== ONLY) continue;
      console.log(`flow ${name}`);
      try {
        await flow(browser, server.url, server.ws);
      } catch (e) {
        problems.push(`${name}: flow failed: ${(e as Error).message.split('\n').slice(0, 6).join(' ')}`);
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`\n${shots.length} screenshots in ${OUT}`);
  if (problems.length) {
    console.log(`\n${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exitCode = 1;
  } else console.log('no problems: no axe serious/critical violations, no console or CSP errors');
}

await main();
