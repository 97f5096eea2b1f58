// Trust on confirmation: what `ssh` asks ("Are you sure you want to continue connecting?"), as a
// two-step call. Without a fingerprint it reports the key a host presents; with the fingerprint the
// operator confirmed, it records that key in the console's known_hosts. A changed key, or a key of a type
// known_hosts has no entry for while it has one of another type (HostKeyOtherTypeError), is never trusted here.
import { trustHostKey } from './known-hosts.js';
import { SshError, UnknownHostKeyError } from './errors.js';
import type { SshTransport } from './connection.js';
import type { HostKeyVerdict } from '../transport.js';

export type { HostKeyVerdict };

export async function confirmHostKey(t: SshTransport, consoleKnownHostsFile: string, fingerprint?: string): Promise<HostKeyVerdict> {
  const host = t.host.name;
  t.resetBackoff();
  try {
    await t.exec('true', { timeoutMs: 10_000 });
    return { host, status: 'known' };
  } catch (e) {
    // Only first contact (no entry of any type for the host) may be confirmed. Changed, revoked and
    // other-type-known keys, unreachable hosts and auth failures are said as they are.
    if (!(e instanceof UnknownHostKeyError)) throw e;
    if (!fingerprint) return { host, status: 'unknown', keyType: e.keyType, fingerprint: e.fingerprint };
    if (fingerprint !== e.fingerprint) {
      throw new SshError(host, `${host} (${e.address}:${e.port}) presents ${e.keyType} ${e.fingerprint}, not the ${fingerprint} you confirmed; nothing was trusted`);
    }
    trustHostKey(consoleKnownHostsFile, e.address, e.port, { keyType: e.keyType, keyBlob: e.keyBlob });
    t.resetBackoff();
    return { host, status: 'trusted', keyType: e.keyType, fingerprint: e.fingerprint, file: consoleKnownHostsFile };
  }
}
