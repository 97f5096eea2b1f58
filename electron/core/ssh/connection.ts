// HostTransport over ssh2: one Client per host, host keys checked against known_hosts, auth by
// ssh-agent then key files, a per-connection channel limit, keepalive, reconnect with backoff.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import ssh2 from 'ssh2';
import type { AuthenticationType, Client as ClientT, ClientChannel, ConnectConfig, ParsedKey, SFTPWrapper } from 'ssh2';
import type { ExecResult, HostSpec, HostTransport, LineChannel } from '../transport.js';
import { checkHostKey, keyTypeOfBlob, knownKeyTypes, readKnownHosts } from './known-hosts.js';
import {
  AuthError,
  ConnectionClosedError,
  ExecTimeoutError,
  HostKeyChangedError,
  HostKeyOtherTypeError,
  HostUnreachableError,
  PassphraseRequiredError,
  SshError,
  UnknownHostKeyError,
} from './errors.js';
import { Semaphore } from './semaphore.js';

// ssh2 is CommonJS: take its named parts from the default export under ESM.
const { Client, utils } = ssh2;
type Client = ClientT;

/** How often a refused channel open is retried (50, 100, 200, 400 ms apart) before it is an error. */
const CHANNEL_OPEN_RETRIES = 4;

export interface SshOptions {
  /** known_hosts files to check (default: ~/.ssh/known_hosts and the console's own file). */
  knownHostsFiles?: string[];
  /** ssh-agent socket; default $SSH_AUTH_SOCK; null disables the agent. */
  agentSocket?: string | null;
  /** Asked for the passphrase of an encrypted identity file; return null to skip that key. */
  askPassphrase?: (file: string) => Promise<string | null>;
  /** Key files tried when a host names none (default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa that exist). */
  defaultIdentityFiles?: string[];
  /** Handshake deadline, so an unreachable host is reported within seconds (default 5000). */
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number; // default 1000
  keepaliveCountMax?: number; // default 3
  /** Channels open at once per connection; the rest wait (OpenSSH MaxSessions defaults to 10). Default 8. */
  maxChannels?: number;
  /** Delay before reconnecting after a failure: initial, doubling up to max (default 500 → 10000 ms). */
  backoff?: { initialMs: number; maxMs: number };
  /** Finds the transport of a jump host named in HostSpec.jump (SshPool provides it). */
  resolveJump?: (jump: string) => SshTransport;
}

/** How an exec channel ended, filled in when the host sends exit-status or exit-signal. */
interface ExitInfo {
  status?: { code: number | null; signal?: string };
}

export type ConnectionState = 'idle' | 'connecting' | 'ready' | 'closed';
export interface StateChange {
  state: ConnectionState;
  error?: Error;
}

function defaultKnownHosts(): string[] {
  const xdg = process.env.XDG_CONFIG_HOME?.startsWith('/') ? process.env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return [join(homedir(), '.ssh', 'known_hosts'), join(xdg, 'carp-console', 'known_hosts')];
}

function defaultIdentities(): string[] {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((n) => join(homedir(), '.ssh', n)).filter((f) => existsSync(f));
}

/** Parses `user@host:port` (a jump given literally rather than by inventory name). */
export function parseJumpSpec(jump: string, defaultUser = userInfo().username): HostSpec {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(jump);
  if (!m) throw new Error(`jump host "${jump}" is neither an inventory name nor user@host[:port]`);
  return { name: jump, address: m[2].replace(/^\[|\]$/g, ''), port: Number(m[3] ?? 22), user: m[1] ?? defaultUser, identityFiles: [], tags: [] };
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

  constructor(
    readonly host: HostSpec,
    private readonly opts: SshOptions = {},
  ) {
    this.sem = new Semaphore(opts.maxChannels ?? 8);
  }

  get state(): ConnectionState {
    return this.stateValue;
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
        const c = await this.dial();
        if (this.userClosed) {
          // close() was called while we were dialling: do not keep a connection nobody will close.
          c.end();
          throw new ConnectionClosedError(this.host.name, `connection to ${this.host.name} was closed by the console`);
        }
        this.resetBackoff();
        this.lastError = undefined;
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

  private async dial(): Promise<Client> {
    const h = this.host;
    const knownFiles = this.opts.knownHostsFiles ?? defaultKnownHosts();
    let sock: ClientChannel | undefined;
    if (h.jump) {
      sock = await this.jumpTransport(h.jump).forwardOut(h.address, h.port);
    }
    const preferred = knownKeyTypes(readKnownHosts(knownFiles), h.address, h.port).flatMap((t) =>
      t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t],
    );
    let keyError: Error | undefined;
    const notes: string[] = [];
    const tried: string[] = [];
    let passphraseMissing: string | undefined;
    const auth = this.authMethods(notes, tried, (f) => (passphraseMissing ??= f));
    const client = new Client();
    const cfg: ConnectConfig = {
      host: h.address,
      port: h.port,
      username: h.user,
      sock,
      readyTimeout: this.opts.readyTimeoutMs ?? 5000,
      keepaliveInterval: this.opts.keepaliveIntervalMs ?? 1000,
      keepaliveCountMax: this.opts.keepaliveCountMax ?? 3,
      hostVerifier: (key: Buffer) => {
        let keyType: string;
        try {
          keyType = keyTypeOfBlob(key);
        } catch (e) {
          keyError = new SshError(h.name, `${h.name} sent a malformed host key: ${(e as Error).message}`);
          return false;
        }
        const r = checkHostKey(knownFiles, h.address, h.port, keyType, key);
        if (r.status === 'known') return true;
        if (r.status === 'unknown') keyError = new UnknownHostKeyError(h.name, h.address, h.port, keyType, Buffer.from(key), r.fingerprint);
        else if (r.status === 'other-type-known')
          keyError = new HostKeyOtherTypeError(h.name, h.address, h.port, keyType, r.fingerprint, r.knownTypes, r.file, r.line);
        else keyError = new HostKeyChangedError(h.name, h.address, h.port, r.fingerprint, r.file, r.line, r.status === 'revoked');
        return false;
      },
      authHandler: (_left: AuthenticationType[] | null, _partial: boolean | null, next: (m: unknown) => void) => {
        auth().then(next, () => next(false));
      },
    } as ConnectConfig;
    if (preferred.length) cfg.algorithms = { serverHostKey: { prepend: preferred, append: [], remove: [] } as never };
    return new Promise<Client>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        client.end();
        sock?.destroy();
        reject(err);
      };
      client.once('ready', () => {
        settled = true;
        client.on('close', () => {
          if (this.client === client) {
            this.client = undefined;
            this.setState(this.userClosed ? 'closed' : 'idle', this.userClosed ? undefined : new HostUnreachableError(h.name, `connection to ${h.name} was lost`));
          }
        });
        resolve(client);
      });
      client.on('error', (e: Error & { level?: string; code?: string }) => {
        if (settled) {
          this.lastError = e;
          return;
        }
        const where = `${h.name} (${h.user}@${h.address}:${h.port}${h.jump ? ` via ${h.jump}` : ''})`;
        if (keyError) return fail(keyError);
        if (e.level === 'client-authentication') {
          if (passphraseMissing && notes.length <= 1) return fail(new PassphraseRequiredError(h.name, passphraseMissing));
          const what = [...tried, ...notes].join('; ');
          return fail(new AuthError(h.name, `${where} refused every key we offered (${what}); check the user name and that the key is in the host's authorized_keys, or load the key into ssh-agent`));
        }
        if (e.level === 'client-timeout')
          return fail(new HostUnreachableError(h.name, `${where} did not complete the SSH handshake within ${cfg.readyTimeout} ms; is the host up and sshd listening?`));
        if (e.level === 'client-socket' || e.code)
          return fail(new HostUnreachableError(h.name, `${where} is unreachable: ${e.code ?? ''} ${e.message}`.replace(/\s+/g, ' ')));
        fail(new SshError(h.name, `${where}: ${e.message}`));
      });
      client.once('close', () => fail(keyError ?? new HostUnreachableError(h.name, `${h.name} closed the connection during the handshake`)));
      client.connect(cfg);
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

  /** Returns a function that yields the next auth method each time ssh2 asks (agent, then key files). */
  private authMethods(notes: string[], tried: string[], onPassphraseMissing: (f: string) => void): () => Promise<unknown> {
    const h = this.host;
    const agent = this.opts.agentSocket === undefined ? process.env.SSH_AUTH_SOCK : this.opts.agentSocket;
    const files = h.identityFiles.length ? h.identityFiles : (this.opts.defaultIdentityFiles ?? defaultIdentities());
    let i = agent ? -1 : 0;
    // What will be offered, for the AuthError when the host refuses all of it.
    tried.push(agent ? `tried the keys in the ssh-agent at ${agent}` : 'no ssh-agent');
    tried.push(files.length ? `key files ${files.join(', ')}` : 'no identity files (none given for the host, no default key files)');
    return async () => {
      if (i === -1) {
        i = 0;
        return { type: 'agent', username: h.user, agent };
      }
      while (i < files.length) {
        const file = files[i++];
        let data: Buffer;
        try {
          data = await readFile(file);
        } catch (e) {
          notes.push(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
          continue;
        }
        let key = utils.parseKey(data);
        if (key instanceof Error && /passphrase|encrypted/i.test(key.message)) {
          if (!this.opts.askPassphrase) {
            onPassphraseMissing(file);
            notes.push(`${file} is encrypted and no passphrase prompt is available (ssh-add it to the agent)`);
            continue;
          }
          const pass = await this.opts.askPassphrase(file);
          if (pass === null) {
            notes.push(`${file}: passphrase not given`);
            continue;
          }
          key = utils.parseKey(data, pass);
          if (key instanceof Error) {
            notes.push(`${file}: the passphrase given does not decrypt it (${key.message})`);
            continue;
          }
        }
        if (key instanceof Error) {
          notes.push(`${file}: ${key.message}`);
          continue;
        }
        const parsed = (Array.isArray(key) ? key[0] : key) as ParsedKey;
        return { type: 'publickey', username: h.user, key: parsed };
      }
      return false;
    };
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

  /**
   * Opens an exec channel. The exit status is recorded synchronously in the exec callback: ssh2 emits
   * 'exit' while parsing, and when the output, exit-status and close arrive in the same read as the
   * channel's confirmation (typical through a jump host) a listener attached after an await misses it.
   */
  private async channel(command: string, attempt = 0): Promise<{ stream: ClientChannel; release: () => void; exit: ExitInfo }> {
    const client = await this.ensureClient();
    const release = await this.sem.acquire();
    return new Promise((resolve, reject) => {
      try {
        client.exec(command, (err, stream) => {
          if (err) {
            release();
            // A server at its session limit (sshd MaxSessions, lower than ours or still freeing a session
            // we just closed) refuses the open: that passes, so wait a little and try again.
            if (attempt < CHANNEL_OPEN_RETRIES && /open failed/i.test(err.message)) {
              setTimeout(() => this.channel(command, attempt + 1).then(resolve, reject), 50 * 2 ** attempt);
              return;
            }
            return reject(new SshError(this.host.name, `${this.host.name}: cannot open a channel for "${command}": ${err.message}`));
          }
          let released = false;
          const exit: ExitInfo = {};
          stream.once('exit', (code: number | null, signal?: string) => {
            exit.status = { code, ...(signal ? { signal } : {}) };
          });
          resolve({
            stream,
            exit,
            release: () => {
              if (!released) (released = true), release();
            },
          });
        });
      } catch (e) {
        release();
        reject(new ConnectionClosedError(this.host.name, `${this.host.name}: connection closed before "${command}" could start: ${(e as Error).message}`));
      }
    });
  }

  async exec(command: string, opts: { stdin?: string | Buffer; timeoutMs?: number } = {}): Promise<ExecResult> {
    const { stream, release, exit } = await this.channel(command);
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = opts.timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            stream.signal('KILL');
            stream.close();
          }, opts.timeoutMs)
        : undefined;
      stream.on('data', (d: Buffer) => out.push(d));
      stream.stderr.on('data', (d: Buffer) => err.push(d));
      stream.on('close', () => {
        if (timer) clearTimeout(timer);
        release();
        const stdout = Buffer.concat(out).toString('utf8');
        const stderr = Buffer.concat(err).toString('utf8');
        if (timedOut) return reject(new ExecTimeoutError(this.host.name, `${this.host.name}: "${command}" did not finish within ${opts.timeoutMs} ms`));
        if (!exit.status) return reject(new ConnectionClosedError(this.host.name, `${this.host.name}: connection lost while running "${command}"`));
        const { code, signal } = exit.status;
        resolve(signal ? { code, signal, stdout, stderr } : { code, stdout, stderr });
      });
      if (opts.stdin !== undefined) stream.end(opts.stdin);
      else stream.end();
    });
  }

  async openLines(command: string): Promise<LineChannel> {
    const { stream, release, exit: exitInfo } = await this.channel(command);
    const host = this.host.name;
    let lineCbs: ((l: string) => void)[] = [];
    let closeCbs: ((e?: Error) => void)[] = [];
    const pendingLines: string[] = [];
    let closed: { err?: Error } | undefined;
    let buf = '';
    let stderrTail = '';
    let closedByUs = false;
    const emitLine = (l: string) => (lineCbs.length ? lineCbs.forEach((cb) => cb(l)) : pendingLines.push(l));
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        emitLine(buf.slice(0, i).replace(/\r$/, ''));
        buf = buf.slice(i + 1);
      }
    });
    stream.stderr.on('data', (d: Buffer) => (stderrTail = (stderrTail + d.toString('utf8')).slice(-2000)));
    stream.on('close', () => {
      release();
      if (buf) emitLine(buf);
      buf = '';
      let err: Error | undefined;
      const exit = exitInfo.status;
      if (!closedByUs) {
        const why = stderrTail.trim() ? `: ${stderrTail.trim().split('\n').slice(-3).join(' | ')}` : '';
        if (!exit) err = new ConnectionClosedError(host, `${host}: channel "${command}" closed without an exit status (connection lost?)${why}`);
        else if (exit.signal) err = new SshError(host, `${host}: "${command}" was killed by ${exit.signal}${why}`);
        else if (exit.code !== 0) err = new SshError(host, `${host}: "${command}" exited with code ${exit.code}${why}`);
      }
      closed = { err };
      const cbs = closeCbs;
      closeCbs = [];
      cbs.forEach((cb) => cb(err));
    });
    return {
      onLine(cb) {
        lineCbs.push(cb);
        if (pendingLines.length) pendingLines.splice(0).forEach((l) => cb(l));
      },
      onClose(cb) {
        if (closed) queueMicrotask(() => cb(closed!.err));
        else closeCbs.push(cb);
      },
      write(line) {
        if (!closed) stream.write(line.endsWith('\n') ? line : line + '\n');
      },
      close() {
        if (closed) return;
        closedByUs = true;
        lineCbs = [];
        stream.end();
        stream.close();
      },
    };
  }

  async upload(localPath: string, remotePath: string, mode = 0o644): Promise<void> {
    const client = await this.ensureClient();
    const release = await this.sem.acquire();
    const name = this.host.name;
    const tmp = `${remotePath}.upload-${randomBytes(4).toString('hex')}`;
    const step = <T>(what: string, fn: (cb: (err?: Error | null, v?: T) => void) => void) =>
      new Promise<T>((res, rej) => fn((err, v) => (err ? rej(new SshError(name, `${name}: ${what} failed: ${err.message}`)) : res(v as T))));
    let sftp: SFTPWrapper | undefined;
    try {
      sftp = await step<SFTPWrapper>('opening SFTP', (cb) => client.sftp(cb));
      const s = sftp;
      await step(`uploading ${localPath} to ${tmp}`, (cb) => s.fastPut(localPath, tmp, { mode }, cb));
      await step(`chmod ${tmp}`, (cb) => s.chmod(tmp, mode, cb));
      try {
        await step(`renaming ${tmp} to ${remotePath}`, (cb) => s.ext_openssh_rename(tmp, remotePath, cb));
      } catch (e) {
        await step(`removing ${tmp}`, (cb) => s.unlink(tmp, cb)).catch(() => undefined);
        throw e;
      }
    } catch (e) {
      if (sftp) {
        const s = sftp;
        await new Promise<void>((r) => s.unlink(tmp, () => r()));
      }
      throw e;
    } finally {
      sftp?.end();
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

/** One transport per host name, with jump hosts resolved through the same pool. */
export class SshPool {
  private readonly transports = new Map<string, SshTransport>();
  private readonly specs = new Map<string, HostSpec>();

  constructor(
    private readonly opts: SshOptions = {},
    hosts: HostSpec[] = [],
  ) {
    for (const h of hosts) this.specs.set(h.name, h);
  }

  /** The transport for this host (created on first use, replaced if the spec changed). */
  get(host: HostSpec): SshTransport {
    this.specs.set(host.name, host);
    const t = this.transports.get(host.name);
    if (t && JSON.stringify(t.host) === JSON.stringify(host) && t.state !== 'closed') return t;
    t?.close();
    const nt = new SshTransport(host, { ...this.opts, resolveJump: (j) => this.jump(j) });
    this.transports.set(host.name, nt);
    return nt;
  }

  /** Gets the host's transport and connects it. */
  async connect(host: HostSpec): Promise<SshTransport> {
    const t = this.get(host);
    await t.connect();
    return t;
  }

  private jump(j: string): SshTransport {
    const spec = this.specs.get(j) ?? parseJumpSpec(j);
    return this.get(spec);
  }

  closeAll(): void {
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
  }
}

/** Connects one host outside any pool (a pool is what guarantees one connection per host). */
export async function connect(host: HostSpec, opts: SshOptions = {}): Promise<SshTransport> {
  const t = new SshTransport(host, opts);
  await t.connect();
  return t;
}
