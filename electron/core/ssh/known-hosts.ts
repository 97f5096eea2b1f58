// OpenSSH known_hosts: parsing, host matching (hashed |1| entries, [host]:port, patterns), @revoked and
// @cert-authority, the SHA256 fingerprint exactly as `ssh-keygen -lf` prints it, appending a confirmed key.
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostCertProblem, isCertType, parseHostCertificate, type HostCertificate } from './host-cert.js';

export interface KnownHostEntry {
  file: string;
  /** 1-based line number. */
  line: number;
  marker?: 'revoked' | 'cert-authority';
  /** The host field as written: a comma list of patterns, or one hashed `|1|salt|hash` entry. */
  hosts: string;
  keyType: string;
  keyBlob: Buffer;
}

/** The known_hosts line that vouched for a host key. */
export interface TrustEntry {
  file: string;
  line: number;
  /** Set when a CA line vouched for the host's certificate. */
  marker?: 'cert-authority';
}

export type HostKeyCheck =
  | ({ status: 'known' } & TrustEntry)
  /** No entry for the host. `ca` locates a @cert-authority line for it (a plain key cannot use it). */
  | { status: 'unknown'; fingerprint: string; ca?: TrustEntry }
  | { status: 'changed'; fingerprint: string; file: string; line: number }
  /**
   * No entry of the presented key's type, but entries of other types exist for the host: OpenSSH
   * warns here, since a man-in-the-middle may simply offer a type we have no record of. Refused; never
   * treated as first contact. `file`/`line` locate the first known entry.
   */
  | { status: 'other-type-known'; fingerprint: string; knownTypes: string[]; file: string; line: number }
  /** The key (or the CA that signed its certificate) is listed under @revoked: refused. */
  | { status: 'revoked'; fingerprint: string; file: string; line: number }
  /** A certificate from a CA trusted for the host that does not vouch for it (expired, wrong name, bad signature). */
  | { status: 'cert-invalid'; fingerprint: string; reason: string; file: string; line: number };

/** `SHA256:` + unpadded base64 of the key blob's sha256, as `ssh-keygen -lf` and ssh print it. */
export function fingerprint(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** The key type written inside an SSH public key blob (its first string). */
export function keyTypeOfBlob(keyBlob: Buffer): string {
  if (keyBlob.length < 4) throw new Error('host key blob is shorter than 4 bytes: not an SSH public key');
  const len = keyBlob.readUInt32BE(0);
  if (len > keyBlob.length - 4 || len > 64) throw new Error('host key blob has an invalid type length: not an SSH public key');
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

/** The name ssh looks up: `host` on port 22, `[host]:port` otherwise. */
export function lookupName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Parses known_hosts text; malformed lines are skipped (like ssh does). */
export function parseKnownHosts(text: string, file = '<text>'): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return; // unknown marker: ssh ignores the line
    }
    const [hosts, keyType, b64] = fields;
    if (!hosts || !keyType || !b64 || !/^[A-Za-z0-9+/]+=*$/.test(b64)) return;
    const keyBlob = Buffer.from(b64, 'base64');
    if (keyBlob.length < 4) return;
    out.push({ file, line: i + 1, marker, hosts, keyType, keyBlob });
  });
  return out;
}

/** Glob match with `*` and `?` as in ssh's match_pattern (case-insensitive for host names). */
export function matchPattern(name: string, pattern: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('')
        .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('') +
      '$',
    'i',
  );
  return re.test(name);
}

/** ssh's match_hostname: a comma list; any negated match (`!pat`) vetoes, otherwise any positive match wins. */
export function matchHostList(name: string, list: string): boolean {
  let positive = false;
  for (const p of list.split(',')) {
    if (!p) continue;
    if (p.startsWith('!')) {
      if (matchPattern(name, p.slice(1))) return false;
    } else if (matchPattern(name, p)) positive = true;
  }
  return positive;
}

/** Does the host field of an entry match this lookup name (hashed or plain)? */
export function entryMatches(hostsField: string, name: string): boolean {
  if (hostsField.startsWith('|1|')) {
    const [, , salt, hash] = hostsField.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  return matchHostList(name, hostsField);
}

/** Reads and parses known_hosts files; missing files count as empty. */
export function readKnownHosts(files: string[]): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new Error(`cannot read known_hosts file ${f}: ${(e as Error).message}`);
    }
    out.push(...parseKnownHosts(text, f));
  }
  return out;
}

/** Key types already known for a host (so the client can prefer them in the key exchange, like ssh). */
export function knownKeyTypes(entries: KnownHostEntry[], host: string, port: number): string[] {
  const name = lookupName(host, port);
  const types = entries.filter((e) => !e.marker && entryMatches(e.hosts, name)).map((e) => e.keyType);
  return [...new Set(types)];
}

/** Checks a host key (plain or an OpenSSH host certificate) against parsed entries (see checkHostKey). */
export function checkHostKeyIn(entries: KnownHostEntry[], host: string, port: number, keyType: string, keyBlob: Buffer): HostKeyCheck {
  let cert: HostCertificate | undefined;
  if (isCertType(keyType)) {
    try {
      cert = parseHostCertificate(keyBlob);
    } catch (e) {
      return { status: 'cert-invalid', fingerprint: fingerprint(keyBlob), reason: `malformed certificate: ${(e as Error).message}`, file: '(presented by the host)', line: 0 };
    }
  }
  const plain = cert?.publicKey ?? keyBlob;
  const fp = fingerprint(plain);
  // @revoked applies to the key wherever it is presented, whatever the host field says (as in ssh); for
  // a certificate, to its key and to the CA that signed it.
  const revoked = entries.find((e) => e.marker === 'revoked' && (e.keyBlob.equals(plain) || (cert && e.keyBlob.equals(cert.signatureKey))));
  if (revoked) return { status: 'revoked', fingerprint: fp, file: revoked.file, line: revoked.line };
  const name = lookupName(host, port);
  const cas = entries.filter((e) => e.marker === 'cert-authority' && entryMatches(e.hosts, name));
  if (cert) {
    const ca = cas.find((e) => e.keyBlob.equals(cert.signatureKey));
    if (ca) {
      // Principals name the host as dialled, without the port (as ssh checks them).
      const reason = hostCertProblem(cert, host);
      if (reason) return { status: 'cert-invalid', fingerprint: fp, reason, file: ca.file, line: ca.line };
      return { status: 'known', file: ca.file, line: ca.line, marker: 'cert-authority' };
    }
    // No CA for it: like ssh, judge the certified key as a plain key.
    return checkHostKeyIn(entries, host, port, keyTypeOfBlob(plain), plain);
  }
  const mine = entries.filter((e) => !e.marker && entryMatches(e.hosts, name));
  const same = mine.find((e) => e.keyType === keyType && e.keyBlob.equals(keyBlob));
  if (same) return { status: 'known', file: same.file, line: same.line };
  const other = mine.find((e) => e.keyType === keyType);
  if (other) return { status: 'changed', fingerprint: fp, file: other.file, line: other.line };
  if (mine.length) {
    return { status: 'other-type-known', fingerprint: fp, knownTypes: [...new Set(mine.map((e) => e.keyType))], file: mine[0].file, line: mine[0].line };
  }
  return cas.length ? { status: 'unknown', fingerprint: fp, ca: { file: cas[0].file, line: cas[0].line, marker: 'cert-authority' } } : { status: 'unknown', fingerprint: fp };
}

/** The entry that would vouch for a host without seeing its key: its first plain entry, else a CA line for it. */
export function listedTrust(entries: KnownHostEntry[], host: string, port: number): TrustEntry | undefined {
  const name = lookupName(host, port);
  const plain = entries.find((e) => !e.marker && entryMatches(e.hosts, name));
  if (plain) return { file: plain.file, line: plain.line };
  const ca = entries.find((e) => e.marker === 'cert-authority' && entryMatches(e.hosts, name));
  return ca ? { file: ca.file, line: ca.line, marker: 'cert-authority' } : undefined;
}

/**
 * Checks the key a host presented against known_hosts files (e.g. ~/.ssh/known_hosts and the
 * console's own file). Same type, different key → changed (refuse); no entry of that type but entries of
 * other types → other-type-known (refuse); no entry at all for the host → unknown.
 */
export function checkHostKey(files: string[], host: string, port: number, keyType: string, keyBlob: Buffer): HostKeyCheck {
  return checkHostKeyIn(readKnownHosts(files), host, port, keyType, keyBlob);
}

/** Appends a confirmed key to the console's own known_hosts (plain, unhashed host field). */
export function trustHostKey(consoleKnownHostsFile: string, host: string, port: number, key: { keyType?: string; keyBlob: Buffer }): void {
  const type = key.keyType ?? keyTypeOfBlob(key.keyBlob);
  mkdirSync(dirname(consoleKnownHostsFile), { recursive: true, mode: 0o700 });
  // A file edited by hand may lack its final newline: start a new line rather than extend the last one.
  const sep = endsWithoutNewline(consoleKnownHostsFile) ? '\n' : '';
  appendFileSync(consoleKnownHostsFile, `${sep}${lookupName(host, port)} ${type} ${key.keyBlob.toString('base64')}\n`, { mode: 0o600 });
}

/** True when the file exists, is not empty and its last byte is not a newline. */
function endsWithoutNewline(file: string): boolean {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new Error(`cannot read known_hosts file ${file} before adding a key to it: ${(e as Error).message}`);
  }
  return text.length > 0 && text[text.length - 1] !== 0x0a;
}
