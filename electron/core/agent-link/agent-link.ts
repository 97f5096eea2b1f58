// One `carp-agent attach` channel per host: snapshot then events, commands with replies,
// staleness (no line for 2.5 s: marked stale within 3 s of falling silent) and reconnect with backoff, resyncing from the new snapshot.
import type { AgentEvent, Command, Snapshot } from '../../../agent/control/messages.js';
import { HEARTBEAT_MS, PROTOCOL_VERSION, parseAgentMessage, SnapshotSchema } from '../../../agent/control/messages.js';
import { ATTACH_COMMAND } from '../deploy/scripts.js';
import { hostKeyProblemOf, type HostKeyProblem, type HostTransport, type LineChannel } from '../transport.js';
import type { HostReport, HostStatus } from '../fleet/types.js';
import { applyAgentEvent } from './apply-event.js';

export { ATTACH_COMMAND };

export function protocolMismatch(theirs: number): string {
  return `agent speaks control protocol ${theirs}, this console speaks ${PROTOCOL_VERSION}: redeploy with carpctl deploy`;
}

export type CommandBody = Command extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;

/** A command the agent refused, or that could not be delivered. `code` is the agent's (or 'timeout'/'disconnected'). */
export class AgentCommandError extends Error {
  constructor(
    readonly host: string,
    readonly code: string,
    message: string,
  ) {
    super(`${host}: ${message}`);
    this.name = 'AgentCommandError';
  }
}

export interface AgentLinkOptions {
  staleMs?: number; // default 2.5 × HEARTBEAT_MS: two heartbeats missed, so stale within 3 s
  requestTimeoutMs?: number; // default 15 s
  openTimeoutMs?: number; // default 10 s
  backoffMinMs?: number; // default 500
  backoffMaxMs?: number; // default 10 s
  command?: string;
  now?: () => number;
}

export interface AgentLinkHandlers {
  /** The host's report changed (status, snapshot, lastSeen on status changes). */
  onReport?(r: HostReport): void;
  /** An agent event, relayed with the time its line was read. */
  onEvent?(e: AgentEvent, receivedAt: number): void;
  /** A line that did not parse, a failed resync...: reported, never thrown. */
  onError?(code: string, message: string): void;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** A link's HostReport: its snapshot and error when it has them, a host-key problem only while not live. */
export function hostReportOf(l: { host: string; status: HostStatus; lastSeen: number; snapshot?: Snapshot | undefined; error?: string | undefined; hostKey?: HostKeyProblem | undefined }): HostReport {
  return {
    host: l.host,
    status: l.status,
    lastSeen: l.lastSeen,
    ...(l.snapshot ? { snapshot: l.snapshot } : {}),
    ...(l.error ? { error: l.error } : {}),
    ...(l.hostKey && l.status !== 'live' ? { hostKey: l.hostKey } : {}),
  };
}

/**
 * A wait for a link to go live: `done` joins the link's `waiters` (which it calls and empties when it goes
 * live) and resolves; after timeoutMs it leaves them and rejects with `timeout()`.
 */
export function awaitLive(waiters: Array<() => void>, timeoutMs: number, timeout: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      const i = waiters.indexOf(done);
      if (i >= 0) waiters.splice(i, 1);
      reject(timeout());
    }, timeoutMs);
    const done = () => {
      clearTimeout(t);
      resolve();
    };
    waiters.push(done);
  });
}

export class AgentLink {
  readonly host: string;
  private status: HostStatus = 'unreachable';
  private snapshot: Snapshot | undefined;
  private lastSeen = 0;
  private error: string | undefined;
  private hostKey: HostKeyProblem | undefined;
  private channel: LineChannel | null = null;
  private generation = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private staleTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private backoff: number;
  private stopped = true;
  private readonly opts: Required<AgentLinkOptions>;
  private readonly snapshotWaiters: Array<() => void> = [];

  constructor(
    private readonly transport: HostTransport,
    private readonly handlers: AgentLinkHandlers = {},
    opts: AgentLinkOptions = {},
  ) {
    this.host = transport.host.name;
    this.opts = {
      staleMs: opts.staleMs ?? 2.5 * HEARTBEAT_MS,
      requestTimeoutMs: opts.requestTimeoutMs ?? 15_000,
      openTimeoutMs: opts.openTimeoutMs ?? 10_000,
      backoffMinMs: opts.backoffMinMs ?? 500,
      backoffMaxMs: opts.backoffMaxMs ?? 10_000,
      command: opts.command ?? ATTACH_COMMAND,
      now: opts.now ?? Date.now,
    };
    this.backoff = this.opts.backoffMinMs;
  }

  report(): HostReport {
    const { host, status, lastSeen, snapshot, error, hostKey } = this;
    return hostReportOf({ host, status, lastSeen, snapshot, error, hostKey });
  }

  /**
   * The agent process behind the snapshot in hand ("pid@startedAt"), or undefined before the first one.
   * It changes when the agent restarts (crash, reboot, power cycle): config revisions count from 1 again
   * then, so a revision read before and one read after are only comparable under the same identity.
   */
  agentId(): string | undefined {
    const a = this.snapshot?.agent;
    return a ? `${a.pid}@${a.startedAt}` : undefined;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.staleTimer = setInterval(() => this.checkStale(), Math.max(50, Math.floor(this.opts.staleMs / 10)));
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.staleTimer) clearInterval(this.staleTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.staleTimer = this.retryTimer = null;
    this.dropChannel('link stopped');
  }

  /** Resolves once a snapshot has arrived on the current channel (or rejects after timeoutMs). */
  waitLive(timeoutMs: number): Promise<void> {
    if (this.status === 'live') return Promise.resolve();
    return awaitLive(this.snapshotWaiters, timeoutMs, () => new AgentCommandError(this.host, 'timeout', `no agent snapshot within ${timeoutMs} ms (${this.status}${this.error ? `: ${this.error}` : ''})`));
  }

  /** Sends a command with the next id; resolves with the agent's result, rejects with AgentCommandError. */
  request(body: CommandBody, timeoutMs = this.opts.requestTimeoutMs): Promise<unknown> {
    const ch = this.channel;
    if (!ch || this.status !== 'live') {
      return Promise.reject(new AgentCommandError(this.host, 'disconnected', `agent is ${this.status}${this.error ? ` (${this.error})` : ''}; command ${body.cmd} not sent`));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AgentCommandError(this.host, 'timeout', `no reply to ${body.cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      try {
        ch.write(JSON.stringify({ id, ...body }));
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new AgentCommandError(this.host, 'disconnected', `could not send ${body.cmd}: ${(err as Error).message}`));
      }
    });
  }

  private setStatus(status: HostStatus, error?: string): void {
    const changed = status !== this.status || error !== this.error;
    this.status = status;
    this.error = error;
    if (changed) this.handlers.onReport?.(this.report());
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const gen = ++this.generation;
    let ch: LineChannel;
    try {
      const opening = this.transport.openLines(this.opts.command);
      // A channel that opens after we gave up is closed at once, never leaked.
      ch = await withTimeout(opening, this.opts.openTimeoutMs, 'opening the attach channel', (late) => late.close());
    } catch (err) {
      if (gen !== this.generation || this.stopped) return;
      this.hostKey = hostKeyProblemOf(err);
      this.setStatus('unreachable', (err as Error).message);
      this.scheduleReconnect();
      return;
    }
    if (gen !== this.generation || this.stopped) {
      ch.close();
      return;
    }
    this.channel = ch;
    this.hostKey = undefined;
    const openedAt = this.opts.now();
    let gotSnapshot = false;
    let lastLineAt = openedAt;
    this.lastLineAt = () => lastLineAt;
    ch.onLine((line) => {
      if (gen !== this.generation) return;
      const at = this.opts.now();
      lastLineAt = at;
      this.lastSeen = at;
      let msg;
      try {
        msg = parseAgentMessage(line);
      } catch (err) {
        this.handlers.onError?.('bad-line', `${this.host}: agent sent a line that is not a valid message (${shorten((err as Error).message)}): ${shorten(line)}`);
        return;
      }
      switch (msg.type) {
        case 'snapshot':
          if (msg.protocol !== PROTOCOL_VERSION) {
            // Do not guess at a protocol this console does not speak: say so, and try again later (after a redeploy).
            this.setStatus('no-agent', protocolMismatch(msg.protocol));
            this.handlers.onError?.('protocol', `${this.host}: ${protocolMismatch(msg.protocol)}`);
            this.dropChannel('protocol mismatch');
            this.scheduleReconnect();
            return;
          }
          gotSnapshot = true;
          this.snapshot = msg;
          this.backoff = this.opts.backoffMinMs;
          this.status = 'live';
          this.error = undefined;
          this.handlers.onReport?.(this.report());
          for (const w of this.snapshotWaiters.splice(0)) w();
          break;
        case 'event':
          if (this.snapshot) this.snapshot = applyAgentEvent(this.snapshot, msg.event);
          if (this.status !== 'live' && gotSnapshot) this.status = 'live';
          this.handlers.onEvent?.(msg.event, at);
          this.handlers.onReport?.(this.report());
          if (msg.event.kind === 'config' || msg.event.kind === 'demotion') void this.resync();
          break;
        case 'heartbeat':
          if (this.status === 'stale' && gotSnapshot) this.setStatus('live');
          break;
        case 'reply': {
          const p = this.pending.get(msg.id);
          if (!p) break;
          this.pending.delete(msg.id);
          clearTimeout(p.timer);
          if (msg.ok) p.resolve(msg.result);
          else p.reject(new AgentCommandError(this.host, msg.error.code, msg.error.message));
          break;
        }
      }
    });
    ch.onClose((err) => {
      if (gen !== this.generation) return;
      this.channel = null;
      this.failPending('disconnected', `attach channel closed${err ? `: ${err.message}` : ''}`);
      if (this.stopped) return;
      if (!gotSnapshot) this.setStatus('no-agent', `carp-agent attach ended without a snapshot${err ? `: ${err.message}` : ''}; deploy the agent or check /var/log/carp-agent.log`);
      else this.setStatus('unreachable', err ? err.message : 'attach channel closed');
      this.scheduleReconnect();
    });
  }

  private lastLineAt: () => number = () => 0;

  private checkStale(): void {
    if (this.stopped || !this.channel) return;
    const silent = this.opts.now() - this.lastLineAt();
    if (silent > this.opts.staleMs) {
      this.setStatus('stale', `no line from the agent for ${silent} ms (heartbeats are every ${HEARTBEAT_MS} ms)`);
      this.dropChannel('stale');
      this.scheduleReconnect();
    }
  }

  private async resync(): Promise<void> {
    try {
      const r = SnapshotSchema.safeParse(await this.request({ cmd: 'status' }));
      if (r.success && r.data.protocol !== PROTOCOL_VERSION) this.handlers.onError?.('protocol', `${this.host}: ${protocolMismatch(r.data.protocol)}`);
      else if (r.success) {
        this.snapshot = r.data;
        this.handlers.onReport?.(this.report());
      } else this.handlers.onError?.('bad-status', `${this.host}: status reply is not a snapshot`);
    } catch (err) {
      this.handlers.onError?.('resync', `${this.host}: could not refresh the snapshot: ${(err as Error).message}`);
    }
  }

  private dropChannel(reason: string): void {
    this.generation++;
    const ch = this.channel;
    this.channel = null;
    this.failPending('disconnected', reason);
    try {
      ch?.close();
    } catch {
      /* already closed */
    }
  }

  private failPending(code: string, message: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new AgentCommandError(this.host, code, message));
      this.pending.delete(id);
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.opts.backoffMaxMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }
}

function shorten(s: string, n = 200): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string, onLate: (v: T) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    let expired = false;
    const t = setTimeout(() => {
      expired = true;
      reject(new Error(`${what} took longer than ${ms} ms`));
    }, ms);
    p.then(
      (v) => {
        clearTimeout(t);
        if (expired) onLate(v);
        else resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
