// The web shell's server on a real 127.0.0.1 port with a real Console behind it. fakeFleet() stands in
// for SSH and real agents (it speaks their protocol); the lab tests cover the real ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, type ClientOptions } from 'ws';
import { createConsole, type Console } from '../core/console.js';
import { fakeFleet, type FakeNet } from '../core/testing/fake-agent.js';
import { MAX_MESSAGE_BYTES, type CallReply, type WireEvent } from '../core/contract.js';
import type { ConsoleApi } from '../core/api.js';
import type { ConsoleEvent } from '../core/events.js';
import type { Fleet } from '../core/fleet/types.js';
import { startWebServer, type WebServer } from './server.js';
import { parseServeArgs, UsageError } from './serve-args.js';
import { until } from '../core/testing/until.js';

const INDEX = '<!doctype html><title>carp-console</title><script type="module" src="/assets/app.js"></script>';
let dir: string;
let www: string;
let net: FakeNet;
let c: Console;
const subscribeOpts: unknown[] = [];
let rw: WebServer;
let ro: WebServer;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'carp-web-'));
  www = join(dir, 'www');
  mkdirSync(join(www, 'assets'), { recursive: true });
  writeFileSync(join(www, 'index.html'), INDEX);
  writeFileSync(join(www, 'assets', 'app.js'), 'console.log("app")');
  writeFileSync(join(dir, 'secret.txt'), 'TOP-SECRET');
  const f = fakeFleet(3, 100);
  net = f.net;
  const byName = new Map(f.transports.map((t) => [t.host.name, t]));
  c = createConsole({ hosts: f.transports.map((t) => t.host), transport: (h) => byName.get(h.name)!, link: { staleMs: 500, backoffMinMs: 20, backoffMaxMs: 100 } });
  await c.ready(2000);
  // Spy on subscribe: the server must ask for the snapshot.
  const api: ConsoleApi = { ...c, subscribe: (l, o) => (subscribeOpts.push(o), c.subscribe(l, o)) };
  rw = await startWebServer({ api, staticDir: www, port: 0 });
  ro = await startWebServer({ api, staticDir: www, readOnly: true });
});

afterAll(async () => {
  sockets.forEach((s) => s.terminate());
  await Promise.all([rw?.close(), ro?.close()]);
  c?.close();
  net?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(srv: WebServer, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv.port, path, method, agent: false, headers: { host: `127.0.0.1:${srv.port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const withToken = (srv: WebServer, path = '/') => `${path}${path.includes('?') ? '&' : '?'}token=${srv.token}`;
const cookieOf = (r: Res) => String(r.headers['set-cookie']).split(';')[0];

/** A test client over the `ws` package: raw frames, calls by id, and waiting for a frame. */
class Peer {
  readonly frames: any[] = [];
  private waiters: Array<() => void> = [];
  private nextId = 1;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.frames.push(JSON.parse((d as Buffer).toString('utf8')));
      this.waiters.splice(0).forEach((w) => w());
    });
  }
  async wait(pred: (f: any) => boolean, ms = 2000): Promise<any> {
    const end = Date.now() + ms;
    for (;;) {
      const i = this.frames.findIndex(pred);
      if (i >= 0) return this.frames.splice(i, 1)[0];
      if (Date.now() > end) throw new Error(`no matching frame in ${ms} ms; got ${JSON.stringify(this.frames).slice(0, 300)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
  async call(method: string, ...args: unknown[]): Promise<CallReply> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, args }));
    return (await this.wait((f) => f.id === id)).reply;
  }
  closed(): Promise<{ code: number; reason: string }> {
    return new Promise((r) => this.ws.once('close', (code, reason) => r({ code, reason: String(reason) })));
  }
}

function connect(srv: WebServer, opts: { query?: string; cookie?: string; origin?: string; host?: string } & ClientOptions = { query: `?token=${srv.token}` }): Promise<Peer> {
  const { query = '', cookie, origin, host, ...rest } = opts;
  const headers: Record<string, string> = { ...(cookie ? { cookie } : {}), ...(host ? { host } : {}) };
  const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/ws${query}`, { headers, ...(origin ? { origin } : {}), ...rest });
  sockets.push(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(new Peer(ws)));
    ws.once('error', reject);
  });
}


describe('HTTP', () => {
  it('prints a URL with a fresh 32-byte token', () => {
    expect(rw.url).toBe(`http://127.0.0.1:${rw.port}/?token=${rw.token}`);
    expect(rw.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(ro.token).not.toBe(rw.token);
  });

  it('refuses without a token or with a wrong one (401), with the headers anyway', async () => {
    const none = await get(rw, '/');
    expect(none.status).toBe(401);
    expect(none.body).toMatch(/Open the URL the server printed/);
    expect(none.body).not.toContain('carp-console</title>');
    expect((await get(rw, '/?token=wrong')).status).toBe(401);
    expect((await get(rw, `/?token=${ro.token}`)).status).toBe(401);
    expect((await get(rw, '/', { cookie: `carp_console_${rw.port}=nope` })).status).toBe(401);
    expect(none.headers['content-security-policy']).toBeTruthy();
  });

  it('serves the page for the token, sets the cookie, then the cookie alone is enough', async () => {
    const r = await get(rw, withToken(rw));
    expect(r.status).toBe(200);
    expect(r.body).toBe(INDEX);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(String(r.headers['set-cookie'])).toBe(`carp_console_${rw.port}=${rw.token}; HttpOnly; SameSite=Strict; Path=/`);
    const js = await get(rw, '/assets/app.js', { cookie: `other=1; ${cookieOf(r)}` });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['set-cookie']).toBeUndefined();
    expect((await get(rw, '/', { cookie: cookieOf(r) })).body).toBe(INDEX);
    expect((await get(rw, '/nope.js', { cookie: cookieOf(r) })).status).toBe(404);
    const head = await get(rw, '/', { cookie: cookieOf(r) }, 'HEAD');
    expect([head.status, head.body, head.headers['content-length']]).toEqual([200, '', String(INDEX.length)]);
  });

  it('sends the security headers', async () => {
    const r = await get(rw, withToken(rw));
    expect(r.headers['content-security-policy']).toBe(
      `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:${rw.port} ws://localhost:${rw.port}; ` +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    );
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['x-frame-options']).toBe('DENY');
  });

  it('refuses a foreign Host (DNS rebinding) or Origin with 403, even with the token', async () => {
    expect((await get(rw, withToken(rw), { host: `evil.example:${rw.port}` })).status).toBe(403);
    expect((await get(rw, withToken(rw), { host: `127.0.0.1:${rw.port + 1}` })).status).toBe(403);
    expect((await get(rw, withToken(rw), { host: `localhost:${rw.port}` })).status).toBe(200);
    expect((await get(rw, withToken(rw), { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(rw, withToken(rw), { origin: 'null' })).status).toBe(403);
    expect((await get(rw, withToken(rw), { origin: `http://localhost:${rw.port}` })).status).toBe(200);
  });

  it('never serves a file outside the build', async () => {
    for (const p of ['/../package.json', '/%2e%2e/package.json', '/%2e%2e%2fsecret.txt', '/..%2fsecret.txt', '/assets/../../secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..\\secret.txt', '/%00']) {
      const r = await get(rw, withToken(rw, p));
      expect([400, 403, 404], p).toContain(r.status);
      expect(r.body, p).not.toMatch(/TOP-SECRET|"name"/);
    }
  });

  it('allows only GET and HEAD', async () => {
    const r = await get(rw, withToken(rw), {}, 'POST');
    expect([r.status, r.headers.allow]).toEqual([405, 'GET, HEAD']);
  });

  it('says to build the UI when there is no index.html', async () => {
    const empty = await startWebServer({ api: c, staticDir: join(dir, 'empty') });
    try {
      const r = await get(empty, withToken(empty));
      expect(r.status).toBe(503);
      expect(r.body).toMatch(/npm run build:ui/);
    } finally {
      await empty.close();
    }
  });
});

describe('WebSocket', () => {
  it('refuses the upgrade without the token, from a foreign Origin or Host', async () => {
    await expect(connect(rw, {})).rejects.toThrow(/401/);
    await expect(connect(rw, { query: '?token=wrong' })).rejects.toThrow(/401/);
    await expect(connect(rw, { query: `?token=${rw.token}`, origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(connect(rw, { query: `?token=${rw.token}`, host: `evil.example:${rw.port}` })).rejects.toThrow(/403/);
  });

  it('accepts the cookie; calls fleet; subscribe starts with the fleet', async () => {
    const page = await get(rw, withToken(rw));
    const p = await connect(rw, { cookie: cookieOf(page), origin: `http://127.0.0.1:${rw.port}` });
    const r = await p.call('fleet');
    expect(r.ok).toBe(true);
    expect((r as { result: Fleet }).result.hosts.map((h) => h.host)).toEqual(['fw1', 'fw2', 'fw3']);
    const n = subscribeOpts.length;
    p.ws.send(JSON.stringify({ subscribe: true }));
    const first = await p.wait((f) => 'event' in f);
    expect(first.event as WireEvent).toMatchObject({ type: 'fleet-update', update: { kind: 'full', seq: 1 } });
    expect(subscribeOpts.slice(n)).toEqual([{ snapshot: true }]);
  });

  it('answers every bad frame with a typed error and keeps going', async () => {
    const p = await connect(rw);
    expect(await p.call('reboot')).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/unknown method "reboot"/) } });
    expect(await p.call('set', 'fw1', 'x', 'advskew', 1)).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/^set: argument \d.*expected number/) } });
    const bad = async (frame: string | Buffer, match: RegExp, id = -1) => {
      p.ws.send(frame);
      const f = await p.wait((x) => x.id === id);
      expect(f.reply).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(match) } });
    };
    await bad('{not json', /not JSON/);
    await bad('[1,2]', /not a JSON object/);
    await bad(JSON.stringify({ id: 7, method: 'fleet' }), /args/, 7);
    await bad(JSON.stringify({ id: 8, method: 'fleet', args: [], extra: 1 }), /extra/, 8);
    await bad(JSON.stringify({ subscribe: 'yes' }), /subscribe/);
    await bad(Buffer.from('{}'), /binary/);
    await bad(JSON.stringify({ id: 9, method: 'importHosts', args: [{ text: 'x'.repeat(MAX_MESSAGE_BYTES) }] }), /limit is/, 9);
    expect((await p.call('fleet')).ok).toBe(true);
  });

  it('closes (1009) a frame above the hard cap; the server keeps serving', async () => {
    const p = await connect(rw);
    const closed = p.closed();
    p.ws.send('x'.repeat(2 * MAX_MESSAGE_BYTES + 1));
    expect((await closed).code).toBe(1009);
    expect((await (await connect(rw)).call('fleet')).ok).toBe(true);
  });

  it('refuses changes when read-only, allows reading', async () => {
    const p = await connect(ro);
    expect(await p.call('demote', 'fw1', 'set', 3)).toMatchObject({ ok: false, error: { code: 'read-only' } });
    expect(await p.call('fleet')).toMatchObject({ ok: true });
    expect(c.fleetNow().hosts.find((h) => h.host === 'fw1')?.demote ?? 0).toBe(0);
  });

  it('carries a change when not read-only', async () => {
    const p = await connect(rw);
    expect(await p.call('demote', 'fw1', 'set', 3)).toMatchObject({ ok: true });
    await until(async () => {
      const r = (await p.call('fleet')) as { result: Fleet };
      return r.result.hosts.find((h) => h.host === 'fw1')?.demote === 3;
    });
  });

  it('closes (1013) a client that does not read, instead of buffering without bound', async () => {
    const big = { type: 'error', at: 0, code: 'x', message: 'x'.repeat(1 << 20) } as ConsoleEvent;
    let unsubscribed = false;
    const api = { subscribe: (l: (e: ConsoleEvent) => void) => (Array.from({ length: 64 }, () => l(big)), () => (unsubscribed = true)) } as unknown as ConsoleApi;
    const slow = await startWebServer({ api, staticDir: www, maxBufferedBytes: 1 << 20 });
    try {
      const p = await connect(slow, { query: `?token=${slow.token}` });
      const sock = (p.ws as unknown as { _socket: import('node:net').Socket })._socket;
      sock.pause();
      p.ws.send(JSON.stringify({ subscribe: true }));
      await new Promise((r) => setTimeout(r, 200));
      const closed = p.closed();
      sock.resume();
      const { code, reason } = await closed;
      expect([code, reason]).toEqual([1013, expect.stringMatching(/too slow/)]);
      expect(p.frames.length).toBeLessThan(64);
      expect(unsubscribed).toBe(true);
    } finally {
      await slow.close();
    }
  });

  it('drops a socket that stops answering pings', async () => {
    const fast = await startWebServer({ api: c, staticDir: www, pingIntervalMs: 50 });
    try {
      const p = await connect(fast, { query: `?token=${fast.token}`, autoPong: false });
      expect((await p.closed()).code).toBe(1006);
      const q = await connect(fast, { query: `?token=${fast.token}` });
      await new Promise((r) => setTimeout(r, 200));
      expect(q.ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      await fast.close();
    }
  });
});

describe('serve arguments', () => {
  it('reads the options and refuses anything else', () => {
    expect(parseServeArgs(['--port', '8080', '--read-only', '--inventory=lab.json'])).toEqual({ port: 8080, readOnly: true, inventory: 'lab.json', help: false });
    expect(parseServeArgs([])).toEqual({ port: 0, readOnly: false, help: false });
    for (const bad of [['--port'], ['--port', '99999'], ['--port', 'x'], ['--inventory'], ['--frob'], ['extra']]) expect(() => parseServeArgs(bad), bad.join(' ')).toThrow(UsageError);
  });
});
