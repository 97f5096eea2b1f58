// The Electron shell's entry, bundled to dist/electron/main.cjs: one sandboxed window on the console
// core, bound over IPC (ipc.ts), with a strict CSP, locked navigation and the app menu.
import { app, BrowserWindow, Menu, dialog, ipcMain, session, shell } from 'electron';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openConsole } from '../core/open.js';
import { appSenderCheck } from './app-page.js';
import { parseShellArgs } from './args.js';
import { CSP } from './csp.js';
import { bindIpc } from './ipc.js';
import { menuTemplate } from './menu.js';
import { lockSession, lockWebContents } from './navigation.js';

/** Set by build/build-electron.mjs from package.json (the app may be started as a bare .cjs file). */
declare const __CARP_CONSOLE_VERSION__: string | undefined;

// The bundle is CommonJS in dist/electron: preload.cjs beside it, the renderer in dist/renderer.
const PRELOAD = join(__dirname, 'preload.cjs');
const INDEX = join(__dirname, '..', 'renderer', 'index.html');
const APP_URL = pathToFileURL(INDEX).href;
const VERSION = typeof __CARP_CONSOLE_VERSION__ === 'string' ? __CARP_CONSOLE_VERSION__ : app.getVersion();
const args = parseShellArgs(process.argv.slice(1));

app.enableSandbox(); // every renderer, not only our window's
app.setName('carp-console');
app.setPath('userData', join(app.getPath('appData'), 'carp-console'));
let win: BrowserWindow | null = null;

function createWindow(): BrowserWindow {
  const w = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    title: args.readOnly ? 'carp-console (read-only)' : 'carp-console',
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
      devTools: !app.isPackaged,
      preload: PRELOAD,
    },
  });
  w.once('ready-to-show', () => w.show());
  w.on('closed', () => {
    if (win === w) win = null;
  });
  w.loadFile(INDEX).catch((e: Error) => console.error(`carp-console: cannot load ${INDEX}: ${e.message} (run npm run build)`));
  return w;
}

function showAbout(): void {
  const options = {
    type: 'info' as const,
    title: 'About carp-console',
    message: `carp-console ${VERSION}`,
    detail: `Desktop console for CARP firewall fleets.\nElectron ${process.versions.electron}, Chromium ${process.versions.chrome}, Node ${process.versions.node}${args.readOnly ? '\nRead-only: every action is refused.' : ''}`,
  };
  void (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
}

/** View → Wall mode: the app page's #/wall route (the full-screen read-only view) in the window. */
function showWall(): void {
  win?.loadFile(INDEX, { hash: '/wall' }).catch((e: Error) => console.error(`carp-console: cannot show wall mode: ${e.message}`));
}

function start(): void {
  let opened: ReturnType<typeof openConsole>;
  try {
    // Like carpctl and the web shell: --inventory names a file in any format; else the stored inventory.
    opened = openConsole({ ...(args.inventory ? { inventory: resolve(args.inventory) } : {}), history: { who: `${userInfo().username} (desktop)` } });
  } catch (e) {
    dialog.showErrorBox('carp-console cannot start', e instanceof Error ? e.message : String(e));
    app.exit(1);
    return;
  }
  session.defaultSession.webRequest.onHeadersReceived((details, callback) =>
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } }),
  );
  lockSession(session.defaultSession, APP_URL);
  const unbind = bindIpc(ipcMain, opened.console, {
    readOnly: args.readOnly,
    isTrustedSender: appSenderCheck(() => win?.webContents, APP_URL),
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({ isPackaged: app.isPackaged, platform: process.platform, about: showAbout, wall: showWall })));
  win = createWindow();
  app.on('activate', () => {
    if (!win) win = createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.once('will-quit', () => {
    unbind();
    opened.close();
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  // Every web contents, the window's and any other, gets the same locks.
  app.on('web-contents-created', (_e, contents) => lockWebContents(contents, APP_URL, (url) => shell.openExternal(url)));
  app.whenReady().then(start, (e: Error) => {
    console.error(`carp-console: ${e.message}`);
    app.exit(1);
  });
}
