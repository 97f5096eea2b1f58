// A stand-in 'electron' module for bundle.test.ts: `node --require` it before dist/electron/main.cjs
// to run the real bundle in plain Node (no Electron binary here); it prints what main asked for.
const Module = require('node:module');
const { EventEmitter } = require('node:events');
const log = (o) => process.stdout.write(`FAKE ${JSON.stringify(o)}\n`);

const app = Object.assign(new EventEmitter(), {
  isPackaged: false,
  enableSandbox: () => log({ enableSandbox: true }),
  setName: (n) => log({ setName: n }),
  setPath: (k) => log({ setPath: k }),
  getPath: () => '/tmp/fake-electron-appdata',
  getVersion: () => '45.5.0',
  requestSingleInstanceLock: () => true,
  whenReady: () => Promise.resolve(),
  quit: () => {
    app.emit('will-quit');
    log({ quit: true });
  },
  exit: (code) => {
    log({ exit: code });
    process.exit(code);
  },
});
class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    log({ window: options });
    this.webContents = Object.assign(new EventEmitter(), {
      isDestroyed: () => false,
      setWindowOpenHandler: () => log({ windowOpenHandler: true }),
    });
    app.emit('web-contents-created', {}, this.webContents);
  }
  loadFile(file) {
    log({ loadFile: file });
    setTimeout(() => app.quit(), 20);
    return Promise.resolve();
  }
}
const session = {
  defaultSession: {
    webRequest: { onHeadersReceived: (f) => f({ responseHeaders: { 'X-Other': ['kept'] } }, (r) => log({ headers: r.responseHeaders })) },
    setPermissionRequestHandler: (f) => f(null, 'media', (ok) => log({ permissionRequest: ok }), { requestingUrl: 'https://example.org/' }),
    setPermissionCheckHandler: (f) => log({ permissionCheck: f(null, 'clipboard-read', 'https://example.org', { requestingUrl: 'https://example.org/' }) }),
  },
};
const fake = {
  app,
  BrowserWindow,
  session,
  ipcMain: {
    handle: (c) => log({ handle: c }),
    on: (c) => log({ on: c }),
    removeHandler: (c) => log({ removeHandler: c }),
    removeListener: (c) => log({ removeListener: c }),
  },
  Menu: { buildFromTemplate: (t) => t, setApplicationMenu: (t) => log({ menu: t.map((m) => m.label ?? m.role) }) },
  dialog: { showErrorBox: (title, message) => log({ errorBox: message }), showMessageBox: async () => ({}) },
  shell: { openExternal: (u) => log({ openExternal: u }) },
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'electron' ? fake : load.call(this, request, ...rest);
};
