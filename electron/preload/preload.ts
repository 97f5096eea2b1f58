// The window's preload, bundled to dist/electron/preload.cjs (sandboxed: it may require only
// 'electron'). Exposes window.carp = { call, subscribe } and nothing else: no ipcRenderer, no Node.
import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadApi } from './api.js';

contextBridge.exposeInMainWorld('carp', createPreloadApi(ipcRenderer));
