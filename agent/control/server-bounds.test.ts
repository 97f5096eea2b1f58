// Bounded input on the control socket: a line past the limit (or a client that never sends a newline)
// gets an "invalid" reply and is disconnected while other clients are served on; `carp-agent attach`
// carries that answer back; the CLI client refuses a bad or endless agent line instead of crashing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { startControlServer, type ControlBackend, type ControlServer } from './server.js';
import { ControlClient } from './client.js';
import { attach } from './attach.js';
import { ControlMessageError, MAX_LINE_BYTES, type AgentEvent, type Command, type Snapshot } from './messages.js';

const snapshot = {
  type: 'snapshot', protocol: 1,
  agent: { version: 't', hostname: 'h', pid: 1, startedAt: 0, uptimeMs: 0, configPath: '/c', configRevision: 1 },
  demote: 0, maintenance: false, groups: [], unmatchedDrops: {},
} satisfies Snapshot;

const backend: ControlBackend = {
  snapshot: () => snapshot,
  execute: (cmd: Command) => ({ echoed: cmd.cmd }),
  subscribe: (_l: (e: AgentEvent) => void) => () => {},
};

let dir: string;
let server: ControlServer | null = null;
let fake: Server | null = null;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ar-bounds-'));
});
afterEach(async () => {
  await server?.close();
  server = null;
  fake?.close();
  fake = null;
  rmSync(dir, { recursive: true, force: true });
});

/** Connects and collects every line the server sends until it closes. */
async function rawClient(path: string): Promise<{ s: Socket; lines: string[]; closed: Promise<void> }> {
  const s = createConnection(path);
  s.on('error', () => {}); // EPIPE once the server has hung up on it: expected here
  const lines: string[] = [];
  let buf = '';
  s.setEncoding('utf8');
  s.on('data', (c: string) => {
    buf += c;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  const closed = new Promise<void>((r) => s.once('close', () => r()));
  await new Promise((r) => s.once('connect', r));
  return { s, lines, closed };
}

const replies = (lines: string[]) => lines.map((l) => JSON.parse(l) as { type: string }).filter((m) => m.type === 'reply');

describe('control socket line bound', () => {
  for (const [name, send] of [
    ['a long line that ends', (s: Socket) => s.write('{"id":1,"cmd":"status","x":"' + 'x'.repeat(5000) + '"}\n')],
    ['a client that never sends a newline', (s: Socket) => { for (let i = 0; i < 100; i++) s.write('y'.repeat(1000)); }],
  ] as const) {
    it(`refuses ${name} with a reply, disconnects it, and serves another client meanwhile`, async () => {
      const logged: string[] = [];
      const path = join(dir, 'a.sock');
      server = await startControlServer(path, backend, { maxLineBytes: 4096, log: (m) => logged.push(m) });
      const other = await ControlClient.connect(path);
      const bad = await rawClient(path);
      bad.s.write('{"id":7,"cmd":"status"}\n'); // answered before the refusal, in order
      send(bad.s);
      await bad.closed;
      const r = replies(bad.lines);
      expect(r[0]).toMatchObject({ id: 7, ok: true });
      expect(r[1]).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/line longer than 4096 bytes .*closed/) } });
      expect(logged).toEqual(['control client disconnected: it sent a line longer than 4096 bytes']);
      expect(await other.request({ cmd: 'status' })).toMatchObject({ ok: true, result: { echoed: 'status' } });
      expect(server.clients()).toBe(1);
      other.close();
    });
  }

  it('attach carries the refusal of an oversize line back to its output', async () => {
    const path = join(dir, 'a.sock');
    server = await startControlServer(path, backend, { maxLineBytes: 1024 });
    const input = new PassThrough();
    let out = '';
    const output = new Writable({ write: (c: Buffer, _e, cb) => ((out += c.toString()), cb()) });
    const done = attach(path, input, output);
    input.write('z'.repeat(3000) + '\n');
    expect(await done).toBe(0);
    expect(out).toMatch(/"type":"snapshot"/);
    expect(out).toMatch(/"ok":false,"error":\{"code":"invalid","message":"line longer than 1024 bytes/);
  });
});

describe('CLI control client against a broken agent', () => {
  async function fakeAgent(send: (s: Socket) => void): Promise<string> {
    const path = join(dir, 'fake.sock');
    fake = createServer((s) => {
      s.on('error', () => {}); // the client hangs up on it: expected here
      send(s);
    });
    await new Promise<void>((r) => fake!.listen(path, r));
    return path;
  }

  it('rejects its waiters with the reason when the agent sends an invalid message', async () => {
    const path = await fakeAgent((s) => s.write('{"type":"snapshot","protocol":"one"}\n'));
    const c = await ControlClient.connect(path);
    const err = await c.firstSnapshot().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ControlMessageError);
    expect((err as Error).message).toMatch(/invalid message: protocol: /);
    await expect(c.request({ cmd: 'status' })).rejects.toBeInstanceOf(ControlMessageError);
  });

  it('refuses an endless line from the agent instead of buffering it', async () => {
    const path = await fakeAgent((s) => {
      const chunk = 'x'.repeat(64 * 1024);
      for (let i = 0; i * chunk.length <= MAX_LINE_BYTES; i++) s.write(chunk);
    });
    const c = await ControlClient.connect(path);
    await expect(c.firstSnapshot()).rejects.toThrow(/longer than 1048576 bytes/);
  });
});
