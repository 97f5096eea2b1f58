// What the console core needs from a connection to one firewall. Implemented over SSH
// (electron/core/ssh/) and by fakes in unit tests; nothing above this layer knows ssh2.

/** One firewall as the inventory knows it. */
export interface HostSpec {
  name: string;
  address: string;
  port: number;
  user: string;
  /** Private key files to try (after ssh-agent). */
  identityFiles: string[];
  /** Name (or user@host:port) of a jump host, like ssh's ProxyJump. */
  jump?: string;
  tags: string[];
  /** known_hosts files that came with the import that brought this host: they vouch for it alone. */
  knownHostsFiles?: string[];
}

export interface ExecResult {
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

/** A long-lived exec channel (e.g. `carp-agent attach`): lines in, lines out. */
export interface LineChannel {
  /** Called once per complete stdout line (without the newline). */
  onLine(cb: (line: string) => void): void;
  /** Called once when the channel closes, with the reason if it failed. */
  onClose(cb: (err?: Error) => void): void;
  write(line: string): void;
  close(): void;
}

export interface HostTransport {
  readonly host: HostSpec;
  /** Runs a command (sh -c on the host); rejects only on transport failure, not on a non-zero exit. */
  exec(command: string, opts?: { stdin?: string | Buffer; timeoutMs?: number }): Promise<ExecResult>;
  /** Opens a channel running `command` whose stdout is read as lines. */
  openLines(command: string): Promise<LineChannel>;
  /** Writes a file atomically on the host (upload to a temp name, then rename), with mode. */
  upload(localPath: string, remotePath: string, mode?: number): Promise<void>;
  close(): void;
}

/**
 * Why a connection was refused over the host's key, carried as `hostKey` on the transport's errors:
 * 'unknown' (first contact: confirm the fingerprint) or 'changed' (refused: possible man-in-the-middle).
 */
export type HostKeyProblem = 'unknown' | 'changed';

export function hostKeyProblemOf(err: unknown): HostKeyProblem | undefined {
  const k = (err as { hostKey?: unknown } | null)?.hostKey;
  return k === 'unknown' || k === 'changed' ? k : undefined;
}

/** What a host's SSH key is to the console: known, unknown (confirm its fingerprint), or just trusted. */
export type HostKeyVerdict =
  | { host: string; status: 'known' }
  | { host: string; status: 'unknown'; keyType: string; fingerprint: string }
  | { host: string; status: 'trusted'; keyType: string; fingerprint: string; file: string };
