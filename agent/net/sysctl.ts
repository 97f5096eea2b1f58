// Per-interface IPv4 sysctls (/proc/sys/net/ipv4/conf/<if>/<key>), read and written by the agent for
// arpbalance: the kernel must not answer ARP for a balanced address, nor announce it as a sender.
import { readFileSync, writeFileSync } from 'node:fs';

const path = (ifname: string, key: string) => `/proc/sys/net/ipv4/conf/${ifname}/${key}`;

/** The value now, or null when the interface (or the key) does not exist. */
export function readIfSysctl(ifname: string, key: string): string | null {
  try {
    return readFileSync(path(ifname, key), 'utf8').trim();
  } catch {
    return null;
  }
}

/** Sets the value; throws naming the sysctl as `sysctl` would (net.ipv4.conf.eth0.arp_ignore). */
export function writeIfSysctl(ifname: string, key: string, value: string): void {
  try {
    writeFileSync(path(ifname, key), `${value}\n`);
  } catch (e) {
    throw new Error(`cannot set net.ipv4.conf.${ifname}.${key}=${value}: ${(e as Error).message}`);
  }
}
