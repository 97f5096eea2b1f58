// A small control-socket client for the CLI: connect, read the snapshot, send one command, get its reply.
import { createConnection, type Socket } from 'node:net';
import { ControlMessageError, MAX_LINE_BYTES, parseAgentMessage, type AgentMessage, type Command, type ReplyMessage, type Snapshot } from './messages.js';
import { LineReader } from '../boundary/lines.js';

/** The agent is not running (socket missing or refused). */
export class NotRunningError extends Error {
  constructor(path: string, cause: string) {
    super(`carp-agent is not running on ${path} (${cause}); start it with: carp-agent run --config /etc/carp-agent/config.json`);
    this.name = 'NotRunningError';
  }
}

/** A connect error on `path` as the CLI reports it: NotRunningError when nothing listens there. */
export function connectError(path: string, e: NodeJS.ErrnoException): Error {
  if (e.code === 'ENOENT') return new NotRunningError(path, 'no socket file');
  if (e.code === 'ECONNREFUSED') return new NotRunningError(path, 'connection refused');
  return e;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type CommandBody = DistributiveOmit<Command, 'id'>;

export class ControlClient {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: ReplyMessage) => void; reject: (e: Error) => void }>();
  private snapshotWaiters: { resolve: (s: Snapshot) => void; reject: (e: Error) => void }[] = [];
  /** Set when the agent sent something that is not a message: every wait fails with it. */
  private broken: Error | null = null;
  snapshot: Snapshot | null = null;
  onMessage: ((m: AgentMessage) => void) | null = null;

  private constructor(private readonly sock: Socket) {
    const lines = new LineReader(MAX_LINE_BYTES, {
      line: (line) => {
        if (!line.trim() || this.broken) return;
        let m: AgentMessage;
        try {
          m = parseAgentMessage(line);
        } catch (e) {
          return this.fail(new ControlMessageError([`the agent sent an invalid message: ${(e as Error).message.slice(0, 500)}`]));
        }
        this.handle(m);
      },
      tooLong: () => this.fail(new ControlMessageError([`the agent sent a line longer than ${MAX_LINE_BYTES} bytes`])),
    });
    sock.on('data', (chunk: Buffer) => lines.push(chunk));
    sock.on('error', (e) => this.fail(e));
    sock.on('close', () => this.fail(new Error('the agent closed the control connection')));
  }

  /** A broken stream from the agent ends the connection: waiting callers get the reason, not a hang. */
  private fail(e: Error): void {
    if (this.broken) return;
    this.broken = e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
    for (const w of this.snapshotWaiters.splice(0)) w.reject(e);
    this.close();
  }

  static connect(path: string, timeoutMs = 5000): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const s = createConnection(path);
      const t = setTimeout(() => {
        s.destroy();
        reject(new NotRunningError(path, `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(t);
        resolve(new ControlClient(s));
      });
      s.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(t);
        reject(connectError(path, e));
      });
    });
  }

  private handle(m: AgentMessage): void {
    this.onMessage?.(m);
    if (m.type === 'snapshot') {
      this.snapshot = m;
      for (const w of this.snapshotWaiters.splice(0)) w.resolve(m);
    } else if (m.type === 'reply') {
      this.waiting.get(m.id)?.resolve(m);
      this.waiting.delete(m.id);
    }
  }

  /** The snapshot the agent sends on connect. */
  firstSnapshot(): Promise<Snapshot> {
    if (this.snapshot) return Promise.resolve(this.snapshot);
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => this.snapshotWaiters.push({ resolve, reject }));
  }

  /** Sends one command and resolves with its reply. */
  request(body: CommandBody, timeoutMs = 10_000): Promise<ReplyMessage> {
    const id = this.nextId++;
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`the agent did not answer command ${body.cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (r) => {
          clearTimeout(t);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      this.sock.write(JSON.stringify({ id, ...body }) + '\n');
    });
  }

  close(): void {
    this.sock.end();
    this.sock.destroy();
  }
}
