// Host-key checking for one dial: which known_hosts files apply, the key types to prefer, and the
// verdict on the key the host presents (an error to report, or the known_hosts line that vouched for it).
import type { HostSpec } from '../transport.js';
import { checkHostKeyIn, keyTypeOfBlob, knownKeyTypes, listedTrust, readKnownHosts, type TrustEntry } from './known-hosts.js';
import { allKnownHostsFiles, describeTrust, knownHostsFilesFor, type KnownHostsFiles, type KnownHostsFilesOptions } from './known-hosts-files.js';
import { isCertType, parseHostCertificate } from './host-cert.js';
import { HostCertificateError, HostKeyChangedError, HostKeyOtherTypeError, SshError, UnknownHostKeyError } from './errors.js';

/** The files for a host: an explicit list (tests, tools) stands for the user's and system's files. */
export function filesForHost(host: HostSpec, explicit?: string[], o?: KnownHostsFilesOptions): KnownHostsFiles {
  const k = knownHostsFilesFor(host, o);
  return explicit ? { ...k, user: explicit, global: [] } : k;
}

export interface HostKeyVerdict {
  ok: boolean;
  /** Why the key was refused. */
  error?: Error;
  /** The line that vouched for the key. */
  trust?: TrustEntry;
}

/** Key types already on record for the host, in ssh2's algorithm names, to prefer in the key exchange. */
export function preferredHostKeyAlgorithms(host: HostSpec, files: KnownHostsFiles): string[] {
  return knownKeyTypes(readKnownHosts(allKnownHostsFiles(files)), host.address, host.port).flatMap((t) =>
    t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t],
  );
}

/** Judges the key blob a host presented (plain or an OpenSSH host certificate). */
export function verifyHostKey(host: HostSpec, files: KnownHostsFiles, key: Buffer): HostKeyVerdict {
  const h = host;
  let keyType: string;
  try {
    keyType = keyTypeOfBlob(key);
  } catch (e) {
    return { ok: false, error: new SshError(h.name, `${h.name} sent a malformed host key: ${(e as Error).message}`) };
  }
  let r;
  try {
    r = checkHostKeyIn(readKnownHosts(allKnownHostsFiles(files)), h.address, h.port, keyType, key);
  } catch (e) {
    return { ok: false, error: new SshError(h.name, `${h.name}: ${(e as Error).message}; fix the file's permissions or remove it`) };
  }
  switch (r.status) {
    case 'known':
      return { ok: true, trust: { file: r.file, line: r.line, ...(r.marker ? { marker: r.marker } : {}) } };
    case 'unknown': {
      // What the operator would confirm is the plain key, also when it came inside a certificate.
      const plain = isCertType(keyType) ? parseHostCertificate(key).publicKey : key;
      return { ok: false, error: new UnknownHostKeyError(h.name, h.address, h.port, keyTypeOfBlob(plain), Buffer.from(plain), r.fingerprint, r.ca) };
    }
    case 'other-type-known':
      return { ok: false, error: new HostKeyOtherTypeError(h.name, h.address, h.port, keyType, r.fingerprint, r.knownTypes, r.file, r.line) };
    case 'cert-invalid':
      return { ok: false, error: new HostCertificateError(h.name, h.address, h.port, r.reason, r.file, r.line) };
    default:
      return { ok: false, error: new HostKeyChangedError(h.name, h.address, h.port, r.fingerprint, r.file, r.line, r.status === 'revoked') };
  }
}

/**
 * Where a host's key trust comes from, for `carpctl hosts`: the line that vouched for it at the last
 * handshake; before one, the line that lists the host (said to be unverified); `unknown` when none does.
 */
export function describeHostTrust(host: HostSpec, files: KnownHostsFiles, verified?: TrustEntry, refused?: 'unknown' | 'changed'): string {
  if (verified) return describeTrust(verified, files);
  if (refused === 'unknown') return 'unknown';
  if (refused === 'changed') return 'refused (key changed, revoked or certificate invalid)';
  let listed: TrustEntry | undefined;
  try {
    listed = listedTrust(readKnownHosts(allKnownHostsFiles(files)), host.address, host.port);
  } catch (e) {
    return `unreadable (${(e as Error).message})`;
  }
  return listed ? `${describeTrust(listed, files)} (not verified yet)` : 'unknown';
}
