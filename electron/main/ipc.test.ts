// The Electron IPC binding end to end without Electron: preload API → fake ipcRenderer/ipcMain pair
// (testing/fake-ipc.ts) → bindIpc → a real Console. The fake agents (fakeFleet) stand in for SSH and
// real agents; the fake IPC pair stands in for Electron, whose binary cannot be installed here.
import { afterEach, describe, expect, it } from 'vitest';
import { createConsole, type Console } from '../core/console.js';
import { createClient, RemoteError } from '../core/client.js';
import { IPC, MAX_MESSAGE_BYTES, type CallReply } from '../core/contract.js';
import type { ConsoleApi } from '../core/api.js';
import type { ConsoleEvent } from '../core/events.js';
import { fakeFleet } from '../core/testing/fake-agent.js';
import { createPreloadApi } from '../preload/api.js';
import { appSenderCheck } from './app-page.js';
import { bindIpc } from './ipc.js';
import { fakeIpc, type FakeRenderer } from './testing/fake-ipc.js';

const APP_URL = 'file:///opt/carp-console/dist/renderer/index.html';
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).reverse().forEach((f) => f()));

/** The console behind a proxy that records every method called and counts live subscriptions. */
function spied(core: Console) {
  const calls: string[] = [];
  let streams = 0;
  const api = new Proxy(core, {
    get(target, p) {
      const v = Reflect.get(target, p);
      if (typeof v !== 'function') return v;
      if (p === 'subscribe')
        return (l: (e: ConsoleEvent) => void, o?: { snapshot?: boolean }) => {
          calls.push('subscribe');
          streams++;
          const off = target.subscribe(l, o);
          let on = true;
          return () => {
            if (on) streams--;
            on = false;
            off();
          };
        };
      return (...a: unknown[]) => {
        calls.push(String(p));
        return v.apply(target, a);
      };
    },
  }) as ConsoleApi;
  return { api, calls, streams: () => streams };
}

async function setup(opts: { readOnly?: boolean } = {}) {
  const f = fakeFleet(3, 100);
  const byName = new Map(f.transports.map((t) => [t.host.name, t]));
  const core = createConsole({ hosts: f.transports.map((t) => t.host), transport: (h) => byName.get(h.name)! });
  cleanups.push(() => f.net.stop(), () => core.close());
  await core.ready(2000);
  const spy = spied(core);
  const ipc = fakeIpc();
  const win = ipc.window(APP_URL);
  const warnings: string[] = [];
  const unbind = bindIpc(ipc.main.asIpcMain, spy.api, {
    readOnly: opts.readOnly,
    isTrustedSender: appSenderCheck(() => win.asWebContents, APP_URL),
    warn: (m) => warnings.push(m),
  });
  cleanups.push(unbind);
  const clientOf = (page: FakeRenderer) => createClient(createPreloadApi(page.asIpcRenderer));
  return { core, ipc, win, warnings, unbind, clientOf, client: clientOf(win.page), ...spy };
}

async function until(what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const demoteOf = (e: ConsoleEvent | undefined, host: string) => (e?.type === 'fleet' ? e.fleet.hosts.find((h) => h.host === host)?.demote : undefined);
const rawCall = (page: FakeRenderer, method: unknown, args: unknown) => page.invoke(IPC.call, method, args) as Promise<CallReply>;

describe('Electron IPC binding', () => {
  it('carries calls through the preload API and the client: fleet, info, demote', async () => {
    const { client } = await setup();
    const fleet = await client.fleet();
    expect(fleet.hosts.map((h) => h.host)).toEqual(['fw1', 'fw2', 'fw3']);
    expect((await client.info()).readOnly).toBe(false);
    expect(await client.demote('fw2', 'set', 10)).toEqual({ host: 'fw2', result: { demote: 10 } });
  });

  it('streams the fleet first, then the changes a call makes', async () => {
    const { client } = await setup();
    const events: ConsoleEvent[] = [];
    client.subscribe((e) => events.push(e));
    await until('the first event', () => events.length > 0);
    expect(events[0].type).toBe('fleet');
    expect(demoteOf(events[0], 'fw1')).toBe(0);
    await client.demote('fw1', 'set', 20);
    await until('a fleet event showing the demotion', () => events.some((e) => demoteOf(e, 'fw1') === 20));
    expect(events.some((e) => e.type === 'agent' && e.host === 'fw1' && e.event.kind === 'demotion')).toBe(true);
  });

  it('refuses an unknown method in the preload (nothing sent) and in main (nothing called)', async () => {
    const { client, win, calls } = await setup();
    const bridge = createPreloadApi(win.page.asIpcRenderer);
    expect(await bridge.call('exec' as never, ['rm -rf /'])).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/unknown method "exec"/) } });
    expect(win.page.invoked).toEqual([]);
    // A page that skips the preload's check (or a compromised preload) meets the same refusal in main.
    expect(await rawCall(win.page, 'exec', ['rm -rf /'])).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/unknown method/) } });
    expect(await rawCall(win.page, 'subscribe', [])).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(calls).toEqual([]);
    await expect(client.fleet()).resolves.toBeTruthy();
  });

  it('refuses wrong argument types with code invalid, naming the argument', async () => {
    const { client, win, calls } = await setup();
    const err = await client.demote('fw1', 'set', 'ten' as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ code: 'invalid', message: expect.stringMatching(/^demote: argument 3: /) });
    expect(await rawCall(win.page, 'set', ['fw1', 'x', 'advskew', 1])).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/^set: argument 2: /) } });
    expect(await rawCall(win.page, 'fleet', 'not an array')).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(calls).toEqual([]);
  });

  it('refuses an oversized payload in the preload and in main', async () => {
    const { win, calls } = await setup();
    const big = [{ text: 'x'.repeat(MAX_MESSAGE_BYTES) }];
    const bridge = createPreloadApi(win.page.asIpcRenderer);
    expect(await bridge.call('importHosts', big)).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/bytes/) } });
    expect(win.page.invoked).toEqual([]);
    expect(await rawCall(win.page, 'importHosts', big)).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/^importHosts: the call is \d+ bytes/) } });
    expect(calls).toEqual([]);
  });

  it('answers an unknown sender with forbidden and calls nothing: another frame, another URL, another window', async () => {
    const { ipc, win, warnings, calls, streams } = await setup();
    const iframe = win.iframe(APP_URL);
    const stranger = ipc.window(APP_URL);
    const elsewhere = ipc.window('https://evil.example/');
    for (const page of [iframe, stranger.page, elsewhere.page]) {
      expect(await rawCall(page, 'demote', ['fw1', 'set', 200])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await createClient(createPreloadApi(page.asIpcRenderer)).fleet().catch((e: RemoteError) => e.code)).toBe('forbidden');
      page.send(IPC.subscribe);
    }
    // Our own window's main frame, once it shows another page, is a stranger too.
    const moved = win.load('file:///tmp/not-the-app.html');
    expect(await rawCall(moved, 'fleet', [])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    moved.send(IPC.subscribe);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toEqual([]);
    expect(streams()).toBe(0);
    expect(stranger.sent.length + elsewhere.sent.length + win.sent.length).toBe(0);
    expect(warnings.join('\n')).toMatch(/refused call demote from https:\/\/evil\.example\//);
    // Back on the app page (any #route of it), the window is trusted again.
    win.load(`${APP_URL}#/groups`);
    await expect(createClient(createPreloadApi(win.page.asIpcRenderer)).fleet()).resolves.toBeTruthy();
  });

  it('in read-only mode refuses a mutation with read-only and still reads', async () => {
    const { client, calls } = await setup({ readOnly: true });
    await expect(client.demote('fw1', 'set', 10)).rejects.toMatchObject({ code: 'read-only' });
    await expect(client.applyGroup({ vhid: 7, interface: 'eth0', addresses: ['198.18.0.7/24'], password: 'pw', members: [{ host: 'fw1' }] })).rejects.toMatchObject({ code: 'read-only' });
    expect((await client.info()).readOnly).toBe(true);
    expect((await client.fleet()).hosts).toHaveLength(3);
    expect(calls).not.toContain('demote');
    expect(calls).not.toContain('applyGroup');
  });

  it('does not double the events after a reload or a second subscribe from the same page', async () => {
    const { win, core, streams, clientOf } = await setup();
    const before: ConsoleEvent[] = [];
    clientOf(win.page).subscribe((e) => before.push(e));
    await until('the first stream', () => before.length > 0 && streams() === 1);
    const page = win.reload();
    expect(streams()).toBe(0); // the navigation ended the old page's stream
    const client = clientOf(page);
    const after: ConsoleEvent[] = [];
    client.subscribe((e) => after.push(e));
    page.send(IPC.subscribe); // a page that asks twice still gets one stream
    await until('the new stream', () => after.length > 0);
    await new Promise((r) => setTimeout(r, 30));
    expect(streams()).toBe(1);
    expect(win.listenerCount('did-start-navigation')).toBe(1);
    expect(win.listenerCount('destroyed')).toBe(1);
    const direct: ConsoleEvent[] = [];
    const off = core.subscribe((e) => direct.push(e));
    const mark = after.length;
    await client.demote('fw3', 'add', 5);
    await until('the change on the page', () => after.some((e) => demoteOf(e, 'fw3') === 5));
    await new Promise((r) => setTimeout(r, 30));
    off();
    const seen = after.slice(mark);
    // every other event once, in order; fleets paced (event-stream.ts): at least one, never more than the core built
    const others = (es: ConsoleEvent[]) => es.map((e) => e.type).filter((t) => t !== 'fleet');
    expect(others(seen)).toEqual(others(direct));
    const fleets = (es: ConsoleEvent[]) => es.filter((e) => e.type === 'fleet').length;
    expect(fleets(seen)).toBeGreaterThan(0);
    expect(fleets(seen)).toBeLessThanOrEqual(fleets(direct));
    expect(before.some((e) => demoteOf(e, 'fw3') === 5)).toBe(false); // the old page heard nothing more
  });

  it('ends the stream when the web contents is destroyed, and unbind ends the rest', async () => {
    const { win, ipc, core, streams, clientOf, unbind } = await setup();
    clientOf(win.page).subscribe(() => {});
    await until('the stream', () => streams() === 1);
    win.destroy();
    expect(streams()).toBe(0);
    expect(win.listenerCount('did-start-navigation')).toBe(0);
    await core.demote('fw1', 'set', 1); // events after the window is gone reach nobody and break nothing
    const other = ipc.window(APP_URL);
    unbind();
    expect(ipc.main.handlers.size).toBe(0);
    expect(ipc.main.emitter.listenerCount(IPC.subscribe)).toBe(0);
    await expect(other.page.invoke(IPC.call, 'fleet', [])).rejects.toThrow(/No handler registered/);
  });
});
