// The group editor end to end (lab 56, 3 firewalls, the web shell): a new group made by ordering three
// hosts (drag and Move buttons), its preview, apply and the predicted master becoming MASTER; an edit that
// moves the master to the end; an apply broken on one host mid-apply and the others rolled back.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, type Browser, type Locator, type Page } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';
import { ROOT, uiWorld, type UiWorld } from './console-lab.js';
import { deployedFleet, wsCall } from './lab-fleet.js';

const LAB_ID = 56;
const HOSTS = ['fw1', 'fw2', 'fw3'] as const;
const VIP = `198.18.${LAB_ID}.110/24`;
const SHOTS = join(ROOT, 'docs/screenshots');
const CARD = 'Group vhid 1 (editor-lan)';

let world: UiWorld | undefined;
let page: Page;
let password = '';
let roMounted = false;
let mgmtCut = false;

function w(): UiWorld {
  if (!world) throw new Error('the lab and the console are not up (beforeAll failed)');
  return world;
}

async function shot(name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(SHOTS, name), animations: 'disabled', caret: 'hide' });
}

/** axe-core on the page as it is: no serious or critical violation. */
async function audit(what: string): Promise<void> {
  const r = await new AxeBuilder({ page }).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes[0]?.target.join(' ')})`);
  console.log(`axe ${what}: ${r.passes.length} rules pass, ${r.violations.length} violations${r.violations.length ? `: ${r.violations.map((v) => `${v.impact} ${v.id}`).join(', ')}` : ''}`);
  expect(bad, `axe serious/critical violations on ${what}`).toEqual([]);
}

/** fw2's status as the console reports it (hosts(), over the web shell's WebSocket). */
async function statusOf(h: string): Promise<string | undefined> {
  const r = await wsCall(w().url, 'hosts', []);
  return (r.reply?.result as Array<{ host: string; status: string }> | undefined)?.find((v) => v.host === h)?.status;
}

const card = () => page.getByRole('article', { name: CARD });
const order = (dlg: Locator) => dlg.getByRole('list', { name: 'Master order' });
/** The hosts of the master order, top to bottom. */
const orderHosts = async (dlg: Locator) => (await order(dlg).getByRole('listitem').all()).map((li) => li.getAttribute('data-host'));
async function orderNow(dlg: Locator): Promise<string[]> {
  return (await Promise.all(await orderHosts(dlg))).map(String);
}
const skewOf = (dlg: Locator, h: string) => dlg.getByRole('spinbutton', { name: `advskew of ${h}` });
const memberState = (h: string) => card().getByRole('row', { name: new RegExp(`\\b${h}\\b`) });

/** Per row of the preview/outcome table: host (carried down its rowspan), action, field, before, after. */
async function diffRows(table: Locator): Promise<Array<{ host: string; action: string; field: string; before: string; after: string }>> {
  const out: Array<{ host: string; action: string; field: string; before: string; after: string }> = [];
  let host = '';
  let action = '';
  for (const row of await table.getByRole('row').all()) {
    const header = await row.getByRole('rowheader').allInnerTexts();
    const cells = (await row.getByRole('cell').allInnerTexts()).map((s) => s.trim());
    if (!cells.length) continue;
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

async function openEditor(): Promise<Locator> {
  await card().getByRole('button', { name: `Edit ${CARD}` }).click();
  const dlg = page.getByRole('dialog', { name: 'Edit group vhid 1 (editor-lan)' });
  await expect(dlg).toBeVisible();
  await dlg.getByLabel('Password', { exact: true }).fill(password);
  return dlg;
}

async function previewAndCheck(dlg: Locator): Promise<Array<{ host: string; action: string; field: string; before: string; after: string }>> {
  await expect(dlg.getByRole('button', { name: 'Apply', exact: true })).toBeDisabled();
  await dlg.getByRole('button', { name: 'Preview' }).click();
  const table = dlg.getByRole('table', { name: 'What would change, per host and field' });
  await expect(table).toBeVisible({ timeout: 30_000 });
  const rows = await diffRows(table);
  console.log(`preview:\n${rows.map((r) => `  ${r.host} ${r.action} ${r.field}: ${r.before} → ${r.after}`).join('\n')}`);
  await expect(dlg.getByRole('button', { name: 'Apply', exact: true })).toBeEnabled();
  return rows;
}

test.describe.serial('the group editor on a lab of 3 firewalls', () => {
  test.beforeAll(async ({ browser }: { browser: Browser }) => {
    test.setTimeout(300_000);
    world = await uiWorld(LAB_ID);
    await deployedFleet(w(), HOSTS);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await ctx.newPage();
    page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
    await page.goto(w().url);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Groups', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Groups' })).toBeVisible();
  });

  test.afterAll(async () => {
    test.setTimeout(90_000);
    try {
      if (world && roMounted) await world.lab.exec('fw2', 'umount /etc/carp-agent').catch(() => undefined);
      if (world && mgmtCut) await world.lab.healMgmt('fw2').catch(() => undefined);
      await page?.context().close().catch(() => undefined);
    } finally {
      await world?.close();
      world = undefined;
    }
  });

  test('a. New group: three hosts ordered by dragging, advskews with gaps, preview, apply; the predicted master becomes MASTER', async () => {
    await page.getByRole('button', { name: 'New group' }).click();
    const dlg = page.getByRole('dialog', { name: 'New group' });
    await expect(dlg).toBeVisible();
    await dlg.getByLabel('Name', { exact: true }).fill('editor-lan');
    await dlg.getByLabel('vhid', { exact: true }).fill('9');
    await dlg.getByRole('button', { name: 'Suggest a free vhid' }).click();
    await expect(dlg.getByLabel('vhid', { exact: true })).toHaveValue('1');
    await dlg.getByLabel('Virtual addresses').fill(VIP);
    // A password over CARP's 19 bytes is refused, saying why.
    const pw = dlg.getByLabel('Password', { exact: true });
    await pw.fill('x'.repeat(20));
    await expect(dlg.getByText(/Refused: 20 bytes is more than CARP's 19/)).toBeVisible();
    await expect(pw).toHaveAttribute('aria-invalid', 'true');
    await dlg.getByRole('button', { name: 'Generate' }).click();
    password = await pw.inputValue();
    expect(password).toMatch(/^[A-Za-z0-9_-]{19}$/);
    await expect(dlg.getByText('19 of 19 bytes.')).toBeVisible();

    for (const h of HOSTS) {
      await dlg.getByLabel('Add a host').selectOption(h);
      await dlg.getByRole('button', { name: 'Add', exact: true }).click();
    }
    expect(await orderNow(dlg)).toEqual(['fw1', 'fw2', 'fw3']);
    for (const [h, v] of [['fw1', '0'], ['fw2', '50'], ['fw3', '100']]) await expect(skewOf(dlg, h)).toHaveValue(v);

    // Drag fw3 to the top (HTML5 drag and drop): no room below 0, so the order is renumbered with gaps.
    await order(dlg).getByRole('listitem', { name: '3. fw3' }).dragTo(order(dlg).getByRole('listitem', { name: '1. fw1' }));
    await expect.poll(() => orderNow(dlg)).toEqual(['fw3', 'fw1', 'fw2']);
    for (const [h, v] of [['fw3', '0'], ['fw1', '50'], ['fw2', '100']]) await expect(skewOf(dlg, h)).toHaveValue(v);
    // Move fw2 above fw1 with the keyboard buttons: it takes the gap (25), nobody is renumbered.
    await dlg.getByRole('button', { name: 'Move fw2 up' }).click();
    expect(await orderNow(dlg)).toEqual(['fw3', 'fw2', 'fw1']);
    for (const [h, v] of [['fw3', '0'], ['fw2', '25'], ['fw1', '50']]) await expect(skewOf(dlg, h)).toHaveValue(v);
    const prediction = dlg.getByRole('status', { name: 'Prediction' });
    await expect(prediction).toHaveText('Predicted master: fw3 · successor: fw2');
    await expect(order(dlg).getByRole('listitem', { name: '1. fw3' })).toContainText('predicted master');
    await expect(order(dlg).getByRole('listitem', { name: '3. fw1' })).toContainText('master-down 3.195 s');
    await shot('group-editor.png');
    await audit('group editor (new group)');

    const rows = await previewAndCheck(dlg);
    expect([...new Set(rows.map((r) => r.host))].sort()).toEqual([...HOSTS]);
    for (const h of HOSTS) expect(rows.filter((r) => r.host === h).every((r) => r.action === '+ create'), `${h} is created`).toBe(true);
    const field = (h: string, f: string) => rows.find((r) => r.host === h && r.field === f);
    expect(field('fw3', 'advskew')).toMatchObject({ before: '(none)', after: '0' });
    expect(field('fw2', 'advskew')?.after).toBe('25');
    expect(field('fw1', 'advskew')?.after).toBe('50');
    for (const h of HOSTS) expect(field(h, 'addresses')?.after).toBe(VIP);
    await dlg.getByRole('heading', { name: 'Preview: what would change' }).scrollIntoViewIfNeeded();
    await shot('group-editor-preview.png');
    await audit('group editor (preview)');

    await dlg.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect(dlg.getByText('Applied.')).toBeVisible({ timeout: 30_000 });
    const progress = dlg.getByRole('list', { name: 'Progress per host' });
    for (const h of HOSTS) await expect(progress.getByRole('listitem').filter({ hasText: h })).toContainText('applied');
    await dlg.getByRole('button', { name: 'Close', exact: true }).last().click();
    await expect(dlg).toHaveCount(0);

    await expect(memberState('fw3')).toContainText('MASTER', { timeout: 20_000 });
    await expect(memberState('fw2')).toContainText('BACKUP');
    await expect(memberState('fw1')).toContainText('BACKUP');
    await expect(memberState('fw2')).toContainText('→ successor');
  });

  test('b. Edit: move the master (fw3) to the end; only fw3 changes; apply; fw2 becomes MASTER', async () => {
    const dlg = await openEditor();
    expect(await orderNow(dlg)).toEqual(['fw3', 'fw2', 'fw1']);
    await dlg.getByRole('button', { name: 'Move fw3 down' }).click();
    await dlg.getByRole('button', { name: 'Move fw3 down' }).click();
    expect(await orderNow(dlg)).toEqual(['fw2', 'fw1', 'fw3']);
    for (const [h, v] of [['fw2', '25'], ['fw1', '50'], ['fw3', '100']]) await expect(skewOf(dlg, h)).toHaveValue(v);
    await expect(dlg.getByRole('status', { name: 'Prediction' })).toHaveText('Predicted master: fw2 · successor: fw1');

    const rows = await previewAndCheck(dlg);
    // The password is the same (compared by check value): fw2 and fw1 are unchanged, fw3 gets advskew 0 → 100.
    expect(rows.find((r) => r.host === 'fw3' && r.field === 'advskew')).toMatchObject({ action: '~ update', before: '0', after: '100' });
    expect(rows.filter((r) => r.host === 'fw3')).toHaveLength(1);
    for (const h of ['fw1', 'fw2']) expect(rows.find((r) => r.host === h)?.action).toBe('= unchanged');

    await dlg.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect(dlg.getByText('Applied.')).toBeVisible({ timeout: 30_000 });
    await dlg.getByRole('button', { name: 'Close', exact: true }).last().click();
    await expect(memberState('fw2')).toContainText('MASTER', { timeout: 20_000 });
    await expect(memberState('fw3')).toContainText('BACKUP');
    await expect(memberState('fw1')).toContainText('→ successor');
    await page.screenshot({ path: test.info().outputPath('board-with-edit.png') });
  });

  test('c. An apply that fails on the master mid-apply: the others are rolled back, and the editor says so', async () => {
    const dlg = await openEditor();
    // advbase 1 → 2 changes every member; the core applies the master (fw2) last.
    await dlg.getByLabel('advbase (s)').fill('2');
    await expect(order(dlg).getByRole('listitem', { name: '3. fw3' })).toContainText('master-down 6.391 s');
    const rows = await previewAndCheck(dlg);
    for (const h of HOSTS) expect(rows.find((r) => r.host === h && r.field === 'advbase')).toMatchObject({ action: '~ update', before: '1', after: '2' });

    // After the preview, fw2's config folder turns read-only: its dry run passed, its real write fails.
    await w().lab.exec('fw2', 'mount --bind /etc/carp-agent /etc/carp-agent && mount -o remount,bind,ro /etc/carp-agent');
    roMounted = true;
    await dlg.getByRole('button', { name: 'Apply', exact: true }).click();
    const alert = dlg.getByRole('alert').filter({ hasText: 'Not applied.' });
    await expect(alert).toBeVisible({ timeout: 60_000 });
    const text = await alert.innerText();
    console.log(`rollback message: ${text}`);
    await expect(alert).toContainText('Apply failed on fw2.');
    await expect(alert).toContainText(/fw1, fw3 were rolled back to their previous config|fw3, fw1 were rolled back to their previous config/);
    const outcome = dlg.getByRole('table', { name: 'Outcome per host' });
    await expect(outcome.getByRole('row', { name: /\bfw2\b/ }).first()).toContainText('failed');
    for (const h of ['fw1', 'fw3']) await expect(outcome.getByRole('row', { name: new RegExp(`\\b${h}\\b`) }).first()).toContainText('rolled back');
    await alert.scrollIntoViewIfNeeded();
    await shot('group-editor-rollback.png');
    await audit('group editor (rolled back)');
    await w().lab.exec('fw2', 'umount /etc/carp-agent');
    roMounted = false;
    await dlg.getByRole('button', { name: 'Close', exact: true }).last().click();
    // Every host is as before: fw2 still MASTER, every member at advbase 1.
    await expect(memberState('fw2')).toContainText('MASTER');
    for (const h of HOSTS) await expect(memberState(h).getByRole('cell').nth(1)).toHaveText('1');
  });

  test('d. A member unreachable after the preview (its management link cut): the apply changes nothing, and says why', async () => {
    const dlg = await openEditor();
    await dlg.getByLabel('advbase (s)').fill('2');
    await previewAndCheck(dlg);
    await w().lab.cutMgmt('fw2');
    mgmtCut = true;
    await expect.poll(() => statusOf('fw2'), { timeout: 20_000 }).not.toBe('live');
    await dlg.getByRole('button', { name: 'Apply', exact: true }).click();
    const alert = dlg.getByRole('alert').filter({ hasText: 'Not applied.' });
    await expect(alert).toBeVisible({ timeout: 60_000 });
    console.log(`unreachable member: ${await alert.innerText()}`);
    await expect(alert).toContainText('Nothing was changed');
    await expect(alert).toContainText(/fw2 is (stale|unreachable)/);
    await w().lab.healMgmt('fw2');
    mgmtCut = false;
    await dlg.getByRole('button', { name: 'Close', exact: true }).last().click();
    await expect.poll(() => statusOf('fw2'), { timeout: 90_000 }).toBe('live');
    for (const h of HOSTS) await expect(memberState(h).getByRole('cell').nth(1)).toHaveText('1');
  });

  test('e. Delete the group: the same per-host preview (every member loses vhid 1), then the card is gone', async () => {
    const dlg = await openEditor();
    await dlg.getByRole('button', { name: 'Delete…' }).click();
    const table = dlg.getByRole('table', { name: 'What would change, per host and field' });
    await expect(table).toBeVisible({ timeout: 30_000 });
    const rows = await diffRows(table);
    console.log(`delete preview:\n${rows.map((r) => `  ${r.host} ${r.action} ${r.field}: ${r.before} → ${r.after}`).join('\n')}`);
    expect([...new Set(rows.map((r) => r.host))].sort()).toEqual([...HOSTS]);
    for (const h of HOSTS) {
      expect(rows.find((r) => r.host === h && r.field === 'vhid')).toMatchObject({ action: '− delete', before: '1 on eth0', after: '(none)' });
      expect(rows.find((r) => r.host === h && r.field === 'addresses')?.before).toBe(VIP);
    }
    await dlg.getByRole('button', { name: 'Delete group' }).click();
    await expect(dlg.getByText('Deleted.')).toBeVisible({ timeout: 30_000 });
    await dlg.getByRole('button', { name: 'Close', exact: true }).last().click();
    await expect(card()).toHaveCount(0, { timeout: 20_000 });
    await expect(page.getByText(/^No CARP groups yet\. Deploy/)).toBeVisible();
  });
});
