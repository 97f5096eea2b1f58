// Dialling one host with ssh2: the options, the handshake with host-key verification, authentication
// (ssh-agent, then key files, asking for passphrases), and errors that say which step failed and why.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { AuthenticationType, Client as ClientT, ClientChannel, ConnectConfig, ParsedKey } from 'ssh2';
import type { HostSpec } from '../transport.js';
import type { TrustEntry } from './known-hosts.js';
import { filesForHost, preferredHostKeyAlgorithms, verifyHostKey } from './host-keys.js';
import { AuthError, HostUnreachableError, PassphraseRequiredError, SshError } from './errors.js';
import type { SshTransport } from './connection.js';

// ssh2 is CommonJS: take its named parts from the default export under ESM.
const { Client, utils } = ssh2;
type Client = ClientT;

export interface SshOptions {
  /**
   * known_hosts files to check instead of the user's and the system's (default: UserKnownHostsFile and
   * GlobalKnownHostsFile as ssh_config sets them, and the console's own file). A host's own
   * HostSpec.knownHostsFiles apply either way.
   */
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

function defaultIdentities(): string[] {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((n) => join(homedir(), '.ssh', n)).filter((f) => existsSync(f));
}

/** Parses `user@host:port` (a jump given literally rather than by inventory name). */
export function parseJumpSpec(jump: string, defaultUser = userInfo().username): HostSpec {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(jump);
  if (!m) throw new Error(`jump host "${jump}" is neither an inventory name nor user@host[:port]`);
  return { name: jump, address: m[2].replace(/^\[|\]$/g, ''), port: Number(m[3] ?? 22), user: m[1] ?? defaultUser, identityFiles: [], tags: [] };
}

/** Returns a function that yields the next auth method each time ssh2 asks (agent, then key files). */
function authMethods(h: HostSpec, opts: SshOptions, notes: string[], tried: string[], onPassphraseMissing: (f: string) => void): () => Promise<unknown> {
  const agent = opts.agentSocket === undefined ? process.env.SSH_AUTH_SOCK : opts.agentSocket;
  const files = h.identityFiles.length ? h.identityFiles : (opts.defaultIdentityFiles ?? defaultIdentities());
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
        if (!opts.askPassphrase) {
          onPassphraseMissing(file);
          notes.push(`${file} is encrypted and no passphrase prompt is available (ssh-add it to the agent)`);
          continue;
        }
        const pass = await opts.askPassphrase(file);
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

export interface DialHooks {
  /** The connection closed after it was ready. */
  lost(client: Client): void;
  /** An error after the connection was ready (the close that follows is what counts). */
  lateError(e: Error): void;
}

/** Connects and authenticates; resolves with the client and the known_hosts line that vouched for the host. */
export function dial(h: HostSpec, opts: SshOptions, sock: ClientChannel | undefined, hooks: DialHooks): Promise<{ client: Client; trust?: TrustEntry }> {
  const files = filesForHost(h, opts.knownHostsFiles);
  const preferred = preferredHostKeyAlgorithms(h, files);
  let keyError: Error | undefined;
  let trust: TrustEntry | undefined;
  const notes: string[] = [];
  const tried: string[] = [];
  let passphraseMissing: string | undefined;
  const auth = authMethods(h, opts, notes, tried, (f) => (passphraseMissing ??= f));
  const client = new Client();
  const cfg: ConnectConfig = {
    host: h.address,
    port: h.port,
    username: h.user,
    sock,
    readyTimeout: opts.readyTimeoutMs ?? 5000,
    keepaliveInterval: opts.keepaliveIntervalMs ?? 1000,
    keepaliveCountMax: opts.keepaliveCountMax ?? 3,
    hostVerifier: (key: Buffer) => {
      const v = verifyHostKey(h, files, key);
      keyError = v.error;
      trust = v.trust;
      return v.ok;
    },
    authHandler: (_left: AuthenticationType[] | null, _partial: boolean | null, next: (m: unknown) => void) => {
      auth().then(next, () => next(false));
    },
  } as ConnectConfig;
  if (preferred.length) cfg.algorithms = { serverHostKey: { prepend: preferred, append: [], remove: [] } as never };
  return new Promise((resolve, reject) => {
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
      client.on('close', () => hooks.lost(client));
      resolve({ client, ...(trust ? { trust } : {}) });
    });
    client.on('error', (e: Error & { level?: string; code?: string }) => {
      if (settled) return hooks.lateError(e);
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
