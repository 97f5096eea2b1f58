// The WebSocket transport of the web shell: one socket to /ws carrying calls ({id, method, args} →
// {id, reply}) and the event stream ({subscribe: true} → {event}); reconnects with backoff.
import type { ClientTransport } from '../../electron/core/client.js';
import type { CallReply, Method, WsClientMessage, WsServerMessage, WireEvent } from '../../electron/core/contract.js';

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Failed attempts since the last open socket. */
  attempt: number;
  /** When reconnecting: the next attempt's time (Date.now() based). */
  nextTryAt?: number;
  /** A socket was open once: "lost" rather than "cannot reach". */
  everOpen?: boolean;
}

/** The part of the browser's WebSocket this transport uses (a fake in tests). */
export interface WsLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export interface WsTransportOptions {
  url: string;
  open(url: string): WsLike;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
  /** A call made while disconnected waits this long for the socket before it fails. */
  queueTimeoutMs?: number;
}

const OPEN = 1;

/** 0.5 s, 1 s, 2 s, 4 s, 8 s, then every 10 s. */
export function backoffMs(attempt: number): number {
  return Math.min(10_000, 500 * 2 ** Math.max(0, attempt - 1));
}

/** ws(s)://host/ws, carrying the page's ?token= along when there is one (the cookie usually suffices). */
export function wsUrl(loc: { protocol: string; host: string; search: string }): string {
  const token = new URLSearchParams(loc.search).get('token');
  const base = `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
  return token ? `${base}?token=${encodeURIComponent(token)}` : base;
}

interface Pending {
  frame: string;
  sent: boolean;
  resolve(r: CallReply): void;
  timer?: unknown;
}

export class WsTransport implements ClientTransport {
  private ws: WsLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(e: WireEvent) => void>();
  private readonly stateListeners = new Set<(s: ConnectionState) => void>();
  private state: ConnectionState = { status: 'connecting', attempt: 0 };
  private retryTimer: unknown = null;
  private subscribedOnThisSocket = false;
  private stopped = false;
  private everOpen = false;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;

  constructor(private readonly opts: WsTransportOptions) {
    this.now = opts.now ?? Date.now;
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer !== null) this.clearTimer(this.retryTimer);
    this.ws?.close();
  }

  connection(): ConnectionState {
    return this.state;
  }

  onConnection(cb: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(cb);
    return () => this.stateListeners.delete(cb);
  }

  call(method: Method, args: unknown[]): Promise<CallReply> {
    const id = this.nextId++;
    const msg: WsClientMessage = { id, method, args };
    return new Promise<CallReply>((resolve) => {
      const p: Pending = { frame: JSON.stringify(msg), sent: false, resolve };
      this.pending.set(id, p);
      if (this.ws?.readyState === OPEN) this.send(id, p);
      else {
        p.timer = this.setTimer(() => {
          if (p.sent || !this.pending.has(id)) return;
          this.pending.delete(id);
          resolve({ ok: false, error: { code: 'unavailable', message: 'not connected to the console (it is not answering); try again when the connection is back' } });
        }, this.opts.queueTimeoutMs ?? 15_000);
      }
    });
  }

  /** createClient is the one listener: it subscribes once and assembles the fleet updates (a second listener joining mid-stream would get deltas without their base). */
  subscribe(listener: (e: WireEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.ws?.readyState === OPEN && !this.subscribedOnThisSocket) this.sendSubscribe();
    return () => {
      this.listeners.delete(listener);
    };
  }

  private setState(s: ConnectionState): void {
    this.state = s;
    for (const cb of [...this.stateListeners]) cb(s);
  }

  private send(id: number, p: Pending): void {
    try {
      this.ws!.send(p.frame);
      p.sent = true;
      if (p.timer !== undefined) this.clearTimer(p.timer);
    } catch (e) {
      this.pending.delete(id);
      p.resolve({ ok: false, error: { code: 'unavailable', message: `could not send to the console: ${(e as Error).message}` } });
    }
  }

  private sendSubscribe(): void {
    const msg: WsClientMessage = { subscribe: true };
    this.ws!.send(JSON.stringify(msg));
    this.subscribedOnThisSocket = true;
  }

  private connect(): void {
    this.retryTimer = null;
    let ws: WsLike;
    try {
      ws = this.opts.open(this.opts.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    this.subscribedOnThisSocket = false;
    ws.onopen = () => {
      this.everOpen = true;
      this.setState({ status: 'open', attempt: 0, everOpen: true });
      // The stream starts again with a fleet snapshot: whatever was missed is replaced by the truth.
      if (this.listeners.size) this.sendSubscribe();
      for (const [id, p] of this.pending) if (!p.sent) this.send(id, p);
    };
    ws.onmessage = (ev) => this.receive(ev.data);
    ws.onerror = () => {
      /* onclose follows and reconnects */
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      // Calls already sent will never be answered on this socket: say so rather than wait forever.
      for (const [id, p] of this.pending) {
        if (!p.sent) continue;
        this.pending.delete(id);
        p.resolve({
          ok: false,
          error: { code: 'disconnected', message: 'the connection to the console was lost before it replied; the action may still have run — check the fleet before retrying' },
        });
      }
      if (!this.stopped) this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    const attempt = this.state.status === 'open' ? 1 : this.state.attempt + 1;
    const wait = backoffMs(attempt);
    this.setState({ status: 'reconnecting', attempt, nextTryAt: this.now() + wait, everOpen: this.everOpen });
    this.retryTimer = this.setTimer(() => this.connect(), wait);
  }

  private receive(data: unknown): void {
    let msg: WsServerMessage;
    try {
      msg = JSON.parse(String(data)) as WsServerMessage;
    } catch {
      return;
    }
    if (msg && typeof msg === 'object' && 'id' in msg && typeof msg.id === 'number') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      p.resolve(msg.reply);
    } else if (msg && typeof msg === 'object' && 'event' in msg && msg.event) {
      for (const l of [...this.listeners]) l(msg.event);
    }
  }
}
