// The Electron shell's pure parts without Electron: app-page checks, navigation and permission locks
// on a fake web contents, the menu template, the command line and the CSP string.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { WebContents } from 'electron';
import { appSenderCheck, isAppUrl } from './app-page.js';
import { parseShellArgs } from './args.js';
import { CSP } from './csp.js';
import { menuTemplate } from './menu.js';
import { lockSession, lockWebContents } from './navigation.js';
import { fakeIpc } from './testing/fake-ipc.js';

const APP = 'file:///opt/carp%20console/dist/renderer/index.html';

describe('app page', () => {
  it('is the file:// page itself, any route of it, nothing else', () => {
    expect(isAppUrl(APP, APP)).toBe(true);
    expect(isAppUrl(`${APP}#/hosts?x=1`, APP)).toBe(true);
    expect(isAppUrl('file:///opt/carp console/dist/renderer/index.html', APP)).toBe(true);
    expect(isAppUrl('file:///opt/carp%20console/dist/renderer/other.html', APP)).toBe(false);
    expect(isAppUrl('https://opt/carp%20console/dist/renderer/index.html', APP)).toBe(false);
    expect(isAppUrl('not a url', APP)).toBe(false);
  });

  it('trusts only the main frame of our window on the app page', () => {
    const ipc = fakeIpc();
    const win = ipc.window(APP);
    const check = appSenderCheck(() => win.asWebContents, APP);
    const frame = (p: { frame: unknown }) => p.frame as never;
    expect(check(frame(win.page), win.asWebContents)).toBe(true);
    expect(check(frame(win.iframe(APP)), win.asWebContents)).toBe(false);
    expect(check(null, win.asWebContents)).toBe(false);
    const other = ipc.window(APP);
    expect(check(frame(other.page), other.asWebContents)).toBe(false);
    expect(appSenderCheck(() => null, APP)(frame(win.page), win.asWebContents)).toBe(false);
    win.destroy();
    expect(check(frame(win.page), win.asWebContents)).toBe(false);
  });
});

describe('navigation and permissions', () => {
  function lockedContents() {
    const wc = new EventEmitter() as EventEmitter & { openHandler?: (d: { url: string }) => unknown };
    (wc as unknown as { setWindowOpenHandler: unknown }).setWindowOpenHandler = (h: (d: { url: string }) => unknown) => (wc.openHandler = h);
    const opened: string[] = [];
    lockWebContents(wc as unknown as WebContents, APP, (url) => void opened.push(url));
    const navigate = (event: string, url: string) => {
      let prevented = false;
      wc.emit(event, { url, isMainFrame: true, isSameDocument: false, preventDefault: () => (prevented = true) });
      return prevented;
    };
    return { wc, opened, navigate };
  }

  it('lets the window reach only the app page; https links go to the browser, others nowhere', () => {
    const { wc, opened, navigate } = lockedContents();
    expect(navigate('will-navigate', `${APP}#/groups`)).toBe(false);
    expect(navigate('will-navigate', 'https://example.org/doc')).toBe(true);
    expect(navigate('will-navigate', 'http://example.org/')).toBe(true);
    expect(navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(navigate('will-redirect', 'https://example.org/')).toBe(true);
    expect(wc.openHandler!({ url: 'https://example.org/new' })).toEqual({ action: 'deny' });
    expect(wc.openHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://example.org/doc', 'https://example.org/new']);
    let webview = false;
    wc.emit('will-attach-webview', { preventDefault: () => (webview = true) });
    expect(webview).toBe(true);
  });

  it('refuses every permission request and check but notifications for the app page', () => {
    const handlers: { request?: (...a: unknown[]) => void; check?: (...a: unknown[]) => boolean } = {};
    lockSession(
      {
        setPermissionRequestHandler: (h) => void (handlers.request = h as never),
        setPermissionCheckHandler: (h) => void (handlers.check = h as never),
      },
      APP,
    );
    const answers: boolean[] = [];
    for (const p of ['media', 'notifications', 'geolocation', 'openExternal']) handlers.request!(null, p, (ok: boolean) => answers.push(ok), { requestingUrl: `${APP}#/groups` });
    expect(answers).toEqual([false, true, false, false]);
    // Notifications for any other page (a frame or a page it would navigate to) are refused.
    handlers.request!(null, 'notifications', (ok: boolean) => answers.push(ok), { requestingUrl: 'https://example.org/' });
    handlers.request!(null, 'notifications', (ok: boolean) => answers.push(ok), {});
    expect(answers.slice(4)).toEqual([false, false]);
    expect(handlers.check!(null, 'clipboard-read', APP, { requestingUrl: APP })).toBe(false);
    expect(handlers.check!(null, 'notifications', 'file:///', { requestingUrl: APP })).toBe(true);
    expect(handlers.check!(null, 'notifications', 'https://example.org', { requestingUrl: 'https://example.org/' })).toBe(false);
  });
});

describe('menu, command line, CSP', () => {
  const roles = (t: ReturnType<typeof menuTemplate>) => JSON.stringify(t, (_k, v) => (typeof v === 'function' ? undefined : v));

  it('has File/Quit, View with DevTools only when not packaged, Window and Help/About', () => {
    let about = 0;
    let wall = 0;
    const dev = menuTemplate({ isPackaged: false, platform: 'linux', about: () => about++, wall: () => wall++ });
    expect(dev.map((m) => m.label ?? m.role)).toEqual(['File', 'editMenu', 'View', 'windowMenu', 'help']);
    expect(roles(dev)).toContain('toggleDevTools');
    expect(roles(menuTemplate({ isPackaged: true, platform: 'linux', about: () => {}, wall: () => {} }))).not.toContain('toggleDevTools');
    expect(menuTemplate({ isPackaged: true, platform: 'darwin', about: () => {}, wall: () => {} })[0].role).toBe('appMenu');
    const help = dev[4].submenu as Array<{ click?: () => void }>;
    help[0].click!();
    expect(about).toBe(1);
    // View → Wall mode asks the shell to show the wall route.
    const view = dev[2].submenu as Array<{ label?: string; click?: () => void }>;
    const item = view.find((m) => m.label === 'Wall mode');
    expect(item).toBeDefined();
    item!.click!();
    expect(wall).toBe(1);
    expect(about).toBe(1);
  });

  it('reads --inventory and --read-only among Electron’s own arguments', () => {
    expect(parseShellArgs(['/usr/bin/electron', 'dist/electron/main.cjs', '--inventory', 'lab.json', '--read-only'])).toEqual({ inventory: 'lab.json', readOnly: true });
    expect(parseShellArgs(['carp-console', '--inventory=/etc/carp/hosts.yaml', '--no-sandbox'])).toEqual({ inventory: '/etc/carp/hosts.yaml', readOnly: false });
    expect(parseShellArgs(['carp-console'])).toEqual({ readOnly: false });
  });

  it('allows only the app’s own files', () => {
    expect(CSP).toBe("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'");
  });
});
