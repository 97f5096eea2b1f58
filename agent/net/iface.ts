// What the agent needs to know about an interface: its IPv4 address and segment, MAC and carrier.
import { networkInterfaces } from 'node:os';
import { readFileSync, readdirSync } from 'node:fs';
import { ipToNumber, bufferToIp, macFromString } from '../protocol/index.js';

export interface InterfaceInfo {
  name: string;
  address: string;
  /** Network in CIDR form, e.g. "198.18.0.0/24". */
  segment: string;
  /** The interface's MAC; null when none is known (then no gratuitous ARP may be sent). */
  mac: Buffer | null;
  /** Kernel interface index (0 when unknown): a new index means the interface was deleted and re-created. */
  ifindex: number;
}

/** Network of `ip/prefix`, e.g. segmentOf('198.18.0.7', 24) = '198.18.0.0/24'. */
export function segmentOf(ip: string, prefix: number): string {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const net = Buffer.alloc(4);
  net.writeUInt32BE((ipToNumber(ip) & mask) >>> 0);
  return `${bufferToIp(net)}/${prefix}`;
}

/** The interface's address (`srcip` if given and present, else its first IPv4 address); null when it has none. */
export function interfaceInfo(name: string, srcip?: string, exclude: string[] = []): InterfaceInfo | null {
  const list = (networkInterfaces()[name] ?? []).filter((a) => a.family === 'IPv4');
  const skip = new Set(exclude.map((c) => c.split('/')[0]));
  const chosen = srcip ? list.find((a) => a.address === srcip) : list.find((a) => !skip.has(a.address));
  if (!chosen) return null;
  const prefix = Number(chosen.cidr?.split('/')[1] ?? 32);
  return {
    name,
    address: chosen.address,
    segment: segmentOf(chosen.address, prefix),
    mac: usableMac(chosen.mac) ?? macOf(name),
    ifindex: ifindexOf(name),
  };
}

/** The kernel's index for the interface; 0 when it does not exist. */
export function ifindexOf(name: string): number {
  try {
    return Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

/** Every IPv4 address on the interface (bare, no prefix); empty when it has none or does not exist. */
export function interfaceAddresses(name: string): string[] {
  return (networkInterfaces()[name] ?? []).filter((a) => a.family === 'IPv4').map((a) => a.address);
}

/** A MAC string as 6 bytes, or null when it is missing, malformed or all zero (no real hardware address). */
export function usableMac(s: string | undefined): Buffer | null {
  if (!s) return null;
  try {
    const mac = macFromString(s.trim());
    return mac.every((b) => b === 0) ? null : mac;
  } catch {
    return null;
  }
}

/** The interface's MAC from /sys; null when it cannot be read or is all zero. */
export function macOf(name: string): Buffer | null {
  try {
    return usableMac(readFileSync(`/sys/class/net/${name}/address`, 'utf8'));
  } catch {
    return null;
  }
}

/** true when the interface exists, is up and has carrier. */
export function carrierUp(name: string): boolean {
  try {
    return readFileSync(`/sys/class/net/${name}/carrier`, 'utf8').trim() === '1';
  } catch {
    return false; // interface down (EINVAL) or missing
  }
}

/** One interface as the agent reports it (InterfaceReport in agent/control/messages.ts), before VIPs are left out. */
export interface HostInterface {
  name: string;
  /** IPv4 addresses with prefix, "198.18.0.1/24", in the kernel's order. */
  addresses: string[];
  up: boolean;
  mac?: string;
}

/**
 * Every interface of the host except loopback: its IPv4 addresses with prefix, link (carrier) and MAC.
 * Interfaces without IPv4 are listed too (a group needs one: the editor says so). Sorted by name.
 */
export function listInterfaces(): HostInterface[] {
  const ifs = networkInterfaces();
  let names: string[];
  try {
    names = readdirSync('/sys/class/net');
  } catch {
    names = Object.keys(ifs);
  }
  const out: HostInterface[] = [];
  for (const name of new Set([...names, ...Object.keys(ifs)])) {
    const list = ifs[name] ?? [];
    if (name === 'lo' || list.some((a) => a.internal)) continue;
    const v4 = list.filter((a) => a.family === 'IPv4');
    const mac = macOf(name) ?? usableMac(list[0]?.mac);
    out.push({
      name,
      addresses: v4.map((a) => `${a.address}/${a.cidr?.split('/')[1] ?? '32'}`),
      up: carrierUp(name),
      ...(mac ? { mac: [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':') } : {}),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
