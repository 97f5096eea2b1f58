// The built dist/electron/main.cjs run in plain Node with a stand-in 'electron' (testing/
// fake-electron.cjs), since the binary is absent here: it boots, opens the console, makes the window
// with the secure settings, binds IPC, sets the CSP and menu, and unbinds on quit. Needs the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CSP } from './csp.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(root, 'dist/electron/main.cjs');
const PRELOAD = join(root, 'dist/electron/preload.cjs');
const FAKE = fileURLToPath(new URL('./testing/fake-electron.cjs', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'carp-electron-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function run(...args: string[]): Array<Record<string, any>> {
  const r = spawnSync(process.execPath, ['--require', FAKE, MAIN, ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config') } });
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('FAKE '))
    .map((l) => JSON.parse(l.slice(5)));
}
const find = (log: Array<Record<string, any>>, key: string) => log.find((o) => key in o)?.[key];

describe.skipIf(!existsSync(MAIN))('dist/electron/main.cjs (npm run build:electron)', () => {
  it('boots into one secure window on the app page and cleans up on quit', () => {
    const log = run();
    expect(find(log, 'window')).toEqual({
      width: 1280,
      height: 800,
      minWidth: 1024,
      minHeight: 700,
      show: false,
      title: 'carp-console',
      webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, spellcheck: false, devTools: true, preload: join(root, 'dist/electron/preload.cjs') },
    });
    expect(find(log, 'enableSandbox')).toBe(true);
    expect(find(log, 'loadFile')).toBe(join(root, 'dist/renderer/index.html'));
    expect(find(log, 'headers')).toEqual({ 'X-Other': ['kept'], 'Content-Security-Policy': [CSP] });
    expect(find(log, 'permissionRequest')).toBe(false);
    expect(find(log, 'permissionCheck')).toBe(false);
    expect(find(log, 'windowOpenHandler')).toBe(true);
    expect(find(log, 'menu')).toEqual(['File', 'editMenu', 'View', 'windowMenu', 'help']);
    expect(log.filter((o) => 'handle' in o || 'on' in o)).toEqual([{ handle: 'carp:call' }, { on: 'carp:subscribe' }]);
    expect(find(log, 'removeHandler')).toBe('carp:call');
    expect(find(log, 'errorBox')).toBeUndefined();
  });

  it('takes --inventory and --read-only, and says why it cannot start on a bad inventory', () => {
    const inv = join(home, 'hosts.json');
    writeFileSync(inv, JSON.stringify({ hosts: [{ name: 'fw1', address: '127.0.0.1', port: 1 }] }));
    const log = run('--inventory', inv, '--read-only');
    expect(find(log, 'window').title).toBe('carp-console (read-only)');
    expect(find(log, 'errorBox')).toBeUndefined();
    const bad = run('--inventory', join(home, 'missing.json'));
    expect(find(bad, 'errorBox')).toMatch(/missing\.json/);
    expect(find(bad, 'exit')).toBe(1);
    expect(find(bad, 'window')).toBeUndefined();
  });

  it('has a preload that runs like a sandboxed one: only require("electron"), no process, no Buffer', async () => {
    const exposed: Record<string, any> = {};
    const sent: unknown[][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
      ipcRenderer: { invoke: async (...a: unknown[]) => (sent.push(a), { ok: true, result: 'pong' }), send: (...a: unknown[]) => sent.push(a), on: () => {} },
    };
    const required: string[] = [];
    const require = (m: string) => {
      required.push(m);
      if (m === 'electron') return electron;
      throw new Error(`module not found: ${m}`);
    };
    const module = { exports: {} };
    const wrapped = `(function (require, module, exports) {${readFileSync(PRELOAD, 'utf8')}\n})`;
    runInNewContext(wrapped, { TextEncoder, console, Promise })(require, module, module.exports);
    expect(required).toEqual(['electron']);
    expect(Object.keys(exposed)).toEqual(['carp']);
    expect(Object.keys(exposed.carp).sort()).toEqual(['call', 'subscribe']);
    expect(await exposed.carp.call('fleet', [])).toEqual({ ok: true, result: 'pong' });
    expect(await exposed.carp.call('exec', [])).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(sent).toEqual([['carp:call', 'fleet', []]]);
  });
});
