// Unit tests of the WebSocket transport with a fake socket and fake timers: calls, events, the URL,
// and reconnecting with backoff (the stream is asked for again on every new socket).
import { describe, expect, it } from 'vitest';
import { createClient, RemoteError } from '../../electron/core/client.js';
import type { ConsoleEvent } from '../../electron/core/events.js';
import { backoffMs, WsTransport, wsUrl, type ConnectionState, type WsLike } from './ws-transport.js';

class FakeSocket implements WsLike {
  readyState = 0;
  sent: unknown[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
    this.onclose?.({});
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  push(msg: unknown) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const timers: Array<{ fn: () => void; ms: number; done: boolean }> = [];
  const states: ConnectionState[] = [];
  const t = new WsTransport({
    url: 'ws://console/ws',
    open: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    now: () => 0,
    setTimer: (fn, ms) => {
      const x = { fn, ms, done: false };
      timers.push(x);
      return x;
    },
    clearTimer: (x) => {
      (x as { done: boolean }).done = true;
    },
  });
  t.onConnection((s) => states.push(s));
  const fire = (ms: number) => {
    for (const x of timers.filter((y) => !y.done && y.ms === ms)) {
      x.done = true;
      x.fn();
    }
  };
  return { t, sockets, timers, states, fire };
}

describe('wsUrl', () => {
  it('follows the page scheme and carries the token', () => {
    expect(wsUrl({ protocol: 'http:', host: '127.0.0.1:8080', search: '?token=a b' })).toBe('ws://127.0.0.1:8080/ws?token=a%20b');
    expect(wsUrl({ protocol: 'https:', host: 'console.lan', search: '' })).toBe('wss://console.lan/ws');
  });
});

describe('WsTransport', () => {
  it('queues calls until the socket opens, answers them by id, delivers events', async () => {
    const { t, sockets } = setup();
    t.start();
    const client = createClient(t);
    const events: ConsoleEvent[] = [];
    client.subscribe((e) => events.push(e));
    const info = client.info();
    const s = sockets[0];
    expect(s.sent).toEqual([]);
    s.open();
    expect(s.sent).toEqual([{ subscribe: true }, { id: 1, method: 'info', args: [] }]);
    s.push({ event: { type: 'host', at: 1, host: 'fw1', status: 'live' } });
    s.push({ id: 1, reply: { ok: true, result: { version: '0.1.0', readOnly: false, staleMs: 3000 } } });
    await expect(info).resolves.toMatchObject({ version: '0.1.0' });
    expect(events).toEqual([{ type: 'host', at: 1, host: 'fw1', status: 'live' }]);
  });

  it('turns an error reply into a RemoteError with code and message', async () => {
    const { t, sockets } = setup();
    t.start();
    sockets[0].open();
    const p = createClient(t).removeHost('fw9');
    sockets[0].push({ id: 1, reply: { ok: false, error: { code: 'read-only', message: 'removeHost is refused' } } });
    await expect(p).rejects.toEqual(new RemoteError('read-only', 'removeHost is refused'));
  });

  it('reconnects with backoff, subscribes again, fails calls that were in flight', async () => {
    const { t, sockets, states, fire } = setup();
    t.start();
    t.subscribe(() => {});
    sockets[0].open();
    const inflight = t.call('deploy', []);
    sockets[0].close();
    await expect(inflight).resolves.toMatchObject({ ok: false, error: { code: 'disconnected' } });
    expect(states.at(-1)).toMatchObject({ status: 'reconnecting', attempt: 1, everOpen: true });
    fire(500);
    expect(sockets).toHaveLength(2);
    sockets[1].close();
    expect(states.at(-1)).toMatchObject({ status: 'reconnecting', attempt: 2 });
    fire(1000);
    sockets[2].open();
    expect(states.at(-1)).toEqual({ status: 'open', attempt: 0, everOpen: true });
    expect(sockets[2].sent).toEqual([{ subscribe: true }]);
  });

  it('a call made while disconnected fails after a while, in words', async () => {
    const { t, fire } = setup();
    t.start();
    const p = t.call('fleet', []);
    fire(15_000);
    await expect(p).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('backoff grows to 10 s', () => {
    expect([1, 2, 3, 4, 5, 6, 9].map(backoffMs)).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });
});
