// The console end to end through the real desktop shell (dist/electron/main.cjs in Electron): the
// window opens on the Fleet screen with the lab's hosts (--inventory <lab JSON>, so their keys are
// known), the agent is deployed and the demo group applied from the window, and the group card shows
// the master and its successor. Where no Electron binary is installed the test is SKIPPED and says
// so: it never passes without having run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, _electron, type ElectronApplication, type Page } from '@playwright/test';
import { electronBinary } from '../../electron/launch.js';
import { Lab } from '../lab/index.js';
import { ROOT, ensureBuilt } from '../ui/console-lab.js';

/** Lab ids 50..59 are the UI tests'; the web project uses 50. */
const LAB_ID = 51;
const HOSTS = ['fw1', 'fw2', 'fw3'] as const;
const BIN = electronBinary();
const NOT_RUN =
  'NOT RUN: no Electron binary installed here (node_modules/electron has no path.txt/dist). Get one with network access: ' +
  '`npm install-scripts approve electron && npm rebuild electron`, or `node node_modules/electron/install.js` ' +
  '(set ELECTRON_MIRROR behind a firewall), or point ELECTRON_OVERRIDE_DIST_PATH at an installed Electron; then run `npm run e2e -- --project electron`.';

let lab: Lab | undefined;
let home: string | undefined;
let app: ElectronApplication | undefined;
let win: Page;

test.describe.serial('carp-console in Electron, on a lab of 3 firewalls', () => {
  test.beforeAll(async () => {
    if (!BIN) return;
    test.setTimeout(180_000);
    ensureBuilt({ electron: true });
    await Lab.down(LAB_ID, { purge: true }).catch(() => undefined);
    lab = await Lab.up({ id: LAB_ID, hosts: 3 });
    home = mkdtempSync(join(tmpdir(), 'carp-electron-home-'));
    const inventory = join(home, 'lab.json');
    writeFileSync(inventory, JSON.stringify(lab.info, null, 2));
    // Electron (Chromium) refuses to run as root unless its sandbox is off; as a normal user it stays on.
    const root = process.getuid?.() === 0;
    app = await _electron.launch({
      executablePath: BIN,
      args: [join(ROOT, 'dist/electron/main.cjs'), ...(root ? ['--no-sandbox'] : []), '--inventory', inventory],
      cwd: ROOT,
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), SSH_AUTH_SOCK: '' },
      timeout: 60_000,
    });
    win = await app.firstWindow();
    await win.setViewportSize({ width: 1280, height: 800 });
  });

  test.afterAll(async () => {
    test.setTimeout(90_000);
    try {
      await app?.close().catch(() => undefined);
    } finally {
      try {
        if (lab) await lab.down({ purge: true });
      } finally {
        if (home) rmSync(home, { recursive: true, force: true });
      }
    }
  });

  test('the window shows the fleet from the lab, deploys the agent, and the group card after applying the demo group', async () => {
    if (!BIN) {
      console.log(`[electron] ${NOT_RUN}`);
      test.skip(true, NOT_RUN);
      return;
    }
    test.setTimeout(240_000);
    const l = lab!;
    // The Electron window talks to the core through the preload, never a WebSocket.
    expect(await win.evaluate(() => typeof (window as unknown as { carp?: unknown }).carp)).toBe('object');
    await expect(win.getByRole('heading', { level: 1, name: 'Fleet' })).toBeVisible();
    const hosts = win.getByRole('table', { name: 'Hosts' });
    const row = (h: string) => hosts.getByRole('row', { name: new RegExp(`\\b${h}\\b`) });
    // Keys come from the lab's known_hosts: straight to "no agent", no host key to trust.
    for (const h of HOSTS) await expect(row(h).getByRole('cell').getByText('no agent', { exact: true })).toBeVisible({ timeout: 30_000 });

    await win.getByRole('button', { name: /Deploy \/ upgrade agent/ }).click();
    await win.getByRole('dialog', { name: 'Deploy / upgrade agent' }).getByRole('button', { name: 'Deploy to 3 hosts' }).click();
    const progress = win.getByRole('table', { name: 'Deploy progress per host' });
    for (const h of HOSTS) await expect(progress.getByRole('row', { name: new RegExp(`\\b${h}\\b`) })).toContainText('deployed 0.1.0', { timeout: 90_000 });
    for (const h of HOSTS) await expect(row(h).getByRole('cell').getByText('live', { exact: true })).toBeVisible({ timeout: 30_000 });

    const lan = `198.18.${l.id}`;
    const yaml = readFileSync(join(ROOT, 'e2e/demo/group.yaml'), 'utf8').replaceAll('198.18.0.100/24', `${lan}.100/24`);
    await win.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Groups', exact: true }).click();
    await win.getByRole('button', { name: 'Apply a group file' }).click();
    const dlg = win.getByRole('dialog', { name: 'Apply a group file' });
    await dlg.getByLabel('Group file (YAML or JSON)').fill(yaml);
    await dlg.getByRole('button', { name: 'Preview' }).click();
    await expect(dlg.getByRole('table', { name: 'What would change, per host and field' })).toBeVisible();
    await dlg.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect(dlg.getByText('Applied.')).toBeVisible({ timeout: 30_000 });
    await dlg.getByRole('button', { name: 'Close', exact: true }).last().click();

    const card = win.getByRole('article', { name: 'Group vhid 1 (lan-gateway)' });
    await expect(card.getByRole('row', { name: /\bfw1\b/ })).toContainText('MASTER');
    await expect(card.getByRole('row', { name: /\bfw3\b/ })).toContainText('→ successor');
    await expect(win.getByText('1 group · all redundant')).toBeVisible();
  });
});
