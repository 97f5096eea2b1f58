// window.carp, built on ipcRenderer: calls checked against the contract's method list before they
// leave the page, and one event stream per page shared by every listener. Imports no Electron code.
import type { IpcRenderer } from 'electron';
import { IPC, MAX_MESSAGE_BYTES, METHODS, type CallReply, type WireEvent } from '../core/contract.js';
import type { ClientTransport } from '../core/client.js';
import { fleetFollower } from '../core/fleet/delta.js';

/** What the preload exposes as window.carp: exactly the client's transport (electron/core/client.ts). */
export type CarpBridge = ClientTransport;

export type IpcRendererLike = Pick<IpcRenderer, 'invoke' | 'send' | 'on'>;

const fail = (code: string, message: string): CallReply => ({ ok: false, error: { code, message } });

export function createPreloadApi(ipc: IpcRendererLike): CarpBridge {
  const methods = new Set<string>(METHODS);
  const listeners = new Set<{ fn: (e: WireEvent) => void; started: boolean }>();
  // follows the fleet updates so that a late listener starts with the whole fleet as it is now
  const fleet = fleetFollower();
  let streaming = false;

  const deliver = (l: { fn: (e: WireEvent) => void }, e: WireEvent) => {
    try {
      l.fn(e);
    } catch (err) {
      console.error('carp: an event listener threw', err);
    }
  };
  // The IpcRendererEvent (it holds ipcRenderer) never reaches the page: only the event does.
  const onEvent = (_event: unknown, e: WireEvent) => {
    if (e?.type === 'fleet-update') {
      try {
        fleet.follow(e.update);
      } catch (err) {
        console.error('carp: a fleet update did not apply', err);
      }
    }
    for (const l of [...listeners]) {
      if (!l.started) {
        if (e?.type !== 'fleet-update' || e.update.kind !== 'full') continue; // every listener starts with the whole fleet
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
      } else {
        const now = fleet.current();
        if (now) {
          l.started = true;
          deliver(l, { type: 'fleet-update', at: now.fleet.at, update: now });
        }
      }
      return () => {
        listeners.delete(l);
      };
    },
  };
}
