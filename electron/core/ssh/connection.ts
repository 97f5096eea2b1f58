// SshTransport: the one connection to a host behind HostTransport: connects on demand, reconnects with
// backoff, limits channels per connection, and remembers which known_hosts line vouched for the host.
import type { Client, ClientChannel } from 'ssh2';
import type { ExecResult, HostSpec, HostTransport, LineChannel } from '../transport.js';
import type { TrustEntry } from './known-hosts.js';
import { ConnectionClosedError, HostUnreachableError, SshError } from './errors.js';
import { Semaphore } from './semaphore.js';
import { dial, parseJumpSpec, type SshOptions } from './dial.js';
import { lineChannel, openExecChannel, runExec } from './exec.js';
import { uploadAtomic } from './sftp.js';

export type ConnectionState = 'idle' | 'connecting' | 'ready' | 'closed';
export interface StateChange {
  state: ConnectionState;
  error?: Error;
}

export class SshTransport implements HostTransport {
  private client?: Client;
  private connecting?: Promise<Client>;
  private userClosed = false;
  private failures = 0;
  private nextAttemptAt = 0;
  private readonly sem: Semaphore;
  private readonly listeners = new Set<(s: StateChange) => void>();
  private stateValue: ConnectionState = 'idle';
  /** The jump host's transport when no pool resolves jumps: made once, reused by every dial, closed with us. */
  private ownJump?: SshTransport;
  /** The last connection error, if the last attempt failed. */
  lastError?: Error;
  /** The known_hosts line that vouched for the host's key at the last successful handshake. */
  trust?: TrustEntry;

  constructor(
    readonly host: HostSpec,
    private readonly opts: SshOptions = {},
  ) {
    this.sem = new Semaphore(opts.maxChannels ?? 8);
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** The options this transport dials with (known_hosts files, agent, timeouts). */
  get options(): Readonly<SshOptions> {
    return this.opts;
  }

  /** Subscribes to connection state changes; returns the unsubscribe function. */
  onState(cb: (s: StateChange) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private setState(state: ConnectionState, error?: Error): void {
    this.stateValue = state;
    for (const l of this.listeners) l({ state, error });
  }

  /** Channels in use and waiting (for tests and diagnostics). */
  get channelUsage(): { active: number; queued: number } {
    return { active: this.sem.active, queued: this.sem.queued };
  }

  /** Connects now (operations connect on demand anyway). */
  async connect(): Promise<void> {
    await this.ensureClient();
  }

  /** Forget the backoff (e.g. after the operator trusted a new host key). */
  resetBackoff(): void {
    this.failures = 0;
    this.nextAttemptAt = 0;
  }

  private async ensureClient(): Promise<Client> {
    if (this.userClosed) throw new ConnectionClosedError(this.host.name, `connection to ${this.host.name} was closed by the console`);
    if (this.client) return this.client;
    if (this.connecting) return this.connecting;
    this.connecting = (async () => {
      const wait = this.nextAttemptAt - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.setState('connecting');
      try {
        const { client: c, trust } = await this.dial();
        if (this.userClosed) {
          // close() was called while we were dialling: do not keep a connection nobody will close.
          c.end();
          throw new ConnectionClosedError(this.host.name, `connection to ${this.host.name} was closed by the console`);
        }
        this.resetBackoff();
        this.lastError = undefined;
        this.trust = trust;
        this.client = c;
        this.setState('ready');
        return c;
      } catch (e) {
        const err = e as Error;
        this.lastError = err;
        // Host-key and auth answers do not change by retrying fast; network failures back off.
        if (err instanceof HostUnreachableError || !(err instanceof SshError)) {
          const { initialMs, maxMs } = this.opts.backoff ?? { initialMs: 500, maxMs: 10_000 };
          this.nextAttemptAt = Date.now() + Math.min(maxMs, initialMs * 2 ** this.failures);
          this.failures++;
        }
        this.setState(this.userClosed ? 'closed' : 'idle', err);
        throw err;
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  private async dial(): Promise<{ client: Client; trust?: TrustEntry }> {
    const h = this.host;
    const sock = h.jump ? await this.jumpTransport(h.jump).forwardOut(h.address, h.port) : undefined;
    return dial(h, this.opts, sock, {
      lost: (client) => {
        if (this.client !== client) return;
        this.client = undefined;
        this.setState(this.userClosed ? 'closed' : 'idle', this.userClosed ? undefined : new HostUnreachableError(h.name, `connection to ${h.name} was lost`));
      },
      lateError: (e) => (this.lastError = e),
    });
  }

  /**
   * The transport to reach our host through. A pool's (shared, closed by the pool); otherwise our own,
   * made on the first dial and kept, so reconnects reuse its one connection instead of opening another.
   */
  private jumpTransport(jump: string): SshTransport {
    if (this.opts.resolveJump) return this.opts.resolveJump(jump);
    if (!this.ownJump || this.ownJump.state === 'closed') this.ownJump = new SshTransport(parseJumpSpec(jump), this.opts);
    return this.ownJump;
  }

  /** Opens a direct-tcpip channel through this host (used by hosts that name it as their jump). */
  async forwardOut(address: string, port: number): Promise<ClientChannel> {
    const client = await this.ensureClient();
    const release = await this.sem.acquire();
    return new Promise((resolve, reject) => {
      client.forwardOut('127.0.0.1', 0, address, port, (err, stream) => {
        if (err) {
          release();
          return reject(new HostUnreachableError(this.host.name, `jump host ${this.host.name} could not reach ${address}:${port}: ${err.message}`));
        }
        stream.once('close', release);
        resolve(stream);
      });
    });
  }

  async exec(command: string, opts: { stdin?: string | Buffer; timeoutMs?: number } = {}): Promise<ExecResult> {
    const ch = await openExecChannel(() => this.ensureClient(), this.sem, this.host.name, command);
    return runExec(this.host.name, command, ch, opts);
  }

  async openLines(command: string): Promise<LineChannel> {
    const ch = await openExecChannel(() => this.ensureClient(), this.sem, this.host.name, command);
    return lineChannel(this.host.name, command, ch);
  }

  async upload(localPath: string, remotePath: string, mode = 0o644): Promise<void> {
    const client = await this.ensureClient();
    const release = await this.sem.acquire();
    try {
      await uploadAtomic(client, this.host.name, localPath, remotePath, mode);
    } finally {
      release();
    }
  }

  close(): void {
    this.userClosed = true;
    const c = this.client;
    this.client = undefined;
    c?.end();
    this.ownJump?.close();
    this.ownJump = undefined;
    this.setState('closed');
  }
}
