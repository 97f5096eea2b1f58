// createPreloadApi against a minimal fake ipcRenderer: what leaves the page (checked methods, sizes,
// one subscribe per page) and what listeners get (the fleet first, the IPC event object never).
import { describe, expect, it } from 'vitest';
import { IPC, MAX_MESSAGE_BYTES, METHODS, type WireEvent } from '../core/contract.js';
import { createPreloadApi, type IpcRendererLike } from './api.js';

function fakeRenderer(reply: (method: unknown, args: unknown) => unknown = () => ({ ok: true, result: null })) {
  const invoked: unknown[][] = [];
  const sent: unknown[][] = [];
  const listeners = new Map<string, Array<(...a: unknown[]) => void>>();
  const ipc = {
    invoke: async (channel: string, ...args: unknown[]) => {
      invoked.push([channel, ...args]);
      return reply(args[0], args[1]);
    },
    send: (channel: string, ...args: unknown[]) => void sent.push([channel, ...args]),
    on: (channel: string, fn: (...a: unknown[]) => void) => {
      listeners.set(channel, [...(listeners.get(channel) ?? []), fn]);
      return ipc;
    },
  };
  const emit = (e: unknown) => listeners.get(IPC.event)?.forEach((fn) => fn({ sender: 'the ipcRenderer itself' }, e));
  return { ipc: ipc as unknown as IpcRendererLike, invoked, sent, listeners, emit };
}

const fleetEvent = (at: number) => ({ type: 'fleet-update', at, update: { kind: 'full', seq: at, fleet: { at, hosts: [], groups: [], findings: [] }, findingIds: [] } }) as WireEvent;
const deltaEvent = (at: number, base: number) => ({ type: 'fleet-update', at, update: { kind: 'delta', delta: { seq: at, base, at, hosts: [], groups: [] } } }) as WireEvent;
const hostEvent = (at: number) => ({ type: 'host', at, host: 'fw1', status: 'live' }) as WireEvent;

describe('preload API (window.carp)', () => {
  it('exposes exactly call and subscribe', () => {
    expect(Object.keys(createPreloadApi(fakeRenderer().ipc)).sort()).toEqual(['call', 'subscribe']);
  });

  it('sends a known method with its arguments on the call channel and returns main’s reply as is', async () => {
    const r = fakeRenderer(() => ({ ok: false, error: { code: 'read-only', message: 'no' } }));
    const api = createPreloadApi(r.ipc);
    expect(await api.call('demote', ['fw1', 'set', 10])).toEqual({ ok: false, error: { code: 'read-only', message: 'no' } });
    expect(r.invoked).toEqual([[IPC.call, 'demote', ['fw1', 'set', 10]]]);
  });

  it('refuses, without sending, an unknown method, non-array arguments, non-JSON and oversized calls', async () => {
    const r = fakeRenderer();
    const api = createPreloadApi(r.ipc);
    for (const m of ['exec', 'subscribe', '__proto__', 42, null]) {
      expect(await api.call(m as never, [])).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringContaining(METHODS.join(', ')) } });
    }
    expect(await api.call('fleet', 'x' as never)).toMatchObject({ ok: false, error: { code: 'invalid', message: 'fleet: arguments must be an array' } });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(await api.call('addHost', [cyclic])).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await api.call('importHosts', [{ text: 'é'.repeat(MAX_MESSAGE_BYTES / 2) }])).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/bytes/) } });
    expect(r.invoked).toEqual([]);
  });

  it('turns a rejected invoke into a reply instead of a rejection', async () => {
    const r = fakeRenderer(() => {
      throw new Error('An object could not be cloned.');
    });
    expect(await createPreloadApi(r.ipc).call('fleet', [])).toMatchObject({ ok: false, error: { code: 'invalid' } });
    const gone = fakeRenderer(() => {
      throw new Error("No handler registered for 'carp:call'");
    });
    expect(await createPreloadApi(gone.ipc).call('fleet', [])).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('subscribes once per page; later listeners start with the latest fleet; the IPC event never reaches them', () => {
    const r = fakeRenderer();
    const api = createPreloadApi(r.ipc);
    const a: unknown[][] = [];
    const offA = api.subscribe((...args) => a.push(args));
    expect(r.sent).toEqual([[IPC.subscribe]]);
    r.emit(hostEvent(1)); // before the fleet: not a first event
    r.emit(fleetEvent(2));
    r.emit(hostEvent(3));
    r.emit(deltaEvent(3, 2)); // a delta on fleet 2
    expect(a).toEqual([[fleetEvent(2)], [hostEvent(3)], [deltaEvent(3, 2)]]);
    const b: WireEvent[] = [];
    api.subscribe((e) => b.push(e));
    expect(r.sent).toHaveLength(1);
    expect(r.listeners.get(IPC.event)).toHaveLength(1);
    expect(b).toEqual([fleetEvent(3)]); // the late listener starts with the whole fleet as it is now
    offA();
    r.emit(fleetEvent(4));
    expect(a).toHaveLength(3);
    expect(b.map((e) => e.at)).toEqual([3, 4]);
  });

  it('keeps delivering when one listener throws', () => {
    const r = fakeRenderer();
    const api = createPreloadApi(r.ipc);
    const got: number[] = [];
    const err = console.error;
    console.error = () => {};
    try {
      api.subscribe(() => {
        throw new Error('boom');
      });
      api.subscribe((e) => got.push(e.at));
      r.emit(fleetEvent(1));
    } finally {
      console.error = err;
    }
    expect(got).toEqual([1]);
    expect(() => api.subscribe('nope' as never)).toThrow(TypeError);
  });
});
