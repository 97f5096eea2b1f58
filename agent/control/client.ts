// A small control-socket client for the CLI: connect, read the snapshot, send one command, get its reply.
import { createConnection, type Socket } from 'node:net';
import { parseAgentMessage, type AgentMessage, type Command, type ReplyMessage, type Snapshot } from './messages.js';

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
  private buf = '';
  private readonly waiting = new Map<number, (r: ReplyMessage) => void>();
  private snapshotWaiters: ((s: Snapshot) => void)[] = [];
  snapshot: Snapshot | null = null;
  onMessage: ((m: AgentMessage) => void) | null = null;

  private constructor(private readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      this.buf += chunk;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        if (line.trim()) this.handle(parseAgentMessage(line));
      }
    });
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
      const w = this.snapshotWaiters;
      this.snapshotWaiters = [];
      w.forEach((f) => f(m));
    } else if (m.type === 'reply') {
      this.waiting.get(m.id)?.(m);
      this.waiting.delete(m.id);
    }
  }

  /** The snapshot the agent sends on connect. */
  firstSnapshot(): Promise<Snapshot> {
    if (this.snapshot) return Promise.resolve(this.snapshot);
    return new Promise((r) => this.snapshotWaiters.push(r));
  }

  /** Sends one command and resolves with its reply. */
  request(body: CommandBody, timeoutMs = 10_000): Promise<ReplyMessage> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`the agent did not answer command ${body.cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, (r) => {
        clearTimeout(t);
        resolve(r);
      });
      this.sock.write(JSON.stringify({ id, ...body }) + '\n');
    });
  }

  close(): void {
    this.sock.end();
    this.sock.destroy();
  }
}
