// window.carp, built on ipcRenderer: calls checked against the contract's method list before they
// leave the page, and one event stream per page shared by every listener. Imports no Electron code.
import type { IpcRenderer } from 'electron';
import { IPC, MAX_MESSAGE_BYTES, METHODS, type CallReply } from '../core/contract.js';
import type { ConsoleEvent } from '../core/events.js';
import type { ClientTransport } from '../core/client.js';

/** What the preload exposes as window.carp: exactly the client's transport (electron/core/client.ts). */
export type CarpBridge = ClientTransport;

export type IpcRendererLike = Pick<IpcRenderer, 'invoke' | 'send' | 'on'>;

const fail = (code: string, message: string): CallReply => ({ ok: false, error: { code, message } });

export function createPreloadApi(ipc: IpcRendererLike): CarpBridge {
  const methods = new Set<string>(METHODS);
  const listeners = new Set<{ fn: (e: ConsoleEvent) => void; started: boolean }>();
  let lastFleet: ConsoleEvent | null = null;
  let streaming = false;

  const deliver = (l: { fn: (e: ConsoleEvent) => void }, e: ConsoleEvent) => {
    try {
      l.fn(e);
    } catch (err) {
      console.error('carp: an event listener threw', err);
    }
  };
  // The IpcRendererEvent (it holds ipcRenderer) never reaches the page: only the ConsoleEvent does.
  const onEvent = (_event: unknown, e: ConsoleEvent) => {
    if (e?.type === 'fleet') lastFleet = e;
    for (const l of [...listeners]) {
      if (!l.started) {
        if (e?.type !== 'fleet') continue; // every listener starts with the fleet
        l.started = true;
      }
      deliver(l, e);
    }
  };

  return {
    async call(method, args) {
      if (typeof method !== 'string' || !methods.has(method)) {
        return fail('invalid', `unknown method ${JSON.stringify(method)?.slice(0, 80)}; this console offers ${METHODS.join(', ')}`);
      }
      if (!Array.isArray(args)) return fail('invalid', `${method}: arguments must be an array`);
      let bytes: number;
      try {
        bytes = new TextEncoder().encode(JSON.stringify({ method, args })).length;
      } catch {
        return fail('invalid', `${method}: the arguments are not plain JSON data`);
      }
      if (bytes > MAX_MESSAGE_BYTES) return fail('invalid', `${method}: the call is ${bytes} bytes, more than the ${MAX_MESSAGE_BYTES} accepted`);
      try {
        return (await ipc.invoke(IPC.call, method, args)) as CallReply;
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        return fail(/could not be cloned/i.test(msg) ? 'invalid' : 'unavailable', `${method}: ${msg}`);
      }
    },
    subscribe(listener) {
      if (typeof listener !== 'function') throw new TypeError('carp.subscribe: the listener must be a function');
      const l = { fn: listener, started: false };
      listeners.add(l);
      if (!streaming) {
        // Main keeps one stream per page (until it navigates or closes); later listeners share it.
        streaming = true;
        ipc.on(IPC.event, onEvent);
        ipc.send(IPC.subscribe);
      } else if (lastFleet) {
        l.started = true;
        deliver(l, lastFleet);
      }
      return () => {
        listeners.delete(l);
      };
    },
  };
}
