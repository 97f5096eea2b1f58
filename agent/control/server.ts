// The control socket: a unix socket (mode 0600) speaking JSON lines. Snapshot on connect, events
// broadcast, a heartbeat every second, one reply per command (ok:false with code and reason otherwise).
// Only a stale socket at its path is removed at start; anything else there is refused (claimSocketPath).
import { createServer, createConnection, type Server, type Socket } from 'node:net';
import { chmodSync, lstatSync, unlinkSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { mkdirPrivate } from '../config/atomic.js';
import { HEARTBEAT_MS, MAX_LINE_BYTES, parseCommandLine, type AgentEvent, type AgentMessage, type Command, type Snapshot } from './messages.js';
import { LineReader } from '../boundary/lines.js';

export const DEFAULT_SOCKET_PATH = '/run/carp-agent.sock';

/** What the server needs from the agent (the runtime, or a fake in tests). */
export interface ControlBackend {
  snapshot(): Snapshot;
  /** Carries out a validated command; throws an error with a `code` (CommandError) to refuse it. */
  execute(cmd: Command): unknown; // a value or a Promise of one
  subscribe(listener: (e: AgentEvent) => void): () => void;
}

export interface ControlServer {
  path: string;
  close(): Promise<void>;
  /** Number of connected clients. */
  clients(): number;
}

/** A client that lets more than this pile up unread (a stalled `attach`) is disconnected. */
export const MAX_BUFFERED_BYTES = 1 << 20;

export interface ControlServerOptions {
  heartbeatMs?: number;
  /** Output a client may leave unread before it is disconnected (default MAX_BUFFERED_BYTES). */
  maxBufferedBytes?: number;
  /** The longest command line a client may send (default MAX_LINE_BYTES; tests lower it). */
  maxLineBytes?: number;
  /** Where to say that a client was disconnected (default: nowhere). */
  log?: (msg: string) => void;
}

/** What a connect to the unix socket at `path` says: someone listens, nobody (ECONNREFUSED), or another error. */
function probe(path: string, timeoutMs = 500): Promise<{ kind: 'listening' } | { kind: 'refused' } | { kind: 'error'; message: string }> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    const t = setTimeout(() => {
      s.destroy();
      resolve({ kind: 'error', message: `no answer to a connect within ${timeoutMs} ms (a hung listener?)` });
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve({ kind: 'listening' });
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(t);
      resolve(e.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'error', message: e.message });
    });
  });
}

function describeNode(st: Stats): string {
  if (st.isFile()) return `a regular file (${st.size} bytes)`;
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isBlockDevice() || st.isCharacterDevice()) return 'a device node';
  return 'something that is not a socket';
}

/**
 * Makes `path` free for the control socket: nothing there is fine; a stale socket (nobody listening:
 * connect gets ECONNREFUSED, an agent that died) is removed. Anything else is refused, never removed:
 * a live socket (another agent), a socket that cannot be checked, a file, a directory, a link.
 */
export async function claimSocketPath(path: string): Promise<void> {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new Error(`cannot check the control socket path ${path}: ${(e as Error).message}`);
  }
  if (!st.isSocket()) {
    throw new Error(`${path} is ${describeNode(st)}, not a control socket; carp-agent does not remove it: move it away if it is not needed, or give another path with --socket PATH`);
  }
  const p = await probe(path);
  if (p.kind === 'listening') throw new Error(`another carp-agent is already running on ${path}; stop it first (or use --socket PATH for a second one)`);
  if (p.kind === 'error') {
    throw new Error(`${path} is a socket that cannot be checked (${p.message}); carp-agent does not remove it: check what listens there (ss -xlp), or give another path with --socket PATH`);
  }
  unlinkSync(path); // a stale socket of an agent that died
}

export async function startControlServer(
  path: string,
  backend: ControlBackend,
  options: number | ControlServerOptions = {},
): Promise<ControlServer> {
  const o: ControlServerOptions = typeof options === 'number' ? { heartbeatMs: options } : options;
  const heartbeatMs = o.heartbeatMs ?? HEARTBEAT_MS;
  const maxBuffered = o.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  const maxLine = o.maxLineBytes ?? MAX_LINE_BYTES;
  await claimSocketPath(path);
  mkdirPrivate(dirname(path));
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
    // One parser (messages.ts): size, JSON and the command schema; a refusal names the field.
    const parsed = parseCommandLine(line);
    if (!parsed.ok) {
      write(s, { type: 'reply', id: parsed.id, ok: false, error: parsed.error });
      return;
    }
    const id = parsed.command.id;
    try {
      const result = await backend.execute(parsed.command);
      write(s, { type: 'reply', id, ok: true, result: result ?? null });
    } catch (e) {
      const code = typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'internal';
      write(s, { type: 'reply', id, ok: false, error: { code, message: (e as Error).message } });
    }
  };

  const server: Server = createServer((s) => {
    conns.add(s);
    write(s, backend.snapshot());
    let queue = Promise.resolve();
    let refused = false;
    // A line is bounded before it is kept (a client that never sends a newline too): the client gets
    // the reason, after its earlier replies, and is disconnected; every other client is served on.
    const lines = new LineReader(maxLine, {
      line: (line) => {
        if (!refused) queue = queue.then(() => handleLine(s, line)); // replies in command order
      },
      tooLong: () => {
        if (refused) return;
        refused = true;
        const message = `line longer than ${maxLine} bytes (the limit for one command); this connection is closed`;
        queue = queue.then(() => {
          o.log?.(`control client disconnected: it sent a line longer than ${maxLine} bytes`);
          write(s, { type: 'reply', id: 0, ok: false, error: { code: 'invalid', message } });
          s.end(() => s.destroy());
        });
      },
    });
    s.on('data', (chunk: Buffer) => {
      if (!refused) lines.push(chunk);
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
