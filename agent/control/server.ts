// The control socket: a unix socket (mode 0600) speaking JSON lines. Snapshot on connect, events
// broadcast, a heartbeat every second, one reply per command (ok:false with code and reason otherwise).
import { createServer, createConnection, type Server, type Socket } from 'node:net';
import { chmodSync, existsSync, unlinkSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { CommandSchema, HEARTBEAT_MS, type AgentEvent, type AgentMessage, type Command, type Snapshot } from './messages.js';
import { describeIssues } from '../config/schema.js';

export const DEFAULT_SOCKET_PATH = '/run/carp-agent.sock';

/** What the server needs from the agent (the runtime, or a fake in tests). */
export interface ControlBackend {
  snapshot(): Snapshot;
  /** Carries out a validated command; throws an error with a `code` (CommandError) to refuse it. */
  execute(cmd: Command): Promise<unknown> | unknown;
  subscribe(listener: (e: AgentEvent) => void): () => void;
}

export interface ControlServer {
  path: string;
  close(): Promise<void>;
  /** Number of connected clients. */
  clients(): number;
}

const MAX_LINE = 1 << 20;
/** A client that lets more than this pile up unread (a stalled `attach`) is disconnected. */
export const MAX_BUFFERED_BYTES = 1 << 20;

export interface ControlServerOptions {
  heartbeatMs?: number;
  /** Output a client may leave unread before it is disconnected (default MAX_BUFFERED_BYTES). */
  maxBufferedBytes?: number;
  /** Where to say that a client was disconnected (default: nowhere). */
  log?: (msg: string) => void;
}

/** true when something answers on `path` (another agent). */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startControlServer(
  path: string,
  backend: ControlBackend,
  options: number | ControlServerOptions = {},
): Promise<ControlServer> {
  const o: ControlServerOptions = typeof options === 'number' ? { heartbeatMs: options } : options;
  const heartbeatMs = o.heartbeatMs ?? HEARTBEAT_MS;
  const maxBuffered = o.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  if (existsSync(path)) {
    if (await answers(path)) {
      throw new Error(`another carp-agent is already running on ${path}; stop it first (or use --socket PATH for a second one)`);
    }
    unlinkSync(path); // stale socket of an agent that died
  }
  mkdirSync(dirname(path), { recursive: true });
  const conns = new Set<Socket>();
  const write = (s: Socket, m: AgentMessage) => {
    if (s.destroyed || !s.writable) return;
    s.write(JSON.stringify(m) + '\n');
    if (s.writableLength > maxBuffered) {
      // The client stopped reading: drop it rather than buffer without bound (once per connection).
      o.log?.(`control client disconnected: it left ${s.writableLength} bytes unread (limit ${maxBuffered}); a stalled reader must reconnect`);
      s.destroy();
    }
  };

  const handleLine = async (s: Socket, line: string) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      write(s, { type: 'reply', id: 0, ok: false, error: { code: 'invalid', message: `not JSON: ${(e as Error).message}` } });
      return;
    }
    const id = typeof (raw as { id?: unknown })?.id === 'number' && Number.isInteger((raw as { id: number }).id) ? (raw as { id: number }).id : 0;
    const parsed = CommandSchema.safeParse(raw);
    if (!parsed.success) {
      write(s, { type: 'reply', id, ok: false, error: { code: 'invalid', message: describeIssues(parsed.error as z.ZodError).join('; ') } });
      return;
    }
    try {
      const result = await backend.execute(parsed.data);
      write(s, { type: 'reply', id, ok: true, result: result ?? null });
    } catch (e) {
      const code = typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'internal';
      write(s, { type: 'reply', id, ok: false, error: { code, message: (e as Error).message } });
    }
  };

  const server: Server = createServer((s) => {
    conns.add(s);
    s.setEncoding('utf8');
    write(s, backend.snapshot());
    let buf = '';
    let queue = Promise.resolve();
    s.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_LINE && !buf.includes('\n')) {
        write(s, { type: 'reply', id: 0, ok: false, error: { code: 'invalid', message: `line longer than ${MAX_LINE} bytes` } });
        s.destroy();
        return;
      }
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        queue = queue.then(() => handleLine(s, line)); // replies in command order
      }
    });
    s.on('error', () => s.destroy());
    s.on('close', () => conns.delete(s));
  });

  const unsubscribe = backend.subscribe((event) => {
    for (const s of conns) write(s, { type: 'event', event });
  });
  const hb = setInterval(() => {
    const at = Date.now();
    for (const s of conns) write(s, { type: 'heartbeat', at });
  }, heartbeatMs);
  hb.unref();

  // umask 0177 while the socket file is created, so it is never reachable by others; restored on every path.
  const old = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    clearInterval(hb);
    unsubscribe();
    throw new Error(`cannot listen on ${path}: ${(e as Error).message}`);
  } finally {
    process.umask(old);
  }
  try {
    chmodSync(path, 0o600);
  } catch (e) {
    clearInterval(hb);
    unsubscribe();
    server.close();
    throw new Error(`cannot restrict ${path} to mode 0600 (${(e as Error).message}); is the path longer than a unix socket allows (107 bytes)?`);
  }

  return {
    path,
    clients: () => conns.size,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(hb);
        unsubscribe();
        for (const s of conns) s.destroy();
        server.close(() => {
          try { unlinkSync(path); } catch { /* already gone */ }
          resolve();
        });
      }),
  };
}
