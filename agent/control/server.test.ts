// Control server against a fake backend (the real runtime needs raw sockets): snapshot on connect,
// heartbeats, replies, events, clear errors for bad commands, 0600 socket; at start only a stale socket is
// removed, anything else at the path (a live agent, a file, a folder, a link) is refused and left alone.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { createConnection, createServer, type Socket } from 'node:net';
import { startControlServer, type ControlBackend, type ControlServer } from './server.js';
import { ControlClient, NotRunningError } from './client.js';
import { parseAgentMessage, type AgentEvent, type AgentMessage, type Command, type Snapshot } from './messages.js';

const snapshot: Snapshot = {
  type: 'snapshot', protocol: 1,
  agent: { version: 't', hostname: 'h', pid: 1, startedAt: 0, uptimeMs: 0, configPath: '/c', configRevision: 1 },
  demote: 0, maintenance: false, groups: [], unmatchedDrops: {},
};

class FakeBackend implements ControlBackend {
  executed: Command[] = [];
  listeners = new Set<(e: AgentEvent) => void>();
  snapshot() { return snapshot; }
  execute(cmd: Command) {
    this.executed.push(cmd);
    if (cmd.cmd === 'demote' && cmd.value > 255) throw Object.assign(new Error('demote would become 300'), { code: 'range' });
    return { echoed: cmd.cmd };
  }
  subscribe(l: (e: AgentEvent) => void) { this.listeners.add(l); return () => this.listeners.delete(l); }
}

/** A socket file nobody listens on (an agent that died): listen, move the file away, close. */
async function staleSocket(path: string): Promise<void> {
  const live = join(dirname(path), 'live-' + Math.random().toString(36).slice(2) + '.sock');
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(live, r));
  renameSync(live, path);
  await new Promise<void>((r) => srv.close(() => r()));
}

let dir: string;
let server: ControlServer | null;
let backend: FakeBackend;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ar-ctl-'));
  backend = new FakeBackend();
  server = null;
});
afterEach(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw line client, to send arbitrary bytes. */
function raw(path: string): Promise<{ s: Socket; next: () => Promise<AgentMessage> }> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    const queue: AgentMessage[] = [];
    const waiters: ((m: AgentMessage) => void)[] = [];
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (c: string) => {
      buf += c;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const m = parseAgentMessage(buf.slice(0, i));
        buf = buf.slice(i + 1);
        const w = waiters.shift();
        if (w) w(m); else queue.push(m);
      }
    });
    s.once('connect', () => resolve({ s, next: () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => waiters.push(r))) }));
  });
}

describe('control server', () => {
  it('creates a 0600 socket and sends the snapshot on connect', async () => {
    const path = join(dir, 'agent.sock');
    server = await startControlServer(path, backend);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const c = await ControlClient.connect(path);
    expect(await c.firstSnapshot()).toEqual(snapshot);
    c.close();
  });

  it('replies to a valid command with the backend result, and refusals carry code and message', async () => {
    const path = join(dir, 'agent.sock');
    server = await startControlServer(path, backend);
    const c = await ControlClient.connect(path);
    expect(await c.request({ cmd: 'maintenance', on: true })).toMatchObject({ ok: true, result: { echoed: 'maintenance' } });
    expect(backend.executed[0]).toEqual({ id: 1, cmd: 'maintenance', on: true });
    const r = await c.request({ cmd: 'demote', op: 'set', value: 300 });
    expect(r).toMatchObject({ ok: false, error: { code: 'range', message: 'demote would become 300' } });
    c.close();
  });

  it('a bad line gets ok:false, code invalid, with the zod issue described', async () => {
    const path = join(dir, 'agent.sock');
    server = await startControlServer(path, backend);
    const { s, next } = await raw(path);
    expect((await next()).type).toBe('snapshot');
    s.write('{"id": 7, "cmd": "set", "vhid": 1, "key": "colour", "value": 1}\n');
    const r = await next();
    expect(r).toMatchObject({ type: 'reply', id: 7, ok: false, error: { code: 'invalid' } });
    expect((r as { error: { message: string } }).error.message).toMatch(/key/);
    s.write('not json\n');
    expect(await next()).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/not JSON/) } });
    s.write('{"id": 8, "cmd": "apply", "config": {"groups": [{"vhid": 1, "interface": "eth0", "addresses": [], "password": "p"}]}}\n');
    const r2 = await next();
    expect((r2 as { error: { message: string } }).error.message).toContain('config.groups[0].addresses: must list at least one virtual address');
    expect(backend.executed).toEqual([]);
    s.destroy();
  });

  it('broadcasts events and sends heartbeats', async () => {
    const path = join(dir, 'agent.sock');
    server = await startControlServer(path, backend, 50);
    const { s, next } = await raw(path);
    await next();
    expect((await next()).type).toBe('heartbeat');
    for (const l of backend.listeners) l({ kind: 'demotion', at: 1, demote: 3, maintenance: false });
    let m = await next();
    while (m.type === 'heartbeat') m = await next();
    expect(m).toEqual({ type: 'event', event: { kind: 'demotion', at: 1, demote: 3, maintenance: false } });
    s.destroy();
  });

  it('removes a stale socket (nobody listening) and starts', async () => {
    const path = join(dir, 'agent.sock');
    await staleSocket(path);
    expect(lstatSync(path).isSocket()).toBe(true);
    server = await startControlServer(path, backend);
    const c = await ControlClient.connect(path);
    expect((await c.firstSnapshot()).type).toBe('snapshot');
    c.close();
  });

  it('refuses to start when another agent answers on the path, and leaves it running', async () => {
    const path = join(dir, 'agent.sock');
    server = await startControlServer(path, backend);
    await expect(startControlServer(path, new FakeBackend())).rejects.toThrow(`another carp-agent is already running on ${path}`);
    const c = await ControlClient.connect(path); // the first one still answers
    c.close();
    await server.close();
    server = null;
    await expect(ControlClient.connect(path)).rejects.toBeInstanceOf(NotRunningError);
  });

  it('refuses a regular file or a directory at the socket path, naming it, and removes neither', async () => {
    const file = join(dir, 'file.sock');
    writeFileSync(file, 'not a socket');
    await expect(startControlServer(file, backend)).rejects.toThrow(`${file} is a regular file (12 bytes), not a control socket; carp-agent does not remove it`);
    expect(readFileSync(file, 'utf8')).toBe('not a socket');
    const folder = join(dir, 'folder.sock');
    mkdirSync(folder);
    writeFileSync(join(folder, 'keep'), 'x');
    await expect(startControlServer(folder, backend)).rejects.toThrow(`${folder} is a directory, not a control socket`);
    expect(existsSync(join(folder, 'keep'))).toBe(true);
    const link = join(dir, 'link.sock');
    symlinkSync(file, link);
    await expect(startControlServer(link, backend)).rejects.toThrow(`${link} is a symbolic link`);
    expect(existsSync(file)).toBe(true);
  });

  it('creates the folder of the socket 0700 and the socket 0600 under umask 0', async () => {
    const old = process.umask(0);
    try {
      const path = join(dir, 'run', 'sub', 'agent.sock');
      server = await startControlServer(path, backend);
      expect(statSync(join(dir, 'run')).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'run', 'sub')).mode & 0o777).toBe(0o700);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700); // mkdtemp's own folder: there before, left as it was
    } finally {
      process.umask(old);
    }
  });

  it('disconnects a client that stops reading once its unread output passes the limit, logging once', async () => {
    const path = join(dir, 'agent.sock');
    const logged: string[] = [];
    server = await startControlServer(path, backend, { maxBufferedBytes: 64 * 1024, log: (m) => logged.push(m) });
    const s = createConnection(path);
    await new Promise((r) => s.once('connect', r));
    s.pause(); // a stalled `attach`: reads nothing
    const closed = new Promise((r) => s.once('close', r));
    await new Promise((r) => setTimeout(r, 50));
    expect(server.clients()).toBe(1);
    const big = { kind: 'error' as const, at: 1, message: 'x'.repeat(8000) };
    for (let i = 0; i < 400 && server.clients() > 0; i++) for (const l of backend.listeners) l(big);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.clients()).toBe(0);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/control client disconnected: it left \d+ bytes unread \(limit 65536\)/);
    s.resume();
    s.destroy();
    await closed;
  });

  it('restores the umask when listen fails', async () => {
    const before = process.umask();
    const path = join(dir, 'not-a-dir');
    writeFileSync(path, '');
    await expect(startControlServer(join(path, 'agent.sock'), backend)).rejects.toThrow();
    expect(process.umask()).toBe(before);
    // listen itself fails (procfs refuses a socket file): the umask is restored all the same
    await expect(startControlServer('/proc/ar-ctl-test.sock', backend)).rejects.toThrow(/cannot listen on \/proc\/ar-ctl-test.sock/);
    expect(process.umask()).toBe(before);
    // a path too long for a unix socket: refused, nothing left listening
    await expect(startControlServer(join(dir, 'x'.repeat(120) + '.sock'), backend)).rejects.toThrow(/cannot (listen on|restrict)/);
    expect(process.umask()).toBe(before);
  });
});
